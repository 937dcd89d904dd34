package io.switchboard.engines.control;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * The {@code vllm} launcher with the bundled simulator as its command, plus the simulator's own
 * settings: its time scale, the shared GPU ledger folder and the simulated GPU's size.
 */
public class SimEngineLauncher extends ProcessEngineLauncher {

    private final double timeScale;
    private final Path gpuDir;
    private final double gpuMemoryGib;

    public SimEngineLauncher(Path simJar, double timeScale, Path gpuDir, double gpuMemoryGib) {
        super(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-jar", simJar.toString()));
        this.timeScale = timeScale;
        this.gpuDir = gpuDir;
        this.gpuMemoryGib = gpuMemoryGib;
    }

    @Override
    protected List<String> extraArguments(LaunchRequest request) {
        return List.of("--sim-time-scale", String.format(Locale.ROOT, "%s", timeScale),
                "--sim-gpu-dir", gpuDir.toString(),
                "--sim-gpu-memory-gib", String.format(Locale.ROOT, "%s", gpuMemoryGib));
    }
}
