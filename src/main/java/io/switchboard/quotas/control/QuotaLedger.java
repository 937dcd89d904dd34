package io.switchboard.quotas.control;

import io.switchboard.gateway.entity.ApiException;
import io.switchboard.quotas.entity.Metric;
import io.switchboard.quotas.entity.QuotaScope;
import io.switchboard.tenancy.entity.Limits;
import io.switchboard.tenancy.entity.TenantPrincipal;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.lang.management.ManagementFactory;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Admission against every limit that applies to a request (its tenant's, its key's own, its end user's:
 * requests and tokens per minute, concurrency, daily and monthly token budgets, monthly spend), and the
 * settlement when it ends. A request reserves its worst case (estimated prompt tokens plus max_tokens, and
 * what they would cost) against each, all or nothing; the end gives back what it did not use. Each limit is
 * shared by all replicas through {@link LeaseStore}: this replica admits from slices it leased, so the
 * request path seldom touches the database and never updates a row that every request updates. A request
 * that brings a count exactly to its limit is admitted; one that would pass it is refused.
 */
@ApplicationScoped
public class QuotaLedger {

    private static final Logger LOG = Logger.getLogger(QuotaLedger.class.getName());
    /** A slice is a sixteenth of the limit (at least what the request needs), never more than is left. */
    static final int SLICES = 16;
    private static final long IDLE_NANOS = TimeUnit.SECONDS.toNanos(2);
    /** A budget's or concurrency's idle share is kept while the limit is plentiful, at most this long. */
    private static final long KEPT_IDLE_NANOS = TimeUnit.SECONDS.toNanos(60);

    @Inject LeaseStore store;
    @Inject BudgetAlerts alerts;
    @Inject QuotaMetrics metrics;
    @Resource ManagedScheduledExecutorService scheduler;
    @Inject @ConfigProperty(name = "switchboard.quotas.replica-id") java.util.Optional<String> configuredReplica;
    /** During a database outage each replica admits up to this share of a limit on its own. */
    @Inject @ConfigProperty(name = "switchboard.quotas.replicas", defaultValue = "1") int replicas;
    @Inject @ConfigProperty(name = "switchboard.quotas.renew-ms", defaultValue = "1000") long renewMillis;

    private final Map<LeaseStore.Key, Allowance> allowances = new ConcurrentHashMap<>();
    private volatile Map<String, Instant> resets = Map.of();
    private String replica;
    private ScheduledFuture<?> renewing;
    SlicesAhead ahead; // slices leased before a request needs them
    private long lastCleanupNanos = System.nanoTime();
    private long renewals;
    private long lastWarningNanos = System.nanoTime() - TimeUnit.MINUTES.toNanos(2);

    @PostConstruct
    void start() {
        startWithoutRenewal();
        ahead.refills = scheduler;
        renewing = scheduler.scheduleWithFixedDelay(this::renew, renewMillis, renewMillis, TimeUnit.MILLISECONDS);
    }

    void startWithoutRenewal() {
        // unique per process: a restarted replica never mistakes the leases of the one before for its own
        replica = configuredReplica.orElse(ManagementFactory.getRuntimeMXBean().getName());
        ahead = new SlicesAhead(allowances, store, replica, metrics, SLICES);
        loadResets();
    }

    @PreDestroy
    void stop() {
        if (renewing != null) renewing.cancel(false);
        allowances.values().forEach(Allowance::trim); // what a clean stop holds goes back (best effort)
        renew();
    }

