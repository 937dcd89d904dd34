package io.switchboard.quotas.control;

import io.switchboard.quotas.entity.Metric;
import io.switchboard.quotas.entity.QuotaScope;

import java.time.Instant;

/**
 * This replica's share of one scope's limit in one window: what it has leased from the database
 * ({@code granted}), what requests in flight hold ({@code reserved}) and what finished ones used
 * ({@code consumed}). A request is admitted from the share without a database round trip; when the share
 * is short, the ledger leases more. All changes under this object's lock.
 */
final class Allowance {

    final QuotaScope scope;
    final Metric metric;
    final Instant windowStart;
    final Instant windowEnd;
    final long limit;
    /** Held while a slice is leased for this share (not this object's lock: settles go on meanwhile). */
    final Object leasing = new Object();

    private long granted;
    private long reserved;
    private long consumed;
    private long reportedConsumed;   // what the database's "used" has from this replica
    private long otherReplicas;      // leased by the others at the last lease: for remaining and messages
    private Instant oldestBucket;    // sliding windows: the oldest bucket with usage, at the last lease
    private long lastUseNanos = System.nanoTime();
    private boolean refused;         // a request did not fit: the budget counts as spent (its 100 % alert)
    private long unsyncedLocally;    // granted during a database outage, not yet written as a lease
    private long reportedInFlight = -1; // concurrency: the reservations the database was last told of
    private long lowWater;           // half the last slice: below it, the ledger leases the next one in the background
    private boolean refilling;       // that background lease is on its way

    Allowance(QuotaScope scope, Metric metric, Instant windowStart, Instant windowEnd, long limit) {
        this.scope = scope;
        this.metric = metric;
        this.windowStart = windowStart;
        this.windowEnd = windowEnd;
        this.limit = limit;
    }

    synchronized void refusedOne() {
        refused = true;
    }

    synchronized boolean refusedAny() {
        return refused;
    }

    synchronized boolean tryReserve(long amount) {
        lastUseNanos = System.nanoTime();
        if (granted - reserved - consumed < amount) return false;
        reserved += amount;
        return true;
    }

    /** A request ends: it gives back its reservation and uses what it really used (which may be more). */
    synchronized void settle(long reservedAmount, long used) {
        reserved -= reservedAmount;
        consumed += used;
        lastUseNanos = System.nanoTime();
    }

    synchronized void granted(long amount, long leasedByOthers, Instant oldest) {
        granted += amount;
        lowWater = amount / 2; // nothing granted: no refills until a request's lease gets a slice again (near the limit)
        otherReplicas = leasedByOthers;
        oldestBucket = oldest;
    }

    /** The database is away: a grant on this replica's own authority, recorded for the database once it is back. */
    synchronized void grantedLocally(long grant) {
        granted += grant;
        unsyncedLocally += grant;
    }

    synchronized long granted() {
        return granted;
    }

    /** What requests took of this window so far (held and used): the demand the next window's slice is sized by. */
    synchronized long taken() {
        return reserved + consumed;
    }

    synchronized long unsyncedLocalGrants() {
        return unsyncedLocally;
    }

    /** These outage grants are now leases in the database. */
    synchronized void synced(long grants) {
        unsyncedLocally -= grants;
    }

    /** What all replicas have taken of the limit, as far as this replica knows. */
    synchronized long usedEverywhere() {
        return otherReplicas + reserved + consumed;
    }

    synchronized long remaining() {
        return Math.max(0, limit - otherReplicas - reserved - consumed);
    }

    synchronized Instant oldestBucket() {
        return oldestBucket;
    }

    /**
     * Gives back what is leased and not held (an idle share, a closed bucket, an idle concurrency share):
     * answers how much, now no longer granted here; the caller returns it to the database.
     */
    synchronized long trim() {
        long unused = granted - reserved - consumed;
        if (unused <= 0) return 0;
        granted -= unused;
        return unused;
    }

    /** How much consumption the database has not been told of; marks it told ({@link #unreported} if that failed). */
    synchronized long unreportedConsumption() {
        long delta = consumed - reportedConsumed;
        reportedConsumed = consumed;
        return delta;
    }

    /** Concurrency: the requests in flight now if the database has not been told this number yet, else -1. */
    synchronized long inFlightToReport() {
        if (reserved == reportedInFlight) return -1;
        reportedInFlight = reserved;
        return reserved;
    }

    /** That report did not reach the database: the next renewal tells it again. */
    synchronized void inFlightUnreported() {
        reportedInFlight = -1;
    }

    /** The report of {@code delta} did not reach the database: it goes in the next one. */
    synchronized void unreported(long delta) {
        reportedConsumed -= delta;
    }

    /** A trim whose return did not reach the database: the slice stays leased there, so it is held here again. */
    synchronized void untrimmed(long returned) {
        granted += returned;
    }

    /** What the other replicas hold of this window now (read by the renewer for an idle share). */
    synchronized void othersHold(long leasedByOthers) {
        otherReplicas = leasedByOthers;
    }

    /**
     * Whether the limit is getting scarce: what no replica holds is under a quarter of it (or two slices). An
     * idle share is given back only then, so that the other replicas find room; while there is plenty, this
     * replica keeps it for its next request, which then needs no lease.
     */
    synchronized boolean scarce(int slices) {
        long free = limit - otherReplicas - granted;
        return free < Math.max(limit / 4, 2 * ((limit + slices - 1) / slices));
    }

    /**
     * Whether what is left of the share has fallen under half the last slice and no refill is on its way; if so,
     * marks one as on its way (the caller leases it, then calls {@link #refilled}).
     */
    synchronized boolean startRefill() {
        if (refilling || lowWater == 0 || granted - reserved - consumed >= lowWater) return false;
        refilling = true;
        return true;
    }

    synchronized void refilled() {
        refilling = false;
    }

    synchronized boolean idleFor(long nanos) {
        return reserved == 0 && System.nanoTime() - lastUseNanos > nanos;
    }

    synchronized boolean holdsAnything() {
        return granted > 0 || reserved > 0;
    }

    synchronized boolean holdsReservations() {
        return reserved > 0;
    }
}
