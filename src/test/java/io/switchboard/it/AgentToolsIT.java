package io.switchboard.it;

import com.anthropic.client.AnthropicClient;
import com.anthropic.client.okhttp.AnthropicOkHttpClient;
import com.anthropic.helpers.MessageAccumulator;
import com.anthropic.models.messages.ContentBlock;
import com.anthropic.models.messages.Message;
import com.anthropic.models.messages.MessageCreateParams;
import com.anthropic.models.messages.StopReason;
import com.anthropic.models.messages.Tool;
import com.anthropic.models.messages.ToolChoiceAny;
import com.anthropic.models.messages.ToolUseBlock;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.models.responses.FunctionTool;
import com.openai.models.responses.Response;
import com.openai.models.responses.ResponseCreateParams;
import com.openai.models.responses.ResponseFunctionToolCall;
import com.openai.models.responses.ResponseInputItem;
import com.openai.models.responses.ResponseOutputItem;
import com.openai.models.responses.ResponseStreamEvent;
import com.openai.models.responses.ToolChoiceOptions;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The tool loop agents run on every turn (the Codex CLI and the Agents SDK over the Responses API, Claude Code over
 * Messages): the model calls a function whose arguments follow its schema, plain and streamed, and the next turn
 * sends the function's output back; with the official SDKs unchanged.
 */
class AgentToolsIT {

    static String model;
    static String apiKey;
    static OpenAIClient openAi;
    static AnthropicClient anthropic;

    @BeforeAll
    static void models() {
        Engines.reset();
        model = Engines.small("agent", false);
        apiKey = Tenants.named("agent").allowedModels(model).createWithKey().getString("key");
        openAi = OpenAIOkHttpClient.builder().baseUrl(Switchboard.BASE_URL + "/v1").apiKey(apiKey).build();
        anthropic = AnthropicOkHttpClient.builder().baseUrl(Switchboard.BASE_URL).apiKey(apiKey).build();
    }

    static FunctionTool weather() {
        return FunctionTool.builder().name("get_weather").description("The weather in a city").strict(false)
                .parameters(FunctionTool.Parameters.builder()
                        .putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty("properties", JsonValue.from(Map.of(
                                "city", Map.of("type", "string"),
                                "days", Map.of("type", "integer", "minimum", 1, "maximum", 7))))
                        .putAdditionalProperty("required", JsonValue.from(List.of("city", "days")))
                        .build())
                .build();
    }

    static void followsTheSchema(String arguments) {
        JsonObject parsed = ApiSurfaceIT.parse(arguments);
        assertFalse(parsed.getString("city").isEmpty(), arguments);
        assertTrue(parsed.getInt("days") >= 1 && parsed.getInt("days") <= 7, arguments);
    }

    @Test
    void aResponsesFunctionCallFollowsItsSchemaAndItsOutputContinuesTheConversation() {
        Response first = openAi.responses().create(ResponseCreateParams.builder().model(model)
                .input("What is the weather in Lisbon this week?").addTool(weather()).toolChoice(ToolChoiceOptions.REQUIRED)
                .putAdditionalBodyProperty("seed", JsonValue.from(3)).build());
        ResponseFunctionToolCall call = first.output().stream().filter(ResponseOutputItem::isFunctionCall)
                .map(item -> item.functionCall().orElseThrow()).findFirst().orElseThrow();
        assertEquals("get_weather", call.name());
        followsTheSchema(call.arguments());
        assertFalse(call.callId().isEmpty());

        Response second = openAi.responses().create(ResponseCreateParams.builder().model(model).previousResponseId(first.id())
                .inputOfResponse(List.of(ResponseInputItem.ofFunctionCallOutput(ResponseInputItem.FunctionCallOutput.builder()
                        .callId(call.callId()).output("{\"forecast\":\"sunny, 24 C\"}").build())))
                .addTool(weather()).toolChoice(ToolChoiceOptions.NONE).maxOutputTokens(12L).build()); // tools on every turn, as agents send them
        String text = second.output().stream().flatMap(item -> item.message().stream()).flatMap(m -> m.content().stream())
                .flatMap(c -> c.outputText().stream()).map(t -> t.text()).reduce("", String::concat);
        assertFalse(text.isEmpty(), "the model answered from the function's output");
        assertEquals(first.id(), second.previousResponseId().orElseThrow());
        long firstTurn = first.usage().orElseThrow().inputTokens() + first.usage().orElseThrow().outputTokens();
        assertTrue(second.usage().orElseThrow().inputTokens() > firstTurn,
                "the engine was given the earlier turn and its call before the output: " + second.usage());
    }

