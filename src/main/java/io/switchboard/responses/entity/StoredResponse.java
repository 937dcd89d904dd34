package io.switchboard.responses.entity;

import java.time.Instant;

/**
 * A response kept for the Responses API ({@code store}): whose it is, the conversation the engine was given
 * ({@code input}, earlier turns included) and what it answered ({@code output} items and the whole
 * {@code response}), as JSON text.
 */
public record StoredResponse(String id, long tenantId, Long keyId, String requestId, String model, String input,
                             String output, String response, Instant createdAt, Instant expiresAt) {
}
