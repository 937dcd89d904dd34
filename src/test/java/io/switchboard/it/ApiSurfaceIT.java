package io.switchboard.it;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCountTokensParams;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.RawMessageStreamEvent;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.ResponseFormatJsonSchema;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageToolCall;
import com.openai.models.chat.completions.ChatCompletionNamedToolChoice;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.chat.completions.ChatCompletionToolChoiceOption;
import com.openai.models.embeddings.CreateEmbeddingResponse;
import com.openai.models.embeddings.EmbeddingCreateParams;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseStreamEvent;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The API beyond chat through Switchboard, with the official SDKs unchanged: the Responses API (plain, streamed,
 * a conversation by previous_response_id, retrieval, another tenant's 404), embeddings, tool calls and structured
 * outputs that follow their schemas, logprobs in a stream, Anthropic's Messages (plain, streamed, count_tokens),
 * a model of the wrong task refused, and a usage row for each endpoint.
 */
class ApiSurfaceIT {

    static String chatModel;
    static String embedModel;
    static String apiKey;
    static String otherKey;
    static OpenAIClient openAi;

    @BeforeAll
    static void models() {
        Engines.reset();
        chatModel = Engines.small("surface", false);
        embedModel = Engines.embedding("embed");
        apiKey = Tenants.named("surface").allowedModels(chatModel, embedModel).createWithKey().getString("key");
        otherKey = Tenants.named("surface-other").allowedModels(chatModel).createWithKey().getString("key");
        openAi = OpenAIOkHttpClient.builder().baseUrl(Switchboard.BASE_URL + "/v1").apiKey(apiKey).build();
    }

    static JsonObject parse(String json) {
        return Json.createReader(new StringReader(json)).readObject();
    }

    @Test
    void theResponsesApiAnswersStreamsAndContinuesAConversationKeptInTheDatabase() {
        Response first = openAi.responses().create(ResponseCreateParams.builder().model(chatModel)
                .input("What is a gateway?").maxOutputTokens(12).build());
        assertTrue(first.id().startsWith("resp_"), first.id());
        String firstText = first.output().get(0).asMessage().content().get(0).asOutputText().text();
        assertFalse(firstText.isEmpty());
        long firstInput = first.usage().orElseThrow().inputTokens();

        // the next turn carries the first one: the engine is given its input and its answer before the new input
        Response second = openAi.responses().create(ResponseCreateParams.builder().model(chatModel)
                .input("And a router?").previousResponseId(first.id()).maxOutputTokens(8).build());
        long firstOutput = first.usage().orElseThrow().outputTokens();
        assertTrue(second.usage().orElseThrow().inputTokens() >= firstInput + firstOutput,
                "input tokens " + second.usage().orElseThrow().inputTokens() + " should include the first turn's input "
                        + firstInput + " and its answer " + firstOutput);

        Response retrieved = openAi.responses().retrieve(first.id());
        assertEquals(first.id(), retrieved.id());
        assertEquals(firstText, retrieved.output().get(0).asMessage().content().get(0).asOutputText().text());

        StringBuilder streamed = new StringBuilder();
        AtomicReference<Response> completed = new AtomicReference<>();
        try (StreamResponse<ResponseStreamEvent> stream = openAi.responses().createStreaming(ResponseCreateParams.builder()
                .model(chatModel).input("Stream it").maxOutputTokens(10).build())) {
            stream.stream().forEach(event -> {
                event.outputTextDelta().ifPresent(delta -> streamed.append(delta.delta()));
                event.completed().ifPresent(done -> completed.set(done.response()));
            });
        }
        assertFalse(streamed.toString().isEmpty());
        assertNotNull(completed.get(), "response.completed arrived");
        long output = completed.get().usage().orElseThrow().outputTokens();
        assertTrue(output >= 1 && output <= 10, "output tokens " + output);
        // a streamed response is stored too
        assertEquals(200, Switchboard.tenant("GET", "/v1/responses/" + completed.get().id(), apiKey, null).status());
    }

    @Test
    void anotherTenantCannotReadOrContinueAStoredResponse() {
        Response mine = openAi.responses().create(ResponseCreateParams.builder().model(chatModel).input("secret").maxOutputTokens(3).build());

        Switchboard.Reply read = Switchboard.tenant("GET", "/v1/responses/" + mine.id(), otherKey, null);
        assertEquals(404, read.status(), read::toString);
        assertEquals("response_id", read.error().getString("param"));
        Switchboard.Reply continued = Switchboard.tenant("POST", "/v1/responses", otherKey, "{\"model\":\"" + chatModel
                + "\",\"input\":\"more\",\"previous_response_id\":\"" + mine.id() + "\"}");
        assertEquals(404, continued.status(), continued::toString);
        assertEquals("previous_response_id", continued.error().getString("param"));

        Switchboard.Reply deleted = Switchboard.tenant("DELETE", "/v1/responses/" + mine.id(), apiKey, null);
        assertEquals(200, deleted.status(), deleted::toString);
        assertTrue(deleted.json().getBoolean("deleted"));
        assertEquals(404, Switchboard.tenant("GET", "/v1/responses/" + mine.id(), apiKey, null).status());
    }

    @Test
    void embeddingsComeFromAnEmbeddingModelAndEachModelRefusesTheOtherTask() {
        CreateEmbeddingResponse embedded = openAi.embeddings().create(EmbeddingCreateParams.builder().model(embedModel)
                .inputOfArrayOfStrings(List.of("switchboard", "gateway")).build());
        assertEquals(2, embedded.data().size());
        assertEquals(1024, embedded.data().get(0).embedding().size());
        assertTrue(embedded.usage().promptTokens() > 0);

        Switchboard.Reply base64 = Switchboard.tenant("POST", "/v1/embeddings", apiKey, "{\"model\":\"" + embedModel
                + "\",\"input\":[[1,2,3]],\"encoding_format\":\"base64\"}");
        assertEquals(200, base64.status(), base64::toString);
        assertEquals(4 * 1024, java.util.Base64.getDecoder().decode(base64.json().getJsonArray("data").getJsonObject(0)
                .getString("embedding")).length, "float32 each");

        Switchboard.Reply chatToEmbedder = Switchboard.tenant("POST", "/v1/chat/completions", apiKey, "{\"model\":\""
                + embedModel + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals(400, chatToEmbedder.status(), chatToEmbedder::toString);
        assertEquals("model", chatToEmbedder.error().getString("param"));
        Switchboard.Reply embedToChat = Switchboard.tenant("POST", "/v1/embeddings", apiKey, "{\"model\":\"" + chatModel
                + "\",\"input\":\"hi\"}");
        assertEquals(400, embedToChat.status(), embedToChat::toString);
        assertTrue(embedToChat.error().getString("message").contains("Embeddings API"), embedToChat::toString);
    }

    static FunctionDefinition weatherTool() {
        return FunctionDefinition.builder().name("get_weather").description("The weather in a city")
                .parameters(FunctionParameters.builder()
                        .putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty("properties", JsonValue.from(Map.of(
                                "city", Map.of("type", "string"),
                                "days", Map.of("type", "integer", "minimum", 1, "maximum", 7),
                                "unit", Map.of("enum", List.of("celsius", "fahrenheit")))))
                        .putAdditionalProperty("required", JsonValue.from(List.of("city", "days")))
                        .build())
                .build();
    }

    @Test
    void forcedToolCallsHaveArgumentsThatFollowTheFunctionsSchema() {
        for (long seed = 1; seed <= 3; seed++) {
            ChatCompletion completion = openAi.chat().completions().create(ChatCompletionCreateParams.builder()
                    .model(chatModel).addUserMessage("Weather in Paris for three days?").addFunctionTool(weatherTool())
                    .toolChoice(ChatCompletionToolChoiceOption.Auto.REQUIRED).seed(seed).build());
            var choice = completion.choices().get(0);
            assertEquals(ChatCompletion.Choice.FinishReason.TOOL_CALLS, choice.finishReason());
            List<ChatCompletionMessageToolCall> calls = choice.message().toolCalls().orElseThrow();
            assertFalse(calls.isEmpty());
            JsonObject arguments = parse(calls.get(0).asFunction().function().arguments());
            assertEquals("get_weather", calls.get(0).asFunction().function().name());
            assertFalse(arguments.getString("city").isEmpty());
            int days = arguments.getInt("days");
            assertTrue(days >= 1 && days <= 7, "days " + days);
            assertTrue(List.of("celsius", "fahrenheit").contains(arguments.getString("unit")));
        }
    }

    @Test
    void aStreamedToolCallForANamedFunctionAccumulatesToArgumentsThatFollowItsSchema() {
        ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
        int deltas = 0;
        try (StreamResponse<ChatCompletionChunk> stream = openAi.chat().completions().createStreaming(ChatCompletionCreateParams.builder()
                .model(chatModel).addUserMessage("Weather in Oslo?").addFunctionTool(weatherTool())
                .toolChoice(ChatCompletionNamedToolChoice.builder().function(ChatCompletionNamedToolChoice.Function.builder()
                        .name("get_weather").build()).build()).seed(7).build())) {
            for (ChatCompletionChunk chunk : (Iterable<ChatCompletionChunk>) stream.stream()::iterator) {
                accumulator.accumulate(chunk);
                if (!chunk.choices().isEmpty() && chunk.choices().get(0).delta().toolCalls().isPresent()) deltas++;
            }
        }
        assertTrue(deltas >= 1, "the tool call came as deltas");
        var choice = accumulator.chatCompletion().choices().get(0);
        ChatCompletionMessageToolCall call = choice.message().toolCalls().orElseThrow().get(0);
        assertEquals("get_weather", call.asFunction().function().name());
        JsonObject arguments = parse(call.asFunction().function().arguments());
        assertFalse(arguments.getString("city").isEmpty());
        assertTrue(arguments.getInt("days") >= 1 && arguments.getInt("days") <= 7);
    }

    @Test
    void structuredOutputsParseAndFollowTheSchema() {
        ResponseFormatJsonSchema format = ResponseFormatJsonSchema.builder().jsonSchema(ResponseFormatJsonSchema.JsonSchema.builder()
                .name("person").schema(ResponseFormatJsonSchema.JsonSchema.Schema.builder()
                        .putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty("properties", JsonValue.from(Map.of(
                                "name", Map.of("type", "string"), "age", Map.of("type", "integer", "minimum", 0, "maximum", 120),
                                "tags", Map.of("type", "array", "items", Map.of("type", "string")))))
                        .putAdditionalProperty("required", JsonValue.from(List.of("name", "age", "tags")))
                        .build()).build()).build();
        ChatCompletion completion = openAi.chat().completions().create(ChatCompletionCreateParams.builder()
                .model(chatModel).addUserMessage("Describe someone").responseFormat(format).seed(5).build());

        JsonObject person = parse(completion.choices().get(0).message().content().orElseThrow());
        assertFalse(person.getString("name").isEmpty());
        assertTrue(person.getInt("age") >= 0 && person.getInt("age") <= 120);
        assertFalse(person.getJsonArray("tags").isEmpty());
    }

    @Test
    void logprobsArriveInAStream() {
        int[] entries = {0};
        try (StreamResponse<ChatCompletionChunk> stream = openAi.chat().completions().createStreaming(ChatCompletionCreateParams.builder()
                .model(chatModel).addUserMessage("Hi").maxCompletionTokens(6).logprobs(true).topLogprobs(2)
                .putAdditionalBodyProperty("ignore_eos", JsonValue.from(true)).build())) { // vLLM's: all six tokens
            stream.stream().forEach(chunk -> chunk.choices().forEach(choice -> choice.logprobs().flatMap(l -> l.content())
                    .ifPresent(content -> content.forEach(entry -> {
                        assertEquals(2, entry.topLogprobs().size());
                        assertTrue(entry.logprob() <= 0);
                        entries[0]++;
                    }))));
        }
        assertEquals(6, entries[0], "one logprob entry per generated token");
    }

    @Test
    void anthropicsSdkSpeaksMessagesWithTheTenantsKey() {
        AnthropicClient anthropic = AnthropicOkHttpClient.builder().baseUrl(Switchboard.BASE_URL).apiKey(apiKey).build();
        MessageCreateParams params = MessageCreateParams.builder().model(chatModel).maxTokens(8).addUserMessage("Hello").build();

        Message message = anthropic.messages().create(params);
        assertFalse(message.content().get(0).asText().text().isEmpty());
        assertTrue(message.usage().outputTokens() >= 1 && message.usage().outputTokens() <= 8);

        MessageAccumulator accumulator = MessageAccumulator.create();
        try (var stream = anthropic.messages().createStreaming(params)) {
            stream.stream().forEach(accumulator::accumulate);
        }
        Message streamed = accumulator.message();
        assertFalse(streamed.content().get(0).asText().text().isEmpty());

        long counted = anthropic.messages().countTokens(MessageCountTokensParams.builder().model(chatModel)
                .addUserMessage("Hello").build()).inputTokens();
        assertTrue(counted > 0);

        // errors on this endpoint are in Anthropic's shape
        Switchboard.Reply noMaxTokens = Switchboard.tenant("POST", "/v1/messages", apiKey, "{\"model\":\"" + chatModel
                + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals(400, noMaxTokens.status(), noMaxTokens::toString);
        assertEquals("error", noMaxTokens.json().getString("type"));
        assertEquals("invalid_request_error", noMaxTokens.json().getJsonObject("error").getString("type"));
        // the engine's own refusal too (vLLM answers a tool without input_schema in OpenAI's envelope)
        Switchboard.Reply noSchema = Switchboard.tenant("POST", "/v1/messages", apiKey, "{\"model\":\"" + chatModel
                + "\",\"max_tokens\":8,\"tools\":[{\"name\":\"lookup\"}],\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        assertEquals(400, noSchema.status(), noSchema::toString);
        assertEquals("error", noSchema.json().getString("type"), noSchema::toString);
        assertEquals("invalid_request_error", noSchema.json().getJsonObject("error").getString("type"));
        assertTrue(noSchema.json().getJsonObject("error").getString("message").contains("input_schema"), noSchema::toString);
    }

    @Test
    void everyEndpointWritesAUsageRowWithItsTokens() {
        Map<String, String> bodies = Map.of(
                "/v1/responses", "{\"model\":\"" + chatModel + "\",\"input\":\"row\",\"max_output_tokens\":5}",
                "/v1/messages", "{\"model\":\"" + chatModel + "\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\",\"content\":\"row\"}]}",
                "/v1/embeddings", "{\"model\":\"" + embedModel + "\",\"input\":\"row of tokens\"}");
        for (Map.Entry<String, String> request : bodies.entrySet()) {
            Switchboard.Reply reply = Switchboard.tenant("POST", request.getKey(), apiKey, request.getValue());
            assertEquals(200, reply.status(), reply::toString);
            Map<String, Object> row = UsageAccountingIT.row(reply.header("x-request-id"));
            assertEquals(request.getKey(), row.get("endpoint"));
            assertEquals(200, UsageAccountingIT.number(row, "http_status"));
            assertTrue(UsageAccountingIT.number(row, "prompt_tokens") > 0, row::toString);
            // the row bills what the client was told it used (an answer may end before its token limit)
            JsonObject usage = reply.json().getJsonObject("usage");
            long told = request.getKey().equals("/v1/embeddings") ? 0 : usage.getInt("output_tokens");
            assertTrue(told >= 0 && told <= 5);
            assertEquals(told, UsageAccountingIT.number(row, "completion_tokens"), row::toString);
            assertEquals(usage.getInt(request.getKey().equals("/v1/embeddings") ? "prompt_tokens" : "input_tokens"),
                    UsageAccountingIT.number(row, "prompt_tokens"), row::toString);
        }
    }
}
