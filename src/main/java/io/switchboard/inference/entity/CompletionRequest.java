package io.switchboard.inference.entity;

import jakarta.json.JsonObject;

/**
 * A validated request to one of the inference endpoints: what the gateway needs to know (model, streaming,
 * whether the client asked for usage, the Responses API's earlier turns, which the gateway resolves itself) and the
 * client's body.
 */
public record CompletionRequest(Endpoint endpoint, String model, boolean stream, boolean clientWantsUsage,
                                JsonObject body, Earlier earlier) {

    public CompletionRequest(Endpoint endpoint, String model, boolean stream, boolean clientWantsUsage, JsonObject body) {
        this(endpoint, model, stream, clientWantsUsage, body, null);
    }

    /**
     * A Responses API follow-up turn: the {@code previous_response_id} it names (echoed to the client), the engine's
     * whole input (the earlier conversation, then this request's own input, as JSON items) and the tokens the engine
     * counted in the earlier conversation (-1: unknown).
     */
    public record Earlier(String previousResponseId, String engineInput, long tokens) {
    }

    public CompletionRequest continuing(Earlier turns) {
        return new CompletionRequest(endpoint, model, stream, clientWantsUsage, body, turns);
    }

    public String previousResponseId() {
        return earlier == null ? null : earlier.previousResponseId();
    }

    /**
     * The inference endpoints: where each is relayed, the endpoint routing rules name, the API's name in
     * errors, and how its stream is framed (the Responses and Messages APIs name their events and end with
     * a last event, not {@code [DONE]}).
     */
    public enum Endpoint {
        CHAT("/v1/chat/completions", "chat", "Chat Completions API", null),
        COMPLETIONS("/v1/completions", "completions", "Completions API", null),
        RESPONSES("/v1/responses", "responses", "Responses API", "\"type\":\"response.completed\""),
        MESSAGES("/v1/messages", "chat", "Messages API", "\"type\":\"message_stop\""),
        COUNT_TOKENS("/v1/messages/count_tokens", "chat", "Messages API", null),
        EMBEDDINGS("/v1/embeddings", "embeddings", "Embeddings API", null);

        public final String path;
        /** The endpoint as routing rules name it: Anthropic's messages are chat. */
        public final String routeName;
        public final String apiName;
        /** In a stream of named events, what the last event's data holds; null for [DONE]-ended streams. */
        public final String lastEvent;

        Endpoint(String path, String routeName, String apiName, String lastEvent) {
            this.path = path;
            this.routeName = routeName;
            this.apiName = apiName;
            this.lastEvent = lastEvent;
        }

        public static Endpoint ofPath(String path) {
            for (Endpoint endpoint : values()) if (endpoint.path.equals(path)) return endpoint;
            return null;
        }

        /** Errors on this endpoint are in Anthropic's shape. */
        public boolean anthropic() {
            return this == MESSAGES || this == COUNT_TOKENS;
        }

        public boolean namedEvents() {
            return lastEvent != null;
        }

        /** It generates text (else it embeds): a model of the other task cannot serve it. */
        public boolean generates() {
            return this != EMBEDDINGS;
        }
    }
}
