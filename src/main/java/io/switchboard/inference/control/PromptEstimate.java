package io.switchboard.inference.control;

import io.switchboard.gateway.control.Jsonp;
import io.switchboard.inference.entity.CompletionRequest;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

/**
 * An estimate of a request's prompt tokens without a tokenizer, for when the engine never said (a stream
 * cancelled before its usage chunk): about four characters a token for English text and code, plus a few
 * tokens a message for the chat template. Rows that carry it are marked as estimated.
 */
public final class PromptEstimate {

    private static final int CHARS_PER_TOKEN = 4;
    private static final int TOKENS_PER_MESSAGE = 4;

    private PromptEstimate() {
    }

    public static int tokens(JsonObject body) {
        long[] text = text(body);
        long tokens = (text[0] + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN + text[1] * TOKENS_PER_MESSAGE;
        return (int) Math.min(Integer.MAX_VALUE, tokens);
    }

    /** The estimate for a request, with the earlier turns of a Responses follow-up (from their usage where it was known). */
    public static int tokens(CompletionRequest request) {
        long tokens = tokens(request.body());
        CompletionRequest.Earlier earlier = request.earlier();
        if (earlier != null) tokens += earlier.tokens() >= 0 ? earlier.tokens() : earlier.engineInput().length() / CHARS_PER_TOKEN;
        return (int) Math.min(Integer.MAX_VALUE, tokens);
    }

    /**
     * The bound for a request, with the earlier turns of a Responses follow-up: the engine's count of them where their
     * usage said it, and room for the template of their output items once they are messages of the prompt; else
     * three tokens for every character of their JSON (more than their text has).
     */
    public static long upperBound(CompletionRequest request) {
        long bound = upperBound(request.body());
        CompletionRequest.Earlier earlier = request.earlier();
        if (earlier != null) bound += earlier.tokens() >= 0 ? earlier.tokens() + EARLIER_TEMPLATE_ROOM : earlier.engineInput().length() * 3L;
        return bound;
    }

    /** Tokens of chat template the earlier turns' output may take once it is part of the prompt. */
    private static final int EARLIER_TEMPLATE_ROOM = 64;

    /** {characters of the messages' and the prompt's text, messages}. */
    private static long[] text(JsonObject body) {
        long chars = 0;
        long messages = 0;
        if (body.get("messages") instanceof JsonArray array) {
            for (JsonValue message : array) {
                if (!(message instanceof JsonObject object)) continue;
                messages++;
                chars += textLength(object.get("content"));
            }
        }
        chars += textLength(body.get("prompt"));
        chars += textLength(body.get("system")) + textLength(body.get("instructions")); // Messages, Responses
        JsonValue input = body.get("input"); // Responses (items with content), embeddings (strings)
        if (input instanceof JsonArray items) {
            for (JsonValue item : items) {
                if (item instanceof JsonObject object) {
                    messages++;
                    chars += textLength(object.get("content")) + textLength(object.get("arguments")) + textLength(object.get("output"));
                } else if (item instanceof JsonArray tokens) {
                    chars += tokens.size() * (long) CHARS_PER_TOKEN;
                } else if (item instanceof jakarta.json.JsonNumber) {
                    chars += CHARS_PER_TOKEN;
                } else {
                    chars += textLength(item);
                }
            }
        } else {
            chars += textLength(input);
        }
        return new long[] {chars, messages};
    }

    /**
     * A bound the prompt's tokens do not exceed, for reservations against budgets: every token of a
     * byte-level tokenizer covers at least one UTF-8 byte, plus room for each message's chat template.
     */
    public static long upperBound(JsonObject body) {
        long[] text = text(body);
        return text[0] * 3 + (text[1] + 1) * 16; // a char is at most 3 UTF-8 bytes (a surrogate pair's two: 4)
    }

    private static long textLength(JsonValue value) {
        return Jsonp.textLength(value);
    }
}
