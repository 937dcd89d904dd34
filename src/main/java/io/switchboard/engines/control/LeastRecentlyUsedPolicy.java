package io.switchboard.engines.control;

import io.switchboard.engines.entity.EngineSnapshot;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/**
 * The seed article's baseline: evict the least recently used engines until enough memory is free.
 * Engines still inside their minimum residency go last, so a model that was just loaded is only
 * evicted when nothing else would do (no thrashing between two models).
 */
public class LeastRecentlyUsedPolicy implements EvictionPolicy {

    private final EngineSettings settings;

    LeastRecentlyUsedPolicy(EngineSettings settings) {
        this.settings = settings;
    }

    @Override
    public List<EngineSnapshot> chooseVictims(List<EngineSnapshot> candidates, long bytesNeeded, Instant now) {
        return EvictionPolicy.inOrderUntilFreed(candidates, bytesNeeded, now.minus(settings.minResidency()),
                Comparator.comparing(EngineSnapshot::lastUsed));
    }
}
