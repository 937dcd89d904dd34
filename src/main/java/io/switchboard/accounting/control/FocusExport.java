package io.switchboard.accounting.control;

import io.switchboard.pricing.entity.Money;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;

import javax.sql.DataSource;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.Date;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.List;

/**
 * A month's costs in the FinOps FOCUS 1.0 CSV format, so cost tools can import them: a row per UTC day,
 * tenant (billing account), key (sub-account), model (resource) and kind of token (input, cached input,
 * output: one SKU each), from the daily rollups. Unpriced usage is there with a cost of 0, said in its
 * description and its tags, never silently.
 */
@ApplicationScoped
public class FocusExport {

    public static final List<String> COLUMNS = List.of("BilledCost", "BillingAccountId", "BillingAccountName",
            "BillingCurrency", "BillingPeriodEnd", "BillingPeriodStart", "ChargeCategory", "ChargeClass",
            "ChargeDescription", "ChargeFrequency", "ChargePeriodEnd", "ChargePeriodStart", "ConsumedQuantity",
            "ConsumedUnit", "ContractedCost", "ContractedUnitPrice", "EffectiveCost", "InvoiceIssuerName", "ListCost",
            "ListUnitPrice", "PricingCategory", "PricingQuantity", "PricingUnit", "ProviderName", "PublisherName",
            "RegionId", "RegionName", "ResourceId", "ResourceName", "ResourceType", "ServiceCategory", "ServiceName",
            "SkuId", "SkuPriceId", "SubAccountId", "SubAccountName", "Tags");

    private static final String ROWS = """
            SELECT d.day, d.tenant_id, t.name, d.key_id, k.name, d.model, nullif(d.price_id, 0),
                   sum(d.prompt_tokens - d.cached_tokens), sum(d.cached_tokens), sum(d.completion_tokens),
                   p.input_micros_per_mtok, coalesce(p.cached_input_micros_per_mtok, p.input_micros_per_mtok),
                   p.output_micros_per_mtok
            FROM usage_daily d JOIN tenant t ON t.id = d.tenant_id
                 LEFT JOIN api_key k ON k.id = d.key_id LEFT JOIN model_price p ON p.id = d.price_id
            WHERE d.day >= ? AND d.day < ?
            GROUP BY d.day, d.tenant_id, t.name, d.key_id, k.name, d.model, d.price_id, p.input_micros_per_mtok,
                     p.cached_input_micros_per_mtok, p.output_micros_per_mtok
            ORDER BY d.day, d.tenant_id, d.key_id, d.model, d.price_id
            """;

    /** Receives the export's rows, each in {@link #COLUMNS}' order. */
    public interface Sink {
        void row(List<String> fields);
    }

    @Resource(lookup = "jdbc/switchboard")
    DataSource dataSource;

    public void export(YearMonth month, String currency, Sink sink) {
        String periodStart = instant(month.atDay(1));
        String periodEnd = instant(month.plusMonths(1).atDay(1));
        try (Connection connection = dataSource.getConnection();
             PreparedStatement query = connection.prepareStatement(ROWS)) {
            query.setDate(1, Date.valueOf(month.atDay(1)));
            query.setDate(2, Date.valueOf(month.plusMonths(1).atDay(1)));
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) {
                    LocalDate day = rows.getDate(1).toLocalDate();
                    Long priceId = (Long) rows.getObject(7);
                    String[] kinds = {"input", "cached-input", "output"};
                    for (int k = 0; k < 3; k++) {
                        long tokens = rows.getLong(8 + k);
                        if (tokens == 0) continue;
                        Long price = priceId == null ? null : rows.getLong(11 + k);
                        sink.row(row(rows, day, priceId, kinds[k], tokens, price, currency, periodStart, periodEnd));
                    }
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Could not read the FOCUS export: " + e.getMessage(), e);
        }
    }

    private static List<String> row(ResultSet rows, LocalDate day, Long priceId, String kind, long tokens, Long price,
                                    String currency, String periodStart, String periodEnd) throws SQLException {
        String model = rows.getString(6);
        long keyId = rows.getLong(4);
        String cost = price == null ? "0" : Money.decimal(Invoices.amount(tokens, price));
        String unitPrice = price == null ? "" : Money.decimal(price);
        String quantity = new BigDecimal(tokens).movePointLeft(6).stripTrailingZeros().toPlainString();
        String description = tokens + " " + kind + " tokens of " + model + (price == null ? " (unpriced model)" : "");
        String tags = "{\"switchboard.pricing\":\"" + (price == null ? "unpriced" : "priced") + "\"}";
        return List.of(cost, String.valueOf(rows.getLong(2)), rows.getString(3), currency, periodEnd, periodStart,
                "Usage", "", description, "Usage-Based", instant(day.plusDays(1)), instant(day), String.valueOf(tokens),
                "Tokens", cost, unitPrice, cost, "Switchboard", cost, unitPrice, "Standard", quantity, "1M Tokens",
                "Switchboard", "Switchboard", "", "", model, model, "LLM Model", "AI and Machine Learning",
                "Switchboard LLM Inference", model + ":" + kind, priceId == null ? "" : priceId + ":" + kind,
                keyId == 0 ? "" : String.valueOf(keyId), rows.getString(5) == null ? "" : rows.getString(5), tags);
    }

    private static String instant(LocalDate day) {
        return day.atStartOfDay().toInstant(ZoneOffset.UTC).toString();
    }
}
