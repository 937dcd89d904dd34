package io.switchboard.engines.entity;

/**
 * A model's engine, as the model manager sees it. GPU memory is reserved in LOADING, READY and
 * DRAINING (and a small residue while SLEEPING); requests are only ever sent in READY.
 */
public enum EngineState {
    /** No process, no GPU memory. */
    COLD,
    /** Starting (or waking) and not yet answering {@code /health}. */
    LOADING,
    /** Serving requests. */
    READY,
    /** vLLM sleep level 1: weights parked in host memory, GPU memory given back but a residue. */
    SLEEPING,
    /** Chosen for eviction: no new requests, in-flight ones finish. */
    DRAINING,
    /** Being stopped (SIGTERM, then SIGKILL after a grace period). */
    STOPPING,
    /** Crashed or failed to start; reloaded on demand after a backoff. */
    FAILED;

    /** States whose engine holds its full GPU reservation. */
    public boolean holdsGpuMemory() {
        return this == LOADING || this == READY || this == DRAINING || this == STOPPING;
    }
}
