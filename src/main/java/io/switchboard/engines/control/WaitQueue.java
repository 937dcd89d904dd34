package io.switchboard.engines.control;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The requests waiting for one model's engine, in arrival order. They are released together, up to
 * the engine's free slots, when it is READY; a waiter that gives up (its wait ran out, its client
 * left) leaves the queue. Guarded by the model manager's lock; futures are completed off it.
 */
final class WaitQueue {

    /** A request waiting for this engine to be READY with a free slot. */
    static final class Waiter {
        final CompletableFuture<Lease> future = new CompletableFuture<>();
        final long enqueuedNanos = System.nanoTime();
        LifecycleTasks.Timer timeout;
    }

    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();

    Waiter add() {
        Waiter waiter = new Waiter();
        waiters.add(waiter);
        return waiter;
    }

    boolean isEmpty() {
        return waiters.isEmpty();
    }

    int size() {
        return waiters.size();
    }

    /** The next waiter still waiting (those that timed out or left meanwhile are skipped), or null. */
    Waiter next() {
        for (Waiter waiter; (waiter = waiters.poll()) != null; ) {
            if (!waiter.future.isDone()) {
                if (waiter.timeout != null) waiter.timeout.cancel();
                return waiter;
            }
        }
        return null;
    }

    /** True when the waiter was still queued. */
    boolean remove(Waiter waiter) {
        return waiters.remove(waiter);
    }

    void remove(CompletableFuture<Lease> pending) {
        waiters.removeIf(w -> w.future == pending);
    }

    /** Empties the queue: every waiter fails with {@code error}, completed by {@code tasks} (off the lock). */
    void failAll(RuntimeException error, LifecycleTasks tasks) {
        List<Waiter> failed = new ArrayList<>(waiters);
        waiters.clear();
        for (Waiter waiter : failed) {
            if (waiter.timeout != null) waiter.timeout.cancel();
            tasks.run(() -> waiter.future.completeExceptionally(error));
        }
    }
}
