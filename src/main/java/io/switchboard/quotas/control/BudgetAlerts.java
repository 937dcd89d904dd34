package io.switchboard.quotas.control;

import io.switchboard.quotas.entity.BudgetAlert;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Budget alerts: after each renewal, the budgets this replica has counted are compared with what all
 * replicas used; crossing 80, 95 or 100 % (100 %: also a request the budget refused, since reservations keep
 * use below it) records an alert once per threshold and period (a unique row:
 * whichever replica sees it first) and, where the tenant has a webhook, posts a signed JSON message, retried
 * with backoff (1, 2, 4, 8, 16 s). The signature is {@code x-switchboard-signature: sha256=<hex>}, the
 * HMAC-SHA256 with the tenant's secret of {@code <x-switchboard-timestamp>.<body>}.
 */
@ApplicationScoped
public class BudgetAlerts {

    private static final Logger LOG = Logger.getLogger(BudgetAlerts.class.getName());
    static final int[] THRESHOLDS = {80, 95, 100};
    private static final int ATTEMPTS = 5;

    @Inject AlertStore store;
    @Resource ManagedScheduledExecutorService scheduler;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Set<String> known = ConcurrentHashMap.newKeySet(); // crossings already recorded (by anyone)

    /** Checks the budgets of these counters (the ledger's, each with its limit and period end). */
    void check(Map<LeaseStore.Key, Allowance> budgets) throws SQLException {
        List<LeaseStore.Key> keys = budgets.keySet().stream()
                .filter(key -> !known.contains(crossing(key, 100))).toList();
        if (keys.isEmpty()) return;
        Map<LeaseStore.Key, Long> used = store.usedEverywhere(keys);
        for (Map.Entry<LeaseStore.Key, Long> entry : used.entrySet()) {
            Allowance allowance = budgets.get(entry.getKey());
            for (int threshold : THRESHOLDS) {
                String crossing = crossing(entry.getKey(), threshold);
                // a reservation keeps use short of 100 %: a refused request is what says a budget is spent
                boolean crossed = entry.getValue() * 100 >= (long) threshold * allowance.limit
                        || (threshold == 100 && allowance.refusedAny());
                if (known.contains(crossing) || !crossed) continue;
                store.record(allowance.scope.tenantId(), entry.getKey(), allowance.windowEnd, threshold, allowance.limit,
                        entry.getValue()).ifPresent(alert -> deliver(alert, 1));
                known.add(crossing);
            }
        }
    }

    private static String crossing(LeaseStore.Key key, int threshold) {
        return key.scope() + "|" + key.metric() + "|" + key.windowStart() + "|" + threshold;
    }

    private void deliver(BudgetAlert alert, int attempt) {
        if (alert.webhookUrl() == null) return;
        try {
            String body = json(alert);
            String timestamp = String.valueOf(Instant.now().getEpochSecond());
            String secret = store.webhookSecret(alert.tenantId());
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(alert.webhookUrl()))
                    .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json")
                    .header("x-switchboard-event", "budget.threshold_crossed")
                    .header("x-switchboard-timestamp", timestamp)
                    .POST(HttpRequest.BodyPublishers.ofString(body));
            if (secret != null) request.header("x-switchboard-signature", "sha256=" + sign(secret, timestamp + "." + body));
            http.sendAsync(request.build(), HttpResponse.BodyHandlers.discarding()).whenComplete((response, failure) -> {
                boolean delivered = failure == null && response.statusCode() / 100 == 2;
                String error = failure != null ? failure.toString() : delivered ? null : "HTTP " + response.statusCode();
                recordDelivery(alert, delivered, error);
                if (!delivered && attempt < ATTEMPTS) {
                    scheduler.schedule(() -> deliver(alert, attempt + 1), 1L << (attempt - 1), TimeUnit.SECONDS);
                }
            });
        } catch (SQLException | RuntimeException e) {
            LOG.warning("Budget alert " + alert.id() + " not posted (attempt " + attempt + "): " + e.getMessage());
            if (attempt < ATTEMPTS) scheduler.schedule(() -> deliver(alert, attempt + 1), 1L << (attempt - 1), TimeUnit.SECONDS);
        }
    }

    private void recordDelivery(BudgetAlert alert, boolean delivered, String error) {
        try {
            store.delivery(alert.id(), delivered, error);
        } catch (SQLException e) {
            LOG.fine("Could not record the delivery of budget alert " + alert.id() + ": " + e.getMessage());
        }
    }

    public static String sign(String secret, String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(text.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    static String json(BudgetAlert alert) {
        return io.switchboard.gateway.control.Jsonp.object().add("type", "budget.threshold_crossed").add("alert_id", alert.id())
                .add("tenant_id", alert.tenantId()).add("scope", alert.scope()).add("metric", alert.metric())
                .add("threshold_percent", alert.threshold()).add("budget", alert.budget()).add("used", alert.used())
                .add("period_start", alert.periodStart().toString()).add("period_end", alert.periodEnd().toString())
                .add("crossed_at", alert.crossedAt().toString()).build().toString();
    }
}
