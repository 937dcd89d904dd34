package io.switchboard.accounting.entity;

import java.time.Instant;

/**
 * One request's usage row, as billed: who (tenant, key, end user), what was asked and what served it,
 * how it ended, the tokens (from the engine's usage; counted and estimated when the engine reported none,
 * as for a cancelled stream), where the time went, and the price it was made with and its exact cost in
 * pico-units ({@code priceId} null: unpriced). {@code keyId} is null for a request refused before a key was
 * known to be valid.
 */
public record UsageRecord(String requestId, String clientRequestId, long tenantId, Long keyId, String endUser,
                          String endpoint, String requestedModel, String servedModel, String route,
                          String fallbackReason, Outcome outcome, int httpStatus, boolean stream, String finishReason,
                          int promptTokens, int cachedTokens, int completionTokens, boolean tokensEstimated,
                          int queueMillis, Integer timeToFirstTokenMillis, int latencyMillis, Instant startedAt,
                          Instant finishedAt, Long priceId, Long inputMicrosPerMtok, Long cachedMicrosPerMtok,
                          Long outputMicrosPerMtok, Long costPicos, String error) {

    public enum Outcome {
        OK, ERROR, CANCELLED, REJECTED;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public static Outcome fromWireName(String name) {
            return valueOf(name.toUpperCase(java.util.Locale.ROOT));
        }
    }

    public boolean priced() {
        return priceId != null;
    }

    /** The same row with the price it is billed at and its cost. */
    public UsageRecord pricedAt(long id, long input, long cached, long output, long picos) {
        return new UsageRecord(requestId, clientRequestId, tenantId, keyId, endUser, endpoint, requestedModel,
                servedModel, route, fallbackReason, outcome, httpStatus, stream, finishReason, promptTokens,
                cachedTokens, completionTokens, tokensEstimated, queueMillis, timeToFirstTokenMillis, latencyMillis,
                startedAt, finishedAt, id, input, cached, output, picos, error);
    }
}
