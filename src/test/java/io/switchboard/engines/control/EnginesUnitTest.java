package io.switchboard.engines.control;

import io.switchboard.catalog.entity.EngineType;
import io.switchboard.catalog.entity.ModelSpec;
import io.switchboard.engines.entity.EngineSnapshot;
import io.switchboard.engines.entity.EngineState;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The model manager's pure decisions and the launcher's command line. */
class EnginesUnitTest {

    private static final long GIB = 1L << 30;
    private static final Instant NOW = Instant.parse("2026-11-29T12:00:00Z");

    static EngineSnapshot engine(String model, long gib, Instant lastUsed, Instant readySince) {
        return new EngineSnapshot(model, EngineState.READY, 0, gib * GIB, 0, 0, lastUsed, readySince, 1, 0, 0, 1, 2L,
                false, null, 0, 10_000, 0);
    }

    static LeastRecentlyUsedPolicy lru(Duration minResidency) {
        EngineSettings settings = new EngineSettings() {
            @Override
            public Duration minResidency() {
                return minResidency;
            }
        };
        return new LeastRecentlyUsedPolicy(settings);
    }

    @Test
    void lruEvictsTheLeastRecentlyUsedFirstAndOnlyAsManyAsNeeded() {
        EngineSnapshot old = engine("old", 16, NOW.minusSeconds(600), NOW.minusSeconds(3600));
        EngineSnapshot recent = engine("recent", 40, NOW.minusSeconds(5), NOW.minusSeconds(3600));
        EngineSnapshot middle = engine("middle", 20, NOW.minusSeconds(60), NOW.minusSeconds(3600));

        assertEquals(List.of(old), lru(Duration.ZERO).chooseVictims(List.of(recent, old, middle), 10 * GIB, NOW));
        assertEquals(List.of(old, middle), lru(Duration.ZERO).chooseVictims(List.of(recent, old, middle), 30 * GIB, NOW));
    }

    @Test
    void lruAnswersNoVictimsWhenTheCandidatesCannotFreeEnough() {
        EngineSnapshot a = engine("a", 16, NOW.minusSeconds(60), NOW.minusSeconds(600));
        assertEquals(List.of(), lru(Duration.ZERO).chooseVictims(List.of(a), 20 * GIB, NOW));
    }

    @Test
    void aJustLoadedModelGoesLastEvenIfItWasUsedLongestAgo() {
        EngineSnapshot justLoaded = engine("just-loaded", 16, NOW.minusSeconds(20), NOW.minusSeconds(20));
        EngineSnapshot settled = engine("settled", 16, NOW.minusSeconds(5), NOW.minusSeconds(3600));
        assertEquals(List.of(settled), lru(Duration.ofSeconds(60)).chooseVictims(List.of(justLoaded, settled), 10 * GIB, NOW));
        assertEquals(List.of(justLoaded), lru(Duration.ofSeconds(60)).chooseVictims(List.of(justLoaded), 10 * GIB, NOW),
                "inside its residency it still goes when nothing else would do");
    }

    @Test
    void theVllmCommandLineCarriesTheReservationAndTheCatalogsArguments() {
        ModelSpec model = new ModelSpec("code-32b", EngineType.VLLM, "Qwen/Qwen2.5-Coder-32B-Instruct", new BigDecimal("40"),
                16384, "fp8", List.of("--enforce-eager", "--max-num-batched-tokens", "4096"), false, true, true, null,
                NOW);
        ProcessEngineLauncher launcher = new ProcessEngineLauncher(List.of("vllm"));
        EngineLauncher.LaunchRequest request = new EngineLauncher.LaunchRequest(model, "127.0.0.1", 41000, 1,
                GpuReservations.utilization(40 * GIB, 80 * GIB), 128, true, Path.of("/tmp/code-32b.log"));

        assertEquals(List.of("vllm", "serve", "Qwen/Qwen2.5-Coder-32B-Instruct", "--host", "127.0.0.1", "--port", "41000",
                "--served-model-name", "code-32b", "--gpu-memory-utilization", "0.5000", "--max-model-len", "16384",
                "--max-num-seqs", "128", "--quantization", "fp8", "--enable-sleep-mode", "--enforce-eager",
                "--max-num-batched-tokens", "4096",
                // a generative model reports cached prompt tokens and may call tools with its family's parser
                "--enable-prompt-tokens-details", "--enable-auto-tool-choice", "--tool-call-parser", "hermes"),
                launcher.commandLine(request));
    }

    @Test
    void anEmbeddingModelStartsAsAPoolingModelAndTheCatalogsOwnFlagsWin() {
        ModelSpec embedder = new ModelSpec("embed", EngineType.VLLM, "BAAI/bge-m3", new BigDecimal("4"), 8192, null,
                List.of(), false, true, false, null, NOW, ModelSpec.EMBED);
        assertEquals(List.of("--runner", "pooling"), ProcessEngineLauncher.taskArguments(embedder));
        ModelSpec ownParser = new ModelSpec("llama", EngineType.VLLM, "meta-llama/Llama-3.1-8B-Instruct", new BigDecimal("16"),
                8192, null, List.of("--tool-call-parser", "pythonic", "--enable-auto-tool-choice"), false, true, false, null, NOW);
        assertEquals(List.of("--enable-prompt-tokens-details"), ProcessEngineLauncher.taskArguments(ownParser));
        ModelSpec unknownFamily = new ModelSpec("phi", EngineType.VLLM, "microsoft/phi-4", new BigDecimal("16"),
                8192, null, List.of(), false, true, false, null, NOW);
        assertEquals(List.of("--enable-prompt-tokens-details"), ProcessEngineLauncher.taskArguments(unknownFamily));
    }

    @Test
    void utilizationNeverAsksForMoreThanTheReservation() {
        assertEquals(0.2, GpuReservations.utilization(16 * GIB, 80 * GIB));
        double fraction = GpuReservations.utilization(10 * GIB, 3 * 80 * GIB / 3 + 7);
        assertTrue(fraction * (80 * GIB + 7) <= 10 * GIB, "rounded down: " + fraction);
    }

    @Test
    void nvidiaSmiOutputIsReadInMib() throws IOException {
        List<GpuProbe.Reading> readings = GpuProbe.parse("0, 81920, 1024\n1, 81559, 0\n");
        assertEquals(2, readings.size());
        assertEquals(80 * GIB, readings.get(0).totalBytes());
        assertEquals(79 * GIB, readings.get(0).freeBytes());
        assertThrows(IOException.class, () -> GpuProbe.parse("garbage"));
    }

    @Test
    void failuresWithoutAMessageAreDescribedByTheirTypeAndCause() {
        java.net.ConnectException refused = new java.net.ConnectException();
        refused.initCause(new java.net.ConnectException("Connection refused"));
        assertEquals("ConnectException: Connection refused",
                Failures.describe(new java.util.concurrent.CompletionException(refused)));
        assertEquals("could not connect to the engine", Failures.describe(new java.net.ConnectException()));
        assertEquals("IllegalStateException", Failures.describe(new IllegalStateException()));
        assertEquals("the engine was not healthy within 15 s",
                Failures.describe(new IOException("the engine was not healthy within 15 s")));
    }
}
