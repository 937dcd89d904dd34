package io.switchboard.it;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.http.StreamResponse;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.StringReader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.switchboard.it.Switchboard.admin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The OpenAI API through Switchboard to a simulated vLLM engine: shapes, streams, usage, disconnects, SDKs. */
class InferenceRelayIT {

    static String apiKey;
    static String model;
    static String otherModel;

    @BeforeAll
    static void engine() {
        Engines.reset();
        model = Engines.small("relay", false);
        otherModel = Engines.small("not-allowed", false);
        apiKey = Tenants.named("relay").allowedModels(model).createWithKey().getString("key");
        assertEquals(200, chat("{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"warm\"}],"
                + "\"max_tokens\":1}").status());
    }

    static Switchboard.Reply chat(String body) {
        return Switchboard.tenant("POST", "/v1/chat/completions", apiKey, body);
    }

    static List<JsonObject> chunks(String sse) {
        List<JsonObject> chunks = new ArrayList<>();
        for (String block : sse.split("\n\n")) {
            if (block.startsWith(":") || block.isBlank()) continue;
            assertTrue(block.startsWith("data: "), block);
            String data = block.substring(6);
            if (!data.equals("[DONE]")) chunks.add(Json.createReader(new StringReader(data)).readObject());
        }
        return chunks;
    }

    @Test
    void nonStreamedChatCompletionComesBackAsTheEngineAnswered() {
        Switchboard.Reply reply = chat("{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],"
                + "\"max_tokens\":7,\"seed\":3,\"ignore_eos\":true}");

        assertEquals(200, reply.status(), reply::toString);
        JsonObject answer = reply.json();
        assertEquals("chat.completion", answer.getString("object"));
        assertEquals(model, answer.getString("model"));
        assertEquals(7, answer.getJsonObject("usage").getInt("completion_tokens"));
        assertFalse(answer.getJsonArray("choices").getJsonObject(0).getJsonObject("message").getString("content").isEmpty());
        assertNotNull(reply.header("x-request-id"));
        assertEquals(model, reply.header("x-switchboard-model"));
    }

