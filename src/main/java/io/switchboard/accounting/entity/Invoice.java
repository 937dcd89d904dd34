package io.switchboard.accounting.entity;

import java.time.Instant;
import java.time.YearMonth;
import java.util.List;

/**
 * A tenant's invoice for a month: a line per model and price period (a price change in mid-month makes two),
 * a subtotal per model, and the total. Every amount is in micro-units and is its tokens times its unit price,
 * rounded once, half up; a line's amount is its three amounts added, a subtotal its lines, the total the
 * subtotals, so the invoice adds up on paper to the micro-unit.
 */
public record Invoice(long tenantId, String tenant, YearMonth month, String currency, List<Line> lines,
                      List<Subtotal> subtotals, long totalMicros, long unpricedRequests) {

    /** Tokens of one model at one price. Unit prices and amounts are null where the model was unpriced. */
    public record Line(String model, Long priceId, Instant priceValidFrom, long requests, long inputTokens,
                       long cachedTokens, long outputTokens, Long inputMicrosPerMtok, Long cachedMicrosPerMtok,
                       Long outputMicrosPerMtok, Long inputMicros, Long cachedMicros, Long outputMicros,
                       long unpricedRequests) {

        public boolean priced() {
            return priceId != null;
        }

        public long amountMicros() {
            return priced() ? inputMicros + cachedMicros + outputMicros : 0;
        }
    }

    public record Subtotal(String model, long requests, long amountMicros, boolean unpriced) {
    }
}
