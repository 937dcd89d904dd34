package io.switchboard.routing.control;

import io.switchboard.catalog.control.ModelCatalog;
import io.switchboard.catalog.entity.EngineType;
import io.switchboard.catalog.entity.ModelSpec;
import io.switchboard.engines.entity.EngineState;
import io.switchboard.engines.entity.Residency;
import io.switchboard.gateway.control.JsonRequest;
import io.switchboard.routing.entity.Route;
import io.switchboard.routing.entity.RouteRule;
import io.switchboard.tenancy.entity.TenantPrincipal;
import jakarta.json.JsonObject;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What choosing a model costs per request ({@code ./switchboard bench routing}): 200 rules for one alias, of
 * every kind of condition, none of which matches until the default at the end, so every request is checked
 * against all of them; a typical chat request and one with a 400 KB prompt. The body is parsed beforehand
 * (validation parses it anyway); the traits, the rules and the GPU-aware choice are what is measured.
 * SampleTime: JMH prints the p99 of single calls.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class RoutingBenchmark {

    static final TenantPrincipal TENANT = new TenantPrincipal(7, "bench", 1, null, null);

    ModelResolver resolver;
    JsonObject typical;
    JsonObject huge;

    @Setup
    public void setUp() {
        List<ModelSpec> models = List.of(spec("big"), spec("small"), spec("fallback"));
        List<RouteRule> rows = new ArrayList<>();
        for (int i = 0; i < 199; i++) {
            RouteRule rule = new RouteRule();
            rule.setAlias("smart");
            rule.setPriority(i);
            rule.setTargetModel("big");
            rule.setAlternatives(List.of("small"));
            switch (i % 5) {
                case 0 -> rule.setCodeLanguages(List.of(i % 2 == 0 ? "rust" : "go"));
                case 1 -> rule.setMinMessages(20 + i);
                case 2 -> rule.setQuality("high");
                case 3 -> rule.setKeywordPattern("(?i)\\bkubernetes" + i + "\\b");
                default -> rule.setMaxPromptTokens(5);
            }
            if (i % 7 == 0) rule.setTenantId(8L); // another tenant's
            rows.add(withId(rule, i + 1));
        }
        RouteRule fallback = new RouteRule();
        fallback.setAlias("smart");
        fallback.setDefault(true);
        fallback.setTargetModel("big");
        fallback.setAlternatives(List.of("small"));
        fallback.setFallbackModel("fallback");
        rows.add(withId(fallback, 200));
        RuleSet set = RuleSet.compile(1, rows);
        ModelCatalog catalog = ModelCatalog.of(models);
        RuleBook book = new RuleBook() {
            @Override
            public RuleSet current() {
                return set;
            }
        };
        Map<String, Residency> gpu = Map.of("big", new Residency(EngineState.COLD, 0, 40_000),
                "small", new Residency(EngineState.READY, 0, 0), "fallback", new Residency(EngineState.READY, 0, 0));
        resolver = new ModelResolver(catalog, book, names -> {
            Map<String, Residency> where = new HashMap<>();
            names.forEach(name -> where.put(name, gpu.get(name)));
            return where;
        });
        typical = parse("{\"model\":\"smart\",\"max_tokens\":256,\"messages\":[{\"role\":\"system\",\"content\":\"You are a helpful "
                + "assistant.\"},{\"role\":\"user\",\"content\":\"What is the capital of France, and why did it become the capital? "
                + "Keep it short.\"}]}");
        String document = "The quarterly report says revenue grew in every region. ".repeat(7_300); // about 400 KB
        huge = parse("{\"model\":\"smart\",\"messages\":[{\"role\":\"user\",\"content\":\"Summarise this:\\n" + document + "\"}]}");
        if (!"small".equals(typicalRoute().model().name())) throw new IllegalStateException("the bench should route to small");
    }

    @Benchmark
    public Route typicalRoute() {
        return resolver.resolve("smart", TENANT, "chat", typical, null);
    }

    @Benchmark
    public Route hugePromptRoute() {
        return resolver.resolve("smart", TENANT, "chat", huge, null);
    }

    private static JsonObject parse(String body) {
        return JsonRequest.parse(body.getBytes(StandardCharsets.UTF_8)).json();
    }

    private static ModelSpec spec(String name) {
        return new ModelSpec(name, EngineType.SIM, name, BigDecimal.TEN, 1_000_000, null, List.of(), false, true, false, null, Instant.EPOCH);
    }

    private static RouteRule withId(RouteRule rule, long id) {
        try {
            var field = RouteRule.class.getDeclaredField("id");
            field.setAccessible(true);
            field.set(rule, id);
            return rule;
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }
}
