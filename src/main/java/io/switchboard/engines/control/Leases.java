package io.switchboard.engines.control;

import io.switchboard.catalog.entity.ModelSpec;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * The request path's way to leases: calls go straight to the model manager's instance. Through
 * the EJB's proxy every call also passed Weld's enterprise proxy, a reflective invoke and a local
 * transaction begin and end, which cost more than the lease itself. Nothing is lost: the manager's
 * concurrency is bean-managed (its own lock) and it runs no transactions.
 */
public final class Leases {

    private final ModelManager manager;

    Leases(ModelManager manager) {
        this.manager = manager;
    }

    /** See {@link ModelManager#acquire}. */
    public CompletableFuture<Lease> acquire(ModelSpec model, Duration maxWait) {
        return manager.acquire(model, maxWait);
    }

    /** See {@link ModelManager#abandon}. */
    public void abandon(String model, CompletableFuture<Lease> pending) {
        manager.abandon(model, pending);
    }
}
