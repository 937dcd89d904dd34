package io.switchboard.accounting.boundary;

import io.switchboard.accounting.entity.Invoice;
import io.switchboard.gateway.control.Jsonp;
import io.switchboard.pricing.entity.Money;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObjectBuilder;

/** An invoice as JSON and as CSV (a {@code row_type} column tells lines, subtotals and the total apart). */
final class InvoiceFormat {

    private InvoiceFormat() {
    }

    static String json(Invoice invoice) {
        JsonArrayBuilder lines = Jsonp.array();
        for (Invoice.Line line : invoice.lines()) {
            JsonObjectBuilder json = Jsonp.object().add("model", line.model()).add("requests", line.requests())
                    .add("input_tokens", line.inputTokens()).add("cached_tokens", line.cachedTokens())
                    .add("output_tokens", line.outputTokens()).add("pricing", line.priced() ? "priced" : "unpriced");
            if (line.priced()) {
                json.add("price_id", line.priceId()).add("price_valid_from", line.priceValidFrom().toString())
                        .add("input_per_mtok", Money.amount(line.inputMicrosPerMtok()))
                        .add("cached_input_per_mtok", Money.amount(line.cachedMicrosPerMtok()))
                        .add("output_per_mtok", Money.amount(line.outputMicrosPerMtok()))
                        .add("input_amount", Money.amount(line.inputMicros()))
                        .add("cached_amount", Money.amount(line.cachedMicros()))
                        .add("output_amount", Money.amount(line.outputMicros()))
                        .add("amount", Money.amount(line.amountMicros())).add("amount_micros", line.amountMicros());
            } else {
                json.add("unpriced_requests", line.unpricedRequests());
            }
            lines.add(json);
        }
        JsonArrayBuilder subtotals = Jsonp.array();
        for (Invoice.Subtotal subtotal : invoice.subtotals()) {
            subtotals.add(Jsonp.object().add("model", subtotal.model()).add("requests", subtotal.requests())
                    .add("amount", Money.amount(subtotal.amountMicros())).add("amount_micros", subtotal.amountMicros())
                    .add("pricing", subtotal.unpriced() ? "has unpriced requests" : "priced"));
        }
        return Jsonp.object().add("object", "invoice").add("tenant_id", invoice.tenantId()).add("tenant", invoice.tenant())
                .add("month", invoice.month().toString()).add("currency", invoice.currency()).add("lines", lines)
                .add("subtotals", subtotals).add("total", Money.amount(invoice.totalMicros()))
                .add("total_micros", invoice.totalMicros()).add("unpriced_requests", invoice.unpricedRequests())
                .build().toString();
    }

    static String csv(Invoice invoice) {
        StringBuilder csv = new StringBuilder("row_type,tenant_id,tenant,month,model,price_valid_from,requests,input_tokens,"
                + "cached_tokens,output_tokens,input_per_mtok,cached_input_per_mtok,output_per_mtok,input_amount,"
                + "cached_amount,output_amount,amount,currency,pricing\r\n");
        String head = invoice.tenantId() + "," + ReportFormat.field(invoice.tenant()) + "," + invoice.month() + ",";
        for (Invoice.Line line : invoice.lines()) {
            csv.append("line,").append(head).append(ReportFormat.field(line.model())).append(',')
                    .append(line.priced() ? line.priceValidFrom().toString() : "").append(',').append(line.requests())
                    .append(',').append(line.inputTokens()).append(',').append(line.cachedTokens()).append(',')
                    .append(line.outputTokens()).append(',').append(money(line.inputMicrosPerMtok())).append(',')
                    .append(money(line.cachedMicrosPerMtok())).append(',').append(money(line.outputMicrosPerMtok()))
                    .append(',').append(money(line.inputMicros())).append(',').append(money(line.cachedMicros()))
                    .append(',').append(money(line.outputMicros())).append(',')
                    .append(line.priced() ? Money.decimal(line.amountMicros()) : "").append(',')
                    .append(invoice.currency()).append(',').append(line.priced() ? "priced" : "unpriced").append("\r\n");
        }
        for (Invoice.Subtotal subtotal : invoice.subtotals()) {
            csv.append("subtotal,").append(head).append(ReportFormat.field(subtotal.model())).append(",,")
                    .append(subtotal.requests()).append(",,,,,,,,,,").append(Money.decimal(subtotal.amountMicros()))
                    .append(',').append(invoice.currency()).append(',')
                    .append(subtotal.unpriced() ? "has unpriced requests" : "priced").append("\r\n");
        }
        csv.append("total,").append(head).append(",,,,,,,,,,,,").append(Money.decimal(invoice.totalMicros())).append(',')
                .append(invoice.currency()).append(',').append(invoice.unpricedRequests() > 0 ? "has unpriced requests" : "priced")
                .append("\r\n");
        return csv.toString();
    }

    private static String money(Long micros) {
        return micros == null ? "" : Money.decimal(micros);
    }
}
