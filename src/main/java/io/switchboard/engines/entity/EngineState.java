package io.switchboard.engines.entity;

import java.util.EnumSet;
import java.util.Set;

/**
 * A model's engine, as the model manager sees it. GPU memory is reserved in LOADING, READY, DRAINING and
 * STOPPING (and a small residue while SLEEPING); requests are only ever sent in READY.
 *
 * <p>Each state names the states it may become ({@link #mayBecome}); the model manager checks
 * every transition against this table and refuses (and logs) any other as the bug it is. The
 * diagram is in docs/architecture.md.
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

    private Set<EngineState> next;

    static {
        COLD.next = EnumSet.of(LOADING);                                  // a request or an admin wants it
        LOADING.next = EnumSet.of(READY, FAILED, STOPPING, LOADING);      // healthy / failed / cancelled, shutdown / restarted after dying while waking
        READY.next = EnumSet.of(DRAINING, FAILED, STOPPING);              // evicted or unloaded / crashed, unhealthy, circuit open / shutdown
        DRAINING.next = EnumSet.of(SLEEPING, STOPPING, FAILED);           // parked / stopped (no sleep, drain timed out, shutdown) / crashed
        SLEEPING.next = EnumSet.of(LOADING, STOPPING, FAILED);            // woken / evicted for good, unloaded, shutdown / crashed in its sleep
        STOPPING.next = EnumSet.of(COLD);                                 // the process is gone
        FAILED.next = EnumSet.of(LOADING);                                // asked for again after its backoff
    }

    /** Whether the transition table allows this state to become {@code to}. */
    public boolean mayBecome(EngineState to) {
        return next.contains(to);
    }

    /** States whose engine holds its full GPU reservation. */
    public boolean holdsGpuMemory() {
        return this == LOADING || this == READY || this == DRAINING || this == STOPPING;
    }
}
