package io.switchboard.inference.control;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.metrics.Counter;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;
import org.eclipse.microprofile.metrics.Timer;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/** The inference requests' Prometheus metrics: how each ended, by model and status, and the time to first token. */
@ApplicationScoped
public class InferenceMetrics {

    @Inject
    MetricRegistry registry;

    /** The counters are kept: a registry lookup by tags costs more than the count. */
    private final ConcurrentHashMap<String, Counter> requestCounters = new ConcurrentHashMap<>();
    private volatile Timer timeToFirstToken;

    /** An inference request's end, by model and HTTP status. */
    public void request(String model, int status) {
        requestCounters.computeIfAbsent(model + ' ' + status, ignored -> registry.counter("switchboard_inference_requests",
                new Tag("model", model), new Tag("status", String.valueOf(status)))).inc();
    }

    public void timeToFirstToken(long nanos) {
        if (timeToFirstToken == null) timeToFirstToken = registry.timer("switchboard_time_to_first_token");
        timeToFirstToken.update(Duration.ofNanos(nanos));
    }
}
