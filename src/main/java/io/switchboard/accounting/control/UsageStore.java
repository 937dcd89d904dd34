package io.switchboard.accounting.control;

import io.switchboard.accounting.entity.UsageRecord;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;

/**
 * Usage rows into PostgreSQL, a batch in one statement: the rows go in as one JSON text, a row whose
 * request id is already there is skipped (replays are idempotent), and the daily rollups grow by what was
 * really inserted, one upsert per rollup key per batch, keys in one order (two replicas never deadlock).
 * Plain JDBC rather than JPA: one round trip per batch, no entity per row.
 */
@ApplicationScoped
public class UsageStore {

    /**
     * The rows arrive as one JSON array of the journal's lines, unpacked by {@code json_to_recordset}: the line
     * each row already has is its wire format, so a batch costs one string here (binding 29 JDBC arrays cost
     * Liberty tens of microseconds a row) and PostgreSQL parses it in C.
     */
    private static final String INSERT = """
            WITH r AS (
                SELECT * FROM json_to_recordset(?::json)
                    AS r(request_id text, client_request_id text, tenant_id bigint, key_id bigint, end_user text,
                         endpoint text, requested_model text, served_model text, route text, fallback_reason text,
                         outcome text, http_status int, stream boolean, finish_reason text, prompt_tokens int,
                         cached_tokens int, completion_tokens int, tokens_estimated boolean, queue_ms int, ttft_ms int,
                         latency_ms int, started_at bigint, finished_at bigint, price_id bigint,
                         input_micros_per_mtok bigint, cached_micros_per_mtok bigint, output_micros_per_mtok bigint,
                         cost_picos bigint, error text)
            ), inserted AS (
                INSERT INTO usage_record (request_id, client_request_id, tenant_id, key_id, end_user, endpoint,
                    requested_model, served_model, route, fallback_reason, outcome, http_status, stream, finish_reason,
                    prompt_tokens, cached_tokens, completion_tokens, tokens_estimated, queue_ms, ttft_ms, latency_ms,
                    started_at, finished_at, price_id, input_micros_per_mtok, cached_micros_per_mtok,
                    output_micros_per_mtok, cost_picos, error)
                SELECT request_id, client_request_id, tenant_id, key_id, end_user, endpoint, requested_model,
                    served_model, route, fallback_reason, outcome, http_status, stream, finish_reason, prompt_tokens,
                    cached_tokens, completion_tokens, tokens_estimated, queue_ms, ttft_ms, latency_ms,
                    timestamptz 'epoch' + r.started_at * interval '1 microsecond',
                    timestamptz 'epoch' + r.finished_at * interval '1 microsecond',
                    price_id, input_micros_per_mtok, cached_micros_per_mtok, output_micros_per_mtok, cost_picos, error
                FROM r
                ON CONFLICT DO NOTHING
                RETURNING started_at, tenant_id, key_id, served_model, requested_model, end_user, price_id,
                          http_status, prompt_tokens, cached_tokens, completion_tokens, cost_picos
            ), rolled AS (
                INSERT INTO usage_daily AS d (day, tenant_id, key_id, model, end_user, price_id, requests, errors,
                    prompt_tokens, cached_tokens, completion_tokens, cost_picos, unpriced_requests)
                SELECT (started_at AT TIME ZONE 'UTC')::date, tenant_id, coalesce(key_id, 0),
                       coalesce(served_model, requested_model, '-'), coalesce(end_user, ''), coalesce(price_id, 0),
                       count(*), count(*) FILTER (WHERE http_status >= 400), sum(prompt_tokens), sum(cached_tokens),
                       sum(completion_tokens), coalesce(sum(cost_picos), 0),
                       count(*) FILTER (WHERE price_id IS NULL AND served_model IS NOT NULL)
                FROM inserted
                GROUP BY 1, 2, 3, 4, 5, 6
                ORDER BY 1, 2, 3, 4, 5, 6
                ON CONFLICT (day, tenant_id, key_id, model, end_user, price_id) DO UPDATE SET
                    requests = d.requests + EXCLUDED.requests, errors = d.errors + EXCLUDED.errors,
                    prompt_tokens = d.prompt_tokens + EXCLUDED.prompt_tokens,
                    cached_tokens = d.cached_tokens + EXCLUDED.cached_tokens,
                    completion_tokens = d.completion_tokens + EXCLUDED.completion_tokens,
                    cost_picos = d.cost_picos + EXCLUDED.cost_picos,
                    unpriced_requests = d.unpriced_requests + EXCLUDED.unpriced_requests
                RETURNING 1
            )
            SELECT (SELECT count(*) FROM inserted), (SELECT count(*) FROM rolled)
            """;

    @Resource(lookup = "jdbc/switchboard")
    DataSource dataSource;

    public UsageStore() {
    }

    /** Outside the container (the usage bench drives the write path on its own): rows into this database. */
    public UsageStore(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Writes the rows (one statement, one commit); answers how many were new (the rest were there already). */
    public int write(List<UsageRecord> rows) {
        return writeLines(rows.stream().map(UsageJournal::encode).toList());
    }

    /** The same for rows as journal lines. */
    public int writeLines(List<String> lines) {
        StringBuilder json = new StringBuilder(lines.size() * 640).append('[');
        for (String line : lines) {
            if (json.length() > 1) json.append(',');
            json.append(line);
        }
        json.append(']');
        try (Connection connection = dataSource.getConnection();
             PreparedStatement insert = connection.prepareStatement(INSERT)) {
            insert.setString(1, json.toString());
            try (ResultSet counts = insert.executeQuery()) {
                counts.next();
                return counts.getInt(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not write " + lines.size() + " usage rows: " + e.getMessage(), e);
        }
    }

    /**
     * Whether PostgreSQL refused the statement for the values it carried (SQLSTATE class 22, data exception, or
     * 23, integrity constraint violation) rather than for being unreachable: writing it again will not help.
     */
    public static boolean refusesRows(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("22") || sql.getSQLState().startsWith("23"))) return true;
        }
        return false;
    }

    /** Creates the coming months' partitions and drops those past retention; answers {created, dropped}. */
    public int[] maintainPartitions(int monthsAhead, int retentionMonths) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement ensure = connection.prepareStatement("SELECT usage_partitions_ensure(?)");
             PreparedStatement drop = connection.prepareStatement(
                     "SELECT usage_partitions_drop_before((date_trunc('month', now() AT TIME ZONE 'UTC') - make_interval(months => ?))::date)")) {
            ensure.setInt(1, monthsAhead);
            drop.setInt(1, retentionMonths);
            return new int[] {single(ensure), retentionMonths > 0 ? single(drop) : 0};
        } catch (SQLException e) {
            throw new IllegalStateException("Could not maintain the usage partitions: " + e.getMessage(), e);
        }
    }

    private static int single(PreparedStatement statement) throws SQLException {
        try (ResultSet result = statement.executeQuery()) {
            result.next();
            return result.getInt(1);
        }
    }
}