    @Test
    void streamsArriveInVllmsFormatWithoutAUsageChunkUnlessAsked() {
        Switchboard.Reply plain = chat("{\"model\":\"" + model + "\",\"stream\":true,\"max_tokens\":4,\"ignore_eos\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
        assertEquals(200, plain.status());
        assertTrue(plain.header("Content-Type").startsWith("text/event-stream"), plain.header("Content-Type"));
        assertTrue(plain.body().endsWith("data: [DONE]\n\n"), plain.body());
        List<JsonObject> chunks = chunks(plain.body());
        assertEquals("assistant", chunks.get(0).getJsonArray("choices").getJsonObject(0).getJsonObject("delta").getString("role"));
        JsonObject last = chunks.get(chunks.size() - 1).getJsonArray("choices").getJsonObject(0);
        assertEquals("length", last.getString("finish_reason"), "finish_reason rides on the last content chunk");
        for (JsonObject chunk : chunks) {
            assertEquals("chat.completion.chunk", chunk.getString("object"));
            assertFalse(chunk.getJsonArray("choices").isEmpty(), "no usage chunk when the client did not ask");
            assertEquals(chunks.get(0).getString("id"), chunk.getString("id"));
        }

        Switchboard.Reply withUsage = chat("{\"model\":\"" + model + "\",\"stream\":true,\"max_tokens\":4,\"ignore_eos\":true,"
                + "\"stream_options\":{\"include_usage\":true},\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}");
        List<JsonObject> usageChunks = chunks(withUsage.body());
        JsonObject usage = usageChunks.get(usageChunks.size() - 1);
        assertEquals(0, usage.getJsonArray("choices").size());
        assertEquals(4, usage.getJsonObject("usage").getInt("completion_tokens"));
    }

    @Test
    void streamsAreNeverCompressedEvenForClientsThatAcceptGzip() throws Exception {
        // the OpenAI SDKs send Accept-Encoding: gzip; a compressed stream would arrive in bursts, not token by token
        HttpRequest request = HttpRequest.newBuilder(URI.create(Switchboard.BASE_URL + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + apiKey).header("Content-Type", "application/json")
                .header("Accept-Encoding", "gzip, deflate")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model + "\",\"stream\":true,"
                        + "\"max_tokens\":200,\"ignore_eos\":true,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}"))
                .build();
        HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());

        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("Content-Encoding").isEmpty(), response.headers().toString());
        assertTrue(response.body().length() > 4096, "long enough that a compressor would have taken it");
        assertTrue(response.body().startsWith("data: {"), response.body().substring(0, 40));
        assertTrue(response.body().endsWith("data: [DONE]\n\n"));
    }

    @Test
    void usageReachesTheOutcomeRecordForStreamsToo() {
        for (boolean stream : new boolean[]{false, true}) {
            String requestId = "it-usage-" + stream + "-" + System.nanoTime();
            HttpRequest request = HttpRequest.newBuilder(URI.create(Switchboard.BASE_URL + "/v1/chat/completions"))
                    .header("Authorization", "Bearer " + apiKey).header("x-request-id", requestId)
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model + "\",\"stream\":" + stream
                            + ",\"max_tokens\":6,\"ignore_eos\":true,\"messages\":[{\"role\":\"user\",\"content\":\"count\"}]}"))
                    .build();
            Switchboard.Reply reply = Switchboard.send(request);
            assertEquals(200, reply.status());
            // the request id is Switchboard's own (a client's could repeat); the client's is echoed beside it
            assertTrue(reply.header("x-request-id").startsWith("req_"), reply::toString);
            assertEquals(requestId, reply.header("x-client-request-id"));

            Engines.eventually(Duration.ofSeconds(5), () -> admin("GET", "/admin/requests/" + requestId, (String) null)
                    .status() == 200, () -> "no outcome for " + requestId);
            JsonObject outcome = admin("GET", "/admin/requests/" + requestId, (String) null).json();
            assertEquals(200, outcome.getInt("status"));
            assertEquals(model, outcome.getString("model"));
            assertEquals(6, outcome.getInt("completion_tokens"));
            assertTrue(outcome.getInt("prompt_tokens") > 0);
            assertEquals(stream, outcome.getBoolean("stream"));
            if (stream) assertTrue(outcome.getJsonNumber("time_to_first_token_millis").longValue() >= 0);
        }
    }

    @Test
    void aClientThatDisconnectsCancelsTheEnginesRequest() throws Exception {
        int port = Engines.engine(model).getInt("port");
        String body = "{\"model\":\"" + model + "\",\"stream\":true,\"max_tokens\":3000,\"ignore_eos\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"long\"}]}";
        double abortedBefore = engineMetric(port, "finished_reason=\"abort\"");
        URI base = URI.create(Switchboard.BASE_URL);
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + apiKey
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + body.getBytes(StandardCharsets.UTF_8).length
                    + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            int data = 0;
            while (data < 3) {
                String line = in.readLine();
                if (line != null && line.startsWith("data: ")) data++;
            }
        } // gone mid-stream

        Engines.eventually(Duration.ofSeconds(10), () -> engineMetric(port, "finished_reason=\"abort\"") > abortedBefore,
                () -> "the engine did not abort the request");
        Engines.eventually(Duration.ofSeconds(10), () -> engineMetric(port, "vllm:num_requests_running{") == 0,
                () -> "still running on the engine");
        assertEquals(0, Engines.engine(model).getInt("leases"), "the lease was given back");
    }

    private static double engineMetric(int port, String match) {
        try {
            String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
            return metrics.lines().filter(l -> l.contains(match) && !l.startsWith("#"))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** The count of a Switchboard timer's observations, for one stage, from its own /metrics. */
    private static double stageCount(String stage) {
        String metrics = Switchboard.send("GET", "/metrics", null, null).body();
        return metrics.lines().filter(l -> l.startsWith("switchboard_request_stage_seconds_count{") && l.contains("stage=\"" + stage + "\""))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    void switchboardTimesItsOwnStepsForTheBenchmarks() {
        // a caller with a limit: admitted and settled; every request: its usage row; a model's own name: no rules to time
        String limitedKey = Tenants.named("relay-stages").allowedModels(model).with("rpm_limit", 1000).createWithKey().getString("key");
        List<String> stages = List.of("route", "admit", "record", "settle");
        List<Double> before = stages.stream().map(InferenceRelayIT::stageCount).toList();
        assertEquals(200, Switchboard.tenant("POST", "/v1/chat/completions", limitedKey, "{\"model\":\"" + model
                + "\",\"messages\":[{\"role\":\"user\",\"content\":\"time me\"}],\"max_tokens\":2}").status());
        List<Double> after = stages.stream().map(InferenceRelayIT::stageCount).toList();
        assertEquals(List.of(0.0, 1.0, 1.0, 1.0), java.util.stream.IntStream.range(0, stages.size())
                .mapToObj(i -> after.get(i) - before.get(i)).toList(), "observations per stage " + stages);
    }

    @Test
    void badRequestsAre400sNamingTheParameterAndNeverReachAnEngine() {
        String[][] cases = {
                {"{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", "model"},
                {"{\"model\":\"" + model + "\"}", "messages"},
                {"{\"model\":\"" + model + "\",\"messages\":[]}", "messages"},
                {"{\"model\":\"" + model + "\",\"messages\":[{\"content\":\"x\"}]}", "messages[0].role"},
                {"{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"wizard\",\"content\":\"x\"}]}", "messages[0].role"},
                {"{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":\"5\"}", "max_tokens"},
                {"{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"temperature\":3}", "temperature"},
                {"{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"stream_options\":{\"include_usage\":true}}", "stream_options"},
                {"{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"n\":0}", "n"},
        };
        for (String[] c : cases) {
            Switchboard.Reply reply = chat(c[0]);
            assertEquals(400, reply.status(), () -> c[0] + " -> " + reply);
            assertEquals(c[1], reply.error().getString("param"), () -> c[0] + " -> " + reply);
            assertEquals("invalid_request_error", reply.error().getString("type"));
        }
        Switchboard.Reply broken = chat("{\"model\":");
        assertEquals(400, broken.status());
        Switchboard.Reply completions = Switchboard.tenant("POST", "/v1/completions", apiKey, "{\"model\":\"" + model + "\"}");
        assertEquals("prompt", completions.error().getString("param"));
    }

    @Test
    void theEnginesOwn400sPassThrough() {
        String longPrompt = "word ".repeat(5000);
        Switchboard.Reply reply = Switchboard.tenant("POST", "/v1/completions", apiKey, "{\"model\":\"" + model
                + "\",\"prompt\":\"" + longPrompt + "\",\"max_tokens\":5}");
        assertEquals(400, reply.status(), reply::toString);
        assertTrue(reply.body().contains("context length"), reply::toString);
    }

    @Test
    void unknownAndForbiddenModelsAreNotFound() {
        Switchboard.Reply unknown = chat("{\"model\":\"gpt-9\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertEquals(404, unknown.status());
        assertEquals("model_not_found", unknown.error().getString("code"));
        Switchboard.Reply forbidden = chat("{\"model\":\"" + otherModel + "\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertEquals(404, forbidden.status(), "a model the tenant may not use does not exist for it");
        assertEquals("COLD", Engines.state(otherModel));
        TenantAuthenticationIT.assertInvalidApiKey(Switchboard.send("POST", "/v1/chat/completions", null,
                "{\"model\":\"" + model + "\",\"messages\":[]}"));
    }

    @Test
    void textCompletionsAreRelayedToo() {
        Switchboard.Reply reply = Switchboard.tenant("POST", "/v1/completions", apiKey, "{\"model\":\"" + model
                + "\",\"prompt\":\"Once upon a time\",\"max_tokens\":4,\"ignore_eos\":true}");
        assertEquals(200, reply.status(), reply::toString);
        assertEquals("text_completion", reply.json().getString("object"));
        assertEquals(4, reply.json().getJsonObject("usage").getInt("completion_tokens"));
    }

    @Test
    void theOfficialOpenAiJavaSdkWorksUnchanged() {
        OpenAIClient client = OpenAIOkHttpClient.builder()
                .baseUrl(Switchboard.BASE_URL + "/v1")
                .apiKey(apiKey)
                .build();
        ChatCompletionCreateParams params = ChatCompletionCreateParams.builder()
                .model(model)
                .addUserMessage("Say something")
                .maxCompletionTokens(6)
                .build();

        ChatCompletion completion = client.chat().completions().create(params);
        assertEquals(model, completion.model());
        assertTrue(completion.choices().get(0).message().content().orElse("").length() > 0);
        long tokens = completion.usage().orElseThrow().completionTokens();
        assertTrue(tokens >= 1 && tokens <= 6, "completion tokens: " + tokens);

        StringBuilder streamed = new StringBuilder();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
            stream.stream().forEach(chunk -> chunk.choices().forEach(choice ->
                    choice.delta().content().ifPresent(streamed::append)));
        }
        assertFalse(streamed.toString().isEmpty());
    }

    @Test
    void aliasAutoIsServedByAModelTheTenantMayUse() {
        Switchboard.Reply reply = chat("{\"model\":\"auto\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":2}");
        assertEquals(200, reply.status(), reply::toString);
        assertEquals(model, reply.header("x-switchboard-model"));
        assertTrue(reply.json().get("usage").getValueType() == JsonValue.ValueType.OBJECT);
    }
}
