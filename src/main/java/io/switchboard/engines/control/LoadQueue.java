package io.switchboard.engines.control;

import io.switchboard.engines.entity.EngineState;

import java.util.ArrayDeque;

/**
 * The models waiting to be loaded (or woken), in the order they were asked for. Its head either fits
 * in free GPU memory and starts, or needs room made (idle engines evicted), or waits for leases to
 * end; later entries never overtake it, so a large model cannot starve. A pure decision over the
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
        for (ManagedEngine head; (head = queue.peek()) != null; ) {
            if (head.waiters.isEmpty() && !head.wanted) { // nobody wants it any more
                remove(head);
                continue;
            }
            if (head.state == EngineState.DRAINING || head.state == EngineState.STOPPING) {
                return null; // on its way out: it comes back COLD or SLEEPING and is loaded then (afterEviction)
            }
            if (!supervisor.usesLocalGpu(head.spec)) {
                remove(head);
                return new Start(head, -1);
            }
            long need = head.fullBytes() - (head.state == EngineState.SLEEPING ? head.reservedBytes : 0);
            int gpu = head.state == EngineState.SLEEPING ? head.gpu : gpus.withMostFree();
            if (gpus.free(gpu) >= need) {
                remove(head);
                return new Start(head, gpu);
            }
            return new MakeRoom(head, need);
        }
        return null;
    }
}
