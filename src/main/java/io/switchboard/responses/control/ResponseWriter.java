package io.switchboard.responses.control;

import io.switchboard.responses.entity.StoredResponse;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Timestamp;

/**
 * Writes a stored response: one statement on a pooled connection, committed by itself. On the path of every
 * answer that is kept (before the client has its end), so it goes around the EJB container and JPA, whose
 * transaction and session took most of the keep's CPU in a profile (async-profiler, bench surface's follow-ups).
 */
@ApplicationScoped
public class ResponseWriter {

    private static final String INSERT = "INSERT INTO stored_response (id, tenant_id, key_id, request_id, model, input, "
            + "output, response, created_at, expires_at) VALUES (?, ?, ?, ?, ?, CAST(? AS jsonb), CAST(? AS jsonb), "
            + "CAST(? AS jsonb), ?, ?) ON CONFLICT (id) DO NOTHING";

    @Resource(lookup = "jdbc/switchboard")
    DataSource dataSource;

    public void save(StoredResponse stored) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement insert = connection.prepareStatement(INSERT)) {
            insert.setString(1, stored.id());
            insert.setLong(2, stored.tenantId());
            if (stored.keyId() == null) insert.setNull(3, java.sql.Types.BIGINT); else insert.setLong(3, stored.keyId());
            insert.setString(4, stored.requestId());
            insert.setString(5, stored.model());
            insert.setString(6, stored.input());
            insert.setString(7, stored.output());
            insert.setString(8, stored.response());
            insert.setTimestamp(9, Timestamp.from(stored.createdAt()));
            insert.setTimestamp(10, Timestamp.from(stored.expiresAt()));
            insert.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("Could not store response " + stored.id() + ": " + e.getMessage(), e);
        }
    }
}
