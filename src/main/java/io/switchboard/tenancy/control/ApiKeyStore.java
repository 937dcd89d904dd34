package io.switchboard.tenancy.control;

import io.switchboard.gateway.entity.ApiException;
import io.switchboard.tenancy.entity.ApiKey;
import io.switchboard.tenancy.entity.KeyCheck;
import io.switchboard.tenancy.entity.LimitColumns;
import io.switchboard.tenancy.entity.Tenant;
import io.switchboard.tenancy.entity.TenantPrincipal;
import jakarta.ejb.Stateless;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** API keys in PostgreSQL: issued, listed, revoked, looked up by hash. */
@Stateless
public class ApiKeyStore {

    @PersistenceContext(unitName = "switchboard")
    EntityManager em;

    @Inject
    TenantStore tenants;

    @Inject
    KeyAuthenticator authenticator;

    /** A key as issued: the entity and, this once, the key itself. */
    public record IssuedKey(ApiKey apiKey, String key) {
    }

    public IssuedKey issue(long tenantId, String name, Instant expiresAt) {
        return issue(tenants.find(tenantId), name, expiresAt, ApiKeys.generate());
    }

    /** Issues a key with its own limits set by {@code limits}. */
    public IssuedKey issue(long tenantId, String name, Instant expiresAt, java.util.function.Consumer<LimitColumns> limits) {
        IssuedKey issued = issue(tenants.find(tenantId), name, expiresAt, ApiKeys.generate());
        limits.accept(issued.apiKey().getLimits());
        em.flush();
        return issued;
    }

    /** Changes a key's own limits. */
    public ApiKey updateLimits(long tenantId, long keyId, java.util.function.Consumer<LimitColumns> limits) {
        ApiKey apiKey = ofTenant(tenantId, keyId);
        limits.accept(apiKey.getLimits());
        em.flush();
        authenticator.forgetAll();
        return apiKey;
    }

    public ApiKey ofTenant(long tenantId, long keyId) {
        ApiKey apiKey = em.find(ApiKey.class, keyId);
        if (apiKey == null || apiKey.getTenant().getId() != tenantId) {
            throw ApiException.notFound("api_key_not_found", "Tenant " + tenantId + " has no key with id " + keyId + ".");
        }
        return apiKey;
    }

    /** Issues a given key (the demo seeding passes one made elsewhere). */
    public IssuedKey issue(Tenant tenant, String name, Instant expiresAt, String key) {
        ApiKey apiKey = new ApiKey(tenant, name, ApiKeys.displayPrefix(key), ApiKeys.hash(key), expiresAt);
        em.persist(apiKey);
        em.flush();
        return new IssuedKey(apiKey, key);
    }

    public List<ApiKey> ofTenant(long tenantId) {
        tenants.find(tenantId);
        return em.createNamedQuery(ApiKey.BY_TENANT, ApiKey.class).setParameter("tenantId", tenantId).getResultList();
    }

    public ApiKey revoke(long tenantId, long keyId) {
        ApiKey apiKey = ofTenant(tenantId, keyId);
        apiKey.revoke();
        em.flush();
        authenticator.forgetAll();
        return apiKey;
    }

    /** What a presented key's hash stands for, for {@link KeyAuthenticator}'s cache. */
    public KeyCheck check(String keyHash) {
        List<ApiKey> found = em.createNamedQuery(ApiKey.BY_HASH, ApiKey.class)
                .setParameter("hash", keyHash).getResultList();
        if (found.isEmpty()) return KeyCheck.rejected(KeyCheck.Rejection.UNKNOWN);
        ApiKey apiKey = found.get(0);
        Tenant tenant = apiKey.getTenant();
        if (apiKey.isRevoked()) return KeyCheck.rejected(KeyCheck.Rejection.REVOKED, tenant.getId(), apiKey.getId());
        if (!tenant.isActive()) return KeyCheck.rejected(KeyCheck.Rejection.TENANT_DISABLED, tenant.getId(), apiKey.getId());
        return KeyCheck.valid(new TenantPrincipal(tenant.getId(), tenant.getName(), apiKey.getId(),
                tenant.getAllowedModels(), apiKey.getExpiresAt(), tenant.limits(), apiKey.getLimits().toLimits(),
                tenant.getEndUserLimits().toLimits(), tenant.getFairShareWeight()));
    }

    /** Writes the last-use times gathered since the previous call; never moves a time backwards. */
    public void recordLastUse(Map<Long, Instant> lastUseByKeyId) {
        lastUseByKeyId.forEach((keyId, at) -> em.createNamedQuery(ApiKey.TOUCH)
                .setParameter("at", at).setParameter("id", keyId).executeUpdate());
    }
}
