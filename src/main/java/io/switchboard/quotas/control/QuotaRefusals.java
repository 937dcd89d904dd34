package io.switchboard.quotas.control;

import io.switchboard.gateway.entity.ApiException;
import io.switchboard.pricing.entity.Money;
import io.switchboard.quotas.entity.Metric;

import java.time.Duration;
import java.time.Instant;

/**
 * The 429s as OpenAI and its SDKs have them. Over a rate: {@code rate_limit_exceeded} (type {@code requests}
 * or {@code tokens}) with {@code Retry-After} and {@code retry-after-ms}, which the SDKs wait for before
 * their retries. A spent budget: {@code insufficient_quota} with {@code x-should-retry: false} (a retry cannot
 * help before the period ends; the SDKs would otherwise retry twice). The message names the scope, the
 * limit, what was used and requested, and when it resets.
 */
final class QuotaRefusals {

    private QuotaRefusals() {
    }

    static ApiException refused(Allowance allowance, long requested, Instant now) {
        Metric metric = allowance.metric;
        Instant resets = Windows.resetsAt(metric, allowance.windowEnd, allowance.oldestBucket());
        String figures = "Limit " + amount(metric, allowance.limit) + ", Used " + amount(metric, Math.min(allowance.limit,
                allowance.usedEverywhere())) + ", Requested " + amount(metric, requested) + ".";
        boolean hopeless = requested > allowance.limit; // larger than the whole limit: no wait helps
        if (metric.budget || hopeless) {
            ApiException error = new ApiException(429, metric.budget ? "insufficient_quota" : type(metric),
                    metric.budget ? "insufficient_quota" : "rate_limit_exceeded", null,
                    (hopeless ? "Request too large for the " : "You exceeded the ") + metric.words + " of "
                            + allowance.scope.label() + ": " + figures
                            + (hopeless ? " Lower max_tokens or the prompt." : " It resets at " + resets + "."));
            return error.withHeader("x-should-retry", "false");
        }
        long waitMillis = Math.max(1, Duration.between(now, resets).toMillis());
        if (metric == Metric.CONCURRENCY) waitMillis = 1_000; // a slot frees when a request ends: soon, but when is unknown
        return new ApiException(429, type(metric), "rate_limit_exceeded", null, "Rate limit reached for "
                + allowance.scope.label() + " on " + metric.words + ": " + figures + " Please try again in "
                + RateLimitHeaders.duration(waitMillis) + ".")
                .withHeader("Retry-After", String.valueOf((waitMillis + 999) / 1000))
                .withHeader("retry-after-ms", String.valueOf(waitMillis));
    }

    private static String type(Metric metric) {
        return metric == Metric.TPM ? "tokens" : "requests";
    }

    private static String amount(Metric metric, long value) {
        return metric == Metric.MONTHLY_SPEND ? Money.decimal(Money.picosToMicros(value)) : String.valueOf(value);
    }
}
