package io.switchboard.simulator;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The simulator's HTTP API field by field against vLLM's OpenAI-compatible shapes. */
class SimulatorApiIT {

    static Path gpus;
    static SimulatorProcess sim;

    @BeforeAll
    static void start() throws Exception {
        gpus = Files.createTempDirectory("sim-api-gpus");
        sim = SimulatorProcess.start(gpus, "meta-llama/Llama-3.1-8B-Instruct", "--served-model-name", "llama-8b", "chat",
                "--gpu-memory-utilization", "0.3", "--max-model-len", "2048", "--sim-time-scale", "0")
                .awaitReady(Duration.ofSeconds(20));
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    static JsonObject json(HttpResponse<String> response) {
        return Json.createReader(new StringReader(response.body())).readObject();
    }

    static JsonObject chat(String body) {
        HttpResponse<String> response = sim.post("/v1/chat/completions", body);
        assertEquals(200, response.statusCode(), response.body());
        return json(response);
    }

    /** The data lines of an SSE stream, in order. */
    static List<String> events(HttpResponse<String> response) {
        List<String> events = new ArrayList<>();
        for (String block : response.body().split("\n\n")) {
            if (block.isBlank()) continue;
            assertTrue(block.startsWith("data: "), "every event is one data line: " + block);
            assertFalse(block.contains("\n"), "one line per event: " + block);
            events.add(block.substring(6));
        }
        return events;
    }

    @Test
    void modelsListsEveryServedNameWithItsRoot() {
        JsonObject list = json(sim.get("/v1/models"));
        assertEquals("list", list.getString("object"));
        JsonArray data = list.getJsonArray("data");
        assertEquals("llama-8b", data.getJsonObject(0).getString("id"));
        assertEquals("chat", data.getJsonObject(1).getString("id"));
        JsonObject card = data.getJsonObject(0);
        assertEquals("model", card.getString("object"));
        assertEquals("vllm", card.getString("owned_by"));
        assertEquals("meta-llama/Llama-3.1-8B-Instruct", card.getString("root"));
        assertEquals(JsonValue.NULL, card.get("parent"));
        assertEquals(2048, card.getInt("max_model_len"));
    }

    @Test
    void chatCompletionHasVllmsShape() {
        JsonObject answer = chat("{\"model\":\"chat\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}],\"max_tokens\":5,"
                + "\"ignore_eos\":true}"); // never a natural stop before 5 tokens

        assertTrue(answer.getString("id").startsWith("chatcmpl-"));
        assertEquals("chat.completion", answer.getString("object"));
        assertEquals("llama-8b", answer.getString("model"), "the first served name, whatever alias was asked");
        JsonObject choice = answer.getJsonArray("choices").getJsonObject(0);
        assertEquals(0, choice.getInt("index"));
        assertEquals("assistant", choice.getJsonObject("message").getString("role"));
        assertEquals(0, choice.getJsonObject("message").getJsonArray("tool_calls").size());
        assertEquals("length", choice.getString("finish_reason"));
        JsonObject usage = answer.getJsonObject("usage");
        assertEquals(5, usage.getInt("completion_tokens"));
        assertEquals(usage.getInt("prompt_tokens") + 5, usage.getInt("total_tokens"));
        for (String field : List.of("service_tier", "system_fingerprint", "prompt_logprobs", "kv_transfer_params")) {
            assertEquals(JsonValue.NULL, answer.get(field), field);
        }
    }

    @Test
    void theSameSeedGivesTheSameTextAndAnotherSeedAnother() {
        String body = "{\"messages\":[{\"role\":\"user\",\"content\":\"Tell me\"}],\"max_tokens\":20,\"seed\":%d}";
        String first = chat(body.formatted(42)).getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content");
        String again = chat(body.formatted(42)).getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content");
        String other = chat(body.formatted(43)).getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content");
        assertEquals(first, again);
        assertNotEquals(first, other);
        assertTrue(first.matches("[A-Za-z .]+"), "readable words: " + first);
    }

    @Test
    void streamMatchesVllmChunkByChunk() {
        HttpResponse<String> response = sim.post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"Hi\"}],\"max_tokens\":4,\"stream\":true,\"stream_options\":{\"include_usage\":true},\"seed\":1}");

        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
        List<String> events = events(response);
        assertEquals("[DONE]", events.get(events.size() - 1));
        List<JsonObject> chunks = events.subList(0, events.size() - 1).stream()
                .map(e -> Json.createReader(new StringReader(e)).readObject()).toList();
        String id = chunks.get(0).getString("id");
        long created = chunks.get(0).getJsonNumber("created").longValue();
        for (JsonObject chunk : chunks) {
            assertEquals(id, chunk.getString("id"), "same id on every chunk");
            assertEquals(created, chunk.getJsonNumber("created").longValue());
            assertEquals("chat.completion.chunk", chunk.getString("object"));
            assertEquals("llama-8b", chunk.getString("model"));
        }
        JsonObject role = chunks.get(0).getJsonArray("choices").getJsonObject(0);
        assertEquals("assistant", role.getJsonObject("delta").getString("role"));
        assertEquals("", role.getJsonObject("delta").getString("content"));
        assertEquals(JsonValue.NULL, role.get("finish_reason"));

        List<JsonObject> content = chunks.subList(1, chunks.size() - 1);
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < content.size(); i++) {
            JsonObject choice = content.get(i).getJsonArray("choices").getJsonObject(0);
            text.append(choice.getJsonObject("delta").getString("content"));
            boolean last = i == content.size() - 1;
            assertEquals(last ? JsonValue.ValueType.STRING : JsonValue.ValueType.NULL, choice.get("finish_reason").getValueType(),
                    "finish_reason only on the chunk with the last text");
        }
        assertEquals("length", content.get(content.size() - 1).getJsonArray("choices").getJsonObject(0).getString("finish_reason"));
        assertFalse(text.toString().isEmpty());

