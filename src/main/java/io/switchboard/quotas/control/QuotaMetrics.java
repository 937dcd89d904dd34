package io.switchboard.quotas.control;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.metrics.Counter;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;
import org.eclipse.microprofile.metrics.Timer;

import java.time.Duration;

/**
 * The quota ledger's own Prometheus figures: slices leased on a request's path (the request waits for the
 * database) against those the renewer leased ahead of a window (nobody waits), and how long each renewal takes
 * (its prefetch must end before the next sliding bucket starts).
 */
@ApplicationScoped
public class QuotaMetrics {

    @Inject
    MetricRegistry registry;

    private final java.util.Map<io.switchboard.quotas.entity.Metric, Counter> onRequestPath = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile Counter ahead;
    private volatile Timer renewal;

    void leasedOnRequestPath(io.switchboard.quotas.entity.Metric metric, boolean fresh) {
        onRequestPath.computeIfAbsent(metric, m -> registry.counter("switchboard_quota_leases", new Tag("when", "request"),
                new Tag("metric", m.wireName()))).inc();
        if (fresh) registry.counter("switchboard_quota_leases_fresh", new Tag("metric", metric.wireName())).inc();
    }

    void leasedAhead(int slices) {
        if (ahead == null) ahead = registry.counter("switchboard_quota_leases", new Tag("when", "ahead"), new Tag("metric", "any"));
        ahead.inc(slices);
    }

    void renewed(long nanos) {
        if (renewal == null) renewal = registry.timer("switchboard_quota_renewal");
        renewal.update(Duration.ofNanos(nanos));
    }
}
