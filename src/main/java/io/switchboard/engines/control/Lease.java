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

    private final ModelManager manager;
    final ManagedEngine engine;
    private final URI baseUri;
    private final long queuedNanos;
    private final AtomicBoolean released = new AtomicBoolean();
    private volatile Consumer<String> failureListener;
    private volatile String failure;

    Lease(ModelManager manager, ManagedEngine engine, URI baseUri, long queuedNanos) {
        this.manager = manager;
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
        failureListener = listener;
        String already = failure;
        if (already != null) listener.accept(already);
    }

    void engineFailed(String reason) {
        failure = reason;
        Consumer<String> listener = failureListener;
        if (listener != null) listener.accept(reason);
    }

    /** Gives the slot back; the outcome tells the engine's failure count whether it served well. */
    public void release(boolean succeeded) {
        if (released.compareAndSet(false, true)) manager.release(this, succeeded);
    }
}
