package io.switchboard.engines.control;

import io.switchboard.engines.entity.EngineSnapshot;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The seed article's baseline: evict the least recently used idle engines until enough memory is
 * free. Engines still inside their minimum residency go last, so a model that was just loaded is
 * only evicted when nothing else would do (no thrashing between two models).
 */
@ApplicationScoped
public class LeastRecentlyUsedPolicy implements EvictionPolicy {

    @Inject
    EngineSettings settings;

    public LeastRecentlyUsedPolicy() {
    }

    LeastRecentlyUsedPolicy(EngineSettings settings) {
        this.settings = settings;
    }

    @Override
    public List<EngineSnapshot> chooseVictims(List<EngineSnapshot> candidates, long bytesNeeded, Instant now) {
        Instant residentSince = now.minus(settings.minResidency());
        List<EngineSnapshot> ordered = new ArrayList<>(candidates);
        ordered.sort(Comparator
                .comparing((EngineSnapshot e) -> e.stateSince().isAfter(residentSince))
                .thenComparing(EngineSnapshot::lastUsed));
        List<EngineSnapshot> victims = new ArrayList<>();
        long freed = 0;
        for (EngineSnapshot engine : ordered) {
            if (freed >= bytesNeeded) break;
            victims.add(engine);
            freed += engine.reservedBytes();
        }
        return freed >= bytesNeeded ? victims : List.of();
    }
}
