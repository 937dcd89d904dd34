package io.switchboard.engines.control;

import io.switchboard.engines.entity.EngineState;

import java.time.Duration;
import java.util.List;

/**
 * Notices engines that stopped serving: a process that exited when nobody stopped it, a READY engine
 * failing its health check three times in a row ({@code /health}), and the circuit breaker per engine
 * (that many relayed requests failing in a row: 5xx, broken connections). Each is a crash: the engine
 * goes FAILED (the manager's transition) and is reloaded on the next request after the backoff. The
 * checks' I/O runs off the manager's lock; the verdicts and counts are under it.
 */
final class HealthWatch {

    static final int FAILED_CHECKS = 3;

    private final ModelManager manager;
    private final int breakerFailures;

    HealthWatch(ModelManager manager, int breakerFailures) {
        this.manager = manager;
        this.breakerFailures = breakerFailures;
    }

    /** One round of health checks on the scheduler's thread: the checks off the lock, their verdicts under it. */
    void sweep(EngineSupervisor supervisor) {
        List<ManagedEngine> ready;
        synchronized (manager.lock) {
            ready = manager.engines.values().stream().filter(e -> e.state == EngineState.READY && e.process != null).toList();
        }
        for (ManagedEngine engine : ready) {
            EngineProcess process = engine.process;
            if (process == null || !process.isAlive()) continue; // an exit is reported by the exit watch
            boolean healthy = supervisor.healthy(process);
            synchronized (manager.lock) {
                if (engine.process == process && engine.state == EngineState.READY && unhealthy(engine, healthy)) {
                    crashed(engine, "the engine stopped answering /health", "", Duration.ZERO);
                }
            }
        }
    }

    /** The process ended: expected when we stopped it, a crash otherwise (a load's own failure reports itself). */
    void exited(ManagedEngine engine, EngineProcess process, int status, String log) {
        synchronized (manager.lock) {
            if (manager.stopping || engine.process != process || engine.state == EngineState.STOPPING
                    || engine.state == EngineState.COLD || engine.state == EngineState.LOADING) return;
            crashed(engine, "the engine exited with status " + status, log, null);
        }
    }

    /** A crash, an unhealthy engine or an open circuit: FAILED, and its process (if any) stopped after {@code grace}. */
    void crashed(ManagedEngine engine, String reason, String log, Duration grace) {
        EngineProcess process = engine.process;
        engine.crashes++;
        manager.metrics.crash(engine.name);
        manager.failed(engine, reason, log);
        if (grace != null && process != null) manager.supervisor.stop(process, grace);
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
