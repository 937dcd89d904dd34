package io.switchboard.accounting.control;

import io.switchboard.accounting.entity.UsageRecord;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.metrics.Counter;
import org.eclipse.microprofile.metrics.Histogram;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Timer;

import java.time.Duration;
import java.util.function.LongSupplier;

/** The usage path's Prometheus metrics: rows recorded and written, batch sizes and commit times, the journal's depth, replays, unpriced requests, rows PostgreSQL refused (set aside). */
@ApplicationScoped
public class UsageMetrics {

    @Inject
    MetricRegistry registry;

    private Counter recorded;
    private Counter written;
    private Counter replayed;
    private Counter unpriced;
    private Counter setAside;
    private Histogram batchSize;
    private Timer commitTime;

    @jakarta.annotation.PostConstruct
    void register() {
        recorded = registry.counter("switchboard_usage_rows_recorded");
        written = registry.counter("switchboard_usage_rows_written");
        replayed = registry.counter("switchboard_usage_rows_replayed");
        unpriced = registry.counter("switchboard_usage_unpriced_requests");
        setAside = registry.counter("switchboard_usage_rows_set_aside");
        batchSize = registry.histogram("switchboard_usage_batch_size");
        commitTime = registry.timer("switchboard_usage_batch_commit");
    }

    void journalDepth(LongSupplier depth) {
        registry.gauge("switchboard_usage_journal_depth", depth::getAsLong);
    }

    void recorded(UsageRecord row) {
        recorded.inc();
        if (row.servedModel() != null && !row.priced()) unpriced.inc();
    }

    void batchWritten(int rows, long nanos) {
        written.inc(rows);
        batchSize.update(rows);
        commitTime.update(Duration.ofNanos(nanos));
    }

    void setAside() {
        setAside.inc();
    }

    void replayed(int rows) {
        replayed.inc(rows);
    }
}
