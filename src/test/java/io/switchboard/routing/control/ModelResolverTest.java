package io.switchboard.routing.control;

import io.switchboard.catalog.control.ModelCatalog;
import io.switchboard.catalog.entity.EngineType;
import io.switchboard.catalog.entity.ModelSpec;
import io.switchboard.engines.entity.EngineState;
import io.switchboard.engines.entity.Residency;
import io.switchboard.gateway.control.Jsonp;
import io.switchboard.gateway.entity.ApiException;
import io.switchboard.routing.entity.RouteRule;
import io.switchboard.routing.entity.Route;
import io.switchboard.tenancy.entity.TenantPrincipal;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The resolver's choices with a catalog, a rule set and a GPU fixed by the test. */
class ModelResolverTest {

    static final TenantPrincipal TENANT = new TenantPrincipal(7, "t", 1, null, null);

    final List<ModelSpec> models = new ArrayList<>();
    final List<RouteRule> rows = new ArrayList<>();
    final Map<String, Residency> gpu = new HashMap<>();

    ModelResolver resolver() {
        ModelCatalog catalog = ModelCatalog.of(() -> models);
        RuleSet set = RuleSet.compile(1, rows);
        RuleBook book = new RuleBook() {
            @Override
            public RuleSet current() {
                return set;
            }
        };
        return new ModelResolver(catalog, book, names -> {
            Map<String, Residency> where = new HashMap<>();
            names.forEach(name -> where.put(name, gpu.getOrDefault(name, Residency.COLD)));
            return where;
        });
    }

    void model(String name, int maxModelLen) {
        models.add(new ModelSpec(name, EngineType.SIM, name, BigDecimal.TEN, maxModelLen, null, List.of(), false, true, false,
                null, Instant.EPOCH));
    }

    long rule(String alias, int priority, Consumer<RouteRule> fields) {
        RouteRule rule = new RouteRule();
        rule.setAlias(alias);
        rule.setPriority(priority);
        fields.accept(rule);
        try {
            var id = RouteRule.class.getDeclaredField("id");
            id.setAccessible(true);
            id.set(rule, (long) rows.size() + 1);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
        rows.add(rule);
        return rows.size();
    }

    static JsonObject chat(String model, String content) {
        return Jsonp.object().add("model", model).add("messages", Jsonp.array().add(Jsonp.object().add("role", "user")
                .add("content", content))).build();
    }

    Route resolve(String model, String content, String quality) {
        return resolver().resolve(model, TENANT, "chat", chat(model, content), quality);
    }

    @Test
    void aResidentAlternativeIsPreferredToAColdTargetAndAQuickerWakeToALoad() {
        model("big", 8192);
        model("small", 8192);
        model("sleepy", 8192);
        rule("smart", 1, r -> {
            r.setTargetModel("big");
            r.setAlternatives(List.of("sleepy", "small"));
        });
        gpu.put("big", new Residency(EngineState.COLD, 0, 60_000));
        gpu.put("sleepy", new Residency(EngineState.SLEEPING, 0, 3_000));
        gpu.put("small", new Residency(EngineState.READY, 0, 0));
        Route route = resolve("smart", "hi", null);
        assertEquals("small", route.model().name(), "resident beats asleep");
        assertTrue(route.choice().contains("big is cold"), route.choice());
        gpu.put("small", Residency.COLD);
        assertEquals("sleepy", resolve("smart", "hi", null).model().name(), "a 3 s wake beats a 60 s load");
        assertEquals("big", resolve("smart", "hi", "high").model().name(), "high quality: the target");
        gpu.put("big", new Residency(EngineState.READY, 0, 0));
        Route ready = resolve("smart", "hi", null);
        assertEquals("big", ready.model().name());
        assertNull(ready.choice());
    }

    @Test
    void aTargetWhoseLoadWouldOutlastTheRulesQueueBoundSendsTheFallbackAtOnce() {
        model("big", 8192);
        model("small", 8192);
        rule("smart", 1, r -> {
            r.setTargetModel("big");
            r.setFallbackModel("small");
            r.setMaxQueueWaitMs(5_000);
        });
        gpu.put("big", new Residency(EngineState.COLD, 0, 40_000));
        Route route = resolve("smart", "hi", null);
        assertEquals("small", route.model().name());
        assertEquals("queue_wait", route.fallbackReason());
        gpu.put("big", new Residency(EngineState.COLD, 0, 2_000));
        Route quick = resolve("smart", "hi", null);
        assertEquals("big", quick.model().name());
        assertEquals("small", quick.fallback().name(), "the fallback stays ready for a refusal");
        assertEquals(5_000, quick.maxQueueWaitMs());
    }

    @Test
    void thePromptGoesToTheFirstModelWhoseContextHasRoomElseContextLengthExceeded() {
        model("narrow", 100);
        model("wide", 1000);
        rule("ctx", 1, r -> {
            r.setTargetModel("narrow");
            r.setAlternatives(List.of("wide"));
        });
        assertEquals("narrow", resolve("ctx", "short", "high").model().name());
        assertEquals("wide", resolve("ctx", "w".repeat(1000), "high").model().name());
        // a short prompt whose max_tokens would not fit the narrow context goes to the wide one too
        var roomy = Jsonp.object(chat("ctx", "short")).add("max_tokens", 500).build();
        assertEquals("wide", resolver().resolve("ctx", TENANT, "chat", roomy, "high").model().name());
        // near the edge the estimate (four characters a token) is only a guess: the widest model tries it and the
        // engine, which counts exactly, decides; only a prompt too long even at six characters a token is refused here
        assertEquals("wide", resolve("ctx", "w".repeat(4_400), null).model().name());
        ApiException tooLong = assertThrows(ApiException.class, () -> resolve("ctx", "w".repeat(10_000), null));
        assertEquals("context_length_exceeded", tooLong.code());
        assertEquals(400, tooLong.status());
    }

    @Test
    void rulesAreTriedInPriorityOrderWithDefaultsLastAndAnUnknownAliasIsA404() {
        model("a", 8192);
        model("b", 8192);
        long fallback = rule("x", 0, r -> {
            r.setDefault(true);
            r.setTargetModel("a");
        });
        long later = rule("x", 20, r -> {
            r.setMaxMessages(5);
            r.setTargetModel("a");
        });
        long first = rule("x", 10, r -> {
            r.setMaxMessages(5);
            r.setTargetModel("b");
        });
        assertEquals(first, resolve("x", "hi", null).rule().id());
        rows.get((int) first - 1).setEnabled(false);
        assertEquals(later, resolve("x", "hi", null).rule().id());
        rows.get((int) later - 1).setEnabled(false);
        assertEquals(fallback, resolve("x", "hi", null).rule().id(), "the default, though its priority number is lowest");
        assertEquals("model_not_found", assertThrows(ApiException.class, () -> resolve("nothing", "hi", null)).code());
        assertEquals(Route.DIRECT, resolve("a", "hi", null).label(), "a concrete name skips the rules");
    }

    @Test
    void aSetWithAPatternThatDoesNotCompileFailsNamingTheRule() {
        model("a", 8192);
        long id = rule("x", 1, r -> {
            r.setTargetModel("a");
            r.setKeywordPattern("(unclosed");
        });
        IllegalArgumentException refused = assertThrows(IllegalArgumentException.class, () -> RuleSet.compile(2, rows));
        assertTrue(refused.getMessage().startsWith("rule " + id + ": keyword_pattern"), refused.getMessage());
    }
}
