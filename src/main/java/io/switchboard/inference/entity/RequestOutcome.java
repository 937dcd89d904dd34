package io.switchboard.inference.entity;

import java.time.Instant;

/**
 * How one inference request ended, for accounting: who, which model, the HTTP status, the tokens
 * the engine reported, and where the time went (waiting for the model, first token, total).
 * Token counts are null when the engine reported none (failed or aborted requests).
 */
public record RequestOutcome(String requestId, long tenantId, long keyId, String model, String endpoint, boolean stream,
                             int status, String finish, Integer promptTokens, Integer completionTokens,
                             long queueMillis, Long timeToFirstTokenMillis, long latencyMillis, Instant finishedAt,
                             String error) {
}
