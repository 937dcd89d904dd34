package io.switchboard.simulator;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.StringReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Sleep mode, dynamic LoRA and the faults a gateway must survive. */
class SimulatorSleepLoraFaultsIT {

    private static final Map<String, String> DEV_MODE = Map.of("VLLM_SERVER_DEV_MODE", "1");
    private static final String HELLO = "{\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}],\"max_tokens\":3}";

    @TempDir
    Path gpus;

    private SimulatorProcess sleepy(Map<String, String> env) {
        return SimulatorProcess.start(gpus, env, "meta-llama/Llama-3.1-8B-Instruct", "--enable-sleep-mode",
                "--gpu-memory-utilization", "0.5", "--max-model-len", "4096", "--sim-time-scale", "0.1",
                "--sim-load-seconds", "0").awaitReady(Duration.ofSeconds(20));
    }

    @Test
    void sleepLevel1GivesTheGpuBackButAResidueAndWakeTakesItAgain() {
        try (SimulatorProcess sim = sleepy(DEV_MODE)) {
            assertEquals(40960L, SimulatorProcess.usedMib(gpus).get(0));

            assertEquals(200, sim.post("/sleep?level=1", "").statusCode());

            assertEquals("{\"is_sleeping\":true}", sim.get("/is_sleeping").body());
            assertEquals(512L, SimulatorProcess.usedMib(gpus).get(0), "about 0.5 GiB stays on the GPU");
            assertEquals(200, sim.get("/health").statusCode(), "health stays 200 while asleep");
            assertEquals(1.0, sim.metric("vllm:engine_sleep_state{engine=\"0\",model_name=\"meta-llama/Llama-3.1-8B-Instruct\",sleep_state=\"weights_offloaded\"}"));

            assertEquals(200, sim.post("/wake_up", "").statusCode());

            assertEquals("{\"is_sleeping\":false}", sim.get("/is_sleeping").body());
            assertEquals(40960L, SimulatorProcess.usedMib(gpus).get(0));
            assertEquals(200, sim.post("/v1/chat/completions", HELLO).statusCode());
        }
    }

    @Test
    void sleepLevel2DropsTheWeightsSoAnswersAfterWakingAreGarbage() {
        try (SimulatorProcess sim = sleepy(DEV_MODE)) {
            assertEquals(200, sim.post("/sleep?level=2", "").statusCode());
            assertEquals(512L, SimulatorProcess.usedMib(gpus).get(0));
            assertEquals(1.0, sim.metric("vllm:engine_sleep_state{engine=\"0\",model_name=\"meta-llama/Llama-3.1-8B-Instruct\",sleep_state=\"discard_all\"}"));

            assertEquals(200, sim.post("/wake_up", "").statusCode());

            HttpResponse<String> answer = sim.post("/v1/completions", "{\"prompt\":\"x\",\"max_tokens\":4,\"ignore_eos\":true}");
            assertTrue(answer.body().contains("\"text\":\"!!!!\""), answer.body());
        }
    }

    @Test
    void aRequestToASleepingEngineCrashesItAsVllmDoes() {
        try (SimulatorProcess sim = sleepy(DEV_MODE)) {
            assertEquals(200, sim.post("/sleep?level=1", "").statusCode());

            assertThrows(RuntimeException.class, () -> sim.post("/v1/chat/completions", HELLO));

            assertEquals(1, sim.awaitExit(Duration.ofSeconds(10)));
            assertTrue(sim.log().contains("illegal memory access"), sim.log());
        }
    }

