package io.switchboard.simulator;

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

    /** The error body in this API's shape. */
    default Map<String, Object> error(ApiError error) {
        return error.body();
    }
}
