package io.switchboard.routing.control;

import io.switchboard.gateway.control.Jsonp;
import io.switchboard.gateway.entity.ApiException;
import io.switchboard.routing.entity.Quality;
import io.switchboard.routing.entity.RequestTraits;
import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

/**
 * Reads what routing rules look at from a request body already parsed: the message count, an estimate of
 * the prompt's tokens (four characters a token, a few per message), the quality asked for, and a window
 * of the last user message: all of it up to {@link #WINDOW} characters, else its head and its tail, so
 * that classifying a 400 KB prompt costs what a short one does.
 */
public final class TraitReader {

    /** Characters of the last user message the classifier looks at, at most. */
    public static final int WINDOW = 8 * 1024;
    public static final String QUALITY_HEADER = "x-switchboard-quality";
    private static final int CHARS_PER_TOKEN = 4;
    private static final int LONG_TOKEN_CHARS = 6; // English runs 4 to 4.5 characters a token; 6 leaves room for code
    private static final int TOKENS_PER_MESSAGE = 4;

    private TraitReader() {
    }

    /** {@code endpoint}: chat, completions or responses; {@code qualityHeader}: the header's value or null. */
    public static RequestTraits read(String endpoint, JsonObject body, String qualityHeader) {
        int messages = 0;
        long chars = 0;
        CharSequence last = "";
        if (body.get("messages") instanceof JsonArray array) {
            for (JsonValue item : array) {
                if (!(item instanceof JsonObject message)) continue;
                messages++;
                chars += length(message.get("content"));
            }
            last = lastUserText(array);
        } else if (body.get("input") instanceof JsonArray input) { // the Responses API's items
            messages = input.size();
            for (JsonValue item : input) if (item instanceof JsonObject object) chars += length(object.get("content"));
            last = lastUserText(input);
        } else {
            JsonValue prompt = body.containsKey("prompt") ? body.get("prompt") : body.get("input");
            messages = 1;
            chars = length(prompt);
            last = text(prompt);
        }
        long tokens = (chars + CHARS_PER_TOKEN - 1) / CHARS_PER_TOKEN + (long) messages * TOKENS_PER_MESSAGE;
        return new RequestTraits(endpoint, messages, tokens, chars / LONG_TOKEN_CHARS, maxTokens(body), quality(body, qualityHeader),
                window(last), CodeLanguages::in);
    }

    /** The quality asked for: the header, else {@code metadata.quality}, else standard; 400 naming the one that is none of low, standard, high. */
    public static Quality quality(JsonObject body, String header) {
        if (header != null && !header.isBlank()) {
            Quality quality = Quality.of(header.strip().toLowerCase(java.util.Locale.ROOT));
            if (quality == null) throw badQuality(QUALITY_HEADER, header.strip());
            return quality;
        }
        if (body.get("metadata") instanceof JsonObject metadata && metadata.containsKey("quality")) {
            if (!(metadata.get("quality") instanceof JsonString value) || Quality.of(value.getString()) == null) {
                throw badQuality("metadata.quality", String.valueOf(metadata.get("quality")));
            }
            return Quality.of(value.getString());
        }
        return Quality.STANDARD;
    }

    private static ApiException badQuality(String param, String value) {
        return ApiException.invalid(param, "Invalid value for '" + param + "': " + value
                + ". Supported values are: 'low', 'standard' and 'high'.");
    }

    private static long maxTokens(JsonObject body) {
        for (String field : new String[] {"max_completion_tokens", "max_tokens", "max_output_tokens"}) {
            if (body.get(field) instanceof JsonNumber number && number.isIntegral()) return Math.max(0, number.longValue());
        }
        return -1;
    }

    private static CharSequence lastUserText(JsonArray items) {
        for (int i = items.size() - 1; i >= 0; i--) {
            if (items.get(i) instanceof JsonObject message && message.get("role") instanceof JsonString role
                    && role.getString().equals("user")) return text(message.get("content"));
        }
        return "";
    }

    /**
     * The text of a string, or of an array of strings or content parts, cut to what the window can hold. Read
     * through {@code getChars()}: Parsson keeps a parsed string in a StringBuilder, and {@code getString()}
     * copies it whole (50 µs for 400 KB, measured), where only the window's characters are needed.
     */
    private static CharSequence text(JsonValue value) {
        if (value instanceof JsonString string) return string.getChars();
        if (!(value instanceof JsonArray array)) return "";
        StringBuilder text = new StringBuilder();
        for (JsonValue item : array) {
            CharSequence part = item instanceof JsonString s ? s.getChars()
                    : item instanceof JsonObject object && object.get("text") instanceof JsonString t ? t.getChars() : null;
            if (part == null) continue;
            if (!text.isEmpty()) text.append('\n');
            text.append(part.length() > 2 * WINDOW ? window(part) : part); // every part's head and tail, bounded
            if (text.length() > 4 * WINDOW) break;
        }
        return text;
    }

    private static String window(CharSequence text) {
        if (text.length() <= WINDOW) return text.toString();
        int half = WINDOW / 2;
        return new StringBuilder(WINDOW + 1).append(text, 0, half).append('\n')
                .append(text, text.length() - half, text.length()).toString();
    }

    private static long length(JsonValue value) {
        return Jsonp.textLength(value);
    }
}
