package io.switchboard.engines.control;

import io.switchboard.engines.entity.EngineEvent;
import jakarta.ejb.Stateless;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.persistence.TypedQuery;

import java.util.List;

/** Engine events in PostgreSQL. */
@Stateless
public class EngineEventStore {

    @PersistenceContext(unitName = "switchboard")
    EntityManager em;

    public void record(List<EngineEvent> events) {
        events.forEach(em::persist);
    }

    /** The newest events first, of one model or of all. */
    public List<EngineEvent> recent(String model, int limit) {
        return recent(model, null, null, limit);
    }

    /** The latest {@code limit} events, newest first, of one model or all, at or after {@code since} and before {@code until}. */
    public List<EngineEvent> recent(String model, java.time.Instant since, java.time.Instant until, int limit) {
        TypedQuery<EngineEvent> query = em.createQuery("SELECT e FROM EngineEvent e WHERE e.at >= :since AND e.at < :until"
                        + (model == null ? "" : " AND e.model = :model") + " ORDER BY e.at DESC, e.id DESC", EngineEvent.class)
                .setParameter("since", since == null ? java.time.Instant.EPOCH : since)
                .setParameter("until", until == null ? java.time.Instant.parse("9999-01-01T00:00:00Z") : until);
        if (model != null) query.setParameter("model", model);
        return query.setMaxResults(limit).getResultList();
    }
}
