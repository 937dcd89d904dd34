package io.switchboard.admin.boundary;

import io.switchboard.gateway.control.JsonRequest;
import io.switchboard.tenancy.entity.LimitColumns;

import java.math.BigDecimal;

/**
 * The six limit fields of the admin API ({@code rpm_limit}, {@code tpm_limit}, {@code max_concurrency},
 * {@code daily_token_budget}, {@code monthly_token_budget}, {@code monthly_spend_limit}), optionally with a
 * prefix ({@code end_user_} for a tenant's defaults per end user). Only fields present change; null is unlimited.
 */
final class LimitFields {

    private static final BigDecimal SPEND_MAX = new BigDecimal("9999999999.9999");

    private LimitFields() {
    }

    static void apply(JsonRequest request, String prefix, LimitColumns limits) {
        if (request.has(prefix + "rpm_limit")) limits.setRpmLimit(request.optionalInt(prefix + "rpm_limit", 0, Integer.MAX_VALUE));
        if (request.has(prefix + "tpm_limit")) limits.setTpmLimit(request.optionalLong(prefix + "tpm_limit", 0, Long.MAX_VALUE));
        if (request.has(prefix + "max_concurrency")) {
            limits.setMaxConcurrency(request.optionalInt(prefix + "max_concurrency", 0, Integer.MAX_VALUE));
        }
        if (request.has(prefix + "daily_token_budget")) {
            limits.setDailyTokenBudget(request.optionalLong(prefix + "daily_token_budget", 0, Long.MAX_VALUE));
        }
        if (request.has(prefix + "monthly_token_budget")) {
            limits.setMonthlyTokenBudget(request.optionalLong(prefix + "monthly_token_budget", 0, Long.MAX_VALUE));
        }
        if (request.has(prefix + "monthly_spend_limit")) {
            limits.setMonthlySpendLimit(request.optionalDecimal(prefix + "monthly_spend_limit", BigDecimal.ZERO, SPEND_MAX, 4));
        }
    }
}
