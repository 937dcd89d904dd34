package io.switchboard.engines.control;

import io.switchboard.engines.entity.EngineState;

/**
 * The sleep tier's budget: host memory for the weights that sleeping engines parked (vLLM sleep
 * level 1). An evicted engine sleeps only while its weights fit here; otherwise it is stopped.
 * Guarded by the model manager's lock.
 */
final class HostMemoryBudget {

    private final long limitBytes;
    private long usedBytes;

    HostMemoryBudget(long limitBytes) {
        this.limitBytes = limitBytes;
    }

    boolean canPark(long bytes) {
        return usedBytes + bytes <= limitBytes;
    }

    /** Whether evicting this engine now would put it to sleep (cheap to wake) rather than stop it. */
    boolean wouldPark(ManagedEngine engine) {
        return engine.state == EngineState.READY && engine.sleepMode && engine.spec.sleepEnabled()
                && canPark(engine.fullBytes());
    }

    /** The engine's weights are in host memory now. */
    void park(ManagedEngine engine, long bytes) {
        unpark(engine);
        engine.hostBytes = bytes;
        usedBytes += bytes;
    }

    /** They are not any more: woken, stopped or crashed. */
    void unpark(ManagedEngine engine) {
        usedBytes -= engine.hostBytes;
        engine.hostBytes = 0;
    }

    long usedBytes() {
        return usedBytes;
    }
}
