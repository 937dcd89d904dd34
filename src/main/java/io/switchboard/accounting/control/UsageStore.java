package io.switchboard.accounting.control;

import io.switchboard.accounting.entity.UsageRecord;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.function.Function;

/**
 * Usage rows into PostgreSQL, a batch in one statement: the rows go in as arrays (unnest), a row whose
 * request id is already there is skipped (replays are idempotent), and the daily rollups grow by what was
 * really inserted, one upsert per rollup key per batch, keys in one order (two replicas never deadlock).
 * Plain JDBC rather than JPA: one round trip per batch, no entity per row.
 */
@ApplicationScoped
public class UsageStore {

    private static final String INSERT = """
            WITH r AS (
                SELECT * FROM unnest(?::text[], ?::text[], ?::bigint[], ?::bigint[], ?::text[], ?::text[], ?::text[],
                                     ?::text[], ?::text[], ?::text[], ?::text[], ?::int[], ?::boolean[], ?::text[],
                                     ?::int[], ?::int[], ?::int[], ?::boolean[], ?::int[], ?::int[], ?::int[],
                                     ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[], ?::bigint[],
                                     ?::bigint[], ?::text[])
                    AS r(request_id, client_request_id, tenant_id, key_id, end_user, endpoint, requested_model,
                         served_model, route, fallback_reason, outcome, http_status, stream, finish_reason,
                         prompt_tokens, cached_tokens, completion_tokens, tokens_estimated, queue_ms, ttft_ms,
                         latency_ms, started_us, finished_us, price_id, input_micros_per_mtok,
                         cached_micros_per_mtok, output_micros_per_mtok, cost_picos, error)
            ), inserted AS (
                INSERT INTO usage_record (request_id, client_request_id, tenant_id, key_id, end_user, endpoint,
                    requested_model, served_model, route, fallback_reason, outcome, http_status, stream, finish_reason,
                    prompt_tokens, cached_tokens, completion_tokens, tokens_estimated, queue_ms, ttft_ms, latency_ms,
                    started_at, finished_at, price_id, input_micros_per_mtok, cached_micros_per_mtok,
                    output_micros_per_mtok, cost_picos, error)
                SELECT request_id, client_request_id, tenant_id, key_id, end_user, endpoint, requested_model,
                    served_model, route, fallback_reason, outcome, http_status, stream, finish_reason, prompt_tokens,
                    cached_tokens, completion_tokens, tokens_estimated, queue_ms, ttft_ms, latency_ms,
                    timestamptz 'epoch' + started_us * interval '1 microsecond',
                    timestamptz 'epoch' + finished_us * interval '1 microsecond',
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

    /** Writes the rows (one statement, one commit); answers how many were new (the rest were there already). */
    public int write(List<UsageRecord> rows) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement insert = connection.prepareStatement(INSERT)) {
            int i = 0;
            insert.setArray(++i, text(connection, rows, UsageRecord::requestId));
            insert.setArray(++i, text(connection, rows, UsageRecord::clientRequestId));
            insert.setArray(++i, longs(connection, rows, UsageRecord::tenantId));
            insert.setArray(++i, longs(connection, rows, UsageRecord::keyId));
            insert.setArray(++i, text(connection, rows, UsageRecord::endUser));
            insert.setArray(++i, text(connection, rows, UsageRecord::endpoint));
            insert.setArray(++i, text(connection, rows, UsageRecord::requestedModel));
            insert.setArray(++i, text(connection, rows, UsageRecord::servedModel));
            insert.setArray(++i, text(connection, rows, UsageRecord::route));
            insert.setArray(++i, text(connection, rows, UsageRecord::fallbackReason));
            insert.setArray(++i, text(connection, rows, r -> r.outcome().wireName()));
            insert.setArray(++i, ints(connection, rows, UsageRecord::httpStatus));
            insert.setArray(++i, connection.createArrayOf("boolean", rows.stream().map(UsageRecord::stream).toArray()));
            insert.setArray(++i, text(connection, rows, UsageRecord::finishReason));
            insert.setArray(++i, ints(connection, rows, UsageRecord::promptTokens));
            insert.setArray(++i, ints(connection, rows, UsageRecord::cachedTokens));
            insert.setArray(++i, ints(connection, rows, UsageRecord::completionTokens));
            insert.setArray(++i, connection.createArrayOf("boolean", rows.stream().map(UsageRecord::tokensEstimated).toArray()));
            insert.setArray(++i, ints(connection, rows, UsageRecord::queueMillis));
            insert.setArray(++i, ints(connection, rows, UsageRecord::timeToFirstTokenMillis));
            insert.setArray(++i, ints(connection, rows, UsageRecord::latencyMillis));
            insert.setArray(++i, longs(connection, rows, r -> UsageJournal.micros(r.startedAt())));
            insert.setArray(++i, longs(connection, rows, r -> UsageJournal.micros(r.finishedAt())));
            insert.setArray(++i, longs(connection, rows, UsageRecord::priceId));
            insert.setArray(++i, longs(connection, rows, UsageRecord::inputMicrosPerMtok));
            insert.setArray(++i, longs(connection, rows, UsageRecord::cachedMicrosPerMtok));
            insert.setArray(++i, longs(connection, rows, UsageRecord::outputMicrosPerMtok));
            insert.setArray(++i, longs(connection, rows, UsageRecord::costPicos));
            insert.setArray(++i, text(connection, rows, UsageRecord::error));
            try (ResultSet counts = insert.executeQuery()) {
                counts.next();
                return counts.getInt(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not write " + rows.size() + " usage rows: " + e.getMessage(), e);
        }
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

    private static Array text(Connection c, List<UsageRecord> rows, Function<UsageRecord, String> field) throws SQLException {
        return c.createArrayOf("text", rows.stream().map(field).toArray());
    }

    private static Array longs(Connection c, List<UsageRecord> rows, Function<UsageRecord, Long> field) throws SQLException {
        return c.createArrayOf("bigint", rows.stream().map(field).toArray());
    }

    private static Array ints(Connection c, List<UsageRecord> rows, Function<UsageRecord, Integer> field) throws SQLException {
        return c.createArrayOf("integer", rows.stream().map(field).toArray());
    }

}
