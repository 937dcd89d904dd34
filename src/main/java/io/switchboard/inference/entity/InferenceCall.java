package io.switchboard.inference.entity;

import io.switchboard.tenancy.entity.TenantPrincipal;

import java.time.Instant;

/**
 * Who asked what, for one inference request: its ids (Switchboard's, and the client's own where it sent
 * one), the caller, the end user inside the tenant (OpenAI's {@code user} field or {@code x-switchboard-user}),
 * the validated request, when it started, and the tokens it reserved at worst (its cost in a fair queue).
 */
public record InferenceCall(String requestId, String clientRequestId, TenantPrincipal tenant, String endUser,
                            CompletionRequest request, long startedNanos, Instant startedAt, long reservedTokens) {

    /** The same call once its worst case in tokens is known (what it reserves, and weighs in a fair queue). */
    public InferenceCall reserving(long tokens) {
        return new InferenceCall(requestId, clientRequestId, tenant, endUser, request, startedNanos, startedAt, tokens);
    }
}