    /**
     * Admits the request or throws the 429 of the first limit it would pass (nothing stays reserved then).
     * {@code worstTokens}: its estimated prompt plus max_tokens; {@code worstCostPicos}: what they would cost.
     */
    public Admission admit(TenantPrincipal caller, String endUser, long worstTokens, long worstCostPicos) {
        if (!limits(caller, endUser)) return Admission.NONE;
        Instant now = Instant.now();
        List<Admission.Reservation> taken = new ArrayList<>(8);
        Allowance requests = null;
        Allowance tokens = null;
        try {
            for (int s = 0; s < 3; s++) {
                QuotaScope scope;
                Limits limits;
                if (s == 0) {
                    scope = QuotaScope.tenant(caller.tenantId(), caller.tenantName());
                    limits = caller.tenantLimits();
                } else if (s == 1) {
                    scope = QuotaScope.key(caller.tenantId(), caller.keyId());
                    limits = caller.keyLimits();
                } else {
                    if (endUser == null) break;
                    scope = QuotaScope.endUser(caller.tenantId(), endUser);
                    limits = caller.endUserLimits();
                }
                if (!limits.any()) continue;
                for (Metric metric : Metric.values()) {
                    Long limit = limitOf(limits, metric);
                    if (limit == null) continue;
                    long amount = switch (metric) {
                        case RPM, CONCURRENCY -> 1;
                        case TPM, DAILY_TOKENS, MONTHLY_TOKENS -> worstTokens;
                        case MONTHLY_SPEND -> worstCostPicos;
                    };
                    Allowance allowance = allowance(scope, metric, limit, now);
                    if (amount > limit || !reserve(allowance, amount)) {
                        if (metric.budget) allowance.refusedOne(); // spent for this request: the 100 % alert
                        throw QuotaRefusals.refused(allowance, amount, now);
                    }
                    taken.add(new Admission.Reservation(allowance, amount));
                    if (metric == Metric.RPM) requests = RateLimitHeaders.tighter(requests, allowance);
                    if (metric == Metric.TPM) tokens = RateLimitHeaders.tighter(tokens, allowance);
                }
            }
        } catch (ApiException refused) {
            taken.forEach(r -> r.allowance().settle(r.amount(), 0)); // all or nothing
            throw refused;
        }
        return new Admission(taken, RateLimitHeaders.of(requests, tokens, now));
    }

    /** Each tenant's requests in flight on every live replica (tenants with a concurrency limit only). */
    public Map<Long, Long> inFlightByTenant() {
        try {
            return store.inFlightByTenant();
        } catch (SQLException e) {
            return Map.of();
        }
    }

    /** Whether any limit applies to this caller and end user (without one, admission reserves nothing). */
    public boolean limits(TenantPrincipal caller, String endUser) {
        return caller.tenantLimits().any() || caller.keyLimits().any() || (endUser != null && caller.endUserLimits().any());
    }

    /** The request ended having used these tokens at this cost (null: unpriced): unused reservations come back. */
    public void settle(Admission admission, long usedTokens, Long costPicos) {
        if (admission == Admission.NONE || !admission.markSettled()) return;
        for (Admission.Reservation reservation : admission.reservations) {
            reservation.allowance().settle(reservation.amount(), reservation.used(usedTokens, costPicos == null ? 0 : costPicos));
        }
    }

    /** Starts the scope's budgets afresh now (on every replica within a second). */
    public void resetBudgets(QuotaScope scope, String by) {
        try {
            store.reset(scope.id(), by);
        } catch (SQLException e) {
            throw new ApiException(503, "server_error", "service_unavailable", null,
                    "The budget reset could not be stored; please retry shortly.").withHeader("Retry-After", "2");
        }
        loadResets();
    }

    static Long limitOf(Limits limits, Metric metric) {
        return switch (metric) {
            case RPM -> limits.rpm() == null ? null : limits.rpm().longValue();
            case TPM -> limits.tpm();
            case CONCURRENCY -> limits.concurrency() == null ? null : limits.concurrency().longValue();
            case DAILY_TOKENS -> limits.dailyTokens();
            case MONTHLY_TOKENS -> limits.monthlyTokens();
            case MONTHLY_SPEND -> limits.monthlySpendMicros() == null ? null
                    : Math.multiplyExact(limits.monthlySpendMicros(), 1_000_000L); // picos
        };
    }

    private Allowance allowance(QuotaScope scope, Metric metric, long limit, Instant now) {
        Instant[] window = Windows.of(metric, now, metric.budget ? resets.get(scope.id()) : null);
        LeaseStore.Key key = new LeaseStore.Key(scope.id(), metric, window[0]);
        Allowance allowance = allowances.computeIfAbsent(key, k -> new Allowance(scope, metric, window[0], window[1], limit));
        if (allowance.limit != limit) { // the limit was changed: it applies at once, to what was used so far too
            Allowance changed = new Allowance(scope, metric, window[0], window[1], limit);
            allowances.put(key, changed);
            allowance.trim();
            return changed;
        }
        return allowance;
    }

