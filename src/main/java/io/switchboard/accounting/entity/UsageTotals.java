package io.switchboard.accounting.entity;

import io.switchboard.pricing.entity.Money;

import java.math.BigInteger;

/**
 * One line of a usage report: a tenant and a group (a day, a month, a model, a key or an end user) with
 * its requests, tokens and exact cost in pico-units; {@link #costMicros()} rounds that once, half up.
 */
public record UsageTotals(long tenantId, String tenant, String group, long requests, long errors, long promptTokens,
                          long cachedTokens, long completionTokens, BigInteger costPicos, long unpricedRequests) {

    public long costMicros() {
        return Money.picosToMicros(costPicos);
    }
}
