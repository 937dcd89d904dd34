package io.switchboard.engines.control;

import io.switchboard.catalog.entity.EngineType;
import io.switchboard.catalog.entity.ModelSpec;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * How engines are run here, from MicroProfile Config: which launcher, the vLLM command, the
 * simulator's jar and settings, where the GPU sizes come from, and the lifecycle limits.
 */
@ApplicationScoped
public class EngineSettings {

    private static final Logger LOG = Logger.getLogger(EngineSettings.class.getName());

    @Inject @ConfigProperty(name = "switchboard.launcher") Optional<String> launcherName;
    @Inject @ConfigProperty(name = "switchboard.vllm.command") Optional<String> vllmCommand;
    @Inject @ConfigProperty(name = "switchboard.sim.jar") Optional<String> simJar;
    @Inject @ConfigProperty(name = "switchboard.sim.time-scale", defaultValue = "1") double simTimeScale;
    @Inject @ConfigProperty(name = "switchboard.sim.gpu-dir") Optional<String> simGpuDir;
    @Inject @ConfigProperty(name = "switchboard.gpu.memory-gib") Optional<String> gpuMemoryGib;
    @Inject @ConfigProperty(name = "switchboard.gpu.count", defaultValue = "1") int gpuCount;
    @Inject @ConfigProperty(name = "switchboard.engines.host", defaultValue = "127.0.0.1") String engineHost;
    @Inject @ConfigProperty(name = "switchboard.engines.log-dir", defaultValue = "logs/engines") String logDir;
    @Inject @ConfigProperty(name = "switchboard.engines.max-waiters", defaultValue = "512") int maxWaiters;
    /** One tenant's share of a model's queue: a flood fills its own part, never the whole queue. */
    @Inject @ConfigProperty(name = "switchboard.engines.max-waiters-per-tenant", defaultValue = "128") int maxWaitersPerTenant;
    @Inject @ConfigProperty(name = "switchboard.engines.max-wait-seconds", defaultValue = "300") int maxWaitSeconds;
    @Inject @ConfigProperty(name = "switchboard.engines.load-timeout-seconds", defaultValue = "900") int loadTimeoutSeconds;
    @Inject @ConfigProperty(name = "switchboard.engines.min-residency-seconds", defaultValue = "60") int minResidencySeconds;
    @Inject @ConfigProperty(name = "switchboard.engines.stop-grace-seconds", defaultValue = "15") int stopGraceSeconds;
    @Inject @ConfigProperty(name = "switchboard.engines.drain-seconds", defaultValue = "60") int drainSeconds;
    @Inject @ConfigProperty(name = "switchboard.engines.memory-wait-seconds", defaultValue = "10") int memoryWaitSeconds;
    @Inject @ConfigProperty(name = "switchboard.engines.host-memory-gib", defaultValue = "64") double hostMemoryGib;
    @Inject @ConfigProperty(name = "switchboard.engines.max-num-seqs", defaultValue = "256") int maxNumSeqs;
    @Inject @ConfigProperty(name = "switchboard.engines.health-interval-ms", defaultValue = "1000") long healthIntervalMillis;
    @Inject @ConfigProperty(name = "switchboard.engines.max-backoff-seconds", defaultValue = "60") int maxBackoffSeconds;
    @Inject @ConfigProperty(name = "switchboard.engines.breaker-failures", defaultValue = "5") int breakerFailures;
    /** Which engines make room (see {@link EvictionPolicy#named}); delayed-hits won the swap replay on both traces (docs/swap-scheduling.md). */
    @Inject @ConfigProperty(name = "switchboard.engines.eviction-policy", defaultValue = "delayed-hits") String evictionPolicy;
    /** When a swap is made (see {@link SwapScheduler}), and how long at most it may be deferred for a waiting request. */
    @Inject @ConfigProperty(name = "switchboard.engines.swap-scheduler", defaultValue = "on-idle") String swapScheduler;
    @Inject @ConfigProperty(name = "switchboard.engines.max-swap-deferral-seconds", defaultValue = "240") int maxSwapDeferralSeconds;

    private EngineLauncher vllm;
    private EngineLauncher sim;
    private final EngineLauncher remote = new RemoteEngineLauncher();

    @PostConstruct
    void createLaunchers() {
        vllm = new ProcessEngineLauncher(Arrays.asList(vllmCommand.map(String::trim).filter(c -> !c.isEmpty())
                .orElse("vllm").split("\\s+")));
        sim = simJarPath().map(jar -> (EngineLauncher) new SimEngineLauncher(jar, simTimeScale, simGpuDir(),
                simulatedGpuGib())).orElse(null);
    }

