package io.switchboard.engines.entity;

/**
 * Where a model stands on the GPU, as routing sees it when it chooses among acceptable models: its engine's
 * state, whether requests already wait for it, and the milliseconds until it could serve (0 when READY,
 * the rest of its expected load or wake, or -1 when no load of it was ever timed here).
 */
public record Residency(EngineState state, int waiters, long readyInMillis) {

    public static final Residency COLD = new Residency(EngineState.COLD, 0, -1);

    /** READY: serves without a load. */
    public boolean resident() {
        return state == EngineState.READY;
    }

    /** Parked in host memory: a wake-up, not a load, away. */
    public boolean sleeping() {
        return state == EngineState.SLEEPING;
    }
}
