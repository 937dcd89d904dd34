package io.switchboard.simulator;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The simulator's Responses, Messages and embeddings endpoints on the wire, raw, against vLLM's shapes as
 * ../shared/vllm-responses-messages.md records them (sections named per test): what the SDKs let pass
 * through Switchboard's tests unseen (field order, nulls, event order, sequence numbers, the end of a stream).
 */
class SimulatorSurfaceIT {

    static Path gpus;
    static SimulatorProcess chat;
    static SimulatorProcess pooling;

    @BeforeAll
    static void start() throws Exception {
        gpus = Files.createTempDirectory("sim-surface-gpus");
        chat = SimulatorProcess.start(gpus, "meta-llama/Llama-3.1-8B-Instruct", "--served-model-name", "llama-8b",
                "--gpu-memory-utilization", "0.3", "--max-model-len", "2048", "--sim-time-scale", "0");
        pooling = SimulatorProcess.start(gpus, "BAAI/bge-m3", "--runner", "pooling",
                "--gpu-memory-utilization", "0.1", "--sim-time-scale", "0");
        chat.awaitReady(Duration.ofSeconds(20));
        pooling.awaitReady(Duration.ofSeconds(20));
    }

    @AfterAll
    static void stop() {
        if (chat != null) chat.close();
        if (pooling != null) pooling.close();
    }

    static JsonObject json(String text) {
        return Json.createReader(new StringReader(text)).readObject();
    }

    /** The events of a named-event stream: {type from the event line, data}. */
    static List<String[]> namedEvents(String body) {
        List<String[]> events = new ArrayList<>();
        for (String block : body.split("\n\n")) {
            if (block.isBlank()) continue;
            String[] lines = block.split("\n");
            assertEquals(2, lines.length, "an event line and a data line: " + block);
            assertTrue(lines[0].startsWith("event: ") && lines[1].startsWith("data: "), block);
            events.add(new String[] {lines[0].substring(7), lines[1].substring(6)});
        }
        return events;
    }

    @Test
    void aResponsesBodyHasEveryFieldInVllmsOrderNullsIncluded() { // 1.3
        HttpResponse<String> answer = chat.post("/v1/responses", "{\"model\":\"llama-8b\",\"input\":\"Hello\",\"max_output_tokens\":6}");
        assertEquals(200, answer.statusCode(), answer.body());
        JsonObject body = json(answer.body());
        assertEquals(List.of("id", "created_at", "incomplete_details", "instructions", "metadata", "model", "object", "output",
                "parallel_tool_calls", "temperature", "tool_choice", "tools", "top_p", "background", "max_output_tokens",
                "max_tool_calls", "previous_response_id", "prompt", "reasoning", "service_tier", "status", "text",
                "top_logprobs", "truncation", "usage", "user", "input_messages", "output_messages"), List.copyOf(body.keySet()));
        assertTrue(body.getString("id").startsWith("resp_"), body.getString("id"));
        assertEquals(JsonValue.NULL, body.get("previous_response_id"));
        JsonObject message = body.getJsonArray("output").getJsonObject(0);
        assertEquals("message", message.getString("type"));
        assertTrue(message.getString("id").startsWith("msg_"));
        JsonObject usage = body.getJsonObject("usage");
        assertEquals(List.of("cached_tokens", "input_tokens_per_turn", "cached_tokens_per_turn"),
                List.copyOf(usage.getJsonObject("input_tokens_details").keySet()));
        assertEquals(usage.getInt("input_tokens") + usage.getInt("output_tokens"), usage.getInt("total_tokens"));
    }

