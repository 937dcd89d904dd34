package io.switchboard.quotas.control;

import io.switchboard.quotas.entity.Metric;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * OpenAI's {@code x-ratelimit-*} headers: for requests and for tokens, the limit, what remains and when the
 * window has room again, from the tightest scope that has such a limit (absent where none has).
 */
final class RateLimitHeaders {

    private RateLimitHeaders() {
    }

    static Map<String, String> of(Allowance requests, Allowance tokens, Instant now) {
        if (requests == null && tokens == null) return Map.of();
        Map<String, String> headers = new LinkedHashMap<>();
        if (requests != null) put(headers, "requests", requests, now);
        if (tokens != null) put(headers, "tokens", tokens, now);
        return headers;
    }

    /** Tighter: less left of its limit. */
    static Allowance tighter(Allowance a, Allowance b) {
        if (a == null) return b;
        if (b == null) return a;
        return b.remaining() < a.remaining() ? b : a;
    }

    private static void put(Map<String, String> headers, String what, Allowance allowance, Instant now) {
        headers.put("x-ratelimit-limit-" + what, String.valueOf(allowance.limit));
        headers.put("x-ratelimit-remaining-" + what, String.valueOf(allowance.remaining()));
        Instant resets = Windows.resetsAt(allowance.metric, allowance.windowEnd, allowance.oldestBucket());
        headers.put("x-ratelimit-reset-" + what, duration(Math.max(0, Duration.between(now, resets).toMillis())));
    }

    /** As OpenAI writes them: {@code 20ms}, {@code 6s}, {@code 1m30s}. */
    static String duration(long millis) {
        if (millis < 1_000) return millis + "ms";
        long seconds = (millis + 999) / 1000;
        if (seconds < 60) return seconds + "s";
        long minutes = seconds / 60;
        if (minutes < 60) return minutes + "m" + (seconds % 60) + "s";
        return (minutes / 60) + "h" + (minutes % 60) + "m" + (seconds % 60) + "s";
    }

    static boolean rate(Metric metric) {
        return metric == Metric.RPM || metric == Metric.TPM;
    }
}
