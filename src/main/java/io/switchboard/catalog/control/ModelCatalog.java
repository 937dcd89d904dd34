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
import java.util.List;
import java.util.Optional;

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

    private LoadingCache<String, List<ModelSpec>> snapshot;

    @PostConstruct
    void createCache() {
        snapshot = Caffeine.newBuilder()
                .refreshAfterWrite(Duration.ofMillis(refreshMillis))
                .executor(executor)
                .build(ignored -> store.allSpecs());
    }

    /** Every catalog model, enabled or not, by name. */
    public List<ModelSpec> all() {
        return snapshot.get(ALL);
    }

    public List<ModelSpec> enabled() {
        return all().stream().filter(ModelSpec::enabled).toList();
    }

    public Optional<ModelSpec> find(String name) {
        return all().stream().filter(model -> model.name().equals(name)).findFirst();
    }

    /** Drops the snapshot after a change made through this server. */
    public void forget() {
        snapshot.invalidateAll();
    }
}
