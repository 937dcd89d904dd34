package io.switchboard.inference.entity;

import java.time.Instant;

/**
 * How one inference request ended: who (tenant and key, null when the key was nobody's), what was asked
 * and which model served (by which rule, through a fallback why), the HTTP status, the tokens (the engine's; counted and estimated when it reported
 * none, {@code tokensEstimated}), and where the time went (waiting for the model, first token, total).
 * Token counts are null when there are none to report.
 */
public record RequestOutcome(String requestId, String clientRequestId, Long tenantId, Long keyId, String endUser,
                             String requestedModel, String model, String route, String fallbackReason, String endpoint, boolean stream, int status,
                             String finish, Integer promptTokens, Integer cachedPromptTokens,
                             Integer completionTokens, boolean tokensEstimated, long queueMillis,
                             Long timeToFirstTokenMillis, long latencyMillis, Instant startedAt, Instant finishedAt,
                             String error) {
}
