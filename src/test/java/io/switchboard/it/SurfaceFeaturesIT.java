package io.switchboard.it;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.errors.UnauthorizedException;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.StopReason;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.BadRequestException;
import com.openai.models.ReasoningEffort;
import com.openai.models.ResponseFormatJsonObject;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionToolChoiceOption;
import com.openai.models.embeddings.EmbeddingCreateParams;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.switchboard.it.UsageAccountingIT.number;
import static io.switchboard.it.UsageAccountingIT.row;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the SDKs and tools count on beyond ApiSurfaceIT's main paths: a streamed Message's usage and stop reason,
 * Anthropic's 401 and a Bearer key on /v1/messages, {@code dimensions} of a Matryoshka embedding model (and the
 * refusal of another), {@code json_object}, {@code tool_choice: auto}, the usage rows of streamed Responses and
 * Messages and of count_tokens, and an embedding priced per input token.
 */
class SurfaceFeaturesIT {

    static String chatModel;
    static String matryoshka;
    static String plainEmbedder;
    static String apiKey;
    static OpenAIClient openAi;

    @BeforeAll
    static void models() {
        Engines.reset();
        chatModel = Engines.small("features", false);
        matryoshka = Engines.embedding("matryoshka", "Qwen/Qwen3-Embedding-0.6B");
        plainEmbedder = Engines.embedding("plain-embed", "BAAI/bge-m3");
        // per million tokens: 0.02 in; an output price too, which an embedding (no output) must not pay
        Switchboard.Reply price = Switchboard.admin("POST", "/admin/models/" + plainEmbedder + "/prices", Json.createObjectBuilder()
                .add("valid_from", "2020-01-01T00:00:00Z").add("input_per_mtok", 0.02).add("output_per_mtok", 1.0).build());
        assertEquals(201, price.status(), price::toString);
        Switchboard.Reply chatPrice = Switchboard.admin("POST", "/admin/models/" + chatModel + "/prices", Json.createObjectBuilder()
                .add("valid_from", "2020-01-01T00:00:00Z").add("input_per_mtok", 0.15).add("output_per_mtok", 0.60).build());
        assertEquals(201, chatPrice.status(), chatPrice::toString);
        apiKey = Tenants.named("features").allowedModels(chatModel, matryoshka, plainEmbedder).createWithKey().getString("key");
        openAi = OpenAIOkHttpClient.builder().baseUrl(Switchboard.BASE_URL + "/v1").apiKey(apiKey).build();
    }

    static JsonObject parse(String json) {
        return Json.createReader(new java.io.StringReader(json)).readObject();
    }

    @Test
    void aStreamedMessageEndsWithItsUsageAndWhyItStopped() {
        AnthropicClient anthropic = AnthropicOkHttpClient.builder().baseUrl(Switchboard.BASE_URL).apiKey(apiKey).build();
        boolean sawMaxTokens = false;
        for (int attempt = 0; attempt < 6; attempt++) {
            MessageAccumulator accumulator = MessageAccumulator.create();
            try (var stream = anthropic.messages().createStreaming(MessageCreateParams.builder().model(chatModel)
                    .maxTokens(3).addUserMessage("Tell me a long story, attempt " + attempt).build())) {
                stream.stream().forEach(accumulator::accumulate);
            }
            Message streamed = accumulator.message();
            long output = streamed.usage().outputTokens();
            assertTrue(output >= 1 && output <= 3, "output tokens " + output);
            assertTrue(streamed.usage().inputTokens() > 0, "message_start carries the prompt's tokens");
            StopReason reason = streamed.stopReason().orElseThrow();
            assertEquals(output == 3 ? StopReason.MAX_TOKENS : StopReason.END_TURN, reason, "stopped after " + output);
            sawMaxTokens |= reason.equals(StopReason.MAX_TOKENS);
        }
        assertTrue(sawMaxTokens, "three tokens of a long story: at least one stream ran into max_tokens");
    }

    @Test
    void aWrongKeyOnMessagesIsAnthropicsAuthenticationErrorAndABearerKeyWorksThere() {
        String body = "{\"model\":\"" + chatModel + "\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        Switchboard.Reply refused = Switchboard.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(Switchboard.BASE_URL + "/v1/messages"))
                .header("x-api-key", "sb-not-a-key").header("anthropic-version", "2023-06-01")
                .header("Content-Type", "application/json")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build());
        assertEquals(401, refused.status(), refused::toString);
        assertEquals("error", refused.json().getString("type"), refused::toString);
        assertEquals("authentication_error", refused.json().getJsonObject("error").getString("type"), refused::toString);
        assertFalse(refused.json().getJsonObject("error").getString("message").isEmpty());

