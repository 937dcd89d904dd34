package io.switchboard.quotas.control;

import io.switchboard.quotas.entity.Metric;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * Slices leased before a request needs them, so that admission seldom waits for the database: the next windows'
 * slices, which the renewer leases for every scope in use ({@link #leaseNextWindows}), and the refill of a share
 * that runs low, in the background ({@link #refill}). Part of {@link QuotaLedger}, over its allowances.
 */
final class SlicesAhead {

    /** How far ahead the renewer leases a sliding bucket's slice (at least three renewals before it starts). */
    static final Duration LEASE_AHEAD = Duration.ofSeconds(4);

    private final Map<LeaseStore.Key, Allowance> allowances;
    private final LeaseStore store;
    private final String replica;
    private final QuotaMetrics metrics;
    private final int slices;
    /** Where background refills run (the scheduler's threads; null: none, as in unit tests that do not set it). */
    Executor refills;

    SlicesAhead(Map<LeaseStore.Key, Allowance> allowances, LeaseStore store, String replica, QuotaMetrics metrics, int slices) {
        this.allowances = allowances;
        this.store = store;
        this.replica = replica;
        this.metrics = metrics;
        this.slices = slices;
    }

    /**
     * Leases the next window's slice (a sliding bucket's up to {@link #LEASE_AHEAD} before it starts, a budget's next
     * period within two seconds of it), for every window that was used, before it
     * starts: otherwise every scope's first request after a boundary (every 6 s for a sliding minute, and
     * all tenants at once) would wait for a lease, a burst of transactions that stalled requests for 200 ms.
     * The slice is sized by the demand of the window now ending (twice what it took, at least one request's
     * worth; for a sliding minute, of its busiest bucket of the last minute, so that a scope that paused for a few
     * seconds finds its slice too), so a prefetched slice seldom strands much of the limit: a bucket's unused
     * slice goes back when it closes.
     */
    void leaseNextWindows(Instant now, Map<String, Instant> resets) throws SQLException {
        Instant soon = now.plusSeconds(2);
        // sliding buckets up to 4 s ahead: every tenant's bucket starts at the same instant, and a renewal that took
        // longer than a second (200 leases one after another) let the first requests of a bucket lease it themselves
        Instant ahead = now.plus(LEASE_AHEAD);
        List<Allowance> upcoming = new ArrayList<>();
        List<LeaseStore.Request> requests = new ArrayList<>();
        List<Allowance> ending = new ArrayList<>(allowances.values());
        ending.sort(java.util.Comparator.comparing((Allowance a) -> a.scope.id()).thenComparing(a -> a.metric)); // lock order
        // a sliding minute: its scopes busy within the last minute (closed buckets stay known 70 s), the busiest
        // bucket of each and its latest; each gets the bucket that starts within 4 s, even after a pause
        Map<String, Long> recentDemand = new HashMap<>();
        Map<String, Allowance> latest = new java.util.LinkedHashMap<>();
        for (Allowance a : ending) {
            if (a.metric.budget || a.metric == Metric.CONCURRENCY || a.windowEnd.isBefore(now.minusSeconds(60))) continue;
            String id = a.scope.id() + '|' + a.metric;
            recentDemand.merge(id, a.taken(), Math::max);
            latest.merge(id, a, (x, y) -> x.windowStart.isAfter(y.windowStart) ? x : y);
        }
        for (Map.Entry<String, Allowance> scope : latest.entrySet()) {
            Allowance recent = scope.getValue();
            long demand = recentDemand.get(scope.getKey());
            Instant[] next = Windows.of(recent.metric, ahead, null);
            if (demand == 0 || !next[0].isAfter(now)) continue; // no bucket starts within 4 s
            if (allowances.containsKey(new LeaseStore.Key(recent.scope.id(), recent.metric, next[0]))) continue;
            upcoming.add(new Allowance(recent.scope, recent.metric, next[0], next[1], recent.limit));
            requests.add(new LeaseStore.Request(recent.scope.id(), recent.metric, next[0], next[1], Windows.span(recent.metric, next[0]),
                    Math.min((recent.limit + slices - 1) / slices, Math.max(1, 2 * demand)), recent.limit));
        }
        for (Allowance current : ending) { // budgets: the next period, for one used now
            if (!current.metric.budget || !current.windowEnd.isAfter(now) || current.windowEnd.isAfter(soon)) continue;
            long taken = current.taken();
            if (taken == 0) continue;
            Instant[] next = Windows.of(current.metric, current.windowEnd, resets.get(current.scope.id()));
            if (allowances.containsKey(new LeaseStore.Key(current.scope.id(), current.metric, next[0]))) continue;
            upcoming.add(new Allowance(current.scope, current.metric, next[0], next[1], current.limit));
            requests.add(new LeaseStore.Request(current.scope.id(), current.metric, next[0], next[1],
                    Windows.span(current.metric, next[0]),
                    Math.min((current.limit + slices - 1) / slices, Math.max(1, 2 * taken)), current.limit));
        }
        List<LeaseStore.Lease> leases = store.leaseAll(replica, requests);
        if (metrics != null) metrics.leasedAhead(leases.size());
        Map<LeaseStore.Key, long[]> giveBack = new HashMap<>();
        for (int i = 0; i < leases.size(); i++) {
            Allowance next = upcoming.get(i);
            LeaseStore.Lease lease = leases.get(i);
            next.granted(lease.granted(), lease.leasedByOthers(), lease.oldestBucket());
            LeaseStore.Key key = new LeaseStore.Key(next.scope.id(), next.metric, next.windowStart);
            if (allowances.putIfAbsent(key, next) != null) giveBack.put(key, new long[] {0, next.trim()}); // a request was first
        }
        store.report(replica, giveBack);
    }

    /**
     * Gives back what this replica leased ahead, and has not used, of the buckets after this one in its scope
     * and metric: a request of this bucket that the limit refuses only because of them is admitted instead.
     * Answers how much went back (0 when none, or when the database is away: then it stays leased).
     */
    long giveBackLater(Allowance now) throws SQLException {
        if (now.metric != Metric.RPM && now.metric != Metric.TPM) return 0;
        Map<LeaseStore.Key, long[]> giveBack = new HashMap<>();
        long total = 0;
        for (Map.Entry<LeaseStore.Key, Allowance> entry : allowances.entrySet()) {
            Allowance later = entry.getValue();
            if (later.metric != now.metric || !later.windowStart.isAfter(now.windowStart)
                    || !later.scope.id().equals(now.scope.id())) continue;
            long unused = later.trim();
            if (unused == 0) continue;
            giveBack.put(entry.getKey(), new long[] {0, unused});
            total += unused;
        }
        try {
            store.report(replica, giveBack);
        } catch (SQLException | RuntimeException failed) { // still leased in the database: still held here
            giveBack.forEach((key, change) -> {
                Allowance later = allowances.get(key);
                if (later != null) later.untrimmed(change[1]);
            });
            throw failed;
        }
        return total;
    }

    /**
     * The share has fallen under half its last slice: the next slice is leased in the background, so that the
     * requests after it do not wait for the database (a rise in traffic outgrew the slices leased ahead: 100
     * tenants' tokens per minute leased on the request path at each step of {@code bench overhead}'s rates). A
     * replica then holds at most about one and a half slices it does not use.
     */
    void refill(Allowance allowance) {
        try {
            refills.execute(() -> {
                try {
                    synchronized (allowance.leasing) {
                        if (!Instant.now().isBefore(allowance.windowEnd)) return;
                        LeaseStore.Lease lease = store.lease(replica, allowance.scope.id(), allowance.metric, allowance.windowStart,
                                allowance.windowEnd, Windows.span(allowance.metric, allowance.windowStart),
                                (allowance.limit + slices - 1) / slices, allowance.limit);
                        allowance.granted(lease.granted(), lease.leasedByOthers(), lease.oldestBucket());
                        if (metrics != null) metrics.leasedAhead(1);
                    }
                } catch (SQLException | RuntimeException away) {
                    // the database is away: the request that finds the share empty admits on the replica's own share
                } finally {
                    allowance.refilled();
                }
            });
        } catch (RuntimeException rejected) { // the executor is shutting down
            allowance.refilled();
        }
    }
}
