package io.switchboard.quotas.control;

import io.switchboard.quotas.entity.Metric;
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
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The shared counters in PostgreSQL ({@code quota_lease}, {@code budget_reset}). A lease takes a slice of a
 * limit for one replica in one transaction, under an advisory lock on the scope and metric: it sums what all
 * replicas hold of the window and grants at most what is left, so replicas together never admit more than
 * the limit. One round trip per slice, not per request, and no row that every request updates.
 */
@ApplicationScoped
public class LeaseStore {

    /** A concurrency share not renewed for this long belongs to a replica that is gone. */
    static final int CONCURRENCY_TTL_SECONDS = 30;

    /** What a lease got: the slice, what the other replicas hold, the oldest bucket with usage (sliding windows). */
    record Lease(long granted, long leasedByOthers, Instant oldestBucket) {
    }

    @Resource(lookup = "jdbc/switchboard")
    DataSource dataSource;

    Lease lease(String replica, String scope, Metric metric, Instant windowStart, Instant windowEnd, Windows.Span span,
                long want, long limit) throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            try {
                Lease lease = lease(connection, replica, scope, metric, windowStart, windowEnd, span, want, limit);
                connection.commit();
                return lease;
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    /** A lease request of {@link #leaseAll}. */
    record Request(String scope, Metric metric, Instant windowStart, Instant windowEnd, Windows.Span span, long want,
                   long limit) {
    }

    /**
     * The renewer's slices for the next windows of every busy scope, on one connection, each in its own short
     * transaction: one transaction for all held every scope's advisory lock until the last, and a request
     * that needed a lease meanwhile waited for the whole batch.
     */
    List<Lease> leaseAll(String replica, List<Request> requests) throws SQLException {
        List<Lease> leases = new ArrayList<>(requests.size());
        if (requests.isEmpty()) return leases;
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false);
            for (Request r : requests) {
                try {
                    leases.add(lease(connection, replica, r.scope(), r.metric(), r.windowStart(), r.windowEnd(),
                            r.span(), r.want(), r.limit()));
                    connection.commit();
                } catch (SQLException | RuntimeException e) {
                    connection.rollback();
                    throw e;
                }
            }
            return leases;
        }
    }

    private Lease lease(Connection connection, String replica, String scope, Metric metric, Instant windowStart,
                        Instant windowEnd, Windows.Span span, long want, long limit) throws SQLException {
                asynchronousCommit(connection);
                try (PreparedStatement lock = connection.prepareStatement("SELECT pg_advisory_xact_lock(hashtextextended(?, 0))")) {
                    lock.setString(1, scope + "/" + metric.wireName());
                    lock.executeQuery().close();
                }
                long mine = 0;
                long all = 0;
                Instant oldest = null;
                try (PreparedStatement sum = connection.prepareStatement("SELECT replica, leased, window_start FROM quota_lease "
                        + "WHERE scope = ? AND metric = ? AND window_start >= ? AND window_start <= ?"
                        + (metric == Metric.CONCURRENCY ? " AND renewed_at > now() - make_interval(secs => " + CONCURRENCY_TTL_SECONDS + ")" : ""))) {
                    sum.setString(1, scope);
                    sum.setString(2, metric.wireName());
                    sum.setTimestamp(3, Timestamp.from(span.from()));
                    sum.setTimestamp(4, Timestamp.from(span.to()));
                    try (ResultSet rows = sum.executeQuery()) {
                        while (rows.next()) {
                            long leased = rows.getLong(2);
                            all += leased;
                            Instant start = rows.getTimestamp(3).toInstant();
                            if (rows.getString(1).equals(replica) && start.equals(windowStart)) mine += leased;
                            if (leased > 0 && (oldest == null || start.isBefore(oldest))) oldest = start;
                        }
                    }
                }
                long grant = Math.max(0, Math.min(want, limit - all));
                if (grant > 0) add(connection, replica, scope, metric, windowStart, windowEnd, grant, 0);
                if (grant > 0 && (oldest == null || windowStart.isBefore(oldest))) oldest = windowStart;
                return new Lease(grant, all - mine, oldest);
    }

    /**
     * What a replica reports of its shares: consumption to add to {@code used}, a slice given back
     * ({@code returned}, off {@code leased}), and for concurrency the renewal that keeps its share alive and,
     * as a third element, the requests in flight (an absolute number for the console; -1 or absent leaves it).
     * Relative updates of leased and used only: a lease granted meanwhile is never overwritten.
     */
    void report(String replica, Map<Key, long[]> changes) throws SQLException {
        if (changes.isEmpty()) return;
        try (Connection connection = dataSource.getConnection()) {
            connection.setAutoCommit(false); // one commit for all: a commit per row was a WAL flush per row
            try {
                report(connection, replica, changes);
                connection.commit();
            } catch (SQLException | RuntimeException e) {
                connection.rollback();
                throw e;
            }
        }
    }

    /**
     * Lease and report commits do not wait for the WAL to reach the disk: a commit per lease at every bucket
     * boundary queued behind fsyncs and stalled requests. What this risks is only a crash of PostgreSQL itself
     * losing its last fraction of a second of leases (never a usage row: those commit synchronously), after
     * which replicas could lease that capacity once more (docs/quotas.md).
     */
    private static void asynchronousCommit(Connection connection) throws SQLException {
        try (java.sql.Statement statement = connection.createStatement()) {
            statement.execute("SET LOCAL synchronous_commit = off");
        }
    }

    private static void report(Connection connection, String replica, Map<Key, long[]> changes) throws SQLException {
        asynchronousCommit(connection);
        try (PreparedStatement update = connection.prepareStatement("UPDATE quota_lease SET used = used + ?, "
                     + "leased = greatest(0, leased - ?), renewed_at = now(), "
                     + "in_flight = CASE WHEN ? < 0 THEN in_flight ELSE ? END "
                     + "WHERE scope = ? AND metric = ? AND window_start = ? AND replica = ?")) {
            for (Map.Entry<Key, long[]> change : changes.entrySet()) {
                long inFlight = change.getValue().length > 2 ? change.getValue()[2] : -1; // -1: unchanged
                update.setLong(1, change.getValue()[0]);
                update.setLong(2, change.getValue()[1]);
                update.setLong(3, inFlight);
                update.setLong(4, inFlight);
                update.setString(5, change.getKey().scope());
                update.setString(6, change.getKey().metric().wireName());
                update.setTimestamp(7, Timestamp.from(change.getKey().windowStart()));
                update.setString(8, replica);
                update.addBatch();
            }
            update.executeBatch();
        }
    }

    /**
     * What the other replicas hold now of each of these windows (their leases in it; for concurrency, the live
     * ones'): read by the renewer for the idle shares it may keep, in one statement.
     */
    Map<Key, Long> leasedByOthers(String replica, java.util.Collection<Key> keys) throws SQLException {
        Map<Key, Long> others = new HashMap<>();
        if (keys.isEmpty()) return others;
        List<Key> list = List.copyOf(keys);
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement("SELECT k.scope, k.metric, k.window_start, "
                     + "coalesce(sum(l.leased), 0) FROM unnest(?::text[], ?::text[], ?::timestamptz[]) AS k(scope, metric, window_start) "
                     + "LEFT JOIN quota_lease l ON l.scope = k.scope AND l.metric = k.metric AND l.window_start = k.window_start "
                     + "AND l.replica <> ? AND (l.metric <> 'concurrency' OR l.renewed_at > now() - make_interval(secs => "
                     + CONCURRENCY_TTL_SECONDS + ")) GROUP BY 1, 2, 3")) {
            query.setArray(1, connection.createArrayOf("text", list.stream().map(Key::scope).toArray()));
            query.setArray(2, connection.createArrayOf("text", list.stream().map(k -> k.metric().wireName()).toArray()));
            query.setArray(3, connection.createArrayOf("timestamptz", list.stream().map(k -> Timestamp.from(k.windowStart())).toArray()));
            query.setString(4, replica);
            Map<String, Metric> byWire = new HashMap<>();
            for (Metric metric : Metric.values()) byWire.put(metric.wireName(), metric);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    others.put(new Key(rows.getString(1), byWire.get(rows.getString(2)), rows.getTimestamp(3).toInstant()), rows.getLong(4));
                }
            }
        }
        return others;
    }

    /** Per tenant, the requests in flight that live replicas reported at their last renewal. */
    Map<Long, Long> inFlightByTenant() throws SQLException {
        Map<Long, Long> inFlight = new HashMap<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement("SELECT substr(scope, 8)::bigint, sum(in_flight) "
                     + "FROM quota_lease WHERE metric = 'concurrency' AND scope LIKE 'tenant:%' AND in_flight IS NOT NULL "
                     + "AND renewed_at > now() - make_interval(secs => " + CONCURRENCY_TTL_SECONDS + ") GROUP BY 1")) {
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) inFlight.put(rows.getLong(1), rows.getLong(2));
            }
        }
        return inFlight;
    }

    /** Forgets windows that ended a while ago (a minute's buckets, yesterday, last month). */
    int dropEnded() throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement delete = connection.prepareStatement(
                     "DELETE FROM quota_lease WHERE window_end < now() - interval '2 minutes'")) {
            return delete.executeUpdate();
        }
    }

    /** The latest budget reset of every scope since {@code since}. */
    Map<String, Instant> resetsSince(Instant since) throws SQLException {
        Map<String, Instant> resets = new HashMap<>();
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement(
                     "SELECT scope, max(reset_at) FROM budget_reset WHERE reset_at >= ? GROUP BY scope")) {
            query.setTimestamp(1, Timestamp.from(since));
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) resets.put(rows.getString(1), rows.getTimestamp(2).toInstant());
            }
        }
        return resets;
    }

    void reset(String scope, String by) throws SQLException {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement insert = connection.prepareStatement("INSERT INTO budget_reset (scope, reset_by) VALUES (?, ?)")) {
            insert.setString(1, scope);
            insert.setString(2, by);
            insert.executeUpdate();
        }
    }

    /** Records a slice granted while the database was away (it may take the sum past the limit: the outage drift). */
    void addLease(String replica, String scope, Metric metric, Instant windowStart, Instant windowEnd, long leased)
            throws SQLException {
        try (Connection connection = dataSource.getConnection()) {
            add(connection, replica, scope, metric, windowStart, windowEnd, leased, 0);
        }
    }

    /** The counters' key: scope, metric and window. */
    record Key(String scope, Metric metric, Instant windowStart) {
    }

    private static void add(Connection connection, String replica, String scope, Metric metric, Instant windowStart,
                            Instant windowEnd, long leased, long used) throws SQLException {
        try (PreparedStatement upsert = connection.prepareStatement("INSERT INTO quota_lease (scope, metric, window_start, "
                + "replica, window_end, leased, used) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (scope, metric, window_start, "
                + "replica) DO UPDATE SET leased = quota_lease.leased + EXCLUDED.leased, used = quota_lease.used + "
                + "EXCLUDED.used, renewed_at = now()")) {
            upsert.setString(1, scope);
            upsert.setString(2, metric.wireName());
            upsert.setTimestamp(3, Timestamp.from(windowStart));
            upsert.setString(4, replica);
            upsert.setTimestamp(5, Timestamp.from(windowEnd));
            upsert.setLong(6, leased);
            upsert.setLong(7, used);
            upsert.executeUpdate();
        }
    }
}