        AnthropicClient wrong = AnthropicOkHttpClient.builder().baseUrl(Switchboard.BASE_URL).apiKey("sb-not-a-key")
                .maxRetries(0).build();
        assertThrows(UnauthorizedException.class, () -> wrong.messages().create(MessageCreateParams.builder()
                .model(chatModel).maxTokens(4).addUserMessage("hi").build()));

        // Authorization: Bearer, as the SDK sends an auth token and as gateways' own clients send keys
        AnthropicClient bearer = AnthropicOkHttpClient.builder().baseUrl(Switchboard.BASE_URL).authToken(apiKey).build();
        Message message = bearer.messages().create(MessageCreateParams.builder().model(chatModel).maxTokens(4)
                .addUserMessage("hi").build());
        assertFalse(message.content().isEmpty());
    }

    @Test
    void dimensionsShortenAMatryoshkaModelsVectorsAndAnotherModelRefusesThem() {
        List<Float> vector = openAi.embeddings().create(EmbeddingCreateParams.builder().model(matryoshka)
                .input("a short text").dimensions(256L).build()).data().get(0).embedding();
        assertEquals(256, vector.size());
        double norm = 0;
        for (float x : vector) norm += x * x;
        assertEquals(1.0, norm, 1e-3, "the shortened vector is normalised again");

        BadRequestException refused = assertThrows(BadRequestException.class, () -> openAi.embeddings().create(
                EmbeddingCreateParams.builder().model(plainEmbedder).input("a short text").dimensions(256L).build()));
        assertEquals(400, refused.statusCode());
        assertTrue(refused.getMessage().contains("matryoshka"), refused::getMessage);
        Switchboard.Reply tooLong = Switchboard.tenant("POST", "/v1/embeddings", apiKey, "{\"model\":\"" + matryoshka
                + "\",\"input\":\"text\",\"dimensions\":4096}");
        assertEquals(400, tooLong.status(), tooLong::toString);
        assertEquals("dimensions", tooLong.error().getString("param"), tooLong::toString);
    }

    @Test
    void jsonObjectOutputParsesAsAnObject() {
        for (long seed = 1; seed <= 3; seed++) {
            ChatCompletion completion = openAi.chat().completions().create(ChatCompletionCreateParams.builder()
                    .model(chatModel).addUserMessage("Answer in JSON").seed(seed).maxCompletionTokens(200)
                    .responseFormat(ResponseFormatJsonObject.builder().build()).build());
            String content = completion.choices().get(0).message().content().orElseThrow();
            assertFalse(parse(content).isEmpty(), content);
        }
    }

    @Test
    void underToolChoiceAutoTheModelSometimesCallsAToolAndOtherwiseAnswers() {
        int calls = 0;
        int answers = 0;
        for (long seed = 1; seed <= 12; seed++) {
            ChatCompletion completion = openAi.chat().completions().create(ChatCompletionCreateParams.builder()
                    .model(chatModel).addUserMessage("Weather in Rome?").addFunctionTool(ApiSurfaceIT.weatherTool())
                    .toolChoice(ChatCompletionToolChoiceOption.Auto.AUTO).seed(seed).maxCompletionTokens(64).build());
            var choice = completion.choices().get(0);
            if (choice.message().toolCalls().filter(list -> !list.isEmpty()).isPresent()) {
                calls++;
                assertEquals(ChatCompletion.Choice.FinishReason.TOOL_CALLS, choice.finishReason());
                JsonObject arguments = parse(choice.message().toolCalls().get().get(0).asFunction().function().arguments());
                assertFalse(arguments.getString("city").isEmpty());
            } else {
                answers++;
                assertNotEquals(ChatCompletion.Choice.FinishReason.TOOL_CALLS, choice.finishReason());
                assertFalse(choice.message().content().orElse("").isEmpty());
            }
        }
        assertTrue(calls > 0 && answers > 0, calls + " calls, " + answers + " answers in 12");
    }

    @Test
    void chatsOtherFieldsReachTheEngineAndShapeItsAnswer() {
        ChatCompletionCreateParams.Builder base = ChatCompletionCreateParams.builder().model(chatModel)
                .addUserMessage("Say something long").seed(11L).user("end-user-7").reasoningEffort(ReasoningEffort.LOW);
        ChatCompletion two = openAi.chat().completions().create(base.n(2).maxCompletionTokens(3).build());
        assertEquals(2, two.choices().size(), "n");
        assertTrue(two.usage().orElseThrow().completionTokens() <= 6, "max_completion_tokens: 3 per choice");

        String whole = openAi.chat().completions().create(base.n(1).maxCompletionTokens(40).build())
                .choices().get(0).message().content().orElseThrow();
        String[] words = whole.trim().split("\\s+");
        String stopAt = words[Math.min(3, words.length - 1)];
        ChatCompletion stopped = openAi.chat().completions().create(base.n(1).maxCompletionTokens(40).stop(stopAt).build());
        String cut = stopped.choices().get(0).message().content().orElseThrow();
        assertFalse(cut.contains(stopAt), "the stop string ends the text and is not part of it: " + cut);
        assertTrue(whole.startsWith(cut), whole + " / " + cut);
        assertEquals(ChatCompletion.Choice.FinishReason.STOP, stopped.choices().get(0).finishReason());

        boolean sawParallel = false;
        for (long seed = 1; seed <= 12; seed++) {
            for (boolean parallel : new boolean[] {false, true}) {
                ChatCompletion calls = openAi.chat().completions().create(ChatCompletionCreateParams.builder()
                        .model(chatModel).addUserMessage("Weather in Rome and Oslo?").addFunctionTool(ApiSurfaceIT.weatherTool())
                        .toolChoice(ChatCompletionToolChoiceOption.Auto.REQUIRED).parallelToolCalls(parallel).seed(seed).build());
                int count = calls.choices().get(0).message().toolCalls().orElseThrow().size();
                if (!parallel) assertEquals(1, count, "parallel_tool_calls false: one call (seed " + seed + ")");
                sawParallel |= count > 1;
            }
        }
        assertTrue(sawParallel, "parallel_tool_calls true: the model called two tools at once at least once in 12");
    }

    @Test
    void streamedResponsesAndMessagesWriteUsageRowsWithTheTokensTheStreamsTold() {
        Map<String, String> streamed = Map.of(
                "/v1/responses", "{\"model\":\"" + chatModel + "\",\"input\":\"row\",\"max_output_tokens\":5,\"stream\":true}",
                "/v1/messages", "{\"model\":\"" + chatModel + "\",\"max_tokens\":5,\"stream\":true,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"row\"}]}");
        for (Map.Entry<String, String> request : streamed.entrySet()) {
            Switchboard.Reply reply = Switchboard.tenant("POST", request.getKey(), apiKey, request.getValue());
            assertEquals(200, reply.status(), reply::toString);
            JsonObject usage = lastUsage(reply.body());
            Map<String, Object> row = row(reply.header("x-request-id"));
            assertEquals(request.getKey(), row.get("endpoint"));
            assertEquals(true, row.get("stream"));
            assertEquals("ok", row.get("outcome"), row::toString);
            assertEquals(usage.getInt("output_tokens"), number(row, "completion_tokens"), row::toString);
            if (usage.containsKey("input_tokens") && usage.getInt("input_tokens") > 0) {
                assertEquals(usage.getInt("input_tokens"), number(row, "prompt_tokens"), row::toString);
            }
            assertTrue(number(row, "prompt_tokens") > 0, row::toString);
        }
    }

    @Test
    void aTenantsRequestLimitCountsEveryEndpointAndEachRefusalIsInItsOwnApisShape() {
        JsonObject tenant = Switchboard.admin("POST", "/admin/tenants", "{\"name\":\"" + Switchboard.unique("features-limited")
                + "\",\"rpm_limit\":6,\"allowed_models\":[\"" + chatModel + "\",\"" + plainEmbedder + "\"]}").json();
        String limited = Tenants.newKey(tenant.getJsonNumber("id").longValue(), null).getString("key");
        String message = "{\"model\":\"" + chatModel + "\",\"max_tokens\":2,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
        String embedding = "{\"model\":\"" + plainEmbedder + "\",\"input\":\"hi\"}";
        int served = 0;
        for (String[] request : new String[][] {{"/v1/responses", "{\"model\":\"" + chatModel
                + "\",\"input\":\"hi\",\"max_output_tokens\":2,\"store\":false}"}, {"/v1/messages", message}, {"/v1/embeddings", embedding}}) {
            Switchboard.Reply reply = Switchboard.tenant("POST", request[0], limited, request[1]);
            assertEquals(200, reply.status(), reply::toString);
            served++;
        }
        Switchboard.Reply anthropicRefusal = null;
        for (int i = 0; i < 8 && anthropicRefusal == null; i++) {
            Switchboard.Reply reply = Switchboard.tenant("POST", "/v1/messages", limited, message);
            if (reply.status() == 429) anthropicRefusal = reply; else served++;
        }
        assertTrue(anthropicRefusal != null && served <= 6, "a limit of 6 a minute over all endpoints; served " + served);
        assertEquals("error", anthropicRefusal.json().getString("type"), anthropicRefusal::toString);
        assertEquals("rate_limit_error", anthropicRefusal.json().getJsonObject("error").getString("type"), anthropicRefusal::toString);
        assertTrue(Long.parseLong(anthropicRefusal.header("retry-after")) > 0);
        assertTrue(Long.parseLong(anthropicRefusal.header("retry-after-ms")) > 0);
        AnthropicClient sdk = AnthropicOkHttpClient.builder().baseUrl(Switchboard.BASE_URL).apiKey(limited).maxRetries(0).build();
        assertThrows(com.anthropic.errors.RateLimitException.class, () -> sdk.messages().create(MessageCreateParams.builder()
                .model(chatModel).maxTokens(2).addUserMessage("hi").build()));

        Switchboard.Reply openAiRefusal = Switchboard.tenant("POST", "/v1/embeddings", limited, embedding);
        assertEquals(429, openAiRefusal.status(), openAiRefusal::toString);
        assertEquals("rate_limit_exceeded", openAiRefusal.error().getString("code"), openAiRefusal::toString);
    }

    @Test
    void countingTokensIsOnRecordWithNoTokensAndNothingToPay() {
        Switchboard.Reply counted = Switchboard.tenant("POST", "/v1/messages/count_tokens", apiKey, "{\"model\":\""
                + chatModel + "\",\"messages\":[{\"role\":\"user\",\"content\":\"count me\"}]}");
        assertEquals(200, counted.status(), counted::toString);
        assertTrue(counted.json().getInt("input_tokens") > 0);
        Map<String, Object> row = row(counted.header("x-request-id"));
        assertEquals("/v1/messages/count_tokens", row.get("endpoint"));
        assertEquals("ok", row.get("outcome"), row::toString);
        // counting a prompt's tokens is no inference: recorded, but no tokens and nothing to pay, as at Anthropic
        assertEquals(0, number(row, "prompt_tokens"), row::toString);
        assertEquals(0, number(row, "completion_tokens"), row::toString);
        assertEquals(0, number(row, "cost_picos"), row::toString);
    }

    /** The usage of the last streamed event that has one (Responses: response.usage; Messages: message_delta's). */
    static JsonObject lastUsage(String stream) {
        JsonObject usage = null;
        for (String line : stream.split("\n")) {
            if (!line.startsWith("data: ")) continue;
            JsonObject event = parse(line.substring(6));
            if (event.get("response") instanceof JsonObject response && response.get("usage") instanceof JsonObject u) usage = u;
            if (event.get("usage") instanceof JsonObject u) usage = u;
        }
        assertTrue(usage != null, "the stream told its usage: " + stream);
        return usage;
    }

    @Test
    void anEmbeddingIsPricedPerInputTokenAndPaysNoOutputPrice() {
        Switchboard.Reply reply = Switchboard.tenant("POST", "/v1/embeddings", apiKey, "{\"model\":\"" + plainEmbedder
                + "\",\"input\":[\"one text to price\",\"and another\"]}");
        assertEquals(200, reply.status(), reply::toString);
        Map<String, Object> row = row(reply.header("x-request-id"));
        long tokens = reply.json().getJsonObject("usage").getInt("prompt_tokens");
        assertEquals(tokens, number(row, "prompt_tokens"), row::toString);
        // 0.02 per million tokens is 20,000 micro-units per million: 20,000 picos a token
        assertEquals(tokens * 20_000, number(row, "cost_picos"), row::toString);
    }
}
