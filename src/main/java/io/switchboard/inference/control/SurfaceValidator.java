package io.switchboard.inference.control;

import io.switchboard.gateway.control.JsonRequest;
import io.switchboard.gateway.entity.ApiException;
import io.switchboard.inference.entity.CompletionRequest;
import io.switchboard.inference.entity.CompletionRequest.Endpoint;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

import java.util.Set;

/**
 * Checks the requests of the Responses API, Anthropic's Messages (and count_tokens) and embeddings as their own
 * APIs check them, a 400 naming the field; what it does not know passes through untouched, for the engine.
 * Chat and completions are {@link CompletionValidator}'s.
 */
public final class SurfaceValidator {

    private static final Set<String> ANTHROPIC_ROLES = Set.of("user", "assistant");

    private SurfaceValidator() {
    }

    static CompletionRequest validate(Endpoint endpoint, JsonRequest request) {
        JsonObject body = request.json();
        String model = request.requiredString("model", 200);
        boolean stream = false;
        switch (endpoint) {
            case RESPONSES -> {
                responsesInput(body.get("input"));
                request.optionalLong("max_output_tokens", 1, Integer.MAX_VALUE);
                request.optionalString("previous_response_id", 200);
                request.optionalString("instructions", Integer.MAX_VALUE);
                request.optionalBoolean("store");
                if (Boolean.TRUE.equals(request.optionalBoolean("background"))) {
                    throw ApiException.invalid("background", "Background responses are not supported by Switchboard; "
                            + "send the request without 'background' (streaming gives the same early answer).");
                }
                stream = Boolean.TRUE.equals(request.optionalBoolean("stream"));
            }
            case MESSAGES, COUNT_TOKENS -> {
                if (endpoint == Endpoint.MESSAGES) {
                    if (body.get("max_tokens") == null) throw ApiException.invalid("max_tokens", "max_tokens: Field required");
                    request.optionalLong("max_tokens", 1, Integer.MAX_VALUE);
                    stream = Boolean.TRUE.equals(request.optionalBoolean("stream"));
                }
                anthropicMessages(body.get("messages"));
            }
            case EMBEDDINGS -> {
                embeddingInput(body.get("input"));
                JsonValue format = body.get("encoding_format");
                if (format != null && format.getValueType() != JsonValue.ValueType.NULL
                        && !(format instanceof JsonString name && (name.getString().equals("float") || name.getString().equals("base64")))) {
                    throw ApiException.invalid("encoding_format", "Invalid value for 'encoding_format': expected 'float' or 'base64'.");
                }
                request.optionalLong("dimensions", 1, 1_000_000);
            }
            default -> throw new IllegalArgumentException(endpoint + " is CompletionValidator's");
        }
        request.optionalString("user", 256);
        number(request, "temperature", 0, endpoint.anthropic() ? 1 : 2);
        number(request, "top_p", 0, 1);
        return new CompletionRequest(endpoint, model, stream, false, body);
    }

    private static void responsesInput(JsonValue input) {
        if (input == null || input.getValueType() == JsonValue.ValueType.NULL) {
            throw ApiException.invalid("input", "Missing required parameter: 'input'.");
        }
        if (input instanceof JsonString) return;
        if (!(input instanceof JsonArray items)) {
            throw ApiException.invalid("input", "Invalid type for 'input': expected a string or an array of input items.");
        }
        for (int i = 0; i < items.size(); i++) {
            if (!(items.get(i) instanceof JsonObject)) {
                throw ApiException.invalid("input[" + i + "]", "Invalid type for 'input[" + i + "]': expected an input item object.");
            }
        }
    }

    private static void anthropicMessages(JsonValue messages) {
        if (!(messages instanceof JsonArray list)) throw ApiException.invalid("messages", "messages: Field required");
        for (int i = 0; i < list.size(); i++) {
            String at = "messages." + i;
            if (!(list.get(i) instanceof JsonObject message)) throw ApiException.invalid(at, at + ": Input should be an object");
            if (!(message.get("role") instanceof JsonString role) || !ANTHROPIC_ROLES.contains(role.getString())) {
                throw ApiException.invalid(at + ".role", at + ".role: Input should be 'user' or 'assistant'");
            }
            JsonValue content = message.get("content");
            if (!(content instanceof JsonString) && !(content instanceof JsonArray)) {
                throw ApiException.invalid(at + ".content", at + ".content: Input should be a valid string or a list of content blocks");
            }
        }
    }

    private static void embeddingInput(JsonValue input) {
        if (input == null || input.getValueType() == JsonValue.ValueType.NULL) {
            throw ApiException.invalid("input", "Missing required parameter: 'input'.");
        }
        boolean valid = switch (input.getValueType()) {
            case STRING -> true;
            case ARRAY -> !input.asJsonArray().isEmpty() && input.asJsonArray().stream().allMatch(item ->
                    item instanceof JsonString || (item instanceof JsonNumber number && number.isIntegral())
                            || (item instanceof JsonArray tokens && !tokens.isEmpty()
                            && tokens.stream().allMatch(t -> t instanceof JsonNumber n && n.isIntegral())));
            default -> false;
        };
        if (!valid) {
            throw ApiException.invalid("input", "Invalid type for 'input': expected a string, an array of strings, "
                    + "an array of tokens or an array of token arrays.");
        }
    }

    private static void number(JsonRequest request, String name, int min, int max) {
        JsonValue value = request.json().get(name);
        if (value == null || value.getValueType() == JsonValue.ValueType.NULL) return;
        if (!(value instanceof JsonNumber number)) throw ApiException.invalid(name, "Invalid type for '" + name + "': expected a number.");
        if (number.doubleValue() < min || number.doubleValue() > max) {
            throw ApiException.invalid(name, "Invalid '" + name + "': must be between " + min + " and " + max + ".");
        }
    }
}
