package io.switchboard.quotas.entity;

import java.util.Locale;

/**
 * What a limit counts, and over which window: requests and tokens over a sliding minute, concurrent
 * requests at any moment, tokens over a UTC day or month, spend (in pico-units) over a UTC month.
 */
public enum Metric {
    RPM("requests per minute", false), TPM("tokens per minute", false), CONCURRENCY("concurrent requests", false),
    DAILY_TOKENS("daily token budget", true), MONTHLY_TOKENS("monthly token budget", true),
    MONTHLY_SPEND("monthly spend limit", true);

    public final String words;
    /** A budget: once spent, retrying cannot help before the period ends (429 insufficient_quota). */
    public final boolean budget;

    Metric(String words, boolean budget) {
        this.words = words;
        this.budget = budget;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
