package io.switchboard.quotas.control;

import io.switchboard.tenancy.entity.Limits;
import io.switchboard.tenancy.entity.TenantPrincipal;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * What admission and settlement cost per request in-process ({@code ./switchboard bench quota-admission}): 100
 * tenants taken in turn, each with all six limits (requests and tokens per minute, concurrency, daily and
 * monthly tokens, monthly spend), on a lease store in memory that grants at once, so the figure is the
 * ledger's own work (windows, keys, the shares' locks, the rate-limit headers) and no database round trip.
 * The limits are high enough that only a slice's end leases. SampleTime: JMH prints the p99 of single calls.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class QuotaAdmissionBenchmark {

    static final int TENANTS = 100;

    QuotaLedger ledger;
    TenantPrincipal[] tenants;
    TenantPrincipal unlimited;
    int next;

    @Setup
    public void setUp() {
        ledger = QuotaLedgerTest.ledger(new QuotaLedgerTest.MemoryLeases(), "bench");
        Limits all = new Limits(1_000_000_000, 1_000_000_000_000L, 1_000_000, 1_000_000_000_000L, 1_000_000_000_000L,
                1_000_000_000_000L);
        tenants = new TenantPrincipal[TENANTS];
        for (int i = 0; i < TENANTS; i++) {
            tenants[i] = new TenantPrincipal(i + 1, "tenant-" + i, 1000 + i, null, null, all, Limits.NONE, Limits.NONE, 1);
        }
        unlimited = new TenantPrincipal(999, "free", 9999, null, null);
    }

    /** A request with every limit: reserved (worst case 300 tokens, its cost) and settled (120 used). */
    @Benchmark
    public Admission admitAndSettleWithSixLimits() {
        TenantPrincipal tenant = tenants[next++ % TENANTS];
        Admission admission = ledger.admit(tenant, null, 300, 4_500_000_000L);
        ledger.settle(admission, 120, 1_800_000_000L);
        return admission;
    }

    /** The same for a tenant without limits: what admission costs when there is nothing to enforce. */
    @Benchmark
    public Admission admitAndSettleWithoutLimits() {
        Admission admission = ledger.admit(unlimited, null, 300, 4_500_000_000L);
        ledger.settle(admission, 120, 1_800_000_000L);
        return admission;
    }
}
