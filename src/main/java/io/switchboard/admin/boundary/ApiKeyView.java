package io.switchboard.admin.boundary;

import io.switchboard.tenancy.entity.ApiKey;

import java.time.Instant;

/** An API key as listed: its prefix, never the key. {@code key} is set only in the answer that creates it. */
public record ApiKeyView(long id, long tenantId, String name, String prefix, String key, String status,
                         Instant createdAt, Instant expiresAt, Instant revokedAt, Instant lastUsedAt,
                         Integer rpmLimit, Long tpmLimit, Integer maxConcurrency, Long dailyTokenBudget,
                         Long monthlyTokenBudget, java.math.BigDecimal monthlySpendLimit) {

    static ApiKeyView of(ApiKey apiKey, String key) {
        Instant now = Instant.now();
        String status = apiKey.isRevoked() ? "revoked" : apiKey.isExpiredAt(now) ? "expired" : "active";
        return new ApiKeyView(apiKey.getId(), apiKey.getTenant().getId(), apiKey.getName(), apiKey.getPrefix(), key,
                status, apiKey.getCreatedAt(), apiKey.getExpiresAt(), apiKey.getRevokedAt(), apiKey.getLastUsedAt(),
                apiKey.getLimits().getRpmLimit(), apiKey.getLimits().getTpmLimit(), apiKey.getLimits().getMaxConcurrency(),
                apiKey.getLimits().getDailyTokenBudget(), apiKey.getLimits().getMonthlyTokenBudget(),
                apiKey.getLimits().getMonthlySpendLimit());
    }
}
