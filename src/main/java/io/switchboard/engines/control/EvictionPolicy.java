package io.switchboard.engines.control;

import io.switchboard.engines.entity.EngineSnapshot;
import io.switchboard.engines.entity.EngineState;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Which engines to evict to free at least {@code bytesNeeded} on one GPU. A decision over snapshots
 * of the candidates (all allowed to go); answers no victims when the candidates together cannot free
 * enough. Called under the model manager's lock, so a policy may keep state of its own.
 * SWITCHBOARD_ENGINES_EVICTION_POLICY chooses one: {@code lru}, {@code greedy-dual} or {@code delayed-hits}.
 */
public interface EvictionPolicy {

    List<EngineSnapshot> chooseVictims(List<EngineSnapshot> candidates, long bytesNeeded, Instant now);

    /** The policy of that name, or an error that lists the names. */
    static EvictionPolicy named(String name, EngineSettings settings) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "lru" -> new LeastRecentlyUsedPolicy(settings);
            case "greedy-dual" -> new GreedyDualPolicy(settings);
            case "delayed-hits" -> new DelayedHitsPolicy(settings);
            default -> throw new IllegalArgumentException("Unknown eviction policy '" + name
                    + "': SWITCHBOARD_ENGINES_EVICTION_POLICY is one of lru, greedy-dual, delayed-hits");
        };
    }

    /**
     * The candidates in the order {@code rank} gives, except that those loaded or woken within the
     * minimum residency go after the others (so two models never thrash) and sleeping ones last of all
     * (stopping one frees only its residue and loses its cheap wake-up), taken until enough is freed;
     * none if all of them together do not free enough.
     */
    static List<EngineSnapshot> inOrderUntilFreed(List<EngineSnapshot> candidates, long bytesNeeded, Instant residentSince,
                                                  Comparator<EngineSnapshot> rank) {
        List<EngineSnapshot> ordered = new ArrayList<>(candidates);
        ordered.sort(Comparator.comparing((EngineSnapshot e) -> e.state() == EngineState.SLEEPING)
                .thenComparing(e -> e.stateSince().isAfter(residentSince)).thenComparing(rank));
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
