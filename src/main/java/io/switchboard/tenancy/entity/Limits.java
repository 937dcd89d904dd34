package io.switchboard.tenancy.entity;

/**
 * The limits of one scope (a tenant, a key, or each end user of a tenant), as the quotas component enforces
 * them; null is unlimited. Requests and tokens per minute, concurrent requests, daily and monthly token
 * budgets, and a monthly spend limit in micro-units of the currency.
 */
public record Limits(Integer rpm, Long tpm, Integer concurrency, Long dailyTokens, Long monthlyTokens,
                     Long monthlySpendMicros) {

    public static final Limits NONE = new Limits(null, null, null, null, null, null);

    public boolean any() {
        return rpm != null || tpm != null || concurrency != null || dailyTokens != null || monthlyTokens != null
                || monthlySpendMicros != null;
    }
}
