package io.switchboard.simulator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The simulator starts, refuses and shares GPU memory as {@code vllm serve} does. */
class SimulatorStartupIT {

    @TempDir
    Path gpus;

    @Test
    void refusesConnectionsWhileLoadingThenLogsLikeVllm() {
        // a 7B model loads in about 8 s; at time scale 0.15 in about 1.2 s
        try (SimulatorProcess sim = SimulatorProcess.start(gpus, "Qwen/Qwen2.5-7B-Instruct",
                "--gpu-memory-utilization", "0.4", "--max-model-len", "4k", "--sim-time-scale", "0.15")) {
            SimulatorProcess.sleep(300);
            assertTrue(sim.refusesConnections(), "the port must refuse connections until the model is loaded");

            sim.awaitReady(Duration.ofSeconds(20));

            String log = sim.log();
            int version = log.indexOf("vLLM API server version");
            int args = log.indexOf("non-default args: {'model_tag': 'Qwen/Qwen2.5-7B-Instruct'");
            int budget = log.indexOf("gpu_memory_utilization 0.40 -> budget 32.00 GiB");
            int kv = log.indexOf("GPU KV cache size:");
            int complete = log.indexOf("Application startup complete.");
            assertTrue(version >= 0 && version < args && args < budget && budget < kv && kv < complete, log);
            assertTrue(log.contains("'max_model_len': 4000"), "1k means 1000: " + log);
            assertEquals(200, sim.get("/health").statusCode());
            assertEquals(200, sim.get("/ping").statusCode());
        }
    }

    @Test
    void startUpTimeGrowsWithTheWeights() {
        Duration small = timeToReady("facebook/opt-1.3b");
        Duration large = timeToReady("meta-llama/Llama-3.1-70B-Instruct-FP8");
        assertTrue(large.compareTo(small.multipliedBy(3)) > 0, "1.3B: " + small + ", 70B fp8: " + large);
    }

    private Duration timeToReady(String model) {
        Instant start = Instant.now();
        try (SimulatorProcess sim = SimulatorProcess.start(gpus, model, "--gpu-memory-utilization", "0.95",
                "--max-model-len", "2048", "--sim-time-scale", "0.05", "--sim-release-seconds", "0")) {
            sim.awaitReady(Duration.ofSeconds(30));
            return Duration.between(start, Instant.now());
        }
    }

    @Test
    void aSecondEngineThatDoesNotFitIsRefusedWithVllmsMessage() {
        try (SimulatorProcess first = SimulatorProcess.start(gpus, "meta-llama/Llama-3.1-8B-Instruct",
                "--gpu-memory-utilization", "0.6", "--max-model-len", "4096", "--sim-time-scale", "0")) {
            first.awaitReady(Duration.ofSeconds(20));
            try (SimulatorProcess second = SimulatorProcess.start(gpus, "mistralai/Mistral-7B-Instruct-v0.3",
                    "--gpu-memory-utilization", "0.6", "--max-model-len", "4096", "--sim-time-scale", "0")) {
                assertEquals(1, second.awaitExit(Duration.ofSeconds(20)));
                assertTrue(second.log().contains("ValueError: Free memory on device cuda:0 (32.00/80.00 GiB) on startup "
                        + "is less than desired GPU memory utilization (0.60, 48.00 GiB)"), second.log());
            }
        }
    }

    @Test
    void memoryComesBackAfterKillMinus9() {
        SimulatorProcess killed = SimulatorProcess.start(gpus, "meta-llama/Llama-3.1-8B-Instruct",
                "--gpu-memory-utilization", "0.6", "--max-model-len", "4096", "--sim-time-scale", "0",
                "--sim-release-seconds", "1");
        killed.awaitReady(Duration.ofSeconds(20));
        assertEquals(49152L, SimulatorProcess.usedMib(gpus).get(0));

        killed.process.destroyForcibly(); // SIGKILL: no shutdown hook runs
        killed.awaitExit(Duration.ofSeconds(10));

        assertTrue(SimulatorProcess.usedMib(gpus).get(0) > 0, "memory is released a moment after the process died, not at once");
        SimulatorProcess.sleep(1500);
        assertEquals(0L, SimulatorProcess.usedMib(gpus).get(0));
        try (SimulatorProcess next = SimulatorProcess.start(gpus, "mistralai/Mistral-7B-Instruct-v0.3",
                "--gpu-memory-utilization", "0.6", "--max-model-len", "4096", "--sim-time-scale", "0")) {
            next.awaitReady(Duration.ofSeconds(20));
        }
    }

