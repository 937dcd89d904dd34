package io.switchboard.quotas.entity;

import java.time.Instant;

/** A budget threshold crossed in a period (80, 95 or 100 %), recorded once, and how its webhook went. */
public record BudgetAlert(long id, long tenantId, String scope, String metric, Instant periodStart, Instant periodEnd,
                          int threshold, long budget, long used, Instant crossedAt, String webhookUrl,
                          Instant deliveredAt, int attempts, String lastError) {
}
