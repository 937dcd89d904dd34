package io.switchboard.engines.control;

import io.switchboard.engines.entity.EngineSnapshot;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Which engines leave the GPU for the load queue's head, and when: the eviction policy ranks the
 * candidates, the swap scheduler says now or later, and a decision put off asks again on one timer
 * (the earliest asked for). The model manager carries out what this returns as transitions (drain,
 * stop); nothing here changes an engine. Guarded by the model manager's lock.
 */
final class Evictions {

    private final EvictionPolicy policy;
    private final SwapScheduler swaps;
    private final LifecycleTasks tasks;
    private final Object lock;
    private final Runnable askAgain;
    private LifecycleTasks.Timer recheck;
    private Instant recheckAt;

    /** {@code askAgain} runs under {@code lock} when a put-off decision is due. */
    Evictions(EvictionPolicy policy, SwapScheduler swaps, LifecycleTasks tasks, Object lock, Runnable askAgain) {
        this.policy = policy;
        this.swaps = swaps;
        this.tasks = tasks;
        this.lock = lock;
        this.askAgain = askAgain;
    }

    /** The bound by which the load queue may be taken out of arrival order (the cost scheduler), else null. */
    Duration reordersLoads() {
        return swaps.reordersLoads();
    }

    /**
     * The engines to evict now for {@code room}, most expendable first; none when nothing can make room
     * yet (the next release asks again) or when the swap is put off (the timer asks again).
     */
    List<ManagedEngine> victimsFor(LoadQueue.MakeRoom room, GpuReservations gpus, HostMemoryBudget hostMemory) {
        var now = tasks.now();
        var decision = swaps.decide(room.engine(), room.bytes(), gpus, policy, now, e -> view(e, now, hostMemory));
        if (decision instanceof SwapScheduler.Defer defer) {
            askAgainAfter(defer.recheck());
            return List.of();
        }
        return ((SwapScheduler.Evict) decision).victims();
    }

    /** What the policies see of an engine: its snapshot, with the reload it would cost if evicted now. */
    static EngineSnapshot view(ManagedEngine engine, Instant now, HostMemoryBudget hostMemory) {
        return engine.snapshot(now, hostMemory.wouldPark(engine));
    }

    private void askAgainAfter(Duration delay) {
        var at = tasks.now().plus(delay);
        if (recheck != null && !recheckAt.isAfter(at)) return;
        if (recheck != null) recheck.cancel();
        recheckAt = at;
        recheck = tasks.after(delay, () -> {
            synchronized (lock) {
                recheck = null;
                askAgain.run();
            }
        });
    }
}
