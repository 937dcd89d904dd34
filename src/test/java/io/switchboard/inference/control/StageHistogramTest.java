package io.switchboard.inference.control;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A step's duration lands in a bucket whose bound is at least it and at most an eighth above it. */
class StageHistogramTest {

    @Test
    void everyDurationFallsInABucketWhoseBoundIsWithinAnEighthAboveIt() {
        Random random = new Random(42);
        for (int i = 0; i < 100_000; i++) {
            long nanos = 1 + (random.nextLong() >>> (19 + random.nextInt(44))); // 1 ns to about 10 hours
            long bound = StageHistogram.upperBound(StageHistogram.index(nanos));
            assertTrue(bound >= nanos && bound <= nanos + nanos / 8 + 1, nanos + " -> bucket bound " + bound);
        }
    }

    @Test
    void bucketsCountWhatWasRecordedInOrder() {
        StageHistogram histogram = new StageHistogram();
        for (long nanos : new long[] {5_000, 5_100, 80_000, 3_000_000, 5_050}) histogram.record(nanos);
        List<long[]> buckets = histogram.buckets();
        assertEquals(3, buckets.size(), "5.0-5.1 µs share a bucket");
        assertEquals(3, buckets.get(0)[1]);
        assertTrue(buckets.get(0)[0] < buckets.get(1)[0] && buckets.get(1)[0] < buckets.get(2)[0]);
        assertEquals(5, buckets.stream().mapToLong(b -> b[1]).sum());
    }
}
