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
        TypedQuery<EngineEvent> query = model == null
                ? em.createQuery("SELECT e FROM EngineEvent e ORDER BY e.at DESC, e.id DESC", EngineEvent.class)
                : em.createQuery("SELECT e FROM EngineEvent e WHERE e.model = :model ORDER BY e.at DESC, e.id DESC",
                EngineEvent.class).setParameter("model", model);
        return query.setMaxResults(limit).getResultList();
    }
}
