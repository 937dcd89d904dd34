package io.switchboard.tenancy.control;

import io.switchboard.tenancy.entity.ApiKey;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.PersistenceUnit;
import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;

/** For the in-container tests: Hibernate's counts of what went to the database (the test archive turns them on). */
@ApplicationScoped
public class PersistenceStatistics {

    @PersistenceUnit(unitName = "switchboard")
    EntityManagerFactory persistence;

    /** How often the named query ran since the persistence unit started. */
    public long executions(String namedQuery) {
        EntityManager em = persistence.createEntityManager();
        try {
            String text = em.createNamedQuery(namedQuery).unwrap(org.hibernate.query.Query.class).getQueryString();
            return statistics().getQueryStatistics(text).getExecutionCount();
        } finally {
            em.close();
        }
    }

    public long statements() {
        return statistics().getPrepareStatementCount();
    }

    public long tenantOf(long keyId) {
        EntityManager em = persistence.createEntityManager();
        try {
            return em.find(ApiKey.class, keyId).getTenant().getId();
        } finally {
            em.close();
        }
    }

    private Statistics statistics() {
        return persistence.unwrap(SessionFactory.class).getStatistics();
    }
}
