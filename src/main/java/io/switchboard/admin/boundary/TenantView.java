package io.switchboard.admin.boundary;

import io.switchboard.tenancy.entity.Tenant;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;

/** A tenant as the admin API shows it (snake_case on the wire), with its default limits for each end user
 * and its alert webhook (the secret is never shown, only whether one is set). */
public record TenantView(long id, String name, String status, Integer rpmLimit, Long tpmLimit, Integer maxConcurrency,
                         Long dailyTokenBudget, Long monthlyTokenBudget, BigDecimal monthlySpendLimit,
                         Integer endUserRpmLimit, Long endUserTpmLimit, Integer endUserMaxConcurrency,
                         Long endUserDailyTokenBudget, Long endUserMonthlyTokenBudget,
                         BigDecimal endUserMonthlySpendLimit, int fairShareWeight, String alertWebhookUrl, boolean alertWebhookSecretSet,
                         List<String> allowedModels, Instant createdAt, Instant updatedAt) {

    static TenantView of(Tenant tenant) {
        return new TenantView(tenant.getId(), tenant.getName(), tenant.getStatus().name().toLowerCase(),
                tenant.getLimits().getRpmLimit(), tenant.getLimits().getTpmLimit(), tenant.getLimits().getMaxConcurrency(),
                tenant.getLimits().getDailyTokenBudget(), tenant.getLimits().getMonthlyTokenBudget(),
                tenant.getLimits().getMonthlySpendLimit(), tenant.getEndUserLimits().getRpmLimit(),
                tenant.getEndUserLimits().getTpmLimit(), tenant.getEndUserLimits().getMaxConcurrency(),
                tenant.getEndUserLimits().getDailyTokenBudget(), tenant.getEndUserLimits().getMonthlyTokenBudget(),
                tenant.getEndUserLimits().getMonthlySpendLimit(), tenant.getFairShareWeight(), tenant.getAlertWebhookUrl(),
                tenant.getAlertWebhookSecret() != null, tenant.getAllowedModels(),
                tenant.getCreatedAt(), tenant.getUpdatedAt());
    }
}