    @Test
    void sleepWhileRequestsRunAnswers200AndThenCrashes() throws Exception {
        try (SimulatorProcess sim = sleepy(DEV_MODE)) {
            CompletableFuture<Void> running = CompletableFuture.runAsync(() -> {
                try {
                    sim.post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
                            + "\"max_tokens\":500,\"ignore_eos\":true}");
                } catch (RuntimeException expected) {
                    // the engine dies under it
                }
            });
            SimulatorLoadIT.eventually(() -> sim.metric("vllm:num_requests_running{") == 1);

            assertEquals(200, sim.post("/sleep?level=1", "").statusCode());

            assertEquals(1, sim.awaitExit(Duration.ofSeconds(10)));
            running.get();
        }
    }

    @Test
    void sleepEndpointsNeedDevMode() {
        try (SimulatorProcess sim = sleepy(Map.of())) {
            assertEquals(404, sim.post("/sleep?level=1", "").statusCode());
            assertEquals(404, sim.get("/is_sleeping").statusCode());
        }
    }

    @Test
    void loraAdaptersLoadServeAndUnloadWithVllmsAnswers() throws IOException {
        Path adapter = Files.createDirectories(gpus.resolve("sql-lora"));
        Files.writeString(adapter.resolve("adapter_config.json"), "{\"r\": 8, \"lora_alpha\": 16}");
        Path tooBig = Files.createDirectories(gpus.resolve("big-lora"));
        Files.writeString(tooBig.resolve("adapter_config.json"), "{\"r\": 64}");
        try (SimulatorProcess sim = SimulatorProcess.start(gpus, Map.of("VLLM_ALLOW_RUNTIME_LORA_UPDATING", "True"),
                "meta-llama/Llama-3.1-8B-Instruct", "--enable-lora", "--max-loras", "2", "--max-lora-rank", "16",
                "--gpu-memory-utilization", "0.5", "--max-model-len", "4096", "--sim-time-scale", "0")
                .awaitReady(Duration.ofSeconds(20))) {
            HttpResponse<String> loaded = sim.post("/v1/load_lora_adapter",
                    "{\"lora_name\":\"sql\",\"lora_path\":\"" + adapter + "\"}");
            assertEquals(200, loaded.statusCode(), loaded.body());
            assertEquals("Success: LoRA adapter 'sql' added successfully.", loaded.body());

            JsonObject models = Json.createReader(new StringReader(sim.get("/v1/models").body())).readObject();
            JsonObject card = models.getJsonArray("data").getJsonObject(1);
            assertEquals("sql", card.getString("id"));
            assertEquals("meta-llama/Llama-3.1-8B-Instruct", card.getString("parent"));
            assertEquals(adapter.toString(), card.getString("root"));

            HttpResponse<String> served = sim.post("/v1/chat/completions",
                    "{\"model\":\"sql\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":2}");
            assertEquals(200, served.statusCode());
            assertTrue(served.body().contains("\"model\":\"sql\""));

            assertEquals(400, sim.post("/v1/load_lora_adapter", "{\"lora_name\":\"sql\",\"lora_path\":\"" + adapter + "\"}").statusCode());
            assertEquals(400, sim.post("/v1/load_lora_adapter", "{\"lora_name\":\"big\",\"lora_path\":\"" + tooBig + "\"}").statusCode());
            assertEquals(404, sim.post("/v1/load_lora_adapter", "{\"lora_name\":\"gone\",\"lora_path\":\"/no/such/dir\"}").statusCode());
            assertEquals(400, sim.post("/v1/load_lora_adapter", "{\"lora_name\":\"\"}").statusCode());

            HttpResponse<String> unloaded = sim.post("/v1/unload_lora_adapter", "{\"lora_name\":\"sql\"}");
            assertEquals("Success: LoRA adapter 'sql' removed successfully.", unloaded.body());
            assertEquals(404, sim.post("/v1/unload_lora_adapter", "{\"lora_name\":\"sql\"}").statusCode());
            assertEquals(404, sim.post("/v1/chat/completions",
                    "{\"model\":\"sql\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}").statusCode());
        }
    }

    @Test
    void maxLorasLimitsTheAdaptersInOneBatchAndStartupAdaptersAreServed() throws Exception {
        Path first = Files.createDirectories(gpus.resolve("first"));
        Path second = Files.createDirectories(gpus.resolve("second"));
        try (SimulatorProcess sim = SimulatorProcess.start(gpus, Map.of(), "meta-llama/Llama-3.1-8B-Instruct",
                "--enable-lora", "--max-loras", "1", "--lora-modules", "first=" + first,
                "{\"name\":\"second\",\"path\":\"" + second + "\",\"base_model_name\":\"meta-llama/Llama-3.1-8B-Instruct\"}",
                "--gpu-memory-utilization", "0.5", "--max-model-len", "4096", "--sim-time-scale", "1", "--sim-load-seconds", "0")
                .awaitReady(Duration.ofSeconds(20))) {
            String body = "{\"model\":\"%s\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":60,\"ignore_eos\":true}";
            CompletableFuture<HttpResponse<String>> a = CompletableFuture.supplyAsync(() -> sim.post("/v1/chat/completions", body.formatted("first")));
            SimulatorLoadIT.eventually(() -> sim.metric("vllm:num_requests_running{") == 1);
            CompletableFuture<HttpResponse<String>> b = CompletableFuture.supplyAsync(() -> sim.post("/v1/chat/completions", body.formatted("second")));

            // one LoRA slot: the second adapter's request waits although sequence slots are free
            SimulatorLoadIT.eventually(() -> sim.metric("vllm:num_requests_waiting{") == 1);
            assertTrue(sim.get("/metrics").body().contains("waiting_lora_adapters=\"second\""));
            assertEquals(200, a.get().statusCode());
            assertEquals(200, b.get().statusCode());
            assertTrue(b.get().body().contains("\"model\":\"second\""));
        }
    }

    @Test
    void aSlowStartTakesLongerButStillRefusesConnectionsUntilReady() {
        try (SimulatorProcess sim = SimulatorProcess.start(gpus, "meta-llama/Llama-3.1-8B-Instruct",
                "--gpu-memory-utilization", "0.5", "--max-model-len", "4096", "--sim-time-scale", "1",
                "--sim-load-seconds", "0", "--sim-start-delay-seconds", "2")) {
            SimulatorProcess.sleep(1200);
            assertTrue(sim.refusesConnections(), "still starting after 1.2 s of a 2 s slow start");
            sim.awaitReady(Duration.ofSeconds(20));
        }
    }

    @Test
    void loraEndpointsNeedTheEnvironmentVariable() {
        try (SimulatorProcess sim = SimulatorProcess.start(gpus, "meta-llama/Llama-3.1-8B-Instruct", "--enable-lora",
                "--gpu-memory-utilization", "0.5", "--max-model-len", "4096", "--sim-time-scale", "0")
                .awaitReady(Duration.ofSeconds(20))) {
            assertEquals(404, sim.post("/v1/load_lora_adapter", "{\"lora_name\":\"a\",\"lora_path\":\"/tmp\"}").statusCode());
        }
    }

    @Test
    void apiKeyProtectsV1WithVllmsBody() {
        try (SimulatorProcess sim = SimulatorProcess.start(gpus, "meta-llama/Llama-3.1-8B-Instruct", "--api-key", "secret",
                "--gpu-memory-utilization", "0.5", "--max-model-len", "4096", "--sim-time-scale", "0")
                .awaitReady(Duration.ofSeconds(20))) {
            HttpResponse<String> denied = sim.get("/v1/models");
            assertEquals(401, denied.statusCode());
            assertEquals("{\"error\":\"Unauthorized\"}", denied.body());
            HttpResponse<String> allowed = SimulatorProcess.send(HttpRequest.newBuilder(sim.uri("/v1/models"))
                    .header("Authorization", "bearer secret").build());
            assertEquals(200, allowed.statusCode());
            assertEquals(200, sim.get("/health").statusCode(), "/health is never protected");
            assertFalse(sim.log().contains("secret"), "keys are redacted in the log");
        }
    }

    @Test
    void faultsOnDemand() {
        try (SimulatorProcess sim = SimulatorProcess.start(gpus, "meta-llama/Llama-3.1-8B-Instruct",
                "--gpu-memory-utilization", "0.5", "--max-model-len", "4096", "--sim-time-scale", "0")
                .awaitReady(Duration.ofSeconds(20))) {
            assertEquals(200, sim.post("/sim/fault", "{\"action\":\"error_rate\",\"value\":1}").statusCode());
            HttpResponse<String> failed = sim.post("/v1/chat/completions", HELLO);
            assertEquals(500, failed.statusCode());
            assertTrue(failed.body().contains("\"code\":500"));

            sim.post("/sim/fault", "{\"action\":\"clear\"}");
            sim.post("/sim/fault", "{\"action\":\"cut_streams_after\",\"value\":2}");
            HttpResponse<String> cut;
            try {
                cut = sim.post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
                        + "\"max_tokens\":50,\"ignore_eos\":true,\"stream\":true}");
                assertFalse(cut.body().contains("[DONE]"), "a cut stream never ends properly");
            } catch (RuntimeException expected) {
                // the client may also see the broken chunked body as an error
            }

            sim.post("/sim/fault", "{\"action\":\"clear\"}");
            sim.post("/sim/fault", "{\"action\":\"stream_errors_after\",\"value\":2}");
            HttpResponse<String> broken = sim.post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":"
                    + "\"x\"}],\"max_tokens\":50,\"ignore_eos\":true,\"stream\":true}");
            assertEquals(200, broken.statusCode(), "the stream had begun: the error comes as an event");
            assertTrue(broken.body().contains("data: {\"error\":{\"message\":"), broken.body());
            assertTrue(broken.body().contains("\"code\":500"), broken.body());
            assertTrue(broken.body().endsWith("data: [DONE]\n\n"), broken.body());

            sim.post("/sim/fault", "{\"action\":\"clear\"}");
            assertEquals(200, sim.post("/v1/chat/completions", HELLO).statusCode());

            sim.post("/sim/fault", "{\"action\":\"hang\"}");
            HttpRequest health = HttpRequest.newBuilder(sim.uri("/health")).timeout(Duration.ofMillis(500)).build();
            assertThrows(RuntimeException.class, () -> SimulatorProcess.send(health), "a hung engine answers nothing");
            assertTrue(sim.process.isAlive());

            sim.close();
        }
        try (SimulatorProcess crashing = SimulatorProcess.start(gpus, "meta-llama/Llama-3.1-8B-Instruct",
                "--gpu-memory-utilization", "0.3", "--max-model-len", "2048", "--sim-time-scale", "0")
                .awaitReady(Duration.ofSeconds(20))) {
            assertEquals(200, crashing.post("/sim/fault", "{\"action\":\"crash\"}").statusCode());
            assertEquals(1, crashing.awaitExit(Duration.ofSeconds(10)));
            assertTrue(crashing.log().contains("EngineCore encountered"), crashing.log());
        }
    }
}
