package io.switchboard.responses.control;

import io.switchboard.responses.entity.StoredResponse;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Stored responses in PostgreSQL ({@code stored_response}), so that {@code previous_response_id} and
 * {@code GET /v1/responses/{id}} work on every replica. Every read and delete names the tenant: another
 * tenant's response is not found, never shown. Written by {@link ResponseWriter}.
 */
@Stateless
public class ResponseStore {

    @PersistenceContext(unitName = "switchboard")
    EntityManager em;

    /**
     * The conversation so far of the tenant's response with this id, unless it expired: its input items, then its
     * output items, as one JSON array's text (what {@code previous_response_id} continues), and the tokens the
     * engine counted in it. On the request path of every follow-up turn, so it reads only what it needs, joined in
     * the database, and without a transaction: a row never changes once written.
     */
    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public Optional<Conversation> conversation(long tenantId, String id) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("SELECT (input || output)::text, "
                        + "(response->'usage'->>'input_tokens')::bigint + (response->'usage'->>'output_tokens')::bigint, "
                        + "expires_at FROM stored_response WHERE id = ?1 AND tenant_id = ?2 AND expires_at > now()")
                .setParameter(1, id).setParameter(2, tenantId).getResultList();
        return rows.stream().findFirst().map(row -> new Conversation((String) row[0],
                row[1] == null ? -1 : ((Number) row[1]).longValue(), instant(row[2])));
    }

    /**
     * A stored response's conversation so far (its input then output items, as a JSON array), the tokens its
     * usage counted in them (-1: it reported none), and its expiry.
     */
    public record Conversation(String items, long tokens, Instant expiresAt) {
    }

    /** The tenant's response with this id, unless it expired. */
    @TransactionAttribute(TransactionAttributeType.SUPPORTS)
    public Optional<StoredResponse> find(long tenantId, String id) {
        @SuppressWarnings("unchecked")
        List<Object[]> rows = em.createNativeQuery("SELECT id, tenant_id, key_id, request_id, model, input::text, output::text, "
                        + "response::text, created_at, expires_at FROM stored_response "
                        + "WHERE id = ?1 AND tenant_id = ?2 AND expires_at > now()")
                .setParameter(1, id).setParameter(2, tenantId).getResultList();
        return rows.stream().findFirst().map(ResponseStore::stored);
    }

    /** Deletes the tenant's response; false when it had none with this id. */
    public boolean delete(long tenantId, String id) {
        return em.createNativeQuery("DELETE FROM stored_response WHERE id = ?1 AND tenant_id = ?2")
                .setParameter(1, id).setParameter(2, tenantId).executeUpdate() > 0;
    }

    /** Deletes what is past its retention; answers how many. */
    public int purgeExpired() {
        return em.createNativeQuery("DELETE FROM stored_response WHERE expires_at <= now()").executeUpdate();
    }

    private static StoredResponse stored(Object[] row) {
        return new StoredResponse((String) row[0], ((Number) row[1]).longValue(), row[2] == null ? null : ((Number) row[2]).longValue(),
                (String) row[3], (String) row[4], (String) row[5], (String) row[6], (String) row[7], instant(row[8]), instant(row[9]));
    }

    private static Instant instant(Object value) {
        if (value instanceof Timestamp timestamp) return timestamp.toInstant();
        if (value instanceof Instant instant) return instant;
        if (value instanceof java.time.OffsetDateTime offset) return offset.toInstant();
        return Instant.parse(String.valueOf(value));
    }
}
