package io.switchboard.engines.control;

import io.switchboard.engines.entity.EngineSnapshot;

import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * GreedyDual-Size (Cao and Irani, 1997; Young's Landlord): a cost-aware LRU. Each model holds a credit,
 * set to the inflation {@code L} plus its reload cost per GiB whenever it is used; the model with the
 * least credit goes first and {@code L} rises to the credit of the last one evicted, so a model unused
 * since ages against those used since. The cost is what bringing it back would take: a wake-up from the
 * sleep tier is far cheaper than a cold load, so a model that can sleep goes before one that must be
 * loaded again, and of two equally cheap models the larger one, which frees more per second of reload.
 *
 * <p>Uses are read from each candidate's {@code lastUsed} at every decision: a model used since the last
 * decision that saw it gets its credit renewed then, with the {@code L} of that moment. GreedyDual-Size
 * renews at every use, but {@code L} changes only at decisions, so the credit is the same.
 */
final class GreedyDualPolicy implements EvictionPolicy {

    private record Credit(double value, Instant usedAt) {
    }

    private final EngineSettings settings;
    private final Map<String, Credit> credits = new HashMap<>();
    private double inflation;

    GreedyDualPolicy(EngineSettings settings) {
        this.settings = settings;
    }

    @Override
    public List<EngineSnapshot> chooseVictims(List<EngineSnapshot> candidates, long bytesNeeded, Instant now) {
        Map<String, Double> credit = new HashMap<>();
        for (EngineSnapshot engine : candidates) credit.put(engine.model(), renewed(engine));
        List<EngineSnapshot> victims = EvictionPolicy.inOrderUntilFreed(candidates, bytesNeeded,
                now.minus(settings.minResidency()), Comparator.comparingDouble((EngineSnapshot e) -> credit.get(e.model()))
                        .thenComparing(EngineSnapshot::lastUsed));
        for (EngineSnapshot victim : victims) {
            inflation = Math.max(inflation, credit.get(victim.model()));
            credits.remove(victim.model()); // its next use after coming back starts a new credit
        }
        return victims;
    }

    private double renewed(EngineSnapshot engine) {
        Credit known = credits.get(engine.model());
        if (known == null || engine.lastUsed().isAfter(known.usedAt())) {
            double gib = Math.max(engine.reservedBytes(), 1) / (double) (1L << 30);
            known = new Credit(inflation + engine.reloadMillis() / 1000.0 / gib, engine.lastUsed());
            credits.put(engine.model(), known);
        }
        return known.value();
    }
}
