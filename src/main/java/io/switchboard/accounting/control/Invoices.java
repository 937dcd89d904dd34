package io.switchboard.accounting.control;

import io.switchboard.accounting.entity.Invoice;
import io.switchboard.pricing.entity.Money;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;
import java.math.BigInteger;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Builds a tenant's monthly invoice from the daily rollups and the prices their rows were made with. */
@ApplicationScoped
public class Invoices {

    private static final String LINES = """
            SELECT d.model, nullif(d.price_id, 0), p.valid_from, sum(d.requests), sum(d.prompt_tokens - d.cached_tokens),
                   sum(d.cached_tokens), sum(d.completion_tokens), p.input_micros_per_mtok,
                   coalesce(p.cached_input_micros_per_mtok, p.input_micros_per_mtok), p.output_micros_per_mtok,
                   sum(d.unpriced_requests)
            FROM usage_daily d LEFT JOIN model_price p ON p.id = d.price_id
            WHERE d.tenant_id = ? AND d.day >= ? AND d.day < ?
            GROUP BY d.model, d.price_id, p.valid_from, p.input_micros_per_mtok, p.cached_input_micros_per_mtok,
                     p.output_micros_per_mtok
            HAVING d.price_id <> 0 OR sum(d.unpriced_requests) > 0
            ORDER BY d.model, p.valid_from NULLS FIRST
            """;

    @Resource(lookup = "jdbc/switchboard")
    DataSource dataSource;

    /** The invoice, or empty when there is no such tenant. */
    public Optional<Invoice> of(long tenantId, YearMonth month, String currency) {
        try (Connection connection = dataSource.getConnection()) {
            String tenant = tenantName(connection, tenantId);
            if (tenant == null) return Optional.empty();
            List<Invoice.Line> lines = new ArrayList<>();
            try (PreparedStatement query = connection.prepareStatement(LINES)) {
                query.setLong(1, tenantId);
                query.setDate(2, Date.valueOf(month.atDay(1)));
                query.setDate(3, Date.valueOf(month.plusMonths(1).atDay(1)));
                try (ResultSet rows = query.executeQuery()) {
                    while (rows.next()) lines.add(line(rows));
                }
            }
            return Optional.of(invoice(tenantId, tenant, month, currency, lines));
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read the invoice: " + e.getMessage(), e);
        }
    }

    static Invoice invoice(long tenantId, String tenant, YearMonth month, String currency, List<Invoice.Line> lines) {
        Map<String, Invoice.Subtotal> subtotals = new LinkedHashMap<>();
        long total = 0;
        long unpriced = 0;
        for (Invoice.Line line : lines) {
            subtotals.merge(line.model(), new Invoice.Subtotal(line.model(), line.requests(), line.amountMicros(),
                            !line.priced()),
                    (a, b) -> new Invoice.Subtotal(a.model(), a.requests() + b.requests(),
                            a.amountMicros() + b.amountMicros(), a.unpriced() || b.unpriced()));
            total += line.amountMicros();
            unpriced += line.unpricedRequests();
        }
        return new Invoice(tenantId, tenant, month, currency, lines, List.copyOf(subtotals.values()), total, unpriced);
    }

    private static Invoice.Line line(ResultSet rows) throws SQLException {
        Long priceId = (Long) rows.getObject(2);
        Timestamp validFrom = rows.getTimestamp(3);
        long input = rows.getLong(5);
        long cached = rows.getLong(6);
        long output = rows.getLong(7);
        Long inPrice = priceId == null ? null : rows.getLong(8);
        Long cachedPrice = priceId == null ? null : rows.getLong(9);
        Long outPrice = priceId == null ? null : rows.getLong(10);
        return new Invoice.Line(rows.getString(1), priceId, validFrom == null ? null : validFrom.toInstant(),
                rows.getLong(4), input, cached, output, inPrice, cachedPrice, outPrice,
                amount(input, inPrice), amount(cached, cachedPrice), amount(output, outPrice), rows.getLong(11));
    }

    /** Tokens times a price per million tokens, exact in picos, rounded once to micros. */
    static Long amount(long tokens, Long microsPerMtok) {
        if (microsPerMtok == null) return null;
        return Money.picosToMicros(BigInteger.valueOf(tokens).multiply(BigInteger.valueOf(microsPerMtok)));
    }

    private static String tenantName(Connection connection, long tenantId) throws SQLException {
        try (PreparedStatement query = connection.prepareStatement("SELECT name FROM tenant WHERE id = ?")) {
            query.setLong(1, tenantId);
            try (ResultSet rows = query.executeQuery()) {
                return rows.next() ? rows.getString(1) : null;
            }
        }
    }
}