        JsonObject usage = chunks.get(chunks.size() - 1);
        assertEquals(0, usage.getJsonArray("choices").size(), "usage chunk has empty choices");
        assertEquals(4, usage.getJsonObject("usage").getInt("completion_tokens"));
    }

    @Test
    void streamWithoutUsageOptionsHasNoUsageChunk() {
        List<String> events = events(sim.post("/v1/chat/completions",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"max_tokens\":3,\"ignore_eos\":true,\"stream\":true}"));
        assertFalse(events.stream().anyMatch(e -> e.contains("\"usage\"")), events::toString);
        assertEquals("[DONE]", events.get(events.size() - 1));
    }

    @Test
    void nChoicesEachGetARoleAndAFinishChunkAndUsageSumsThem() {
        HttpResponse<String> response = sim.post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"Hi\"}],\"max_tokens\":3,\"ignore_eos\":true,\"n\":2,\"stream\":true,\"stream_options\":{}}");
        List<String> events = events(response);
        assertEquals(2, events.stream().filter(e -> e.contains("\"role\":\"assistant\"")).count());
        assertEquals(2, events.stream().filter(e -> e.contains("\"finish_reason\":\"length\"")).count());
        assertTrue(events.get(events.size() - 2).contains("\"completion_tokens\":6"), "stream_options {} means include_usage");
    }

    @Test
    void stopStringsEndTheAnswerWithoutTheStop() {
        JsonObject free = chat("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":40,\"seed\":5,\"ignore_eos\":true}");
        String text = free.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content");
        String stop = text.split(" ")[3];
        JsonObject stopped = chat("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":40,\"seed\":5,"
                + "\"ignore_eos\":true,\"stop\":[\"" + stop + "\"]}");
        JsonObject choice = stopped.getJsonArray("choices").getJsonObject(0);
        assertEquals("stop", choice.getString("finish_reason"));
        assertEquals(stop, choice.getString("stop_reason"));
        assertEquals(text.substring(0, text.indexOf(stop)), choice.getJsonObject("message").getString("content"));
    }

    @Test
    void completionsEndpointServesPromptListsWithItsDefaults() {
        HttpResponse<String> response = sim.post("/v1/completions", "{\"prompt\":[\"one\",\"two\"],\"ignore_eos\":true}");
        assertEquals(200, response.statusCode(), response.body());
        JsonObject answer = json(response);
        assertEquals("text_completion", answer.getString("object"));
        assertTrue(answer.getString("id").startsWith("cmpl-"));
        assertEquals(2, answer.getJsonArray("choices").size());
        assertEquals(32, answer.getJsonObject("usage").getInt("completion_tokens"), "max_tokens defaults to 16 per prompt");
    }

    @Test
    void completionStreamsHaveNoRoleChunkAndSerialiseNulls() {
        List<String> events = events(sim.post("/v1/completions", "{\"prompt\":\"Say\",\"max_tokens\":2,\"stream\":true}"));
        assertTrue(events.get(0).contains("\"object\":\"text_completion\""));
        assertTrue(events.get(0).contains("\"usage\":null"));
        assertFalse(events.get(0).contains("role"));
    }

    @Test
    void promptOverTheContextIsA400NamingContextLength() {
        String longPrompt = "word ".repeat(3000);
        HttpResponse<String> response = sim.post("/v1/completions", "{\"prompt\":\"" + longPrompt + "\",\"max_tokens\":10}");
        assertEquals(400, response.statusCode());
        JsonObject error = json(response).getJsonObject("error");
        assertTrue(error.getString("message").contains("context length"), error.toString());
        assertEquals(400, error.getInt("code"));
        assertEquals("BadRequestError", error.getString("type"));
    }

    @Test
    void invalidRequestsAre400sNamingTheField() {
        assertBadRequest(sim.post("/v1/chat/completions", "{\"max_tokens\":5}"), "messages");
        assertBadRequest(sim.post("/v1/chat/completions", "{\"messages\":\"hi\"}"), "messages");
        assertBadRequest(sim.post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
                + "\"max_tokens\":\"five\"}"), "max_tokens");
        assertBadRequest(sim.post("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],"
                + "\"stream_options\":{\"include_usage\":true}}"), "stream_options");
        assertBadRequest(sim.post("/v1/completions", "{\"prompt\":\"\"}"), "prompt");
        HttpResponse<String> broken = sim.post("/v1/chat/completions", "{\"messages\":");
        assertEquals(400, broken.statusCode());
    }

    private static void assertBadRequest(HttpResponse<String> response, String param) {
        assertEquals(400, response.statusCode(), response.body());
        assertEquals(param, json(response).getJsonObject("error").getString("param"), response.body());
    }

    @Test
    void unknownModelIsA404() {
        HttpResponse<String> response = sim.post("/v1/chat/completions",
                "{\"model\":\"gpt-4\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertEquals(404, response.statusCode());
        assertEquals("The model `gpt-4` does not exist.", json(response).getJsonObject("error").getString("message"));
    }

    @Test
    void wrongContentTypeUnknownRouteAndWrongMethodAnswerAsFastApi() {
        HttpResponse<String> text = SimulatorProcess.send(HttpRequest.newBuilder(sim.uri("/v1/completions"))
                .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString("{}")).build());
        assertEquals(400, text.statusCode());
        assertTrue(text.body().contains("Only 'application/json' is allowed"));
        HttpResponse<String> unknown = sim.get("/v1/nothing");
        assertEquals(404, unknown.statusCode());
        assertEquals("{\"detail\":\"Not Found\"}", unknown.body());
        assertEquals(405, sim.get("/v1/chat/completions").statusCode());
        assertEquals(404, sim.post("/sleep", "{}").statusCode(), "dev endpoints exist only with VLLM_SERVER_DEV_MODE=1");
    }

    @Test
    void tokenizeAndDetokenizeRoundTrip() {
        String text = "The gateway routes requests to 3 engines, quickly!";
        JsonObject tokens = json(sim.post("/tokenize", "{\"prompt\":\"" + text + "\"}"));
        assertEquals(tokens.getJsonArray("tokens").size(), tokens.getInt("count"));
        assertEquals(2048, tokens.getInt("max_model_len"));
        JsonObject again = json(sim.post("/tokenize", "{\"prompt\":\"" + text + "\"}"));
        assertEquals(tokens, again, "stable for the same text");
        JsonObject back = json(sim.post("/detokenize", "{\"tokens\":" + tokens.getJsonArray("tokens") + "}"));
        assertEquals(text, back.getString("prompt"));
    }

    @Test
    void metricsUseVllmsNamesAndLabels() {
        chat("{\"messages\":[{\"role\":\"user\",\"content\":\"count me\"}],\"max_tokens\":3}");
        String metrics = sim.get("/metrics").body();
        for (String name : List.of("vllm:num_requests_running{engine=\"0\",model_name=\"llama-8b\"}",
                "vllm:num_requests_waiting{", "vllm:kv_cache_usage_perc{", "vllm:prompt_tokens_total{",
                "vllm:generation_tokens_total{", "vllm:request_success_total{engine=\"0\",model_name=\"llama-8b\",finished_reason=\"length\"}",
                "vllm:time_to_first_token_seconds_bucket{", "vllm:inter_token_latency_seconds_bucket{",
                "vllm:e2e_request_latency_seconds_count{", "vllm:request_queue_time_seconds_sum{",
                "vllm:cache_config_info{", "vllm:engine_sleep_state{")) {
            assertTrue(metrics.contains(name), name);
        }
        assertTrue(sim.metric("vllm:generation_tokens_total{") >= 3);
        assertEquals("{\"version\":\"0.12.0\"}", sim.get("/version").body());
    }
}
