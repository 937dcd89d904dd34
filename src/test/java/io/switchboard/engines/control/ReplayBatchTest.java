package io.switchboard.engines.control;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The swap replay's decode model: continuous batching with the simulator's slowdown per running sequence. */
class ReplayBatchTest {

    private static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");

    @Test
    void aSequenceAloneTakesItsTokensTimesTheTimePerTokenAndABatchSlowsEveryOne() throws InterruptedException {
        VirtualTime time = new VirtualTime(T0);
        ReplayBatch batch = new ReplayBatch(time, 0.010);
        double[] ended = new double[3];
        time.at(T0, () -> batch.join(100, () -> ended[0] = seconds(time)));
        time.runUntil(T0.plusSeconds(10));
        assertEquals(1.0, ended[0], 1e-6, "100 tokens at 10 ms");

        Instant later = T0.plusSeconds(10);
        time.at(later, () -> {
            batch.join(100, () -> ended[1] = seconds(time) - 10);
            batch.join(200, () -> ended[2] = seconds(time) - 10);
        });
        time.runUntil(T0.plusSeconds(20));
        time.shutdown();
        // two running: 10.3 ms a token, so the first ends after 1.03 s; the second's last 100 tokens run alone
        assertEquals(1.03, ended[1], 1e-6);
        assertEquals(2.03, ended[2], 1e-6);
    }

    private static double seconds(VirtualTime time) {
        return Duration.between(T0, time.now()).toNanos() / 1e9;
    }
}