    @Test
    void sigtermStopsItAndReleasesTheMemory() {
        SimulatorProcess sim = SimulatorProcess.start(gpus, "meta-llama/Llama-3.1-8B-Instruct",
                "--gpu-memory-utilization", "0.3", "--max-model-len", "2048", "--sim-time-scale", "0",
                "--sim-release-seconds", "0");
        sim.awaitReady(Duration.ofSeconds(20));

        sim.process.destroy();

        sim.awaitExit(Duration.ofSeconds(10));
        assertTrue(sim.log().contains("Shutting down"), sim.log());
        SimulatorProcess.sleep(50);
        assertEquals(0L, SimulatorProcess.usedMib(gpus).get(0));
    }

    @Test
    void tensorParallelTakesMemoryOnEachGpuItSees() {
        try (SimulatorProcess sim = SimulatorProcess.start(gpus, java.util.Map.of("CUDA_VISIBLE_DEVICES", "2,3"),
                "meta-llama/Llama-3.3-70B-Instruct", "--tensor-parallel-size", "2", "--gpu-memory-utilization", "0.9",
                "--max-model-len", "8192", "--sim-time-scale", "0")) {
            sim.awaitReady(Duration.ofSeconds(20));
            List<Long> used = SimulatorProcess.usedMib(gpus);
            assertEquals(List.of(0L, 0L, 73728L, 73728L, 0L), used.subList(0, 5));
        }
    }

    @Test
    void aContextThatDoesNotFitNamesTheLargestThatWould() {
        try (SimulatorProcess sim = SimulatorProcess.start(gpus, "meta-llama/Llama-3.1-8B-Instruct",
                "--gpu-memory-utilization", "0.21", "--max-model-len", "128k", "--sim-time-scale", "0")) {
            assertEquals(1, sim.awaitExit(Duration.ofSeconds(20)));
            String log = sim.log();
            assertTrue(log.contains("To serve at least one request with the models's max seq len (128000)"), log);
            assertTrue(log.matches("(?s).*the estimated maximum model length is \\d+\\..*"), log);
            SimulatorProcess.sleep(2500);
            assertEquals(0L, SimulatorProcess.usedMib(gpus).get(0), "a failed start gives its memory back");
        }
    }

    @Test
    void badCommandLinesExitWithStatus2LikeArgparse() {
        SimulatorProcess.Result unknown = SimulatorProcess.run(gpus, List.of("serve", "m-7b", "--no-such-flag", "1"));
        assertEquals(2, unknown.status());
        assertTrue(unknown.output().contains("vllm serve: error: unrecognized arguments: --no-such-flag"), unknown.output());

        SimulatorProcess.Result badInt = SimulatorProcess.run(gpus, List.of("serve", "m-7b", "--port", "eighty"));
        assertEquals(2, badInt.status());
        assertTrue(badInt.output().contains("argument --port: invalid int value: 'eighty'"), badInt.output());

        SimulatorProcess.Result badFraction = SimulatorProcess.run(gpus, List.of("serve", "m-7b", "--gpu-memory-utilization", "1.5"));
        assertEquals(2, badFraction.status());

        SimulatorProcess.Result noModel = SimulatorProcess.run(gpus, List.of("serve", "--port", "1"));
        assertEquals(2, noModel.status());
        assertTrue(noModel.output().contains("required: model_tag"), noModel.output());
    }

    @Test
    void helpDocumentsTheSimulatorFlags() {
        SimulatorProcess.Result help = SimulatorProcess.run(gpus, List.of("serve", "--help"));
        assertEquals(0, help.status());
        for (String flag : List.of("--sim-time-scale", "--sim-gpu-dir", "--sim-gpu-memory-gib", "--sim-weights-gib",
                "--sim-load-seconds", "--sim-ttft-ms", "--sim-tpot-ms", "--sim-batch-slowdown", "--max-num-seqs",
                "--enable-sleep-mode", "--lora-modules")) {
            assertTrue(help.output().contains(flag), flag);
        }
    }

    @Test
    void aFailedStartExitsWithTheEnginesMessage() {
        try (SimulatorProcess sim = SimulatorProcess.start(gpus, "meta-llama/Llama-3.1-8B-Instruct",
                "--gpu-memory-utilization", "0.3", "--max-model-len", "2048", "--sim-time-scale", "0",
                "--sim-fail-start", "oom")) {
            assertEquals(1, sim.awaitExit(Duration.ofSeconds(20)));
            assertTrue(sim.log().contains("CUDA out of memory"), sim.log());
            assertTrue(sim.log().contains("Engine core initialization failed"), sim.log());
        }
    }
}
