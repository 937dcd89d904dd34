package io.switchboard.engines.control;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Engine settings for a model manager on fakes (unit scenarios, the swap replay): no GPU probe, configured
 * GPU sizes, no waiting for memory or for a grace period; what a scenario changes is a field.
 */
abstract class FakeEngineSettings extends EngineSettings {

    List<Long> capacities = List.of(80L << 30);
    long hostMemoryBytes = 64L << 30;
    int maxWaiters = 512;
    Duration maxWait = Duration.ofSeconds(300);
    long healthIntervalMillis = 1000;

    @Override public Optional<GpuProbe> probe() { return Optional.empty(); }
    @Override public Optional<List<Long>> configuredCapacities() { return Optional.of(capacities); }
    @Override public String engineHost() { return "127.0.0.1"; }
    @Override public Path logDir() { return Path.of("target"); }
    @Override public int maxWaiters() { return maxWaiters; }
    @Override public Duration maxWait() { return maxWait; }
    @Override public Duration loadTimeout() { return Duration.ofSeconds(900); }
    @Override public Duration stopGrace() { return Duration.ZERO; }
    @Override public Duration drainTimeout() { return Duration.ofSeconds(60); }
    @Override public Duration memoryWait() { return Duration.ZERO; }
    @Override public long hostMemoryBytes() { return hostMemoryBytes; }
    @Override public int gpuCount() { return capacities.size(); }
    @Override public int breakerFailures() { return 5; }
    @Override public long healthIntervalMillis() { return healthIntervalMillis; }
    @Override public Duration maxBackoff() { return Duration.ofSeconds(60); }
}
