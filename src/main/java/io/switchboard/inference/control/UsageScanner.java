package io.switchboard.inference.control;

import io.switchboard.gateway.control.Jsonp;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

/**
 * Reads what billing needs out of an engine's answer without parsing the generated text: the
 * {@code usage} object (prompt, cached prompt and completion tokens), the finish reason, and whether
 * a stream chunk is the usage-only one (empty {@code choices}) or an error. Pure and allocation-light:
 * it runs on every relayed chunk.
 */
public final class UsageScanner {

    /** Token counts as the engine reported them; {@code cachedPromptTokens} is null when it did not say. */
    public record Usage(int promptTokens, int completionTokens, Integer cachedPromptTokens) {
    }

    /** A stream chunk's usage, and whether the chunk carries nothing else (the one sent for include_usage). */
    public record ChunkUsage(Usage usage, boolean usageOnly) {
    }

    private UsageScanner() {
    }

    /** A whole answer's usage: its last {@code "usage":{...}} object (which may nest token details), or null. */
    public static Usage ofAnswer(String json) {
        int at = json.lastIndexOf("\"usage\":{");
        if (at < 0) return null;
        int start = at + 8;
        int end = start;
        for (int depth = 0; end < json.length(); end++) {
            char c = json.charAt(end);
            if (c == '{') depth++;
            if (c == '}' && --depth == 0) break;
        }
        try {
            return usage(Jsonp.parseObject(json.substring(start, Math.min(end + 1, json.length()))));
        } catch (RuntimeException notJson) {
            return null;
        }
    }

    /** A stream chunk's usage, or null when it has none (most chunks: only those that mention it are parsed). */
    public static ChunkUsage ofChunk(String payload) {
        if (!payload.contains("\"usage\"")) return null;
        try {
            JsonObject chunk = Jsonp.parseObject(payload);
            JsonObject counts = counts(chunk);
            if (counts == null) return null;
            boolean usageOnly = chunk.get("choices") instanceof JsonArray choices && choices.isEmpty();
            return new ChunkUsage(usage(counts), usageOnly);
        } catch (RuntimeException notJson) {
            return null;
        }
    }

    /**
     * The first {@code finish_reason} string in the text (one per chunk in a stream), or null (also for
     * {@code "finish_reason":null}); in Anthropic's answers their {@code stop_reason}, and in a Responses API
     * response its status, in chat's words (stop, length, tool_calls).
     */
    public static String finishReason(String json) {
        String reason = stringAfter(json, "\"finish_reason\":\"");
        if (reason != null) return reason;
        String stop = stringAfter(json, "\"stop_reason\":\"");
        if (stop != null) {
            return switch (stop) {
                case "max_tokens" -> "length";
                case "tool_use" -> "tool_calls";
                default -> "stop";
            };
        }
        if (json.contains("\"object\":\"response\"")) {
            return json.contains("\"reason\":\"max_output_tokens\"") ? "length" : json.contains("\"type\":\"function_call\"") ? "tool_calls" : "stop";
        }
        return null;
    }

    /** A chunk's usage: its own, or (Responses and Messages events) that of the response or message it carries. */
    private static JsonObject counts(JsonObject chunk) {
        if (chunk.get("usage") instanceof JsonObject usage) return usage;
        for (String holder : new String[] {"response", "message"}) {
            if (chunk.get(holder) instanceof JsonObject inner && inner.get("usage") instanceof JsonObject usage) return usage;
        }
        return null;
    }

    private static String stringAfter(String json, String key) {
        int at = json.indexOf(key);
        if (at < 0) return null;
        int start = at + key.length();
        int end = json.indexOf('"', start);
        return end > start ? json.substring(start, end) : null;
    }

    /** Whether a stream chunk is an error event (vLLM's {@code {"error": ...}} or an object of type error). */
    public static boolean isError(String payload) {
        return payload.startsWith("{\"error\"") || payload.contains("\"object\":\"error\"")
                || payload.contains("\"type\":\"error\"");
    }

    /** OpenAI's prompt/completion tokens, or the Responses and Anthropic input/output tokens; cached where said. */
    private static Usage usage(JsonObject counts) {
        Integer cached = null;
        for (String details : new String[] {"prompt_tokens_details", "input_tokens_details"}) {
            if (counts.get(details) instanceof JsonObject detail && detail.get("cached_tokens") instanceof jakarta.json.JsonNumber number) {
                cached = number.intValue();
            }
        }
        if (cached == null && counts.get("cache_read_input_tokens") instanceof jakarta.json.JsonNumber number) cached = number.intValue();
        boolean openAi = counts.containsKey("prompt_tokens");
        return new Usage(intOf(counts, openAi ? "prompt_tokens" : "input_tokens"),
                intOf(counts, openAi ? "completion_tokens" : "output_tokens"), cached);
    }

    private static int intOf(JsonObject counts, String name) {
        JsonValue value = counts.get(name);
        return value instanceof jakarta.json.JsonNumber number ? number.intValue() : 0;
    }
}
