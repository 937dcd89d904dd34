package io.switchboard.engines.control;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The requests waiting for one model's engine (for its load, or for a free slot when it is at its
 * concurrency cap), released up to the engine's free slots by <b>weighted fair queueing across tenants</b>:
 * each waiter gets a virtual finish tag, its tenant's last tag (or the queue's virtual time, if later) plus
 * its cost (the tokens it reserved) over its tenant's weight, and the smallest tag goes first. So a tenant
 * that floods a saturated model waits behind its own requests, not in front of another tenant's trickle;
 * within a tenant, arrival order. A waiter that gives up (its wait ran out, its client left) leaves the
 * queue. Guarded by the model manager's lock; futures are completed off it.
 */
final class WaitQueue {

    /** A request waiting for this engine to be READY with a free slot. */
    static final class Waiter {
        final CompletableFuture<Lease> future = new CompletableFuture<>();
        final long enqueuedNanos = System.nanoTime();
        /** When it began to wait, on the lifecycle's clock (what the swap scheduler weighs). */
        Instant since = Instant.EPOCH;
        final String tenant;
        final double finishTag;
        LifecycleTasks.Timer timeout;

        Waiter(String tenant, double finishTag) {
            this.tenant = tenant;
            this.finishTag = finishTag;
        }
    }

    private final Map<String, ArrayDeque<Waiter>> byTenant = new HashMap<>();
    private final Map<String, Double> lastFinish = new HashMap<>();
    private double virtualTime;
    private int size;

    /** A waiter of no tenant in particular (admin loads, tests): all such share one queue. */
    Waiter add() {
        return add("", 1, 1);
    }

    Waiter add(String tenant, double weight, long cost) {
        double start = Math.max(virtualTime, lastFinish.getOrDefault(tenant, 0.0));
        Waiter waiter = new Waiter(tenant, start + Math.max(1, cost) / Math.max(weight, 1e-9));
        lastFinish.put(tenant, waiter.finishTag);
        byTenant.computeIfAbsent(tenant, t -> new ArrayDeque<>()).add(waiter);
        size++;
        return waiter;
    }

    boolean isEmpty() {
        return size == 0;
    }

    int size() {
        return size;
    }

    /** How long the longest waiter has waited by {@code now} (zero when none waits): each tenant's first, as each queues in arrival order. */
    Duration longestWait(Instant now) {
        Instant oldest = now;
        for (ArrayDeque<Waiter> queue : byTenant.values()) {
            Waiter first = queue.peek();
            if (first != null && first.since.isBefore(oldest)) oldest = first.since;
        }
        return Duration.between(oldest, now);
    }

    /** The seconds all its waiters have waited together by {@code now}. */
    double waitedSeconds(Instant now) {
        long millis = 0;
        for (ArrayDeque<Waiter> queue : byTenant.values()) {
            for (Waiter waiter : queue) millis += Math.max(0, Duration.between(waiter.since, now).toMillis());
        }
        return millis / 1000.0;
    }

    int sizeOf(String tenant) {
        ArrayDeque<Waiter> queue = byTenant.get(tenant);
        return queue == null ? 0 : queue.size();
    }

    /** The next waiter still waiting, by the smallest finish tag (those that timed out or left are skipped), or null. */
    Waiter next() {
        while (size > 0) {
            ArrayDeque<Waiter> first = null;
            for (ArrayDeque<Waiter> queue : byTenant.values()) {
                if (!queue.isEmpty() && (first == null || queue.peek().finishTag < first.peek().finishTag)) first = queue;
            }
            if (first == null) return null;
            Waiter waiter = first.poll();
            size--;
            if (first.isEmpty()) {
                byTenant.remove(waiter.tenant);
                if (lastFinish.get(waiter.tenant) <= waiter.finishTag) lastFinish.remove(waiter.tenant); // idle: no debt kept
            }
            virtualTime = Math.max(virtualTime, waiter.finishTag - 1e-9);
            if (!waiter.future.isDone()) {
                if (waiter.timeout != null) waiter.timeout.cancel();
                return waiter;
            }
        }
        return null;
    }

    /** True when the waiter was still queued. */
    boolean remove(Waiter waiter) {
        ArrayDeque<Waiter> queue = byTenant.get(waiter.tenant);
        if (queue == null || !queue.remove(waiter)) return false;
        size--;
        if (queue.isEmpty()) byTenant.remove(waiter.tenant);
        return true;
    }

    void remove(CompletableFuture<Lease> pending) {
        for (ArrayDeque<Waiter> queue : byTenant.values()) {
            for (Waiter waiter : queue) {
                if (waiter.future == pending) {
                    remove(waiter);
                    return;
                }
            }
        }
    }

    /** Empties the queue: every waiter fails with {@code error}, completed by {@code tasks} (off the lock). */
    void failAll(RuntimeException error, LifecycleTasks tasks) {
        List<Waiter> failed = new ArrayList<>();
        byTenant.values().forEach(failed::addAll);
        byTenant.clear();
        size = 0;
        for (Waiter waiter : failed) {
            if (waiter.timeout != null) waiter.timeout.cancel();
            tasks.run(() -> waiter.future.completeExceptionally(error));
        }
    }
}
