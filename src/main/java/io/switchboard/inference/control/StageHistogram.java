package io.switchboard.inference.control;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A cumulative histogram of one request step's durations in nanoseconds, eight buckets per doubling (each
 * bucket's bound within 12.5% of what fell in it), lock-free. Cumulative, unlike the Prometheus timer's windowed
 * quantiles, so a benchmark reads it before and after its measured phase and takes the phase's p99 from the
 * difference (the timer's window would mix in the warm-up).
 */
public final class StageHistogram {

    private static final int SUB_BUCKETS = 8; // per doubling
    private final AtomicLongArray counts = new AtomicLongArray(64 * SUB_BUCKETS);

    public void record(long nanos) {
        counts.incrementAndGet(index(Math.max(1, nanos)));
    }

    static int index(long nanos) {
        int exponent = 63 - Long.numberOfLeadingZeros(nanos);
        if (exponent < 3) return (int) nanos; // 1..7 ns: one bucket each
        return exponent * SUB_BUCKETS + (int) ((nanos >>> (exponent - 3)) & 7);
    }

    /** The largest duration a bucket holds, in nanoseconds. */
    static long upperBound(int index) {
        if (index < SUB_BUCKETS * 3) return index;
        int exponent = index / SUB_BUCKETS;
        long sub = index % SUB_BUCKETS;
        return ((SUB_BUCKETS + sub + 1) << (exponent - 3)) - 1;
    }

    /** Each non-empty bucket as {upper bound in ns, count}, smallest first. */
    public List<long[]> buckets() {
        List<long[]> nonEmpty = new ArrayList<>();
        for (int i = 0; i < counts.length(); i++) {
            long count = counts.get(i);
            if (count > 0) nonEmpty.add(new long[] {upperBound(i), count});
        }
        return nonEmpty;
    }
}
