package io.switchboard.inference.entity;

import io.switchboard.tenancy.entity.TenantPrincipal;

import java.time.Instant;

/**
 * Who asked what, for one inference request: its ids (Switchboard's, and the client's own where it sent
 * one), the caller, the end user inside the tenant (OpenAI's {@code user} field or {@code x-switchboard-user}),
 * the validated request and when it started.
 */
public record InferenceCall(String requestId, String clientRequestId, TenantPrincipal tenant, String endUser,
                            CompletionRequest request, long startedNanos, Instant startedAt) {
}
