package io.switchboard.quotas.control;

import io.switchboard.quotas.entity.Metric;

import java.util.List;
import java.util.Map;

/**
 * What a request was admitted with: its reservations against every limit that applies, settled once when
 * it ends ({@link QuotaLedger#settle}), and the {@code x-ratelimit-*} headers its response carries.
 */
public final class Admission {

    /** No limits applied: nothing to settle. */
    public static final Admission NONE = new Admission(List.of(), Map.of());

    record Reservation(Allowance allowance, long amount) {
        long used(long tokens, long costPicos) {
            return switch (allowance.metric) {
                case RPM -> 1;
                case CONCURRENCY -> 0;
                case TPM, DAILY_TOKENS, MONTHLY_TOKENS -> tokens;
                case MONTHLY_SPEND -> costPicos;
            };
        }
    }

    final List<Reservation> reservations;
    private final Map<String, String> headers;
    private boolean settled;

    Admission(List<Reservation> reservations, Map<String, String> headers) {
        this.reservations = reservations;
        this.headers = headers;
    }

    public Map<String, String> headers() {
        return headers;
    }

    /** Once only: a second settle (a race between an end and a cancel) gives nothing back twice. */
    synchronized boolean markSettled() {
        if (settled) return false;
        settled = true;
        return true;
    }

    static boolean counts(Metric metric) {
        return metric != Metric.CONCURRENCY;
    }
}
