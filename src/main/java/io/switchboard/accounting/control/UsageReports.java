package io.switchboard.accounting.control;

import io.switchboard.accounting.entity.UsageTotals;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/**
 * Usage reports, read from the daily rollups (never from the rows: a month of a busy tenant is millions of
 * rows, and a handful of rollup rows a day per key and model). Days are UTC dates, both ends included.
 */
@ApplicationScoped
public class UsageReports {

    /** What a report line is grouped by, and the SQL that names its group. */
    public enum GroupBy {
        DAY("to_char(d.day, 'YYYY-MM-DD')"), MONTH("to_char(d.day, 'YYYY-MM')"), MODEL("d.model"),
        KEY("d.key_id::text"), USER("d.end_user");

        final String sql;

        GroupBy(String sql) {
            this.sql = sql;
        }

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    @Resource(lookup = "jdbc/switchboard")
    DataSource dataSource;

    /** Per tenant and group, from {@code from} to {@code to} inclusive; tenantId null: every tenant. */
    public List<UsageTotals> totals(LocalDate from, LocalDate to, Long tenantId, GroupBy groupBy) {
        return totals(from, to, tenantId, null, groupBy);
    }

    /** The same for one model only (its name as the catalog had it; null: every model). */
    public List<UsageTotals> totals(LocalDate from, LocalDate to, Long tenantId, String model, GroupBy groupBy) {
        String sql = "SELECT d.tenant_id, t.name, " + groupBy.sql + " AS grp, sum(d.requests), sum(d.errors), "
                + "sum(d.prompt_tokens), sum(d.cached_tokens), sum(d.completion_tokens), sum(d.cost_picos), "
                + "sum(d.unpriced_requests) FROM usage_daily d JOIN tenant t ON t.id = d.tenant_id "
                + "WHERE d.day >= ? AND d.day <= ?" + (tenantId == null ? "" : " AND d.tenant_id = ?")
                + (model == null ? "" : " AND d.model = ?")
                + " GROUP BY 1, 2, 3 ORDER BY 1, 3";
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement(sql)) {
            query.setDate(1, Date.valueOf(from));
            query.setDate(2, Date.valueOf(to));
            int next = 3;
            if (tenantId != null) query.setLong(next++, tenantId);
            if (model != null) query.setString(next, model);
            List<UsageTotals> lines = new ArrayList<>();
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    lines.add(new UsageTotals(rows.getLong(1), rows.getString(2), rows.getString(3), rows.getLong(4),
                            rows.getLong(5), rows.getLong(6), rows.getLong(7), rows.getLong(8),
                            rows.getBigDecimal(9).toBigIntegerExact(), rows.getLong(10)));
                }
            }
            return lines;
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read the usage report: " + e.getMessage(), e);
        }
    }

    /** The lines added up: the total of a report, cost in exact picos (and its micros the sum of the lines'). */
    public static UsageTotals sum(List<UsageTotals> lines, long tenantId, String tenant) {
        long requests = 0, errors = 0, prompt = 0, cached = 0, completion = 0, unpriced = 0;
        java.math.BigInteger picos = java.math.BigInteger.ZERO;
        for (UsageTotals line : lines) {
            requests += line.requests();
            errors += line.errors();
            prompt += line.promptTokens();
            cached += line.cachedTokens();
            completion += line.completionTokens();
            unpriced += line.unpricedRequests();
            picos = picos.add(line.costPicos());
        }
        return new UsageTotals(tenantId, tenant, "total", requests, errors, prompt, cached, completion, picos, unpriced);
    }

}
