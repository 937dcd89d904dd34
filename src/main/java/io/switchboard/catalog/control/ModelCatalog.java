package io.switchboard.catalog.control;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import io.switchboard.catalog.entity.ModelSpec;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The catalog as the request path sees it: an in-memory snapshot, reloaded in the background
 * every {@code switchboard.catalog.refresh-ms} so that an admin's direct SQL change is seen
 * within about a second, and kept when the database is briefly away.
 */
@ApplicationScoped
public class ModelCatalog {

    private static final String ALL = "all";

    @Inject
    ModelStore store;

    @Resource
    ManagedExecutorService executor;

    @Inject
    @ConfigProperty(name = "switchboard.catalog.refresh-ms", defaultValue = "1000")
    long refreshMillis;

    private LoadingCache<String, Snapshot> snapshot;

    /** One reading of the catalog, with what the request path looks up in it made once: by name, and the enabled ones. */
    private record Snapshot(List<ModelSpec> all, List<ModelSpec> enabled, Map<String, ModelSpec> byName) {
        static Snapshot of(List<ModelSpec> models) {
            Map<String, ModelSpec> byName = new HashMap<>();
            models.forEach(model -> byName.put(model.name(), model));
            return new Snapshot(List.copyOf(models), models.stream().filter(ModelSpec::enabled).toList(), Map.copyOf(byName));
        }
    }

    @PostConstruct
    void createCache() {
        snapshot = Caffeine.newBuilder()
                .refreshAfterWrite(Duration.ofMillis(refreshMillis))
                .executor(executor)
                .build(ignored -> Snapshot.of(store.allSpecs()));
    }

    private Supplier<List<ModelSpec>> fixed; // unit tests and benchmarks: no database

    /** A catalog of what {@code models} answers each time, for unit tests and benchmarks. */
    public static ModelCatalog of(Supplier<List<ModelSpec>> models) {
        ModelCatalog catalog = new ModelCatalog();
        catalog.fixed = models;
        return catalog;
    }

    /** A catalog of these models, read once, for benchmarks. */
    public static ModelCatalog of(List<ModelSpec> models) {
        ModelCatalog catalog = new ModelCatalog();
        catalog.fixedSnapshot = Snapshot.of(models);
        return catalog;
    }

    private Snapshot fixedSnapshot;

    private Snapshot snapshot() {
        if (fixedSnapshot != null) return fixedSnapshot;
        return fixed != null ? Snapshot.of(fixed.get()) : snapshot.get(ALL);
    }

    /** Every catalog model, enabled or not, by name. */
    public List<ModelSpec> all() {
        return snapshot().all();
    }

    public List<ModelSpec> enabled() {
        return snapshot().enabled();
    }

    public Optional<ModelSpec> find(String name) {
        return Optional.ofNullable(snapshot().byName().get(name));
    }

    /** Drops the snapshot after a change made through this server. */
    public void forget() {
        snapshot.invalidateAll();
    }
}
