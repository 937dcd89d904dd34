package io.switchboard.engines.control;

import io.switchboard.engines.entity.EngineRefusal;
import io.switchboard.engines.entity.EngineState;

import java.time.Duration;
import java.time.Instant;

/**
 * How long a model that failed waits before it may be loaded again: at once after its first failure
 * in a row (a crash is often a one-off), then 2, 4, 8, ... seconds, never more than the maximum.
 * A successful load or request resets the count.
 */
final class Backoff {

    private final Duration max;

    Backoff(Duration max) {
        this.max = max;
    }

    Duration after(int consecutiveFailures) {
        if (consecutiveFailures <= 1) return Duration.ZERO;
        long seconds = 1L << Math.min(consecutiveFailures - 1, 16);
        return Duration.ofSeconds(Math.min(max.toSeconds(), seconds));
    }

    /** A FAILED model still inside its backoff is refused, with the seconds until it may be retried; else null. */
    EngineRefusal refusal(ManagedEngine engine, Instant now) {
        if (engine.state != EngineState.FAILED || !now.isBefore(engine.retryNotBefore)) return null;
        long seconds = Math.max(1, Duration.between(now, engine.retryNotBefore).toSeconds() + 1);
        return new EngineRefusal(EngineRefusal.Reason.BACKING_OFF, engine.name, "Model '" + engine.name
                + "' failed and will be retried in " + seconds + " s: " + engine.lastError, seconds);
    }
}
