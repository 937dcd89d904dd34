package io.switchboard.inference.control;

import io.switchboard.gateway.control.Jsonp;
import io.switchboard.gateway.entity.ApiException;
import io.switchboard.gateway.control.JsonRequest;
import io.switchboard.inference.entity.CompletionRequest;
import io.switchboard.inference.entity.CompletionRequest.Endpoint;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

import java.math.BigDecimal;
import java.util.Set;

/**
 * Checks a completion request as OpenAI does, answering 400 with {@code param} naming the field,
 * and prepares the body for the engine: the resolved model name, and
 * {@code stream_options.include_usage} forced on for streams so that every request is billed.
 * Fields it does not know are passed through untouched (vLLM has many extras).
 */
public final class CompletionValidator {

    private static final Set<String> ROLES = Set.of("system", "developer", "user", "assistant", "tool", "function");

    private CompletionValidator() {
    }

    public static CompletionRequest validate(Endpoint endpoint, JsonRequest request) {
        if (endpoint != Endpoint.CHAT && endpoint != Endpoint.COMPLETIONS) return SurfaceValidator.validate(endpoint, request);
        JsonObject body = request.json();
        String model = request.requiredString("model", 200);
        if (endpoint == Endpoint.CHAT) {
            messages(body);
            ChatFeatures.check(request);
        } else {
            prompt(body);
        }
        integer(request, "max_tokens", 1, Integer.MAX_VALUE);
        integer(request, "max_completion_tokens", 1, Integer.MAX_VALUE);
        integer(request, "n", 1, 128);
        integer(request, "seed", Long.MIN_VALUE, Long.MAX_VALUE);
        integer(request, "top_logprobs", 0, 20);
        number(request, "temperature", "0", "2");
        number(request, "top_p", "0", "1");
        number(request, "presence_penalty", "-2", "2");
        number(request, "frequency_penalty", "-2", "2");
        request.optionalString("user", 256);
        stop(body);
        Boolean stream = request.optionalBoolean("stream");
        boolean streaming = Boolean.TRUE.equals(stream);
        JsonValue options = body.get("stream_options");
        boolean wantsUsage = false;
        if (options != null && options.getValueType() != JsonValue.ValueType.NULL) {
            if (!streaming) {
                throw ApiException.invalid("stream_options",
                        "The 'stream_options' parameter is only allowed when 'stream' is enabled.");
            }
            if (options.getValueType() != JsonValue.ValueType.OBJECT) {
                throw ApiException.invalid("stream_options", "Invalid type for 'stream_options': expected an object.");
            }
            Boolean include = JsonRequest.of(options.asJsonObject()).optionalBoolean("include_usage");
            wantsUsage = Boolean.TRUE.equals(include);
        }
        return new CompletionRequest(endpoint, model, streaming, wantsUsage, body);
    }

    /**
     * Whether the engine can take the client's body as it came: only a stream needs a change
     * ({@code include_usage}) and only an alias names another model than the engine serves.
     */
    public static boolean passesUnchanged(CompletionRequest request, String servedModel) {
        return (!request.stream() || request.endpoint().namedEvents()) && request.model().equals(servedModel);
    }

