package io.switchboard.engines.control;

import java.time.Duration;
import java.time.Instant;

/**
 * How often a model is asked for lately: requests per second, decayed exponentially with a time
 * constant of two minutes, so that a model whose traffic stopped is soon worth little to keep. What the
 * cost-aware eviction policies and the swap scheduler weigh. Guarded by the model manager's lock.
 */
final class DemandRate {

    static final Duration TIME_CONSTANT = Duration.ofMinutes(2);
    private static final double TAU_SECONDS = TIME_CONSTANT.toSeconds();

    private double perSecond;
    private Instant at = Instant.EPOCH;

    /** One more request, at {@code now}. */
    void record(Instant now) {
        perSecond = perSecondAt(now) + 1 / TAU_SECONDS;
        at = now;
    }

    /** The rate as it stands at {@code now}, decayed since the last request. */
    double perSecondAt(Instant now) {
        if (perSecond == 0) return 0;
        double elapsed = Math.max(0, Duration.between(at, now).toMillis() / 1000.0);
        return perSecond * Math.exp(-elapsed / TAU_SECONDS);
    }
}
