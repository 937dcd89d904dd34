package io.switchboard.tenancy.control;

import io.switchboard.gateway.entity.ApiException;
import io.switchboard.tenancy.entity.Tenant;
import io.switchboard.tenancy.entity.TenantStatus;
import jakarta.ejb.Stateless;
import jakarta.inject.Inject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;

import java.util.List;
import java.util.function.Consumer;

/** Tenants and their quotas in PostgreSQL. Every change drops the cached key checks at once. */
@Stateless
public class TenantStore {

    @PersistenceContext(unitName = "switchboard")
    EntityManager em;

    @Inject
    KeyAuthenticator authenticator;

    public Tenant create(Tenant tenant) {
        requireUniqueName(tenant.getName(), null);
        em.persist(tenant);
        em.flush();
        return tenant;
    }

    public List<Tenant> all() {
        return em.createNamedQuery(Tenant.ALL, Tenant.class).getResultList();
    }

    public long count() {
        return em.createNamedQuery(Tenant.COUNT, Long.class).getSingleResult();
    }

    public Tenant find(long id) {
        Tenant tenant = em.find(Tenant.class, id);
        if (tenant == null) throw ApiException.notFound("tenant_not_found", "No tenant with id " + id + ".");
        return tenant;
    }

    /** Applies {@code changes} to the stored tenant; a rename must stay unique. */
    public Tenant update(long id, Consumer<Tenant> changes) {
        Tenant tenant = find(id);
        String oldName = tenant.getName();
        changes.accept(tenant);
        if (!tenant.getName().equals(oldName)) requireUniqueName(tenant.getName(), id);
        em.flush();
        authenticator.forgetAll();
        return tenant;
    }

    public Tenant disable(long id) {
        return update(id, tenant -> tenant.setStatus(TenantStatus.DISABLED));
    }

    private void requireUniqueName(String name, Long exceptId) {
        List<Long> ids = em.createQuery("SELECT t.id FROM Tenant t WHERE t.name = :name", Long.class)
                .setParameter("name", name).getResultList();
        if (ids.stream().anyMatch(found -> !found.equals(exceptId))) {
            throw ApiException.conflict("name", "A tenant named '" + name + "' already exists.");
        }
    }
}