    @Test
    void aResponsesStreamRunsFromCreatedToCompletedNumberedFromZeroWithoutDone() { // 1.4
        HttpResponse<String> answer = chat.post("/v1/responses",
                "{\"model\":\"llama-8b\",\"input\":\"Hello\",\"max_output_tokens\":4,\"stream\":true}");
        assertEquals(200, answer.statusCode(), answer.body());
        assertFalse(answer.body().contains("[DONE]"), "vLLM's Responses stream has no [DONE]");
        List<String[]> events = namedEvents(answer.body());
        List<String> types = events.stream().map(e -> e[0]).toList();
        assertEquals(List.of("response.created", "response.in_progress", "response.output_item.added",
                "response.content_part.added"), types.subList(0, 4));
        assertEquals(List.of("response.output_text.done", "response.content_part.done", "response.output_item.done",
                "response.completed"), types.subList(types.size() - 4, types.size()));
        assertTrue(types.subList(4, types.size() - 4).stream().allMatch("response.output_text.delta"::equals), types::toString);
        for (int i = 0; i < events.size(); i++) {
            JsonObject data = json(events.get(i)[1]);
            assertEquals(events.get(i)[0], data.getString("type"), "the event line names the data's type");
            assertEquals(i, data.getInt("sequence_number"), "numbered from 0, one by one");
            if (data.containsKey("content_index")) assertEquals(0, data.getInt("content_index"), "newer vLLM: 0 for the whole item");
        }
        JsonObject created = json(events.get(0)[1]).getJsonObject("response");
        assertEquals("in_progress", created.getString("status"));
        assertEquals(JsonValue.NULL, created.get("usage"));
        JsonObject completed = json(events.get(events.size() - 1)[1]).getJsonObject("response");
        assertTrue(completed.getJsonObject("usage").getInt("output_tokens") > 0);
        // the completed response's output is rebuilt with a fresh msg_ id: it does not match the streamed item id
        String streamedItem = json(events.get(2)[1]).getJsonObject("item").getString("id");
        String finalItem = completed.getJsonArray("output").getJsonObject(0).getString("id");
        assertTrue(finalItem.startsWith("msg_"));
        assertFalse(finalItem.equals(streamedItem));
    }

    @Test
    void aResponsesFunctionCallCarriesVllmsOwnIdsWholeAndStreamed() { // 1.4, 1.5 (newer releases, as /version says)
        assertEquals("{\"version\":\"0.12.0\"}", chat.get("/version").body(), "the release whose shapes these are");
        String body = "{\"model\":\"llama-8b\",\"input\":\"Weather in Paris?\",\"tool_choice\":\"required\",\"tools\":[{"
                + "\"type\":\"function\",\"name\":\"get_weather\",\"parameters\":{\"type\":\"object\","
                + "\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]}}]";
        HttpResponse<String> whole = chat.post("/v1/responses", body + "}");
        assertEquals(200, whole.statusCode(), whole.body());
        JsonObject call = json(whole.body()).getJsonArray("output").getJsonObject(0);
        assertEquals("function_call", call.getString("type"));
        assertTrue(call.getString("id").matches("fc_[0-9a-f]{32}"), call::toString);
        assertTrue(call.getString("call_id").matches("call_[0-9a-f]{32}"), call::toString);

        HttpResponse<String> streamed = chat.post("/v1/responses", body + ",\"stream\":true}");
        assertEquals(200, streamed.statusCode(), streamed.body());
        List<String[]> events = namedEvents(streamed.body());
        JsonObject added = events.stream().filter(e -> e[0].equals("response.output_item.added")).map(e -> json(e[1]))
                .filter(e -> e.getJsonObject("item").getString("type").equals("function_call")).findFirst().orElseThrow()
                .getJsonObject("item");
        assertTrue(added.getString("id").matches("[0-9a-f]{32}"), "a bare random_uuid(): " + added);
        assertTrue(added.getString("call_id").matches("call_[0-9a-f]{32}"), added::toString);
        JsonObject completed = json(events.get(events.size() - 1)[1]).getJsonObject("response").getJsonArray("output").getJsonObject(0);
        assertTrue(completed.getString("call_id").matches("call_[0-9a-f]{32}"), completed::toString);
        assertFalse(completed.getString("call_id").equals(added.getString("call_id")), "the whole answer is rebuilt with fresh ids");
    }

