package io.switchboard.tenancy.entity;

import java.time.Instant;
import java.util.List;

/**
 * Who is calling: the tenant and key behind a valid API key, as cached for the hot path.
 * {@code allowedModels} null means every enabled model.
 */
public record TenantPrincipal(long tenantId, String tenantName, long keyId, List<String> allowedModels,
                              Instant keyExpiresAt) {

    public boolean mayUse(String model) {
        return allowedModels == null || allowedModels.contains(model);
    }
}
