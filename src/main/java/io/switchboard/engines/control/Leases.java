package io.switchboard.engines.control;

import io.switchboard.catalog.entity.ModelSpec;
import io.switchboard.engines.entity.EngineRefusal;
import io.switchboard.engines.entity.EngineRefusal.Reason;
import io.switchboard.engines.entity.EngineState;
import io.switchboard.engines.entity.Residency;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The request side of the lifecycle: a lease on a READY engine's slot at once when one is free,
 * else a place in the model's {@link WaitQueue} (demanding its load), released together when the
 * engine is ready, refused when the model cannot be served or the wait runs out. Works under the
 * model manager's lock, on its engines.
 *
 * <p>The request path calls this object straight, not through the manager's EJB proxy, for speed
 * alone, and no container setting removes the cost it avoids: each call through the proxy also
 * passes Weld's enterprise proxy, a reflective invoke and the begin and end of a local transaction
 * containment (Liberty starts one even for NOT_SUPPORTED), which cost more than the lease itself at a
 * thousand requests a second. Nothing is lost: the manager's concurrency is bean-managed (its own
 * lock) and it runs no transactions.
 */
public final class Leases {

    private final ModelManager manager;

    Leases(ModelManager manager) {
        this.manager = manager;
    }

    /**
     * A lease on the model's engine: at once when it is READY with a free slot, otherwise when it becomes
     * so (loading it first if needed); fails with an {@link EngineRefusal} when the model cannot be
     * served or {@code maxWait} passed first.
     */
    public CompletableFuture<Lease> acquire(ModelSpec model, Duration maxWait) {
        return acquire(model, maxWait, "", 1, 1, null);
    }

    /**
     * The same for a tenant's request: when it has to wait, it is queued fairly among the tenants waiting
     * for the model ({@link WaitQueue}), by its {@code weight} and its {@code cost} (the tokens it reserved).
     * A {@code clientWait} (null: none said) is how long the client itself will wait: a model expected ready
     * later than that is refused at once, its load started all the same, so that the retry the refusal's
     * hint asks for finds it ready; a wait with no such expectation ends by the client's time.
     */
    public CompletableFuture<Lease> acquire(ModelSpec model, Duration maxWait, String tenant, double weight, long cost,
                                            Duration clientWait) {
        synchronized (manager.lock) {
            ManagedEngine engine = manager.engineFor(model);
            engine.demand.record(manager.tasks.now());
            if (engine.state == EngineState.READY && engine.inFlight < engine.maxConcurrency && engine.waiters.isEmpty()) {
                return CompletableFuture.completedFuture(grant(engine, 0));
            }
            EngineRefusal refusal = manager.refusal(engine);
            if (refusal != null) return CompletableFuture.failedFuture(refusal);
            if (engine.waiters.size() >= manager.settings.maxWaiters()) {
                return CompletableFuture.failedFuture(unavailable(engine, Reason.QUEUE_FULL,
                        "Too many requests are waiting for model '" + engine.name + "'."));
            }
            if (!tenant.isEmpty() && engine.waiters.sizeOf(tenant) >= manager.settings.maxWaitersPerTenant()) {
                return CompletableFuture.failedFuture(unavailable(engine, Reason.QUEUE_FULL, "Too many of your requests "
                        + "are waiting for model '" + engine.name + "' (at most " + manager.settings.maxWaitersPerTenant() + ")."));
            }
            Duration wait = maxWait;
            if (clientWait != null) {
                long readyIn = engine.residency(System.nanoTime()).readyInMillis();
                if (readyIn > clientWait.toMillis()) {
                    engine.wanted = true; // loaded with nobody waiting: the client comes back for it
                    manager.demand(engine);
                    long seconds = Math.max(1, (readyIn + 999) / 1000);
                    return CompletableFuture.failedFuture(new EngineRefusal(Reason.OUTWAITS_CLIENT, engine.name,
                            "Model '" + engine.name + "' is expected ready in about " + seconds + " s, longer than this "
                            + "client waits (" + clientWait.toSeconds() + " s); its load has started: retry after "
                            + seconds + " s.", seconds));
                }
                if (clientWait.compareTo(wait) < 0) wait = clientWait;
            }
            WaitQueue.Waiter waiter = engine.waiters.add(tenant, weight, cost);
            waiter.since = manager.tasks.now();
            waiter.timeout = manager.tasks.after(wait, () -> giveUp(engine, waiter));
            manager.demand(engine);
            return waiter.future;
        }
    }

    /**
     * Where each of these models stands on the GPU now (COLD for one never asked for), for routing's choice
     * between acceptable models; one short hold of the manager's lock for all of them.
     */
    public Map<String, Residency> residency(Collection<String> models) {
        Map<String, Residency> where = new HashMap<>();
        long now = System.nanoTime();
        synchronized (manager.lock) {
            for (String model : models) {
                ManagedEngine engine = manager.engines.get(model);
                where.put(model, engine == null ? Residency.COLD : engine.residency(now));
            }
        }
        return where;
    }

    /** A waiter whose client left gives its place up (or its lease back, if it just got one). */
    public void abandon(String model, CompletableFuture<Lease> pending) {
        synchronized (manager.lock) {
            ManagedEngine engine = manager.engines.get(model);
            if (engine != null) engine.waiters.remove(pending);
        }
        if (!pending.cancel(false) && pending.isDone() && !pending.isCompletedExceptionally()) pending.join().release(true);
    }

    void release(Lease lease, boolean succeeded) {
        synchronized (manager.lock) {
            ManagedEngine engine = lease.engine;
            engine.leases.remove(lease);
            engine.inFlight--;
            engine.lastUsed = manager.tasks.now();
            manager.released(engine, succeeded);
        }
    }

    /** Releases waiters together once the engine is READY, up to its concurrency cap; completed off the lock. */
    void dispatch(ManagedEngine engine) {
        WaitQueue.Waiter waiter;
        while (engine.state == EngineState.READY && engine.inFlight < engine.maxConcurrency
                && (waiter = engine.waiters.next()) != null) {
            long waited = System.nanoTime() - waiter.enqueuedNanos;
            Lease lease = grant(engine, waited);
            manager.metrics.queueWait(waited);
            WaitQueue.Waiter granted = waiter;
            manager.tasks.run(() -> {
                if (!granted.future.complete(lease)) lease.release(true);
            });
        }
    }

    private Lease grant(ManagedEngine engine, long queuedNanos) {
        engine.inFlight++;
        engine.lastUsed = manager.tasks.now();
        Lease lease = new Lease(this, engine, engine.process.baseUri(), queuedNanos);
        engine.leases.add(lease);
        return lease;
    }

    private void giveUp(ManagedEngine engine, WaitQueue.Waiter waiter) {
        EngineRefusal timeout;
        synchronized (manager.lock) {
            if (!engine.waiters.remove(waiter)) return;
            timeout = unavailable(engine, Reason.LOAD_TIMEOUT, "Model '" + engine.name + "' did not become ready in time.");
        }
        waiter.future.completeExceptionally(timeout);
    }

    /** A refusal with what remains of the expected load time as its retry hint, at least a second. */
    private static EngineRefusal unavailable(ManagedEngine engine, Reason reason, String message) {
        long expected = engine.lastLoadMillis > 0 ? engine.lastLoadMillis : 30_000;
        long elapsed = engine.state == EngineState.LOADING ? (System.nanoTime() - engine.loadStartedNanos) / 1_000_000 : 0;
        return new EngineRefusal(reason, engine.name, message, Math.max(1, (expected - elapsed + 999) / 1000));
    }
}
