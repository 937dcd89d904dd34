package io.switchboard.inference.control;

import io.switchboard.accounting.control.UsageLedger;
import io.switchboard.accounting.entity.UsageRecord;
import io.switchboard.inference.entity.CompletionRequest.Endpoint;
import io.switchboard.inference.entity.RequestOutcome;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Where every inference request's outcome goes: its usage row (the {@link UsageLedger}: priced and
 * journaled before the caller sends its last bytes), the metrics, and the last 1,000 outcomes in memory
 * for {@code GET /admin/requests/{id}} (by Switchboard's id or the client's own).
 */
@ApplicationScoped
public class OutcomeLog {

    /**
     * The last outcomes kept for lookup. Every one kept is live at each young collection and is
     * copied: with 10,000 (ten seconds at 1,000 requests/s) the pauses took 12-29 ms and the old
     * generation grew with each; with 1,000 they take 4-9 ms and it stays flat (-Xlog:gc, measured).
     */
    private static final int KEPT = 1_000;
    static final int CLIENT_CLOSED = 499;

    private final Map<String, RequestOutcome> byId = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<RequestOutcome> order = new ConcurrentLinkedQueue<>();
    private final AtomicInteger size = new AtomicInteger();

    @Inject
    InferenceMetrics metrics;

    @Inject
    UsageLedger ledger;

    /**
     * Records the outcome; when this returns, its usage row survives a kill of the process. Answers the row as
     * priced (null for a request of no tenant), whose tokens and cost the quotas settle with.
     */
    public UsageRecord record(RequestOutcome outcome) {
        UsageRecord row = outcome.tenantId() == null ? null : ledger.record(usage(outcome));
        metrics.request(outcome.model(), outcome.status());
        if (outcome.timeToFirstTokenMillis() != null) metrics.timeToFirstToken(outcome.timeToFirstTokenMillis() * 1_000_000);
        byId.put(outcome.requestId(), outcome);
        if (outcome.clientRequestId() != null) byId.put(outcome.clientRequestId(), outcome); // a reused one: the latest
        order.add(outcome);
        if (size.incrementAndGet() > KEPT) {
            RequestOutcome oldest = order.poll();
            if (oldest != null) {
                byId.remove(oldest.requestId(), oldest);
                if (oldest.clientRequestId() != null) byId.remove(oldest.clientRequestId(), oldest);
                size.decrementAndGet();
            }
        }
        return row;
    }

    /** A request refused before it reached a model (bad key, bad body, unknown model); tenantId null: nobody's key. */
    public void recordRejection(String requestId, String clientRequestId, Long tenantId, Long keyId, String endUser,
                                Endpoint endpoint, String requestedModel, int status, Instant startedAt, long startedNanos,
                                String error) {
        long latency = (System.nanoTime() - startedNanos) / 1_000_000;
        record(new RequestOutcome(requestId, clientRequestId, tenantId, keyId, endUser, requestedModel, "-", null, null,
                endpoint.path, false, status, null, null, null, null, false, 0, null, latency, startedAt, Instant.now(),
                error));
    }

    public Optional<RequestOutcome> find(String requestId) {
        return Optional.ofNullable(byId.get(requestId));
    }

    /**
     * The outcome as its usage row, every value within what its column takes (V4's widths, tokens not
     * negative): an engine's odd finish reason or a long rule name must not make PostgreSQL refuse the row.
     */
    static UsageRecord usage(RequestOutcome o) {
        UsageRecord.Outcome outcome = "-".equals(o.model()) ? UsageRecord.Outcome.REJECTED
                : o.status() == 200 ? UsageRecord.Outcome.OK
                : o.status() == CLIENT_CLOSED ? UsageRecord.Outcome.CANCELLED
                : UsageRecord.Outcome.ERROR;
        int prompt = tokens(o.promptTokens());
        return new UsageRecord(o.requestId(), fit(o.clientRequestId(), 128), o.tenantId(), o.keyId(), fit(o.endUser(), 256),
                o.endpoint(), fit(o.requestedModel(), 256), "-".equals(o.model()) ? null : fit(o.model(), 200),
                fit(o.route(), 200), fit(o.fallbackReason(), 200), outcome, o.status(), o.stream(), fit(o.finish(), 40),
                prompt, Math.min(tokens(o.cachedPromptTokens()), prompt), tokens(o.completionTokens()), o.tokensEstimated(),
                clamp(o.queueMillis()), o.timeToFirstTokenMillis() == null ? null : clamp(o.timeToFirstTokenMillis()),
                clamp(o.latencyMillis()), o.startedAt(), o.finishedAt(), null, null, null, null, null, truncate(o.error()));
    }

    private static int tokens(Integer value) {
        return value == null ? 0 : Math.max(0, value);
    }

    private static String fit(String text, int columnWidth) {
        if (text != null && text.indexOf('\u0000') >= 0) text = text.replace("\u0000", ""); // PostgreSQL refuses NUL in text
        if (text == null || text.length() <= columnWidth) return text;
        int end = Character.isHighSurrogate(text.charAt(columnWidth - 1)) ? columnWidth - 1 : columnWidth; // a whole character
        return text.substring(0, end);
    }

    private static int clamp(long millis) {
        return (int) Math.max(0, Math.min(Integer.MAX_VALUE, millis));
    }

    private static String truncate(String error) {
        String clean = fit(error, Integer.MAX_VALUE); // NUL removed, nothing cut
        return clean == null || clean.length() <= 500 ? clean : fit(clean, 497) + "...";
    }
}