    @Test
    void aMessagesAnswerOmitsNullsAndCarriesTheChatCompletionId() { // 2.2
        HttpResponse<String> answer = chat.post("/v1/messages", "{\"model\":\"llama-8b\",\"max_tokens\":5,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
        assertEquals(200, answer.statusCode(), answer.body());
        assertFalse(answer.body().contains("null"), "exclude_none: " + answer.body());
        JsonObject body = json(answer.body());
        assertTrue(body.getString("id").startsWith("chatcmpl-"), body.getString("id"));
        assertEquals("message", body.getString("type"));
        assertEquals("assistant", body.getString("role"));
        assertTrue(List.of("end_turn", "max_tokens").contains(body.getString("stop_reason")), body.toString());
        assertEquals(List.of("input_tokens", "output_tokens"), List.copyOf(body.getJsonObject("usage").keySet()));
    }

    @Test
    void aMessagesStreamGoesFromMessageStartToMessageStopWithoutDone() { // 2.3
        HttpResponse<String> answer = chat.post("/v1/messages", "{\"model\":\"llama-8b\",\"max_tokens\":4,\"stream\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
        assertEquals(200, answer.statusCode(), answer.body());
        assertFalse(answer.body().contains("[DONE]"), "the current build writes no [DONE] after message_stop");
        List<String[]> events = namedEvents(answer.body());
        List<String> types = events.stream().map(e -> e[0]).toList();
        assertEquals(List.of("message_start", "content_block_start"), types.subList(0, 2));
        assertEquals(List.of("content_block_stop", "message_delta", "message_stop"), types.subList(types.size() - 3, types.size()));
        assertTrue(types.subList(2, types.size() - 3).stream().allMatch("content_block_delta"::equals), types::toString);
        JsonObject start = json(events.get(0)[1]).getJsonObject("message");
        assertEquals("message", start.getString("type"), "message_start carries type and role (since #45376)");
        assertEquals("assistant", start.getString("role"));
        assertEquals(0, start.getJsonObject("usage").getInt("output_tokens"));
        JsonObject delta = json(events.get(events.size() - 2)[1]);
        assertEquals(JsonValue.NULL, delta.getJsonObject("delta").get("stop_sequence"));
        assertTrue(delta.getJsonObject("usage").getInt("output_tokens") > 0);
    }

    @Test
    void aPoolingModelAnswersEmbeddingsOnlyAndAGenerationModelNone() { // 3.3, 3.4 (newer releases)
        HttpResponse<String> embedded = pooling.post("/v1/embeddings", "{\"model\":\"BAAI/bge-m3\",\"input\":\"hello world\"}");
        assertEquals(200, embedded.statusCode(), embedded.body());
        JsonObject body = json(embedded.body());
        assertTrue(body.getString("id").startsWith("embd-"), body.getString("id"));
        assertEquals("list", body.getString("object"));
        assertEquals("embedding", body.getJsonArray("data").getJsonObject(0).getString("object"));
        assertEquals(JsonValue.NULL, body.getJsonObject("usage").get("prompt_tokens_details"));
        assertEquals(0, body.getJsonObject("usage").getInt("completion_tokens"));

        HttpResponse<String> chatOnPooling = pooling.post("/v1/chat/completions",
                "{\"model\":\"BAAI/bge-m3\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals(404, chatOnPooling.statusCode());
        assertEquals("{\"detail\":\"Not Found\"}", chatOnPooling.body());
        HttpResponse<String> embeddingsOnChat = chat.post("/v1/embeddings", "{\"model\":\"llama-8b\",\"input\":\"hello\"}");
        assertEquals(404, embeddingsOnChat.statusCode());
        assertEquals("{\"detail\":\"Not Found\"}", embeddingsOnChat.body());
    }
}
