package io.switchboard.accounting.control;

import io.switchboard.accounting.entity.UsageRecord;
import io.switchboard.persistence.control.WriteBehind;
import io.switchboard.pricing.control.PriceBook;
import io.switchboard.pricing.entity.Price;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * The settle path's durable end: every request's usage row is priced here (with the price in force when
 * the request started), appended to the local {@link UsageJournal} before the caller sends its last bytes,
 * and written to PostgreSQL in batches by a container thread every {@code switchboard.usage.flush-ms}
 * (group commit; {@link io.switchboard.persistence.control.FlushOnShutdown} writes the last batch at a
 * clean stop). While PostgreSQL is away rows wait in memory (up to {@code switchboard.usage.memory-rows})
 * and beyond that on disk only; either way they are written, in order and once, when it is back.
 */
@ApplicationScoped
public class UsageLedger implements WriteBehind {

    private static final Logger LOG = Logger.getLogger(UsageLedger.class.getName());
    private static final int BATCH = 2_000;
    private static final long SIX_HOURS_NANOS = TimeUnit.HOURS.toNanos(6);

    @Inject PriceBook prices;
    @Inject UsageStore store;
    @Inject UsageMetrics metrics;
    @Resource ManagedScheduledExecutorService scheduler;

    @Inject @ConfigProperty(name = "switchboard.usage.journal-dir", defaultValue = "usage-journal") String journalDir;
    @Inject @ConfigProperty(name = "switchboard.usage.flush-ms", defaultValue = "50") long flushMillis;
    @Inject @ConfigProperty(name = "switchboard.usage.memory-rows", defaultValue = "100000") int memoryRows;
    @Inject @ConfigProperty(name = "switchboard.usage.retention-months", defaultValue = "24") int retentionMonths;
    @Inject @ConfigProperty(name = "switchboard.usage.partitions-ahead-months", defaultValue = "3") int monthsAhead;

    private final ConcurrentLinkedDeque<UsageJournal.Entry> pending = new ConcurrentLinkedDeque<>();
    private final AtomicInteger pendingCount = new AtomicInteger();
    private final java.util.Set<String> setAsideRows = new java.util.HashSet<>(); // under flush's lock; rare
    private UsageJournal journal;
    private ScheduledFuture<?> flushing;
    private long partitionsCheckedNanos = System.nanoTime() - SIX_HOURS_NANOS;
    private volatile boolean databaseDown;

    @PostConstruct
    void start() {
        // relative to Liberty's working directory, the server's output directory: each server its own journal
        journal = new UsageJournal(Path.of(journalDir).toAbsolutePath());
        metrics.journalDepth(() -> journal.depth());
        LOG.info("Usage journal at " + journal.directory() + (journal.hasLeftovers() ? " (replaying an earlier process's rows)" : ""));
        flushing = scheduler.scheduleWithFixedDelay(this::flush, flushMillis, flushMillis, TimeUnit.MILLISECONDS);
    }

    /** Started with the application, not at its first request: what an earlier process left is replayed at once. */
    void startWithTheApplication(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
        // the bean exists now; @PostConstruct did the work
    }

    @PreDestroy
    void stop() {
        flushing.cancel(false); // the last flush comes from FlushOnShutdown
    }

    /**
     * Prices the row and makes it durable. Call it before the request's last bytes go to the client: when it
     * returns, the row survives a kill of this process.
     */
    public UsageRecord record(UsageRecord row) {
        UsageRecord priced = priced(row);
        UsageJournal.Entry entry;
        try {
            entry = journal.append(priced);
        } catch (java.io.UncheckedIOException diskFailed) { // still written from memory; only a kill could lose it now
            LOG.severe("Usage journal append failed, the row is kept in memory only: " + diskFailed.getMessage());
            entry = new UsageJournal.Entry(priced, UsageJournal.encode(priced), null);
            pending.add(entry);
            pendingCount.incrementAndGet();
            metrics.recorded(priced);
            return priced;
        }
        if (pendingCount.incrementAndGet() <= memoryRows) {
            pending.add(entry);
        } else {
            pendingCount.decrementAndGet();
            entry.segment().markSpilled(); // on disk only: replayed from the file when the database is back
        }
        metrics.recorded(priced);
        return priced;
    }

    /** The row with the price in force when its request started; no served model or no price: unpriced. */
    UsageRecord priced(UsageRecord row) {
        if (row.servedModel() == null) return row;
        Price price = prices.at(row.servedModel(), row.startedAt()).orElse(null);
        if (price == null) return row;
        return row.pricedAt(price.id(), price.inputMicrosPerMtok(), price.cachedMicrosPerMtok(),
                price.outputMicrosPerMtok(), price.costPicos(row.promptTokens(), row.cachedTokens(), row.completionTokens()));
    }

