package io.switchboard.tenancy.entity;

import io.switchboard.gateway.entity.ApiException;

/**
 * A refused API key's 401, with the tenant and key when the key was a real one (revoked, expired, its
 * tenant disabled): such a refusal is still the tenant's request, and its usage row says so.
 */
public class RefusedKey extends ApiException {

    private final Long tenantId;
    private final Long keyId;

    public RefusedKey(ApiException answer, Long tenantId, Long keyId) {
        super(answer.status(), answer.type(), answer.code(), answer.param(), answer.getMessage());
        answer.headers().forEach(this::withHeader);
        this.tenantId = tenantId;
        this.keyId = keyId;
    }

    public Long tenantId() { return tenantId; }
    public Long keyId() { return keyId; }
}
