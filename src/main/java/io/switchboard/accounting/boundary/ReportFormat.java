package io.switchboard.accounting.boundary;

import io.switchboard.accounting.control.UsageReports;
import io.switchboard.accounting.entity.UsageTotals;
import io.switchboard.gateway.control.Jsonp;
import io.switchboard.gateway.entity.ApiException;
import io.switchboard.pricing.entity.Money;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;

import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;

/**
 * Usage reports as JSON and CSV, shared by the admin's billing report and a tenant's {@code /v1/usage}.
 * Amounts: {@code cost} a decimal with a dot, {@code cost_micros} the same in micro-units (each line
 * rounded once, half up, from its exact {@code cost_picos}); the total's micros are the lines' added up, so a
 * spreadsheet's sum agrees. {@code pricing} says whether a line's requests were all priced.
 */
final class ReportFormat {

    static final String CSV = "text/csv; charset=utf-8";

    private ReportFormat() {
    }

    static LocalDate date(String value, String param, LocalDate fallback) {
        if (value == null || value.isBlank()) return fallback;
        try {
            return LocalDate.parse(value.strip());
        } catch (DateTimeParseException e) {
            throw ApiException.invalid(param, "Invalid value for '" + param + "': expected a date such as 2026-12-01.");
        }
    }

    static LocalDate monthStart() {
        return LocalDate.now(ZoneOffset.UTC).withDayOfMonth(1);
    }

    static LocalDate today() {
        return LocalDate.now(ZoneOffset.UTC);
    }

    static void requireOrder(LocalDate from, LocalDate to) {
        if (to.isBefore(from)) throw ApiException.invalid("to", "'to' (" + to + ") is before 'from' (" + from + ").");
    }

    static UsageReports.GroupBy groupBy(String value) {
        if (value == null || value.isBlank()) return UsageReports.GroupBy.DAY;
        try {
            return UsageReports.GroupBy.valueOf(value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw ApiException.invalid("group_by", "'group_by' must be one of 'day', 'month', 'model', 'key', 'user'.");
        }
    }

    static boolean csv(String format) {
        if (format == null || format.isBlank() || format.equalsIgnoreCase("json")) return false;
        if (format.equalsIgnoreCase("csv")) return true;
        throw ApiException.invalid("format", "'format' must be 'json' or 'csv'.");
    }

    static String json(String object, LocalDate from, LocalDate to, UsageReports.GroupBy groupBy, String currency,
                       List<UsageTotals> lines, boolean withTenant) {
        JsonArrayBuilder data = Jsonp.array();
        long micros = 0;
        for (UsageTotals line : lines) {
            data.add(line(line, groupBy, currency, line.costMicros(), withTenant));
            micros += line.costMicros();
        }
        UsageTotals total = UsageReports.sum(lines, 0, null);
        JsonObjectBuilder totalJson = line(total, null, currency, micros, false);
        return Jsonp.object().add("object", object).add("from", from.toString()).add("to", to.toString())
                .add("group_by", groupBy.wireName()).add("currency", currency).add("data", data)
                .add("total", totalJson).build().toString();
    }

    private static JsonObjectBuilder line(UsageTotals line, UsageReports.GroupBy groupBy, String currency, long micros,
                                          boolean withTenant) {
        JsonObjectBuilder json = Jsonp.object();
        if (withTenant) json.add("tenant_id", line.tenantId()).add("tenant", line.tenant());
        if (groupBy != null) json.add(groupBy.wireName(), line.group());
        json.add("requests", line.requests()).add("errors", line.errors())
                .add("prompt_tokens", line.promptTokens()).add("cached_tokens", line.cachedTokens())
                .add("completion_tokens", line.completionTokens());
        if (whollyUnpriced(line)) { // no cost at all, rather than a cost of 0
            json.addNull("cost").addNull("cost_micros").addNull("cost_picos");
        } else {
            json.add("cost", Money.amount(micros)).add("cost_micros", micros).add("cost_picos", line.costPicos());
        }
        return json.add("currency", currency).add("unpriced_requests", line.unpricedRequests()).add("pricing", pricing(line));
    }

    static String csv(UsageReports.GroupBy groupBy, String currency, List<UsageTotals> lines, boolean withTenant) {
        StringBuilder csv = new StringBuilder();
        if (withTenant) csv.append("tenant_id,tenant,");
        csv.append(groupBy.wireName()).append(",requests,errors,prompt_tokens,cached_tokens,completion_tokens,cost,currency,"
                + "unpriced_requests,pricing\r\n");
        for (UsageTotals line : lines) {
            if (withTenant) csv.append(line.tenantId()).append(',').append(field(line.tenant())).append(',');
            csv.append(field(line.group())).append(',').append(line.requests()).append(',').append(line.errors())
                    .append(',').append(line.promptTokens()).append(',').append(line.cachedTokens()).append(',')
                    .append(line.completionTokens()).append(',').append(costCell(line)).append(',')
                    .append(currency).append(',').append(line.unpricedRequests()).append(',').append(pricing(line))
                    .append("\r\n");
        }
        return csv.toString();
    }

    /** Every request of the line was unpriced: it has no cost (an empty cell, a JSON null), never a cost of 0. */
    static boolean whollyUnpriced(UsageTotals line) {
        return line.unpricedRequests() > 0 && line.unpricedRequests() >= line.requests();
    }

    private static String costCell(UsageTotals line) {
        return whollyUnpriced(line) ? "" : Money.decimal(line.costMicros());
    }

    static String pricing(UsageTotals line) {
        if (line.unpricedRequests() == 0) return "priced";
        return whollyUnpriced(line) ? "unpriced" : "partly unpriced";
    }

    /** A CSV field (RFC 4180): quoted when it holds a comma, quote or line break; a leading =+-@ is defused for spreadsheets. */
    static String field(String value) {
        if (value == null) return "";
        String safe = !value.isEmpty() && "=+-@".indexOf(value.charAt(0)) >= 0 ? "'" + value : value;
        boolean quote = safe.indexOf(',') >= 0 || safe.indexOf('"') >= 0 || safe.indexOf('\n') >= 0 || safe.indexOf('\r') >= 0;
        return quote ? '"' + safe.replace("\"", "\"\"") + '"' : safe;
    }
}
