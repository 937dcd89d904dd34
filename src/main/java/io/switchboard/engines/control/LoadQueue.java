package io.switchboard.engines.control;

import io.switchboard.engines.entity.EngineState;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;

/**
 * The models waiting to be loaded (or woken), in the order they were asked for. Its head either fits
 * in free GPU memory and starts, or needs room made (idle engines evicted), or waits for leases to
 * end; later entries never overtake it, so a large model cannot starve. The cost scheduler lets later
 * entries go first while nobody has waited its bound (see {@link #next(GpuReservations, EngineSupervisor, Instant, Duration)}). A pure decision over the
 * state, guarded by the model manager's lock; the manager carries the steps out.
 */
final class LoadQueue {

    sealed interface Step permits Start, MakeRoom {
    }

    /** Start loading {@code engine} on {@code gpu} (-1: a remote engine, no GPU here). */
    record Start(ManagedEngine engine, int gpu) implements Step {
    }

    /** The head needs {@code bytes} more free memory than there is. */
    record MakeRoom(ManagedEngine engine, long bytes) implements Step {
    }

    private final ArrayDeque<ManagedEngine> queue = new ArrayDeque<>();

    /** Someone wants this model: it is queued once, if it needs a load at all (LOADING and READY serve their waiters). */
    void demand(ManagedEngine engine) {
        boolean needsLoad = engine.state == EngineState.COLD || engine.state == EngineState.SLEEPING
                || engine.state == EngineState.FAILED; // DRAINING and STOPPING demand again when they finish
        if (needsLoad && !engine.queuedForLoad) {
            engine.queuedForLoad = true;
            queue.add(engine);
        }
    }

    void remove(ManagedEngine engine) {
        engine.queuedForLoad = false;
        queue.remove(engine);
    }

    /** The next step for the queue's head (taken off the queue when it is a start), or null when nothing is queued. */
    Step next(GpuReservations gpus, EngineSupervisor supervisor) {
        return next(gpus, supervisor, null, null);
    }

    /**
     * The next step in arrival order, or, given a {@code bound} (the cost scheduler), in the order that
     * wastes the least: while no entry's longest waiter has waited the bound, any entry that fits in free
     * memory starts at once, though entries before it still wait for room, and room is made for the
     * entry whose waiters have waited longest together; once one has waited the bound, the queue is in
     * arrival order from the first such entry, so that none starves.
     */
    Step next(GpuReservations gpus, EngineSupervisor supervisor, Instant now, Duration bound) {
        ManagedEngine roomFor = null;
        double mostWaited = -1;
        for (var entries = queue.iterator(); entries.hasNext(); ) {
            ManagedEngine entry = entries.next();
            if (entry.waiters.isEmpty() && !entry.wanted) { // nobody wants it any more
                entry.queuedForLoad = false;
                entries.remove();
                continue;
            }
            if (entry.state == EngineState.DRAINING || entry.state == EngineState.STOPPING) {
                // on its way out: it comes back COLD or SLEEPING and is loaded then (afterEviction)
                if (bound == null || urgent(entry, now, bound)) return null;
                continue;
            }
            if (!supervisor.usesLocalGpu(entry.spec)) {
                remove(entry);
                return new Start(entry, -1);
            }
            long need = entry.fullBytes() - (entry.state == EngineState.SLEEPING ? entry.reservedBytes : 0);
            int gpu = entry.state == EngineState.SLEEPING ? entry.gpu : gpus.withMostFree();
            if (gpus.free(gpu) >= need) {
                remove(entry);
                return new Start(entry, gpu);
            }
            if (bound == null || urgent(entry, now, bound)) return new MakeRoom(entry, need);
            double waited = entry.waiters.waitedSeconds(now);
            if (waited > mostWaited) {
                mostWaited = waited;
                roomFor = entry;
            }
        }
        if (roomFor == null) return null;
        return new MakeRoom(roomFor, roomFor.fullBytes() - (roomFor.state == EngineState.SLEEPING ? roomFor.reservedBytes : 0));
    }

    private static boolean urgent(ManagedEngine entry, Instant now, Duration bound) {
        return !entry.waiters.isEmpty() && entry.waiters.longestWait(now).compareTo(bound) >= 0;
    }
}
