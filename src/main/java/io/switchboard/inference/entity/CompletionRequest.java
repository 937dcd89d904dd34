package io.switchboard.inference.entity;

import jakarta.json.JsonObject;

/**
 * A validated {@code /v1/chat/completions} or {@code /v1/completions} request: what the gateway
 * needs to know (model, streaming, whether the client asked for usage) and the body to relay.
 */
public record CompletionRequest(Endpoint endpoint, String model, boolean stream, boolean clientWantsUsage,
                                JsonObject body) {

    public enum Endpoint {
        CHAT("/v1/chat/completions"), COMPLETIONS("/v1/completions");

        public final String path;

        Endpoint(String path) {
            this.path = path;
        }
    }
}
