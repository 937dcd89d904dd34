package io.switchboard.routing.control;

import io.switchboard.gateway.entity.ApiException;
import io.switchboard.routing.entity.RouteRule;
import io.switchboard.routing.entity.RuleAudit;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import jakarta.persistence.PersistenceException;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.function.Consumer;

/**
 * Routing rules in PostgreSQL. A change through the API names its admin in the transaction
 * ({@code switchboard.admin}), which the audit trigger records beside the database user; the change
 * trigger then bumps the set's version and notifies every server ({@link RuleChanges}).
 */
@Stateless
public class RuleStore {

    @PersistenceContext(unitName = "switchboard")
    EntityManager em;

    /** The enabled and disabled rules, and the version they are, read in one transaction. */
    public Snapshot snapshot() {
        long version = version();
        return new Snapshot(version, em.createNamedQuery(RouteRule.ALL, RouteRule.class).getResultList());
    }

    public record Snapshot(long version, List<RouteRule> rules) {
    }

    public long version() {
        return ((Number) em.createNativeQuery("SELECT version FROM route_rule_version").getSingleResult()).longValue();
    }

    public List<RouteRule> all() {
        return em.createNamedQuery(RouteRule.ALL, RouteRule.class).getResultList();
    }

    public RouteRule find(long id) {
        RouteRule rule = em.find(RouteRule.class, id);
        if (rule == null) throw ApiException.notFound("route_not_found", "No routing rule with id " + id + ".");
        return rule;
    }

    public RouteRule create(RouteRule rule, String admin) {
        nameAdmin(admin);
        em.persist(rule);
        flush();
        em.refresh(rule); // the timestamps the database set
        return rule;
    }

    public RouteRule update(long id, Consumer<RouteRule> changes, String admin) {
        nameAdmin(admin);
        RouteRule rule = find(id);
        changes.accept(rule);
        flush();
        em.refresh(rule);
        return rule;
    }

    public void delete(long id, String admin) {
        nameAdmin(admin);
        em.remove(find(id));
        flush();
    }

    /** The latest changes first; {@code ruleId} null: of every rule. */
    public List<RuleAudit> audit(Long ruleId, int limit) {
        List<?> rows = em.createNativeQuery("SELECT id, at, db_user, admin, action, rule_id, old_value::text, new_value::text"
                        + " FROM route_rule_audit WHERE (CAST(?1 AS BIGINT) IS NULL OR rule_id = ?1) ORDER BY id DESC LIMIT ?2")
                .setParameter(1, ruleId).setParameter(2, limit).getResultList();
        return rows.stream().map(row -> (Object[]) row).map(r -> new RuleAudit(((Number) r[0]).longValue(), instant(r[1]),
                (String) r[2], (String) r[3], (String) r[4], ((Number) r[5]).longValue(), (String) r[6], (String) r[7])).toList();
    }

    /** A rule set this server could not load, for admins to see (the last good set stays in force). */
    @TransactionAttribute(TransactionAttributeType.REQUIRES_NEW)
    public void rejected(long version, String server, String detail) {
        em.createNativeQuery("INSERT INTO route_rule_event (version, server, outcome, detail) VALUES (?1, ?2, 'rejected', ?3)")
                .setParameter(1, version).setParameter(2, server).setParameter(3, detail).executeUpdate();
    }

    /** The rejections recorded, the latest first. */
    public List<Object[]> rejections(int limit) {
        return em.createNativeQuery("SELECT id, at, version, server, detail FROM route_rule_event ORDER BY id DESC LIMIT ?1")
                .setParameter(1, limit).getResultList().stream().map(row -> (Object[]) row).toList();
    }

    private void nameAdmin(String admin) {
        em.createNativeQuery("SELECT set_config('switchboard.admin', ?1, true)").setParameter(1, admin).getSingleResult();
    }

    /** What the database's constraints refuse (a model deleted meanwhile, say) is the client's 400, not a 500. */
    private void flush() {
        try {
            em.flush();
        } catch (PersistenceException refused) {
            Throwable cause = refused;
            while (cause.getCause() != null) cause = cause.getCause();
            String message = cause.getMessage() == null ? "the database refused the rule" : cause.getMessage().lines().findFirst().orElse("");
            throw ApiException.invalid(null, "The routing rule was refused: " + message.replaceFirst("^ERROR: ", "") + ".");
        }
    }

    static Instant instant(Object value) {
        if (value instanceof Instant instant) return instant;
        if (value instanceof OffsetDateTime time) return time.toInstant();
        if (value instanceof java.sql.Timestamp timestamp) return timestamp.toInstant();
        return null;
    }
}
