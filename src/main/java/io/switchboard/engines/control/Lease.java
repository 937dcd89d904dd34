package io.switchboard.engines.control;

import java.net.URI;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The right to send one request to a READY engine, taken from the model's concurrency cap.
 * Released exactly once when the request is over; while held, the engine is never evicted.
 * If the engine dies meanwhile, {@link #onEngineFailure} hears why.
 */
public final class Lease {

    private final Leases leases;
    final ManagedEngine engine;
    private final URI baseUri;
    private final long queuedNanos;
    private final AtomicBoolean released = new AtomicBoolean();
    private Consumer<String> failureListener; // both guarded by this lease
    private String failure;
    private boolean failureHeard;

    Lease(Leases leases, ManagedEngine engine, URI baseUri, long queuedNanos) {
        this.leases = leases;
        this.engine = engine;
        this.baseUri = baseUri;
        this.queuedNanos = queuedNanos;
    }

    public String model() {
        return engine.name;
    }

    /** Where the engine answers, e.g. {@code http://127.0.0.1:41234}. */
    public URI baseUri() {
        return baseUri;
    }

    /** How long the request waited for this lease (model load, queue), in nanoseconds. */
    public long queuedNanos() {
        return queuedNanos;
    }

    /** Called (once) if the engine fails while this lease is held; at once if it already has. */
    public void onEngineFailure(Consumer<String> listener) {
        String already;
        synchronized (this) {
            failureListener = listener;
            already = heard();
        }
        if (already != null) listener.accept(already);
    }

    void engineFailed(String reason) {
        Consumer<String> listener;
        String heard;
        synchronized (this) {
            failure = reason;
            listener = failureListener;
            heard = heard();
        }
        if (heard != null) listener.accept(heard);
    }

    /** The failure, the first time both it and a listener are there; null before and after. */
    private String heard() {
        if (failureHeard || failure == null || failureListener == null) return null;
        failureHeard = true;
        return failure;
    }

    /** Gives the slot back; the outcome tells the engine's failure count whether it served well. */
    public void release(boolean succeeded) {
        if (released.compareAndSet(false, true)) leases.release(this, succeeded);
    }
}
