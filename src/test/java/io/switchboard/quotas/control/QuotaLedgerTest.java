package io.switchboard.quotas.control;

import io.switchboard.gateway.entity.ApiException;
import io.switchboard.quotas.entity.Metric;
import io.switchboard.tenancy.entity.Limits;
import io.switchboard.tenancy.entity.TenantPrincipal;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The ledger's rules on a counter store in memory that leases as the database does (the sum over
 * replicas never past the limit): all or nothing, exactly at the limit, give-back, replicas together, outage.
 */
class QuotaLedgerTest {

    /** quota_lease in memory: per scope, metric and window, what each replica leased. */
    static final class MemoryLeases extends LeaseStore {
        final Map<String, Map<String, Long>> leased = new HashMap<>();
        volatile boolean down;
        /** A database's round trip before the lease is taken, so that concurrent leases overlap as they would. */
        volatile long roundTripMillis;

        @Override
        Lease lease(String replica, String scope, Metric metric, Instant windowStart, Instant windowEnd,
                    Windows.Span span, long want, long limit) throws SQLException {
            if (roundTripMillis > 0) {
                try {
                    Thread.sleep(roundTripMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return leaseNow(replica, scope, metric, windowStart, span, want, limit);
        }

        private synchronized Lease leaseNow(String replica, String scope, Metric metric, Instant windowStart,
                                            Windows.Span span, long want, long limit) throws SQLException {
            if (down) throw new SQLException("connection refused");
            long all = 0;
            long mine = 0;
            for (Map.Entry<String, Map<String, Long>> window : leased.entrySet()) {
                String[] key = window.getKey().split("\\|");
                Instant start = Instant.parse(key[2]);
                if (!key[0].equals(scope) || !key[1].equals(metric.name()) || !span.holds(start)) continue;
                for (Map.Entry<String, Long> r : window.getValue().entrySet()) {
                    all += r.getValue();
                    if (r.getKey().equals(replica) && start.equals(windowStart)) mine += r.getValue();
                }
            }
            long grant = Math.max(0, Math.min(want, limit - all));
            leased.computeIfAbsent(scope + "|" + metric.name() + "|" + windowStart, k -> new HashMap<>()).merge(replica, grant, Long::sum);
            return new Lease(grant, all - mine, windowStart);
        }

        @Override
        synchronized void report(String replica, Map<Key, long[]> changes) throws SQLException {
            if (down && !changes.isEmpty()) throw new SQLException("connection refused");
            changes.forEach((key, change) -> { // a slice given back comes off what the replica leased
                Map<String, Long> window = leased.get(key.scope() + "|" + key.metric().name() + "|" + key.windowStart());
                if (window != null && change[1] > 0) window.merge(replica, -change[1], (held, back) -> Math.max(0, held + back));
            });
        }

        @Override
        List<Lease> leaseAll(String replica, List<Request> requests) throws SQLException {
            List<Lease> leases = new ArrayList<>();
            for (Request r : requests) leases.add(leaseNow(replica, r.scope(), r.metric(), r.windowStart(), r.span(), r.want(), r.limit()));
            return leases;
        }

        @Override
        synchronized Map<Key, Long> leasedByOthers(String replica, java.util.Collection<Key> keys) {
            Map<Key, Long> others = new HashMap<>();
            for (Key key : keys) {
                Map<String, Long> window = leased.getOrDefault(key.scope() + "|" + key.metric().name() + "|" + key.windowStart(), Map.of());
                others.put(key, window.entrySet().stream().filter(e -> !e.getKey().equals(replica)).mapToLong(Map.Entry::getValue).sum());
            }
            return others;
        }

        long leasedBy(String replica, Metric metric, Instant windowStart) {
            return leased.getOrDefault("tenant:7|" + metric.name() + "|" + windowStart, Map.of()).getOrDefault(replica, 0L);
        }

        @Override
        Map<String, Instant> resetsSince(Instant since) {
            return Map.of();
        }
    }

    static QuotaLedger ledger(MemoryLeases store, String replica) {
        QuotaLedger ledger = new QuotaLedger();
        ledger.store = store;
        ledger.configuredReplica = Optional.of(replica);
        ledger.replicas = 2;
        ledger.startWithoutRenewal();
        return ledger;
    }

    static TenantPrincipal caller(Limits tenant) {
        return new TenantPrincipal(7, "acme", 11, null, null, tenant, Limits.NONE, Limits.NONE, 1);
    }

    static Limits rpm(int n) {
        return new Limits(n, null, null, null, null, null);
    }

    @Test
    void aRequestThatBringsACountExactlyToItsLimitIsAdmittedTheNextIsNot() {
        QuotaLedger ledger = ledger(new MemoryLeases(), "a");
        for (int i = 0; i < 5; i++) ledger.admit(caller(rpm(5)), null, 10, 0);
        ApiException refused = assertThrows(ApiException.class, () -> ledger.admit(caller(rpm(5)), null, 10, 0));
        assertEquals(429, refused.status());
        assertEquals("rate_limit_exceeded", refused.code());
    }

    @Test
    void withoutLimitsNothingIsReservedOrLeased() {
        MemoryLeases store = new MemoryLeases();
        assertSame(Admission.NONE, ledger(store, "a").admit(caller(Limits.NONE), "alice", 10, 0));
        assertTrue(store.leased.isEmpty());
    }

    @Test
    void aRefusalByOneLimitLeavesNothingReservedOnTheOthers() {
        QuotaLedger ledger = ledger(new MemoryLeases(), "a");
        Limits limits = new Limits(41, 100L, null, null, null, null); // 41 requests, 100 tokens
        ledger.admit(caller(limits), null, 60, 0);
        assertThrows(ApiException.class, () -> ledger.admit(caller(limits), null, 60, 0)); // by tokens
        // the refused request's place among the 41 came back: 40 more requests, and their 40 tokens, fit exactly
        for (int i = 0; i < 40; i++) ledger.admit(caller(limits), null, 1, 0);
        assertThrows(ApiException.class, () -> ledger.admit(caller(limits), null, 0, 0));
    }

    @Test
    void whatARequestDidNotUseComesBack() {
        QuotaLedger ledger = ledger(new MemoryLeases(), "a");
        Limits tpm = new Limits(null, 100L, null, null, null, null);
        Admission first = ledger.admit(caller(tpm), null, 80, 0);
        assertThrows(ApiException.class, () -> ledger.admit(caller(tpm), null, 80, 0));
        ledger.settle(first, 15, null);
        ledger.admit(caller(tpm), null, 80, 0); // 15 + 80 fit
        ledger.settle(first, 15, null); // settling twice gives nothing back twice
        assertThrows(ApiException.class, () -> ledger.admit(caller(tpm), null, 10, 0));
    }

    @Test
    void aSpentBudgetIsInsufficientQuotaThatNoRetryHelps() {
        QuotaLedger ledger = ledger(new MemoryLeases(), "a");
        Limits budget = new Limits(null, null, null, 50L, null, null);
        ledger.settle(ledger.admit(caller(budget), null, 50, 0), 50, null);
        ApiException refused = assertThrows(ApiException.class, () -> ledger.admit(caller(budget), null, 1, 0));
        assertEquals("insufficient_quota", refused.code());
        assertEquals("false", refused.headers().get("x-should-retry"));
        assertTrue(refused.getMessage().contains("daily token budget of tenant 'acme': Limit 50, Used 50, Requested 1"),
                refused.getMessage());
    }

    @Test
    void concurrencyIsHeldUntilTheRequestEnds() {
        QuotaLedger ledger = ledger(new MemoryLeases(), "a");
        Limits two = new Limits(null, null, 2, null, null, null);
        Admission a = ledger.admit(caller(two), null, 1, 0);
        ledger.admit(caller(two), null, 1, 0);
        assertThrows(ApiException.class, () -> ledger.admit(caller(two), null, 1, 0));
        ledger.settle(a, 1, null);
        ledger.admit(caller(two), null, 1, 0);
    }

    /** Repeated: the stranded slices came from a race of concurrent leases, which one run may miss. */
    @RepeatedTest(20)
    void twoReplicasOnOneStoreNeverAdmitMoreThanTheLimitTogether() throws Exception {
        MemoryLeases store = new MemoryLeases();
        store.roundTripMillis = 1;
        // a new 6-second bucket strands the closed one's unused slices until the renewer trims them, which this
        // test does not run: start early in a bucket
        long intoBucket = System.currentTimeMillis() % Windows.BUCKET.toMillis();
        if (intoBucket > Windows.BUCKET.toMillis() - 2_000) Thread.sleep(Windows.BUCKET.toMillis() - intoBucket + 50);
        List<QuotaLedger> replicas = List.of(ledger(store, "a"), ledger(store, "b"));
        AtomicInteger admitted = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            QuotaLedger replica = replicas.get(i % 2);
            done.add(pool.submit(() -> {
                try {
                    replica.admit(caller(rpm(100)), null, 1, 0);
                    admitted.incrementAndGet();
                } catch (ApiException refused) {
                    // over the limit
                }
            }));
        }
        for (Future<?> f : done) f.get();
        pool.shutdown();
        assertTrue(admitted.get() <= 100, "admitted " + admitted.get());
        assertTrue(admitted.get() >= 90, "slices left unused on one replica are at most a few: " + admitted.get());
    }

    /** CI saw two servers admit 24 of a limit of 20: each had leased the next bucket's slice ahead. */
    @Test
    void aSliceLeasedAheadForTheNextBucketCountsInEveryMinuteItShares() {
        MemoryLeases store = new MemoryLeases();
        Instant next = Windows.of(Metric.RPM, Instant.now(), null)[1];
        // replica b's renewer leased the next bucket's slice ahead, up to the whole limit
        store.leased.put("tenant:7|RPM|" + next, new HashMap<>(Map.of("b", 20L)));
        QuotaLedger a = ledger(store, "a");
        ApiException refused = assertThrows(ApiException.class, () -> a.admit(caller(rpm(20)), null, 1, 0),
                "this bucket and the next share nine minutes: the limit is taken in them");
        assertEquals("rate_limit_exceeded", refused.code());
    }

    /** A tenant with 3 requests a minute was refused at its second, its next bucket's slice leased ahead. */
    @Test
    void aSmallLimitIsNotTakenByTheSliceLeasedAheadForTheNextBucket() throws SQLException {
        MemoryLeases store = new MemoryLeases();
        QuotaLedger ledger = ledger(store, "a");
        ledger.admit(caller(rpm(3)), null, 1, 0);
        Instant bucketEnd = Windows.of(Metric.RPM, Instant.now(), null)[1];
        ledger.ahead.leaseNextWindows(bucketEnd.minusSeconds(1), Map.of()); // the renewer, a second before the next bucket
        assertEquals(1, store.leasedBy("a", Metric.RPM, bucketEnd), "the next bucket's slice is leased ahead");
        ledger.admit(caller(rpm(3)), null, 1, 0);
        ledger.admit(caller(rpm(3)), null, 1, 0);
        ApiException refused = assertThrows(ApiException.class, () -> ledger.admit(caller(rpm(3)), null, 1, 0));
        assertTrue(refused.getMessage().contains("Limit 3, Used 3"), refused.getMessage());
    }

    @Test
    void aTenantThatPausedForABucketFindsTheNextOneLeasedAheadOfItsFirstRequest() throws Exception {
        MemoryLeases store = new MemoryLeases();
        QuotaLedger ledger = ledger(store, "a");
        ledger.settle(ledger.admit(caller(rpm(1600)), null, 1, 0), 1, 0L); // one bucket with demand, then a pause
        Instant paused = Windows.of(Metric.RPM, Instant.now(), null)[1]; // the bucket after it: nobody asks in it
        Instant resumes = paused.plus(Windows.BUCKET);
        Thread.sleep(Math.max(0, Duration.between(Instant.now(), resumes.minusMillis(1500)).toMillis()));
        ledger.renew(); // 1.5 s before the bucket in which requests come again
        assertTrue(store.leasedBy("a", Metric.RPM, resumes) > 0, "the bucket after the pause is leased ahead: "
                + store.leased.keySet());
    }

    @Test
    void aShareRunningLowIsRefilledBeforeARequestFindsItEmpty() {
        MemoryLeases store = new MemoryLeases();
        QuotaLedger ledger = ledger(store, "a");
        ledger.ahead.refills = Runnable::run; // the background refill, on the caller's thread here
        Instant bucket = Windows.of(Metric.RPM, Instant.now(), null)[0];
        for (int i = 0; i < 6; i++) ledger.admit(caller(rpm(160)), null, 1, 0); // slices of 10: 6 taken, 4 left
        assertEquals(20, store.leasedBy("a", Metric.RPM, bucket),
                "under half the slice left, the next slice is leased before the share runs out");
        for (int i = 0; i < 4; i++) ledger.admit(caller(rpm(160)), null, 1, 0);
        assertEquals(20, store.leasedBy("a", Metric.RPM, bucket), "ten requests: two slices, no more");
        org.junit.jupiter.api.Assumptions.assumeTrue(bucket.equals(Windows.of(Metric.RPM, Instant.now(), null)[0]),
                "the requests stayed in one bucket"); // else the counts above were of two buckets: not this test's case
    }

    @Test
    void aBurstOnOneReplicaLeasesTheSlicesItNeedsNotOnePerRequest() throws Exception {
        MemoryLeases store = new MemoryLeases();
        store.roundTripMillis = 20;
        QuotaLedger ledger = ledger(store, "a");
        ExecutorService pool = Executors.newFixedThreadPool(8);
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            done.add(pool.submit(() -> {
                start.await();
                return ledger.admit(caller(rpm(160)), null, 1, 0); // slices of 10
            }));
        }
        start.countDown();
        for (Future<?> f : done) f.get();
        pool.shutdown();
        long leased = store.leased.values().stream().flatMap(r -> r.entrySet().stream())
                .filter(r -> r.getKey().equals("a")).mapToLong(Map.Entry::getValue).sum();
        assertEquals(10, leased, "eight requests fit one slice: the other replicas may have the rest of the limit");
    }

    @Test
    void duringADatabaseOutageAReplicaAdmitsItsShareOfTheLimitAlone() {
        MemoryLeases store = new MemoryLeases();
        store.down = true;
        QuotaLedger ledger = ledger(store, "a"); // two replicas configured: half the limit each
        int admitted = 0;
        for (int i = 0; i < 30; i++) {
            try {
                ledger.admit(caller(rpm(20)), null, 1, 0);
                admitted++;
            } catch (ApiException refused) {
                // past this replica's share
            }
        }
        assertEquals(10, admitted);
    }
}
