import io.switchboard.accounting.control.UsageJournal;
import io.switchboard.accounting.control.UsageStore;
import io.switchboard.accounting.entity.UsageRecord;
import org.postgresql.ds.PGSimpleDataSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The usage path's own capacity, which serving cannot show on two cores (the gateway serves about 2,000 to
 * 3,000 requests a second here, so it makes no more rows than that): this process drives the path's two
 * I/O steps itself, with the server's own classes and settings, while the gateway serves at saturation
 * beside it: each row appended to a {@link UsageJournal} (one write, as the request thread does) and
 * written to the bench database by {@link UsageStore} in batches of up to 2,000 every 50 ms (the group
 * commit of {@code UsageLedger.flush}, with its fsync first). Pricing is left out (an in-memory lookup);
 * each batch opens a new connection (no pool here), which only makes the figure pessimistic.
 */
final class LedgerAlone {

    private static final int BATCH = 2_000;
    private static final int FLUSH_MS = 50;
    private static final int TENANTS = 100;

    private final UsageJournal journal;
    private final UsageStore store;
    private final long[] tenantIds;
    private final String run = Long.toString(System.currentTimeMillis(), 36);
    private final ConcurrentLinkedQueue<UsageJournal.Entry> pending = new ConcurrentLinkedQueue<>();
    private final AtomicLong pendingCount = new AtomicLong();
    private final AtomicLong appended = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    private final AtomicLong sequence = new AtomicLong();
    private final List<Long> commitNanos = new ArrayList<>(); // the writer's thread only
    private volatile boolean stopping; // not an interrupt: that would close the journal's channel under the writer

    private LedgerAlone(Path journalDir, UsageStore store, long[] tenantIds) {
        this.journal = new UsageJournal(journalDir);
        this.store = store;
        this.tenantIds = tenantIds;
    }

    /** Appends at {@code rate} rows/s (0: as fast as the writer keeps up) for {@code seconds}, while {@code serving} runs. */
    static void measure(RawLoad serving, int seconds, int rate) throws Exception {
        UsageBench.psql("INSERT INTO tenant (name) SELECT 'bench-ledger-' || lpad(g::text, 3, '0') FROM generate_series(0, "
                + (TENANTS - 1) + ") g ON CONFLICT (name) DO NOTHING;");
        long[] tenants = Arrays.stream(GatewayBench.field(UsageBench.psqlValue(
                        "SELECT string_agg(id::text, ',' ORDER BY id) FROM tenant WHERE name LIKE 'bench-ledger-%'"), "v").split(","))
                .mapToLong(Long::parseLong).toArray();
        PGSimpleDataSource database = new PGSimpleDataSource();
        database.setUrl("jdbc:postgresql://127.0.0.1:5432/switchboard_bench");
        database.setUser("switchboard_bench");
        Path dir = Files.createTempDirectory("ledger-alone");
        LedgerAlone ledger = new LedgerAlone(dir, new UsageStore(database), tenants);
        try {
            ledger.run(serving, seconds, rate);
        } finally {
            try (var files = Files.walk(dir)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            }
        }
    }

    private void run(RawLoad serving, int seconds, int rate) throws Exception {
        double[] served = new double[1];
        Thread load = new Thread(() -> {
            try {
                served[0] = serving.closedLoop(seconds);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Thread writer = new Thread(this::writeUntilStopped, "ledger-writer");
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        long[] appendNanos = new long[rate == 0 ? 4_000_000 : rate * seconds + 1];
        load.start();
        writer.start();
        long started = System.nanoTime();
        int n = 0;
        for (long next = started; System.nanoTime() < end && n < appendNanos.length; n++) {
            if (rate > 0) {
                next += 1_000_000_000L / rate;
                long wait = next - System.nanoTime();
                if (wait > 0) LockSupport.parkNanos(wait);
            } else {
                while (pendingCount.get() > 4 * BATCH) LockSupport.parkNanos(200_000); // as fast as it is written
            }
            long before = System.nanoTime();
            UsageJournal.Entry entry = journal.append(row(sequence.getAndIncrement()));
            appendNanos[n] = System.nanoTime() - before;
            pending.add(entry);
            pendingCount.incrementAndGet();
            appended.incrementAndGet();
        }
        double elapsed = (System.nanoTime() - started) / 1e9;
        long writtenInTime = written.get();
        long drainStart = System.nanoTime();
        while (pendingCount.get() > 0 && System.nanoTime() - drainStart < TimeUnit.SECONDS.toNanos(30)) Thread.sleep(10);
        double drain = (System.nanoTime() - drainStart) / 1e9;
        stopping = true;
        writer.join();
        load.join();
        long[] appends = Arrays.copyOf(appendNanos, n);
        long[] commits = commitNanos.stream().mapToLong(Long::longValue).toArray();
        System.out.printf("%s: appended %,d rows in %.1f s (%,.0f rows/s), written %,d by then (%,.0f rows/s), the rest "
                        + "%,d written %.2f s later; the gateway served %,.0f requests/s beside it%n",
                rate == 0 ? "as fast as it is written" : String.format("offered %,d rows/s", rate), appended.get(), elapsed,
                appended.get() / elapsed, writtenInTime, writtenInTime / elapsed, appended.get() - writtenInTime, drain, served[0]);
        System.out.printf("  journal append p50 %.1f µs, p99 %.1f µs, max %.1f µs; %d batches, mean %.0f rows, commit "
                        + "p50 %.1f ms, p99 %.1f ms, max %.1f ms%n",
                GatewayBench.pct(appends, 50) / 1e3, GatewayBench.pct(appends, 99) / 1e3, GatewayBench.pct(appends, 100) / 1e3,
                commits.length, appended.get() / (double) Math.max(1, commits.length), GatewayBench.pct(commits, 50) / 1e6,
                GatewayBench.pct(commits, 99) / 1e6, GatewayBench.pct(commits, 100) / 1e6);
    }

    /** UsageLedger.flush's loop: fsync the journal, then write what is pending in batches, every 50 ms. */
    private void writeUntilStopped() {
        while (!stopping) {
            journal.sync();
            for (int batches = 0; batches < 50 && !pending.isEmpty(); batches++) {
                List<UsageJournal.Entry> batch = new ArrayList<>(BATCH);
                for (UsageJournal.Entry e; batch.size() < BATCH && (e = pending.poll()) != null; ) batch.add(e);
                long started = System.nanoTime();
                store.writeLines(batch.stream().map(UsageJournal.Entry::line).toList());
                commitNanos.add(System.nanoTime() - started);
                journal.written(batch);
                pendingCount.addAndGet(-batch.size());
                written.addAndGet(batch.size());
            }
            journal.rotateIfDue(TimeUnit.SECONDS.toNanos(10), 8L << 20);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(FLUSH_MS));
        }
    }

    /** A row as the relay makes one for a served chat completion: 100 tenants, 1,000 keys, 50 end users. */
    private UsageRecord row(long n) {
        Instant now = Instant.now();
        return new UsageRecord("ledger_" + run + "_" + n, null, tenantIds[(int) (n % tenantIds.length)], 2_000_000L + n % 1_000,
                "user-" + (n % 50), "/v1/chat/completions", "auto", "bench-remote", "default", null, UsageRecord.Outcome.OK,
                200, n % 2 == 0, "stop", 100 + (int) (n % 400), (int) (n % 50), 20 + (int) (n % 200), false, 0, 15, 120,
                now.minusMillis(120), now, null, null, null, null, null, null);
    }
}
