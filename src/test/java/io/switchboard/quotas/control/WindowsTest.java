package io.switchboard.quotas.control;

import io.switchboard.quotas.entity.Metric;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Which window a moment counts in, and when capacity comes back. */
class WindowsTest {

    static final Instant AT = Instant.parse("2026-12-15T10:15:32.500Z");

    @Test
    void aMinuteSlidesInSixSecondBuckets() {
        Instant[] bucket = Windows.of(Metric.RPM, AT, null);
        assertEquals(Instant.parse("2026-12-15T10:15:30Z"), bucket[0]);
        assertEquals(Instant.parse("2026-12-15T10:15:36Z"), bucket[1]);
        // a lease sums every bucket that shares a minute with this one: nine before, nine after
        assertEquals(new Windows.Span(Instant.parse("2026-12-15T10:14:36Z"), Instant.parse("2026-12-15T10:16:24Z")),
                Windows.span(Metric.RPM, bucket[0]));
        // capacity used in the oldest bucket comes back when it leaves the minute
        assertEquals(Instant.parse("2026-12-15T10:15:36Z"),
                Windows.resetsAt(Metric.RPM, bucket[1], Instant.parse("2026-12-15T10:14:36Z")));
    }

    @Test
    void budgetsRunByTheUtcCalendarOrFromTheirLastReset() {
        assertEquals(Instant.parse("2026-12-15T00:00:00Z"), Windows.of(Metric.DAILY_TOKENS, AT, null)[0]);
        assertEquals(Instant.parse("2026-12-16T00:00:00Z"), Windows.of(Metric.DAILY_TOKENS, AT, null)[1]);
        assertEquals(Instant.parse("2026-12-01T00:00:00Z"), Windows.of(Metric.MONTHLY_SPEND, AT, null)[0]);
        assertEquals(Instant.parse("2027-01-01T00:00:00Z"), Windows.of(Metric.MONTHLY_TOKENS, AT, null)[1]);
        Instant reset = Instant.parse("2026-12-15T09:00:00Z");
        assertEquals(reset, Windows.of(Metric.DAILY_TOKENS, AT, reset)[0]);
        assertEquals(reset, Windows.of(Metric.MONTHLY_TOKENS, AT, reset)[0]);
        Instant lastMonth = Instant.parse("2026-11-20T00:00:00Z");
        assertEquals(Instant.parse("2026-12-01T00:00:00Z"), Windows.of(Metric.MONTHLY_TOKENS, AT, lastMonth)[0],
                "a reset of an earlier period changes nothing");
    }

    @Test
    void durationsReadAsOpenAiWritesThem() {
        assertEquals("20ms", RateLimitHeaders.duration(20));
        assertEquals("6s", RateLimitHeaders.duration(5_200));
        assertEquals("1m30s", RateLimitHeaders.duration(90_000));
        assertEquals("2h0m0s", RateLimitHeaders.duration(7_200_000));
    }
}