    /**
     * The launcher for a model: remote engines always attach; others follow SWITCHBOARD_LAUNCHER
     * when set, else the catalog's engine, except that a {@code vllm} model on a machine with no GPU
     * and no SWITCHBOARD_VLLM_COMMAND runs in the simulator.
     */
    public EngineLauncher launcherFor(ModelSpec model) {
        if (model.engine() == EngineType.REMOTE) return remote;
        boolean vllmRunnable = nvidiaSmiPresent() || vllmCommand.filter(c -> !c.isBlank()).isPresent();
        String chosen = launcherName.map(String::trim).filter(s -> !s.isEmpty())
                .orElse(model.engine() == EngineType.VLLM && !vllmRunnable && sim != null ? "sim" : model.engine().wireName());
        return switch (chosen) {
            case "vllm" -> vllm;
            case "remote" -> remote;
            default -> {
                if (sim == null) throw new IllegalStateException("the sim launcher needs SWITCHBOARD_SIM_JAR");
                yield sim;
            }
        };
    }

    /** Where GPU sizes and use are read: nvidia-smi, else the simulator's smi, else none (configured sizes only). */
    public Optional<GpuProbe> probe() {
        if (nvidiaSmiPresent() && !"sim".equals(launcherName.orElse(""))) return Optional.of(new GpuProbe(List.of("nvidia-smi")));
        return simJarPath().map(jar -> new GpuProbe(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx32m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", jar.toString(), "smi",
                "--sim-gpu-dir=" + simGpuDir(), "--sim-gpu-memory-gib=" + simulatedGpuGib(), "--sim-gpu-count=" + gpuCount)));
    }

    /** Configured GPU sizes in bytes (SWITCHBOARD_GPU_MEMORY_GIB: one value, or one per GPU), if any. */
    public Optional<List<Long>> configuredCapacities() {
        return gpuMemoryGib.map(String::trim).filter(s -> !s.isEmpty()).map(text -> {
            List<Long> sizes = new ArrayList<>();
            String[] parts = text.split(",");
            for (int gpu = 0; gpu < Math.max(gpuCount, parts.length); gpu++) {
                double gib = Double.parseDouble(parts[Math.min(gpu, parts.length - 1)].trim());
                sizes.add((long) (gib * (1L << 30)));
            }
            return sizes;
        });
    }

    private double simulatedGpuGib() {
        return configuredCapacities().map(sizes -> sizes.get(0) / (double) (1L << 30)).orElse(80.0);
    }

    private Optional<Path> simJarPath() {
        Optional<Path> configured = simJar.map(String::trim).filter(s -> !s.isEmpty()).map(Path::of);
        if (configured.isPresent() && !Files.isRegularFile(configured.get())) {
            LOG.warning("SWITCHBOARD_SIM_JAR " + configured.get() + " does not exist");
        }
        return configured;
    }

    Path simGpuDir() {
        return simGpuDir.map(String::trim).filter(s -> !s.isEmpty()).map(Path::of)
                .orElse(Path.of(System.getProperty("java.io.tmpdir"), "switchboard-sim-gpus"));
    }

    private static boolean nvidiaSmiPresent() {
        String path = System.getenv("PATH");
        if (path == null) return false;
        for (String dir : path.split(File.pathSeparator)) {
            if (Files.isExecutable(Path.of(dir, "nvidia-smi"))) return true;
        }
        return false;
    }

    public String engineHost() { return engineHost; }
    public Path logDir() { return Path.of(logDir).toAbsolutePath(); }
    public int maxWaiters() { return maxWaiters; }
    public int maxWaitersPerTenant() { return maxWaitersPerTenant <= 0 ? maxWaiters : maxWaitersPerTenant; }
    public Duration maxWait() { return Duration.ofSeconds(maxWaitSeconds); }
    public Duration loadTimeout() { return Duration.ofSeconds(loadTimeoutSeconds); }
    public Duration minResidency() { return Duration.ofSeconds(minResidencySeconds); }
    public Duration stopGrace() { return Duration.ofSeconds(stopGraceSeconds); }
    public Duration drainTimeout() { return Duration.ofSeconds(drainSeconds); }
    public Duration memoryWait() { return Duration.ofSeconds(memoryWaitSeconds); }
    public long hostMemoryBytes() { return (long) (hostMemoryGib * (1L << 30)); }
    public int defaultMaxNumSeqs() { return maxNumSeqs; }
    public int gpuCount() { return gpuCount; }
    public int breakerFailures() { return breakerFailures; }
    public long healthIntervalMillis() { return healthIntervalMillis; }
    public Duration maxBackoff() { return Duration.ofSeconds(maxBackoffSeconds); }
    public String evictionPolicy() { return evictionPolicy == null ? "delayed-hits" : evictionPolicy; }
    public String swapScheduler() { return swapScheduler == null ? "on-idle" : swapScheduler; }
    public Duration maxSwapDeferral() { return Duration.ofSeconds(maxSwapDeferralSeconds); }
}
