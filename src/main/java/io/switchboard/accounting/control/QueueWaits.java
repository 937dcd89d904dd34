package io.switchboard.accounting.control;

import io.switchboard.accounting.entity.QueueWait;
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
 * The queue waits beside the swap timeline, per model and time bucket. Unlike the billing reports this reads
 * the rows, not the rollups (they keep no waits): so only a bounded window, found through the BRIN index on
 * started_at (V12). A request counts under the model that served it, else the one it asked for.
 */
@ApplicationScoped
public class QueueWaits {

    @Resource(lookup = "jdbc/switchboard")
    DataSource dataSource;

    public List<QueueWait> between(Instant since, Instant until, int bucketSeconds) {
        String sql = "SELECT coalesce(served_model, requested_model), "
                + "to_timestamp(floor(extract(epoch FROM started_at) / ?) * ?), count(*), "
                + "count(*) FILTER (WHERE queue_ms > 0), coalesce(max(queue_ms), 0), "
                + "coalesce(round(avg(queue_ms) FILTER (WHERE queue_ms > 0)), 0) "
                + "FROM usage_record WHERE started_at >= ? AND started_at < ? "
                + "AND coalesce(served_model, requested_model) IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2";
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement(sql)) {
            query.setInt(1, bucketSeconds);
            query.setInt(2, bucketSeconds);
            query.setTimestamp(3, Timestamp.from(since));
            query.setTimestamp(4, Timestamp.from(until));
            List<QueueWait> waits = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    waits.add(new QueueWait(rows.getString(1), rows.getTimestamp(2).toInstant(), rows.getLong(3),
                            rows.getLong(4), rows.getLong(5), rows.getLong(6)));
                }
            }
            return waits;
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read the queue waits: " + e.getMessage(), e);
        }
    }
}
