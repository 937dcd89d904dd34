package io.switchboard.engines.control;

import io.switchboard.engines.entity.EngineState;

import java.util.List;
import java.util.function.Supplier;

/**
 * Notices READY engines that stopped serving while their process lives on: a health check every
 * interval ({@code /health}; three failures in a row), and the circuit breaker per engine (that many
 * relayed requests failing in a row: 5xx, broken connections). Either takes the engine out; the
 * model manager then restarts it on the next request after the backoff. The checks' I/O runs off the
 * manager's lock; the counts are guarded by it.
 */
final class HealthWatch {

    static final int FAILED_CHECKS = 3;

    /** What the watch reports to: the manager, which takes an unhealthy engine out under its lock. */
    interface Verdicts {
        /** The READY engines with a process, taken under the lock. */
        List<ManagedEngine> readyEngines();

        /** A check's answer for the process it asked, to be judged under the lock. */
        void checked(ManagedEngine engine, EngineProcess process, boolean healthy);
    }

    private final int breakerFailures;

    HealthWatch(int breakerFailures) {
        this.breakerFailures = breakerFailures;
    }

    /** One round of health checks (on the scheduler's thread, off the lock). */
    void sweep(Verdicts verdicts, EngineSupervisor supervisor) {
        for (ManagedEngine engine : verdicts.readyEngines()) {
            EngineProcess process = engine.process;
            if (process == null || !process.isAlive()) continue; // an exit is reported by the exit watch
            verdicts.checked(engine, process, supervisor.healthy(process));
        }
    }

    /** A health check's answer; true when it was the third failure in a row. */
    boolean unhealthy(ManagedEngine engine, boolean healthy) {
        engine.consecutiveHealthFailures = healthy ? 0 : engine.consecutiveHealthFailures + 1;
        return engine.consecutiveHealthFailures >= FAILED_CHECKS;
    }

    /** A relayed request ended; true when it was the {@code breakerFailures}-th failure in a row on a READY engine. */
    boolean circuitOpens(ManagedEngine engine, boolean succeeded) {
        if (succeeded) {
            engine.consecutiveRequestFailures = 0;
            return false;
        }
        return ++engine.consecutiveRequestFailures >= breakerFailures && engine.state == EngineState.READY;
    }
}