    @Test
    void aStreamedResponsesFunctionCallArrivesAsArgumentDeltasThatAddUpToTheCall() {
        StringBuilder deltas = new StringBuilder();
        String done = null;
        Response completed = null;
        try (StreamResponse<ResponseStreamEvent> stream = openAi.responses().createStreaming(ResponseCreateParams.builder()
                .model(model).input("Weather in Oslo for two days?").addTool(weather()).toolChoice(ToolChoiceOptions.REQUIRED)
                .putAdditionalBodyProperty("seed", JsonValue.from(4)).build())) {
            for (ResponseStreamEvent event : (Iterable<ResponseStreamEvent>) stream.stream()::iterator) {
                event.functionCallArgumentsDelta().ifPresent(delta -> deltas.append(delta.delta()));
                if (event.functionCallArgumentsDone().isPresent()) done = event.functionCallArgumentsDone().get().arguments();
                if (event.completed().isPresent()) completed = event.completed().get().response();
            }
        }
        assertFalse(deltas.isEmpty(), "the arguments came as deltas");
        assertEquals(done, deltas.toString());
        followsTheSchema(done);
        ResponseFunctionToolCall call = completed.output().stream().filter(ResponseOutputItem::isFunctionCall)
                .map(item -> item.functionCall().orElseThrow()).findFirst().orElseThrow();
        assertEquals(done, call.arguments());
    }

    static MessageCreateParams toolUse(String question) {
        return MessageCreateParams.builder().model(model).maxTokens(200).addUserMessage(question)
                .addTool(Tool.builder().name("get_weather").description("The weather in a city")
                        .inputSchema(Tool.InputSchema.builder().properties(Tool.InputSchema.Properties.builder()
                                .putAdditionalProperty("city", com.anthropic.core.JsonValue.from(Map.of("type", "string")))
                                .putAdditionalProperty("days", com.anthropic.core.JsonValue.from(
                                        Map.of("type", "integer", "minimum", 1, "maximum", 7)))
                                .build()).required(List.of("city", "days")).build())
                        .build())
                .toolChoice(ToolChoiceAny.builder().build()).build();
    }

    static ToolUseBlock onlyToolUse(Message message) {
        assertEquals(StopReason.TOOL_USE, message.stopReason().orElseThrow());
        return message.content().stream().map(ContentBlock::toolUse).flatMap(java.util.Optional::stream).findFirst().orElseThrow();
    }

    static String input(ToolUseBlock block) {
        return jakarta.json.Json.createObjectBuilder(block._input().convert(Map.class)).build().toString();
    }

    @Test
    void aMessagesToolUseFollowsItsSchemaPlainAndStreamedAndItsResultContinues() {
        ToolUseBlock plain = onlyToolUse(anthropic.messages().create(toolUse("Weather in Rome?")));
        assertEquals("get_weather", plain.name());
        followsTheSchema(input(plain));

        MessageAccumulator accumulator = MessageAccumulator.create();
        try (var stream = anthropic.messages().createStreaming(toolUse("Weather in Madrid?"))) {
            stream.stream().forEach(accumulator::accumulate);
        }
        ToolUseBlock streamed = onlyToolUse(accumulator.message());
        followsTheSchema(input(streamed));

        // the next turn, as Claude Code sends it: the assistant's tool_use, then the user's tool_result
        Switchboard.Reply next = Switchboard.tenant("POST", "/v1/messages", apiKey, "{\"model\":\"" + model + "\",\"max_tokens\":12,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"Weather in Rome?\"},"
                + "{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"" + plain.id() + "\",\"name\":\"get_weather\","
                + "\"input\":" + input(plain) + "}]},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"" + plain.id()
                + "\",\"content\":\"sunny, 24 C\"}]}]}");
        assertEquals(200, next.status(), next::toString);
        assertEquals("text", next.json().getJsonArray("content").getJsonObject(0).getString("type"), next::toString);
    }
}
