package io.switchboard.demo.control;

import io.switchboard.catalog.control.ModelStore;
import io.switchboard.catalog.entity.CatalogModel;
import io.switchboard.catalog.entity.EngineType;
import io.switchboard.pricing.control.PriceStore;
import io.switchboard.pricing.entity.ModelPrice;
import io.switchboard.pricing.entity.Money;
import io.switchboard.tenancy.control.ApiKeyStore;
import io.switchboard.tenancy.control.ApiKeys;
import io.switchboard.tenancy.control.TenantStore;
import io.switchboard.tenancy.entity.Tenant;
import jakarta.annotation.PostConstruct;
import jakarta.ejb.DependsOn;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import io.switchboard.routing.control.RuleStore;
import io.switchboard.routing.entity.RouteRule;
import java.util.logging.Logger;

/**
 * For {@code ./switchboard run}: on an empty database, a demo tenant with one API key, a
 * catalog of simulated models (the seed article's 8B chat, 32B code and 70B reasoning models),
 * sized so that the pinned chat model stays resident and the other two take turns beside it, and
 * routing rules for the aliases {@code auto}, {@code code} and {@code smart}.
 * The key goes to a file only its owner can read, never to the log; the run script prints it.
 */
@Singleton
@Startup
@DependsOn("SchemaMigrator")
public class DemoSeeder {

    private static final Logger LOG = Logger.getLogger(DemoSeeder.class.getName());

    @Inject
    @ConfigProperty(name = "switchboard.demo.seed", defaultValue = "false")
    boolean seed;

    @Inject
    @ConfigProperty(name = "switchboard.demo.key-file")
    Optional<String> keyFile;

    @Inject
    TenantStore tenants;

    @Inject
    ApiKeyStore keys;

    @Inject
    ModelStore models;

    @Inject
    PriceStore prices;

    @Inject
    RuleStore routes;

    @PostConstruct
    @TransactionAttribute(TransactionAttributeType.REQUIRED)
    void seedEmptyDatabase() {
        if (!seed || tenants.count() > 0) return;
        Tenant demo = new Tenant();
        demo.setName("demo");
        tenants.create(demo);
        String key = ApiKeys.generate();
        keys.issue(demo, "demo key", null, key);
        if (models.all().isEmpty()) {
            demoCatalog().forEach(models::create);
            // per million tokens: input, cached input, output
            price("chat-8b", "0.10", "0.05", "0.20");
            price("code-32b", "0.50", "0.25", "1.50");
            price("reason-70b", "0.90", "0.45", "2.70");
            demoRoutes().forEach(rule -> routes.create(rule, "demo-seed"));
        }
        keyFile.filter(file -> !file.isBlank()).ifPresent(file -> writeOwnerOnly(Path.of(file), key));
        LOG.info("Seeded the empty database with a demo tenant and a catalog of simulated models");
    }

    private static List<CatalogModel> demoCatalog() {
        return List.of(
                model("chat-8b", "meta-llama/Llama-3.1-8B-Instruct", "20", 8192, null, true),
                model("code-32b", "Qwen/Qwen2.5-Coder-32B-Instruct", "40", 16384, "fp8", false),
                model("reason-70b", "hugging-quants/Meta-Llama-3.1-70B-Instruct-AWQ-INT4", "56", 16384, "awq", false));
    }

    /**
     * Routing rules for the demo's aliases (docs/routing.md): {@code code} sends code to the 32B coder, loading it
     * if need be (the chat model serves should it fail); {@code smart} sends high quality or long conversations to
     * the 70B; {@code auto} does both by the same signs, but prefers the resident chat model while the larger one
     * is cold, unless high quality is asked (the GPU-aware choice).
     */
    private static List<RouteRule> demoRoutes() {
        List<String> code = List.of("python", "javascript", "typescript", "java", "go", "rust", "cpp", "c", "sql", "shell");
        List<String> chat = List.of("chat-8b");
        return List.of(
                route("code", "code", 10, r -> r.setCodeLanguages(code), "code-32b", List.of()),
                route("code-default", "code", 100, r -> r.setDefault(true), "code-32b", List.of()),
                route("smart-quality", "smart", 10, r -> r.setQuality("high"), "reason-70b", List.of()),
                route("smart-long", "smart", 20, r -> r.setMinMessages(12), "reason-70b", List.of()),
                route("smart-default", "smart", 100, r -> r.setDefault(true), "chat-8b", List.of()),
                route("auto-code", "auto", 10, r -> r.setCodeLanguages(code), "code-32b", chat),
                route("auto-quality", "auto", 20, r -> r.setQuality("high"), "reason-70b", chat),
                route("auto-default", "auto", 100, r -> r.setDefault(true), "chat-8b", List.of()));
    }

    /** A rule whose fallback is the pinned chat model (unless that is its target). */
    private static RouteRule route(String name, String alias, int priority, java.util.function.Consumer<RouteRule> condition,
                                   String target, List<String> alternatives) {
        RouteRule rule = new RouteRule();
        rule.setName(name);
        rule.setAlias(alias);
        rule.setPriority(priority);
        condition.accept(rule);
        rule.setTargetModel(target);
        rule.setAlternatives(alternatives);
        if (!target.equals("chat-8b")) rule.setFallbackModel("chat-8b");
        return rule;
    }

    private static CatalogModel model(String name, String modelId, String gib, int maxModelLen, String quantization,
                                      boolean pinned) {
        CatalogModel model = new CatalogModel();
        model.setName(name);
        model.setEngine(EngineType.SIM);
        model.setModelId(modelId);
        model.setGpuMemoryGib(new BigDecimal(gib));
        model.setMaxModelLen(maxModelLen);
        model.setQuantization(quantization);
        model.setPinned(pinned);
        model.setSleepEnabled(true);
        return model;
    }

    private void price(String model, String input, String cached, String output) {
        prices.add(new ModelPrice(model, java.time.Instant.EPOCH, Money.micros(new BigDecimal(input)),
                Money.micros(new BigDecimal(cached)), Money.micros(new BigDecimal(output))));
    }

    private static void writeOwnerOnly(Path file, String key) {
        try {
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, key + "\n", StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the demo key to " + file, e);
        }
    }
}
