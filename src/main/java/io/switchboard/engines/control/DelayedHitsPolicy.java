package io.switchboard.engines.control;

import io.switchboard.engines.entity.EngineSnapshot;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/**
 * Eviction for caching with delayed hits (Atre et al., SIGCOMM 2020, in the spirit of their MAD): a miss
 * on a model costs more than one wait, because every request that arrives while it reloads queues
 * behind the reload too. At rate {@code λ} and reload time {@code R}, one eviction costs about
 * {@code R·(1 + λR/2)} seconds of waiting (the first request waits R, the λR that follow wait R/2 on
 * average), and evictions of it come at rate about {@code λ}; so the engine that costs the least
 * waiting per second per GiB it frees goes first, ties (models nobody asks for) by least recent use.
 */
final class DelayedHitsPolicy implements EvictionPolicy {

    private final EngineSettings settings;

    DelayedHitsPolicy(EngineSettings settings) {
        this.settings = settings;
    }

    @Override
    public List<EngineSnapshot> chooseVictims(List<EngineSnapshot> candidates, long bytesNeeded, Instant now) {
        return EvictionPolicy.inOrderUntilFreed(candidates, bytesNeeded, now.minus(settings.minResidency()),
                Comparator.comparingDouble(DelayedHitsPolicy::waitingCostPerGib).thenComparing(EngineSnapshot::lastUsed));
    }

    /** Expected seconds of waiting per second that evicting it causes, per GiB it frees. */
    static double waitingCostPerGib(EngineSnapshot engine) {
        double rate = engine.demandPerSecond();
        double reload = engine.reloadMillis() / 1000.0;
        double gib = Math.max(engine.reservedBytes(), 1) / (double) (1L << 30);
        return rate * reload * (1 + rate * reload / 2) / gib;
    }
}
