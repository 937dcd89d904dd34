package io.switchboard.simulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An API that vLLM serves on top of its chat completions (the Responses API, Anthropic's Messages): the request
 * turned into a chat completions body, and the chat answer or stream turned back into the API's shapes.
 */
interface ChatBridge {

    /** The chat completions body that the engine runs for this request. */
    Map<String, Object> chatBody();

    /** The API's whole answer, from the chat completion the engine produced. */
    Map<String, Object> answer(Map<String, Object> chat, GenerationRequest request);

    /**
     * Where the chat stream's data lines go (chunks as JSON, {@code [DONE]}); the bridge writes its own events,
     * whole ({@code event:} and {@code data:} lines), to {@code frames}.
     */
    Completion.EventSink events(Completion.EventSink frames, GenerationRequest request);

    /** A tool call in a whole chat answer. */
    record ToolCall(String id, String name, String arguments) {
    }

    /** A whole chat answer's first (the bridged APIs' only) choice. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> firstChoice(Map<String, Object> chat) {
        return (Map<String, Object>) ((List<Object>) chat.get("choices")).get(0);
    }

    /** The tool calls of a chat answer's choice, in order. */
    @SuppressWarnings("unchecked")
    static List<ToolCall> toolCalls(Map<String, Object> choice) {
        List<ToolCall> calls = new ArrayList<>();
        Map<String, Object> message = (Map<String, Object>) choice.get("message");
        for (Object entry : (List<Object>) message.get("tool_calls")) {
            Map<String, Object> call = (Map<String, Object>) entry;
            Map<String, Object> function = (Map<String, Object>) call.get("function");
            calls.add(new ToolCall((String) call.get("id"), (String) function.get("name"), (String) function.get("arguments")));
        }
        return calls;
    }

    /** The error body in this API's shape. */
    default Map<String, Object> error(ApiError error) {
        return error.body();
    }
}
