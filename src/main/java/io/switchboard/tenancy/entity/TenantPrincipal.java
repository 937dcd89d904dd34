package io.switchboard.tenancy.entity;

import java.time.Instant;
import java.util.List;

/**
 * Who is calling: the tenant and key behind a valid API key, as cached for the hot path, with the limits
 * that apply (the tenant's, the key's own, and the tenant's defaults for each end user), and its
 * weight in the fair queue of a saturated model.
 * {@code allowedModels} null means every enabled model.
 */
public record TenantPrincipal(long tenantId, String tenantName, long keyId, List<String> allowedModels,
                              Instant keyExpiresAt, Limits tenantLimits, Limits keyLimits, Limits endUserLimits,
                              int fairShareWeight) {

    public TenantPrincipal(long tenantId, String tenantName, long keyId, List<String> allowedModels, Instant keyExpiresAt) {
        this(tenantId, tenantName, keyId, allowedModels, keyExpiresAt, Limits.NONE, Limits.NONE, Limits.NONE, 1);
    }

    public boolean mayUse(String model) {
        return allowedModels == null || allowedModels.contains(model);
    }
}