    /**
     * Writes what is pending, in the order the rows were made: first a file an earlier process left (older
     * than anything pending), then the pending rows, then a segment whose rows were on disk only; one file per
     * flush, so a large journal does not hold up this process's own rows. Keeps what fails for the next try.
     */
    @Override
    public synchronized void flush() {
        journal.sync();
        try {
            maintainPartitionsWhenDue();
            journal.leftover().ifPresent(this::replay);
            for (int batches = 0; batches < 50 && !pending.isEmpty(); batches++) writeBatch();
            journal.spilled().ifPresent(this::replay);
            if (databaseDown) LOG.info("Usage rows are written to PostgreSQL again");
            databaseDown = false;
        } catch (RuntimeException e) {
            if (!databaseDown) {
                LOG.warning("Could not write usage rows (" + pendingCount.get() + " waiting in memory, all in the journal "
                        + journal.directory() + "); will retry: " + e.getMessage());
            }
            databaseDown = true;
        } finally {
            try {
                journal.rotateIfDue(TimeUnit.SECONDS.toNanos(10), 8L << 20); // during an outage too: segments stay small
            } catch (RuntimeException diskTrouble) { // never out of flush: the scheduler would stop calling it
                LOG.warning("Could not start a new usage journal segment: " + diskTrouble.getMessage());
            }
        }
    }

    private void writeBatch() {
        List<UsageJournal.Entry> batch = new ArrayList<>(Math.min(BATCH, pendingCount.get()));
        for (UsageJournal.Entry entry; batch.size() < BATCH && (entry = pending.poll()) != null; ) batch.add(entry);
        long started = System.nanoTime();
        int asideBefore = setAsideRows.size();
        try {
            writeSettingAsideRefused(batch.stream().map(UsageJournal.Entry::line).toList());
        } catch (RuntimeException e) {
            for (int i = batch.size() - 1; i >= 0; i--) pending.addFirst(batch.get(i)); // in order, for the next try
            throw e;
        }
        pendingCount.addAndGet(-batch.size());
        metrics.batchWritten(batch.size() - (setAsideRows.size() - asideBefore), System.nanoTime() - started);
        journal.written(batch);
    }

    /**
     * Writes the rows; where PostgreSQL refuses the batch for a row's values (not for being away), writes its
     * halves apart until the refused rows stand alone, and sets those aside: one bad row must not hold up every
     * row behind it. A retry after an outage writes again what went in before it, idempotently.
     */
    private int writeSettingAsideRefused(List<String> lines) {
        try {
            return store.writeLines(lines);
        } catch (RuntimeException e) {
            if (!UsageStore.refusesRows(e)) throw e;
            if (lines.size() > 1) {
                int half = lines.size() / 2;
                return writeSettingAsideRefused(lines.subList(0, half)) + writeSettingAsideRefused(lines.subList(half, lines.size()));
            }
            if (!setAsideRows.add(lines.get(0))) return 0; // a retry after an outage met it again: set aside once
            journal.setAside(lines.get(0));
            metrics.setAside();
            LOG.severe("PostgreSQL refused a usage row; it is kept in " + journal.directory().resolve(UsageJournal.SET_ASIDE)
                    + " (rename the file to end in .journal to replay it once fixed): " + e.getMessage() + " Row: " + lines.get(0));
            return 0;
        }
    }

    private void replay(Path file) {
        List<String> rows;
        try {
            rows = UsageJournal.readLines(file);
        } catch (java.io.UncheckedIOException unreadable) { // out of the way, or no row behind it would ever be written
            LOG.severe("Usage journal " + file + " cannot be read and is kept as " + journal.unreadable(file) + ": "
                    + unreadable.getMessage());
            return;
        }
        int inserted = 0;
        for (int from = 0; from < rows.size(); from += BATCH) {
            inserted += writeSettingAsideRefused(rows.subList(from, Math.min(rows.size(), from + BATCH)));
        }
        journal.replayed(file);
        metrics.replayed(inserted);
        LOG.info("Replayed usage journal " + file.getFileName() + ": " + rows.size() + " rows, " + inserted
                + " not yet in the database");
    }

    /** Partitions ahead and retention, every six hours; a failure there is logged and retried, and never stops the rows. */
    private void maintainPartitionsWhenDue() {
        if (System.nanoTime() - partitionsCheckedNanos < SIX_HOURS_NANOS) return;
        int[] changed;
        try {
            changed = store.maintainPartitions(monthsAhead, retentionMonths);
        } catch (RuntimeException e) {
            if (UsageStore.refusesRows(e) || !databaseDown) LOG.warning("Could not maintain the usage partitions: " + e.getMessage());
            partitionsCheckedNanos = System.nanoTime() - SIX_HOURS_NANOS + TimeUnit.MINUTES.toNanos(1); // again in a minute
            return;
        }
        partitionsCheckedNanos = System.nanoTime();
        if (changed[0] > 0 || changed[1] > 0) {
            LOG.info("Usage partitions: " + changed[0] + " created ahead, " + changed[1] + " dropped past "
                    + retentionMonths + " months of retention");
        }
    }
}