    /**
     * From the local share; else lease a slice and try once more. One request of this replica leases at a time
     * per share, and those that waited for it look at the share again first: leasing in parallel, each would
     * add a slice, stranding most of them here while the other replicas were refused.
     */
    private boolean reserve(Allowance allowance, long amount) {
        if (allowance.tryReserve(amount)) {
            if (ahead.refills != null && allowance.startRefill()) ahead.refill(allowance);
            return true;
        }
        synchronized (allowance.leasing) {
            return allowance.tryReserve(amount) || leaseAndReserve(allowance, amount);
        }
    }

    private boolean leaseAndReserve(Allowance allowance, long amount) {
        long want = Math.max(amount, (allowance.limit + SLICES - 1) / SLICES);
        if (metrics != null) metrics.leasedOnRequestPath(allowance.metric, allowance.granted() == 0);
        try {
            lease(allowance, want);
            if (allowance.tryReserve(amount)) return true;
            // short of the limit only by what this replica leased ahead for later buckets: that comes back first
            // (an rpm 3 was refused at its third request, its next bucket's slice holding the third place)
            if (ahead.giveBackLater(allowance) > 0) lease(allowance, want);
        } catch (SQLException databaseAway) {
            // the database is away: admit on this replica's share of the limit alone, counting what it holds
            // of the whole window already (for a sliding minute, all ten buckets; docs/quotas.md: the drift bound)
            long share = allowance.limit / Math.max(1, replicas);
            long held = heldInWindow(allowance);
            allowance.grantedLocally(Math.max(0, Math.min(want, share - held)));
        }
        return allowance.tryReserve(amount);
    }

    private void lease(Allowance allowance, long want) throws SQLException {
        LeaseStore.Lease lease = store.lease(replica, allowance.scope.id(), allowance.metric, allowance.windowStart,
                allowance.windowEnd, Windows.span(allowance.metric, allowance.windowStart), want, allowance.limit);
        allowance.granted(lease.granted(), lease.leasedByOthers(), lease.oldestBucket());
    }

    /**
     * An idle share is kept while its limit is plentiful ({@link Allowance#scarce}), and given back after 2 s idle
     * once it is not: given back at once, it had to be leased again by the next request (five round trips for a
     * tenant with every limit, every tenant back from a lull at once: 250 ms at p99 in {@code bench quotas}), and a
     * sliding bucket leased ahead was given back before its first request. Budgets and concurrency, whose windows
     * are long, judge that by a fresh count of what the other replicas hold; a sliding bucket by its last lease.
     */
    private static boolean keepsIdleShare(Metric metric) {
        return metric.budget || metric == Metric.CONCURRENCY;
    }

    /** For the idle shares that may be kept, what the other replicas hold of their windows now (empty: database away). */
    private Map<LeaseStore.Key, Long> othersHoldingWhatIsIdle(Instant now) {
        List<LeaseStore.Key> idle = new ArrayList<>();
        allowances.forEach((key, allowance) -> {
            if (keepsIdleShare(allowance.metric) && now.isBefore(allowance.windowEnd) && allowance.idleFor(IDLE_NANOS)
                    && !allowance.idleFor(KEPT_IDLE_NANOS) && allowance.granted() > allowance.taken()) idle.add(key);
        });
        try {
            return store.leasedByOthers(replica, idle);
        } catch (SQLException | RuntimeException away) {
            return Map.of();
        }
    }

    /** What this replica holds of the limit in the minutes the allowance's bucket is in (or its window). */
    private long heldInWindow(Allowance allowance) {
        Windows.Span span = Windows.span(allowance.metric, allowance.windowStart);
        long held = 0;
        for (Allowance other : allowances.values()) {
            if (other.metric == allowance.metric && other.scope.id().equals(allowance.scope.id()) && span.holds(other.windowStart)) {
                held += other.granted();
            }
        }
        return held;
    }