    /**
     * The bytes the engine gets: the client's own where nothing changes; where only the model does (an alias
     * in a whole answer), the client's bytes with that one field rewritten; a stream's body rebuilt.
     */
    public static byte[] upstreamBytes(CompletionRequest request, byte[] clientBody, String servedModel) {
        if (passesUnchanged(request, servedModel)) return clientBody;
        if (!request.stream() || request.endpoint().namedEvents()) { // their streams always carry usage
            byte[] rewritten = io.switchboard.gateway.control.JsonFieldRewrite.replaceString(clientBody, "model", servedModel);
            if (rewritten != null) return rewritten;
        }
        return upstreamBody(request, servedModel).toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    /** The body as the engine gets it: the served model's name, and usage always reported at the end of a stream. */
    public static JsonObject upstreamBody(CompletionRequest request, String servedModel) {
        JsonObjectBuilder body = Jsonp.object(request.body()).add("model", servedModel);
        if (request.stream() && !request.endpoint().namedEvents()) {
            JsonValue options = request.body().get("stream_options");
            JsonObjectBuilder streamOptions = options instanceof JsonObject object
                    ? Jsonp.object(object) : Jsonp.object();
            body.add("stream_options", streamOptions.add("include_usage", true));
        }
        return body.build();
    }

    private static void messages(JsonObject body) {
        JsonValue messages = body.get("messages");
        if (messages == null || messages.getValueType() == JsonValue.ValueType.NULL) {
            throw ApiException.invalid("messages", "Missing required parameter: 'messages'.");
        }
        if (messages.getValueType() != JsonValue.ValueType.ARRAY) {
            throw ApiException.invalid("messages", "Invalid type for 'messages': expected an array of objects.");
        }
        if (messages.asJsonArray().isEmpty()) {
            throw ApiException.invalid("messages", "Invalid 'messages': empty array. Expected an array with minimum length 1.");
        }
        int index = 0;
        for (JsonValue item : messages.asJsonArray()) {
            String at = "messages[" + index++ + "]";
            if (item.getValueType() != JsonValue.ValueType.OBJECT) {
                throw ApiException.invalid(at, "Invalid type for '" + at + "': expected an object.");
            }
            JsonObject message = item.asJsonObject();
            JsonValue role = message.get("role");
            if (!(role instanceof JsonString roleName)) {
                throw ApiException.invalid(at + ".role", "Missing required parameter: '" + at + ".role'.");
            }
            if (!ROLES.contains(roleName.getString())) {
                throw ApiException.invalid(at + ".role", "Invalid value: '" + roleName.getString()
                        + "'. Supported values are: 'system', 'developer', 'user', 'assistant', 'tool' and 'function'.");
            }
            JsonValue content = message.get("content");
            boolean contentOptional = roleName.getString().equals("assistant");
            if (content == null || content.getValueType() == JsonValue.ValueType.NULL) {
                if (!contentOptional) throw ApiException.invalid(at + ".content", "Missing required parameter: '" + at + ".content'.");
            } else if (content.getValueType() != JsonValue.ValueType.STRING && content.getValueType() != JsonValue.ValueType.ARRAY) {
                throw ApiException.invalid(at + ".content", "Invalid type for '" + at + ".content': expected a string or an array.");
            }
        }
    }

    private static void prompt(JsonObject body) {
        JsonValue prompt = body.get("prompt");
        if (prompt == null || prompt.getValueType() == JsonValue.ValueType.NULL) {
            throw ApiException.invalid("prompt", "Missing required parameter: 'prompt'.");
        }
        boolean valid = switch (prompt.getValueType()) {
            case STRING -> true;
            case ARRAY -> prompt.asJsonArray().stream().allMatch(item -> item.getValueType() == JsonValue.ValueType.STRING
                    || item.getValueType() == JsonValue.ValueType.NUMBER || item.getValueType() == JsonValue.ValueType.ARRAY);
            default -> false;
        };
        if (!valid) {
            throw ApiException.invalid("prompt", "Invalid type for 'prompt': expected a string, an array of strings, "
                    + "an array of tokens or an array of token arrays.");
        }
    }

    private static void stop(JsonObject body) {
        JsonValue stop = body.get("stop");
        if (stop == null || stop.getValueType() == JsonValue.ValueType.NULL || stop.getValueType() == JsonValue.ValueType.STRING) {
            return;
        }
        if (stop.getValueType() != JsonValue.ValueType.ARRAY
                || !stop.asJsonArray().stream().allMatch(s -> s.getValueType() == JsonValue.ValueType.STRING)) {
            throw ApiException.invalid("stop", "Invalid type for 'stop': expected a string or an array of strings.");
        }
        if (stop.asJsonArray().size() > 4) {
            throw ApiException.invalid("stop", "Invalid 'stop': array too long. Expected an array with maximum length 4.");
        }
    }

    private static void integer(JsonRequest request, String name, long min, long max) {
        request.optionalLong(name, min, max);
    }

    private static void number(JsonRequest request, String name, String min, String max) {
        JsonValue value = request.json().get(name);
        if (value == null || value.getValueType() == JsonValue.ValueType.NULL) return;
        if (!(value instanceof JsonNumber number)) {
            throw ApiException.invalid(name, "Invalid type for '" + name + "': expected a number.");
        }
        BigDecimal decimal = number.bigDecimalValue();
        if (decimal.compareTo(new BigDecimal(min)) < 0 || decimal.compareTo(new BigDecimal(max)) > 0) {
            throw ApiException.invalid(name, "Invalid '" + name + "': must be between " + min + " and " + max + ".");
        }
    }
}
