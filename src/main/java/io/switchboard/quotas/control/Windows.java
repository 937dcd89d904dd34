package io.switchboard.quotas.control;

import io.switchboard.quotas.entity.Metric;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * The windows limits are counted in. Requests and tokens per minute: a sliding minute of ten 6-second
 * buckets (a request counts in the bucket it started in; the limit holds over any ten consecutive buckets,
 * so capacity comes back 6 s at a time and Retry-After is at most 6 s). Budgets: the UTC day or month, from
 * its start or from the scope's last reset in it. Concurrency: one window that never ends.
 */
final class Windows {

    static final Duration BUCKET = Duration.ofSeconds(6);
    static final int BUCKETS = 10;
    static final Instant FOREVER_START = Instant.EPOCH;
    static final Instant FOREVER_END = Instant.parse("9999-01-01T00:00:00Z");

    private Windows() {
    }

    /** {start, end} of the window (the bucket, for sliding metrics) that {@code at} falls in. */
    static Instant[] of(Metric metric, Instant at, Instant lastReset) {
        return switch (metric) {
            case RPM, TPM -> {
                long bucket = BUCKET.toMillis();
                Instant start = Instant.ofEpochMilli(Math.floorDiv(at.toEpochMilli(), bucket) * bucket);
                yield new Instant[] {start, start.plus(BUCKET)};
            }
            case CONCURRENCY -> new Instant[] {FOREVER_START, FOREVER_END};
            case DAILY_TOKENS -> {
                LocalDate day = LocalDate.ofInstant(at, ZoneOffset.UTC);
                yield afterReset(day.atStartOfDay().toInstant(ZoneOffset.UTC),
                        day.plusDays(1).atStartOfDay().toInstant(ZoneOffset.UTC), lastReset);
            }
            case MONTHLY_TOKENS, MONTHLY_SPEND -> {
                LocalDate month = LocalDate.ofInstant(at, ZoneOffset.UTC).withDayOfMonth(1);
                yield afterReset(month.atStartOfDay().toInstant(ZoneOffset.UTC),
                        month.plusMonths(1).atStartOfDay().toInstant(ZoneOffset.UTC), lastReset);
            }
        };
    }

    /**
     * The buckets a lease in this window sums: for a sliding minute, every bucket that shares a minute with it,
     * nine before and nine after (a slice leased ahead for the next bucket, or a late lease for the one just
     * closed, takes capacity from the minutes this bucket is in); else the window itself.
     */
    static Span span(Metric metric, Instant windowStart) {
        if (metric != Metric.RPM && metric != Metric.TPM) return new Span(windowStart, windowStart);
        Duration reach = BUCKET.multipliedBy(BUCKETS - 1);
        return new Span(windowStart.minus(reach), windowStart.plus(reach));
    }

    /** Window starts from {@code from} to {@code to}, both included. */
    record Span(Instant from, Instant to) {
        boolean holds(Instant windowStart) {
            return !windowStart.isBefore(from) && !windowStart.isAfter(to);
        }
    }

    /** When capacity comes back: the oldest bucket with usage leaves the minute; a budget's period ends. */
    static Instant resetsAt(Metric metric, Instant windowEnd, Instant oldestBucket) {
        if (metric == Metric.RPM || metric == Metric.TPM) {
            Instant oldest = oldestBucket == null ? windowEnd.minus(BUCKET) : oldestBucket;
            return oldest.plus(BUCKET.multipliedBy(BUCKETS));
        }
        return windowEnd;
    }

    private static Instant[] afterReset(Instant start, Instant end, Instant lastReset) {
        boolean resetInside = lastReset != null && lastReset.isAfter(start) && lastReset.isBefore(end);
        return new Instant[] {resetInside ? lastReset : start, end};
    }
}
