package io.switchboard.pricing.control;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import io.switchboard.pricing.entity.Price;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every model's prices as the request path sees them: an in-memory snapshot reloaded in the background
 * (an admin's SQL insert is in force within {@code switchboard.pricing.refresh-ms}), kept while the
 * database is away. The one place that says what a model's tokens cost at a moment: accounting prices
 * each usage row with it, quotas their reservations.
 */
@ApplicationScoped
public class PriceBook {

    private static final String ALL = "all";

    @Inject
    PriceStore store;

    @Resource
    ManagedExecutorService executor;

    @Inject
    @ConfigProperty(name = "switchboard.pricing.refresh-ms", defaultValue = "1000")
    long refreshMillis;

    private LoadingCache<String, Map<String, List<Price>>> snapshot;

    @PostConstruct
    void createCache() {
        snapshot = Caffeine.newBuilder()
                .refreshAfterWrite(Duration.ofMillis(refreshMillis))
                .executor(executor)
                .build(ignored -> byModel(store.all()));
    }

    /** Loaded with the application, not by the first request (whose row would be unpriced if that load failed). */
    void loadAtStart(@jakarta.enterprise.event.Observes @jakarta.enterprise.context.Initialized(ApplicationScoped.class) Object ignored) {
        try {
            snapshot.get(ALL);
        } catch (RuntimeException databaseAway) {
            java.util.logging.Logger.getLogger(PriceBook.class.getName()).warning(
                    "Prices could not be read at start (" + databaseAway.getMessage() + "); will try again at the first request");
        }
    }

    /** The price in force for the model at that moment: the row with the latest valid_from not after it. */
    public Optional<Price> at(String model, Instant when) {
        Map<String, List<Price>> all;
        try {
            all = snapshot.get(ALL);
        } catch (RuntimeException neverLoaded) { // the database was away since start-up: no price is known yet
            java.util.logging.Logger.getLogger(PriceBook.class.getName())
                    .warning("Prices cannot be read (" + neverLoaded.getMessage() + "); '" + model + "' counts as unpriced");
            return Optional.empty();
        }
        List<Price> prices = all.get(model);
        if (prices == null) return Optional.empty();
        Price inForce = null;
        for (Price price : prices) { // by valid_from, ascending; a model has a handful
            if (price.validFrom().isAfter(when)) break;
            inForce = price;
        }
        return Optional.ofNullable(inForce);
    }

    public void forget() {
        snapshot.invalidateAll();
    }

    static Map<String, List<Price>> byModel(List<Price> all) {
        Map<String, List<Price>> byModel = new HashMap<>();
        for (Price price : all) byModel.computeIfAbsent(price.model(), m -> new ArrayList<>()).add(price);
        byModel.values().forEach(list -> list.sort(java.util.Comparator.comparing(Price::validFrom)));
        return Map.copyOf(byModel);
    }
}
