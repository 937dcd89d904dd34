package io.switchboard.engines.control;

import java.time.Duration;

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
}
