package io.switchboard.engines.control;

import io.switchboard.engines.entity.EngineSnapshot;
import io.switchboard.engines.entity.EngineState;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * When the load queue's head needs room, whether to make it now or later: the order of swaps, which
 * matters most where the catalog leaves no choice of victim (a 70B model that needs the whole GPU).
 * Two schedules (SWITCHBOARD_ENGINES_SWAP_SCHEDULER):
 * <ul>
 * <li>{@code on-idle}: evict as soon as idle engines free enough (the seed article's gateway); engines
 *     that still have requests are drained only once the head's longest waiter has waited the bound.</li>
 * <li>{@code cost}: rent or buy. Swapping now costs the evicted models' coming requests their wait,
 *     about {@code λ·T²/2} seconds for each (rate λ, gone for T = the head's load plus their own
 *     reload); deferring costs the head's waiters their wait. The swap is made once the waiters have
 *     waited, together, as long as the swap would cost; or when the longest of them reaches the bound,
 *     so that no request starves. Until then the resident models keep serving.</li>
 * </ul>
 * Engines with requests in flight are drained, not stopped: what runs finishes, new requests queue.
 * A pure decision under the model manager's lock; the manager carries it out.
 */
final class SwapScheduler {

    enum Kind { ON_IDLE, COST }

    sealed interface Decision permits Evict, Defer {
    }

    /** Evict (or drain) these now; an empty list: nothing can make room yet, the next release retries. */
    record Evict(List<ManagedEngine> victims) implements Decision {
    }

    /** Ask again after {@code recheck}, unless a release or an arrival asks first. */
    record Defer(Duration recheck) implements Decision {
    }

    private static final Duration LONGEST_RECHECK = Duration.ofSeconds(1);

    private final Kind kind;
    private final Duration bound;

    SwapScheduler(Kind kind, Duration bound) {
        this.kind = kind;
        this.bound = bound;
    }

    /** The bound by which the load queue may be taken out of arrival order (the cost scheduler), else null. */
    Duration reordersLoads() {
        return kind == Kind.COST ? bound : null;
    }

    static Kind kind(String name) {
        return switch (name.trim().toLowerCase(Locale.ROOT)) {
            case "on-idle" -> Kind.ON_IDLE;
            case "cost" -> Kind.COST;
            default -> throw new IllegalArgumentException("Unknown swap scheduler '" + name
                    + "': SWITCHBOARD_ENGINES_SWAP_SCHEDULER is on-idle or cost");
        };
    }

    Decision decide(ManagedEngine head, long bytes, GpuReservations gpus, EvictionPolicy policy, Instant now,
                    Function<ManagedEngine, EngineSnapshot> view) {
        List<ManagedEngine> idle = gpus.victims(head, bytes, policy, now, GpuReservations::evictable, view);
        if (head.waiters.isEmpty()) return new Evict(idle); // loaded with nobody waiting (an admin, a client that retries): only idle room
        Duration waited = head.waiters.longestWait(now);
        boolean bounded = waited.compareTo(bound) >= 0;
        if (kind == Kind.ON_IDLE && !idle.isEmpty()) return new Evict(idle);
        List<ManagedEngine> victims = !idle.isEmpty() ? idle
                : gpus.victims(head, bytes, policy, now, GpuReservations::drainable, view);
        if (victims.isEmpty()) return new Evict(List.of());
        if (bounded) return new Evict(victims);
        Duration untilBound = bound.minus(waited);
        if (kind == Kind.ON_IDLE) return new Defer(min(untilBound, LONGEST_RECHECK));
        double cost = 0;
        long headLoad = head.state == EngineState.SLEEPING ? head.reloadMillis(true) : head.loadMillis();
        for (ManagedEngine victim : victims) cost += swapCost(view.apply(victim), headLoad);
        double waitedTogether = head.waiters.waitedSeconds(now);
        if (waitedTogether >= cost) return new Evict(victims);
        // the waiters' wait grows by their number each second: ask again about when it reaches the cost
        long untilEven = (long) Math.ceil((cost - waitedTogether) / head.waiters.size() * 1000);
        return new Defer(min(untilBound, min(Duration.ofMillis(Math.max(10, untilEven)), LONGEST_RECHECK)));
    }

    /** Seconds of waiting that evicting this engine costs its coming requests: rate times the time it is gone, squared, halved. */
    static double swapCost(EngineSnapshot victim, long headLoadMillis) {
        double gone = (headLoadMillis + victim.reloadMillis()) / 1000.0;
        return victim.demandPerSecond() * gone * gone / 2;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
