package io.switchboard.inference.control;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;
import org.eclipse.microprofile.metrics.Timer;

import java.time.Duration;
import java.util.List;

/**
 * How long each of Switchboard's own steps on a request's path takes, as Prometheus timers
 * ({@code switchboard_request_stage_seconds{stage=...}}, with p50 to p99.9): {@code route} (an alias resolved
 * through the rules; a model's own name is not timed), {@code admit} (admission of a caller with limits),
 * {@code record} (the usage row, every request) and {@code settle} (a reservation given back). Each runs on the
 * request's path before its
 * answer is complete, so its time is what that step adds to the request, measured inside the running server;
 * the benchmarks read these beside their end-to-end A/B figures, whose p99 differences on this machine are
 * below its noise (docs/benchmarks.md). Beside the timers, a cumulative {@link StageHistogram} per stage
 * ({@code GET /admin/stages}), from which a benchmark takes its measured phase's own quantiles.
 */
@ApplicationScoped
public class RequestStages {

    public enum Stage {
        ROUTE, ADMIT, RECORD, SETTLE;

        final String label = name().toLowerCase(java.util.Locale.ROOT);
    }

    @Inject
    MetricRegistry registry;

    private final Timer[] timers = new Timer[Stage.values().length];
    private final StageHistogram[] histograms = new StageHistogram[Stage.values().length];

    @PostConstruct
    void register() {
        for (Stage stage : Stage.values()) {
            timers[stage.ordinal()] = registry.timer("switchboard_request_stage", new Tag("stage", stage.label));
            histograms[stage.ordinal()] = new StageHistogram();
        }
    }

    /** The stage took from {@code startedNanos} (System.nanoTime) until now. */
    public void since(Stage stage, long startedNanos) {
        long nanos = System.nanoTime() - startedNanos;
        timers[stage.ordinal()].update(Duration.ofNanos(nanos));
        histograms[stage.ordinal()].record(nanos);
    }

    /** Every stage's cumulative histogram, by its name ({@code GET /admin/stages}). */
    public java.util.Map<String, List<long[]>> histograms() {
        java.util.Map<String, List<long[]>> all = new java.util.LinkedHashMap<>();
        for (Stage stage : Stage.values()) all.put(stage.label, histograms[stage.ordinal()].buckets());
        return all;
    }
}
