package io.switchboard.engines.control;

import io.switchboard.engines.entity.EngineSnapshot;
import io.switchboard.engines.entity.EngineState;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;

import java.time.Duration;

/** The lifecycle's Prometheus metrics (at /metrics, prefix {@code switchboard_}): GPUs, loads, evictions, crashes, queue waits. */
@ApplicationScoped
public class EngineMetrics {

    @Inject
    MetricRegistry registry;

    void registerGpus(ModelManager manager) {
        int gpus = manager.view().gpuMemory().size();
        for (int gpu = 0; gpu < gpus; gpu++) {
            int index = gpu;
            Tag tag = new Tag("gpu", String.valueOf(gpu));
            registry.gauge("switchboard_gpu_capacity_bytes", () -> manager.view().gpuMemory().get(index)[0], tag);
            registry.gauge("switchboard_gpu_reserved_bytes", () -> manager.view().gpuMemory().get(index)[1], tag);
        }
        registry.gauge("switchboard_engines_resident", () -> manager.view().engines().stream()
                .filter(e -> e.state() == EngineState.READY).count());
        registry.gauge("switchboard_engines_waiting_requests", () -> manager.view().engines().stream()
                .mapToLong(EngineSnapshot::waiters).sum());
    }

    void loaded(String model, long millis) {
        registry.counter("switchboard_engine_loads", new Tag("model", model)).inc();
        registry.timer("switchboard_engine_load").update(Duration.ofMillis(millis));
    }

    void eviction(String model, String reason) {
        registry.counter("switchboard_engine_evictions", new Tag("model", model), new Tag("reason", reason)).inc();
    }

    void crash(String model) {
        registry.counter("switchboard_engine_crashes", new Tag("model", model)).inc();
    }

    void queueWait(long nanos) {
        registry.timer("switchboard_queue_wait").update(Duration.ofNanos(nanos));
    }
}
