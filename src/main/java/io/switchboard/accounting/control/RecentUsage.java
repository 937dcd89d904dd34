package io.switchboard.accounting.control;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What each tenant used in the last seconds (requests started, tokens), on every replica: the console shows
 * it beside the per-minute limits. From the rows through the BRIN index on started_at (V12), so only a short
 * window; a request counts once it has ended and its row is written (within about a second).
 */
@ApplicationScoped
public class RecentUsage {

    /** One tenant's use since the window began. */
    public record TenantUse(long tenantId, long requests, long promptTokens, long completionTokens) {
    }

    @Resource(lookup = "jdbc/switchboard")
    DataSource dataSource;

    public List<TenantUse> since(Instant since) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement("SELECT tenant_id, count(*), "
                     + "coalesce(sum(prompt_tokens), 0), coalesce(sum(completion_tokens), 0) FROM usage_record "
                     + "WHERE started_at >= ? AND outcome <> 'rejected' GROUP BY tenant_id ORDER BY tenant_id")) {
            query.setTimestamp(1, Timestamp.from(since));
            List<TenantUse> use = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) use.add(new TenantUse(rows.getLong(1), rows.getLong(2), rows.getLong(3), rows.getLong(4)));
            }
            return use;
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read the recent usage: " + e.getMessage(), e);
        }
    }
}
