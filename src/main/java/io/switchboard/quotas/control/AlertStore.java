package io.switchboard.quotas.control;

import io.switchboard.quotas.entity.BudgetAlert;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code budget_alert} and what the alerts read: budgets' use over all replicas, tenants' webhooks. */
@ApplicationScoped
public class AlertStore {

    @Resource(lookup = "jdbc/switchboard")
    DataSource dataSource;

    /** What all replicas report used, per scope, metric and window start of these budget counters. */
    Map<LeaseStore.Key, Long> usedEverywhere(List<LeaseStore.Key> keys) throws SQLException {
        Map<LeaseStore.Key, Long> used = new HashMap<>();
        if (keys.isEmpty()) return used;
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement("SELECT scope, metric, window_start, sum(used) "
                     + "FROM quota_lease WHERE scope = ANY (?) AND window_start = ANY (?) GROUP BY 1, 2, 3")) {
            Array scopes = connection.createArrayOf("text", keys.stream().map(LeaseStore.Key::scope).distinct().toArray());
            Array starts = connection.createArrayOf("timestamptz", keys.stream().map(k -> Timestamp.from(k.windowStart())).distinct().toArray());
            query.setArray(1, scopes);
            query.setArray(2, starts);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    for (LeaseStore.Key key : keys) {
                        if (key.scope().equals(rows.getString(1)) && key.metric().wireName().equals(rows.getString(2))
                                && key.windowStart().equals(rows.getTimestamp(3).toInstant())) {
                            used.put(key, rows.getLong(4));
                        }
                    }
                }
            }
        }
        return used;
    }

    /** Records the crossing unless some replica did already; answers the new alert (with the tenant's webhook) or empty. */
    Optional<BudgetAlert> record(long tenantId, LeaseStore.Key key, Instant periodEnd, int threshold, long budget, long used)
            throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement insert = connection.prepareStatement("INSERT INTO budget_alert (tenant_id, scope, metric, "
                     + "period_start, period_end, threshold, budget, used, webhook_url) SELECT ?, ?, ?, ?, ?, ?, ?, ?, "
                     + "(SELECT alert_webhook_url FROM tenant WHERE id = ?) ON CONFLICT DO NOTHING RETURNING id, crossed_at, webhook_url")) {
            insert.setLong(1, tenantId);
            insert.setString(2, key.scope());
            insert.setString(3, key.metric().wireName());
            insert.setTimestamp(4, Timestamp.from(key.windowStart()));
            insert.setTimestamp(5, Timestamp.from(periodEnd));
            insert.setInt(6, threshold);
            insert.setLong(7, budget);
            insert.setLong(8, used);
            insert.setLong(9, tenantId);
            try (ResultSet rows = insert.executeQuery()) {
                if (!rows.next()) return Optional.empty();
                return Optional.of(new BudgetAlert(rows.getLong(1), tenantId, key.scope(), key.metric().wireName(),
                        key.windowStart(), periodEnd, threshold, budget, used, rows.getTimestamp(2).toInstant(),
                        rows.getString(3), null, 0, null));
            }
        }
    }

    String webhookSecret(long tenantId) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement("SELECT alert_webhook_secret FROM tenant WHERE id = ?")) {
            query.setLong(1, tenantId);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next() ? rows.getString(1) : null;
            }
        }
    }

    void delivery(long alertId, boolean delivered, String error) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement update = connection.prepareStatement("UPDATE budget_alert SET attempts = attempts + 1, "
                     + "delivered_at = CASE WHEN ? THEN now() ELSE delivered_at END, last_error = ? WHERE id = ?")) {
            update.setBoolean(1, delivered);
            update.setString(2, error == null ? null : error.substring(0, Math.min(500, error.length())));
            update.setLong(3, alertId);
            update.executeUpdate();
        }
    }

    /** The newest alerts first, of one tenant or all. */
    public List<BudgetAlert> recent(Long tenantId, int limit) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement("SELECT id, tenant_id, scope, metric, period_start, "
                     + "period_end, threshold, budget, used, crossed_at, webhook_url, delivered_at, attempts, last_error "
                     + "FROM budget_alert WHERE (?::bigint IS NULL OR tenant_id = ?) ORDER BY crossed_at DESC, id DESC LIMIT ?")) {
            if (tenantId == null) {
                query.setNull(1, java.sql.Types.BIGINT);
                query.setNull(2, java.sql.Types.BIGINT);
            } else {
                query.setLong(1, tenantId);
                query.setLong(2, tenantId);
            }
            query.setInt(3, limit);
            List<BudgetAlert> alerts = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    Timestamp delivered = rows.getTimestamp(12);
                    alerts.add(new BudgetAlert(rows.getLong(1), rows.getLong(2), rows.getString(3), rows.getString(4),
                            rows.getTimestamp(5).toInstant(), rows.getTimestamp(6).toInstant(), rows.getInt(7),
                            rows.getLong(8), rows.getLong(9), rows.getTimestamp(10).toInstant(), rows.getString(11),
                            delivered == null ? null : delivered.toInstant(), rows.getInt(13), rows.getString(14)));
                }
            }
            return alerts;
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read the budget alerts: " + e.getMessage(), e);
        }
    }
}