    /**
     * Every second: tells the database what was used, gives back idle shares (a budget share idle for 2 s,
     * a closed bucket, idle concurrency), keeps live concurrency shares alive, writes outage grants, and
     * forgets windows long over.
     */
    void renew() {
        long started = System.nanoTime();
        try {
            Instant now = Instant.now();
            Map<LeaseStore.Key, long[]> changes = new HashMap<>();
            boolean reportUse = ++renewals % 5 == 0; // budgets' use for alerts and messages: every 5 s is soon enough
            Map<LeaseStore.Key, Long> othersNow = othersHoldingWhatIsIdle(now);
            for (Map.Entry<LeaseStore.Key, Allowance> entry : allowances.entrySet()) {
                Allowance allowance = entry.getValue();
                long local = allowance.unsyncedLocalGrants();
                boolean inStep = local == 0; // the database has every grant this allowance holds
                if (local > 0) { // granted while the database was away: written as a lease, then marked written
                    try {
                        store.addLease(replica, entry.getKey().scope(), allowance.metric, allowance.windowStart,
                                allowance.windowEnd, local);
                        allowance.synced(local);
                        inStep = true;
                    } catch (SQLException stillAway) {
                        // kept: the next renewal writes it (and only then may any of it be given back)
                    }
                }
                boolean closed = !now.isBefore(allowance.windowEnd);
                Long others = othersNow.get(entry.getKey());
                if (others != null) allowance.othersHold(others);
                // a budget's or concurrency's idle share is kept only with a fresh count of the others' (sliding
                // buckets, from their last lease: they close within 6 s anyway)
                boolean known = others != null || !keepsIdleShare(allowance.metric);
                boolean idle = allowance.idleFor(IDLE_NANOS) && (!known || allowance.scarce(SLICES) || allowance.idleFor(KEPT_IDLE_NANOS));
                long returned = inStep && (closed || idle) ? allowance.trim() : 0;
                // only budgets need their use in the database (the alerts read it); a rate's lease is what counts
                long used = allowance.metric.budget && (reportUse || closed) ? allowance.unreportedConsumption() : 0;
                boolean keepAlive = allowance.metric == Metric.CONCURRENCY && allowance.holdsAnything() && reportUse;
                long inFlight = allowance.metric == Metric.CONCURRENCY ? allowance.inFlightToReport() : -1; // for the console
                if (used != 0 || returned != 0 || keepAlive || inFlight >= 0) {
                    changes.put(entry.getKey(), new long[] {used, returned, inFlight});
                }
                // a window long over is forgotten once no request holds a reservation in it (what it used is reported)
                if (closed && now.isAfter(allowance.windowEnd.plusSeconds(70)) && !allowance.holdsReservations()) {
                    allowances.remove(entry.getKey(), allowance);
                }
            }
            try {
                store.report(replica, changes);
            } catch (SQLException | RuntimeException failed) { // nothing of it was written: the next renewal tries again
                changes.forEach((key, change) -> {
                    Allowance allowance = allowances.get(key);
                    if (allowance == null) return;
                    allowance.unreported(change[0]);
                    allowance.untrimmed(change[1]);
                    if (change.length > 2 && change[2] >= 0) allowance.inFlightUnreported();
                });
                throw failed;
            }
            ahead.leaseNextWindows(now, resets);
            Map<LeaseStore.Key, Allowance> budgets = new HashMap<>();
            allowances.forEach((key, allowance) -> {
                if (allowance.metric.budget && now.isBefore(allowance.windowEnd)) budgets.put(key, allowance);
            });
            if (alerts != null && reportUse) alerts.check(budgets);
            if (System.nanoTime() - lastCleanupNanos > TimeUnit.MINUTES.toNanos(1)) {
                store.dropEnded();
                lastCleanupNanos = System.nanoTime();
            }
            loadResets();
        } catch (SQLException e) {
            LOG.fine("Quota renewal deferred (database away?): " + e.getMessage());
        } catch (RuntimeException e) { // not the database being away: a defect, said once a minute at most
            if (System.nanoTime() - lastWarningNanos > TimeUnit.MINUTES.toNanos(1)) {
                lastWarningNanos = System.nanoTime();
                LOG.log(java.util.logging.Level.WARNING, "Quota renewal failed; it is retried every second", e);
            }
        } finally {
            if (metrics != null) metrics.renewed(System.nanoTime() - started);
        }
    }

    private void loadResets() {
        try {
            resets = Map.copyOf(store.resetsSince(LocalDate.now(ZoneOffset.UTC).withDayOfMonth(1)
                    .atStartOfDay().toInstant(ZoneOffset.UTC)));
        } catch (SQLException | RuntimeException e) {
            // keep the last known resets while the database is away
        }
    }
}
