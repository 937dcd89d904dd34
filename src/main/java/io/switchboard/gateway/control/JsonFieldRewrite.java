package io.switchboard.gateway.control;

import java.nio.charset.StandardCharsets;

/**
 * Replaces the string value of one top-level field in a JSON object's bytes, leaving every other byte as
 * the client sent it: cheaper than parsing and writing the body again, and the engine sees the client's
 * own numbers, key order and escapes. The body must be valid JSON (it was parsed before).
 */
public final class JsonFieldRewrite {

    private JsonFieldRewrite() {
    }

    /**
     * The body with {@code field}'s string value replaced by {@code value}; null when the field is not a
     * top-level string written plainly (then the caller rebuilds the body).
     */
    public static byte[] replaceString(byte[] body, String field, String value) {
        byte[] key = ('"' + field + '"').getBytes(StandardCharsets.UTF_8);
        int depth = 0;
        int i = 0;
        boolean expectKey = false;
        while (i < body.length) {
            byte b = body[i];
            if (b == '"') {
                int end = stringEnd(body, i);
                if (end < 0) return null;
                if (depth == 1 && expectKey && end - i + 1 == key.length && regionMatches(body, i, key)) {
                    int colon = skipSpace(body, end + 1);
                    if (colon >= body.length || body[colon] != ':') return null;
                    int start = skipSpace(body, colon + 1);
                    if (start >= body.length || body[start] != '"') return null; // not a string
                    int valueEnd = stringEnd(body, start);
                    if (valueEnd < 0) return null;
                    return splice(body, start, valueEnd + 1, quoted(value));
                }
                expectKey = false;
                i = end + 1;
                continue;
            }
            if (b == '{' || b == '[') {
                depth++;
                expectKey = b == '{' && depth == 1;
            } else if (b == '}' || b == ']') {
                depth--;
            } else if (b == ',' && depth == 1) {
                expectKey = true;
            }
            i++;
        }
        return null;
    }

    /**
     * The object's bytes with {@code "field":"value"} added as its last member; null when the body does not end
     * with the object's closing brace. A field the client sent already is then there twice: JSON parsers that keep
     * one value keep the last (Python's, vLLM's, among them), so the gateway's wins.
     */
    public static byte[] appendString(byte[] body, String field, String value) {
        return appendJson(body, field, Jsonp.value(value).toString());
    }

    /** As {@link #appendString}, with a value already written as JSON ({@code json}: an array's, {@code null}). */
    public static byte[] appendJson(byte[] body, String field, String json) {
        int close = body.length - 1;
        while (close >= 0 && (body[close] == ' ' || body[close] == '\t' || body[close] == '\n' || body[close] == '\r')) close--;
        if (close < 1 || body[close] != '}') return null;
        int last = close - 1;
        while (last >= 0 && (body[last] == ' ' || body[last] == '\t' || body[last] == '\n' || body[last] == '\r')) last--;
        if (last < 0) return null;
        byte[] member = ((body[last] == '{' ? "" : ",") + Jsonp.value(field) + ":" + json).getBytes(StandardCharsets.UTF_8);
        return splice(body, close, close, member);
    }

    /** The index of the quote that closes the string opening at {@code start}, or -1. */
    private static int stringEnd(byte[] body, int start) {
        for (int i = start + 1; i < body.length; i++) {
            if (body[i] == '\\') i++;
            else if (body[i] == '"') return i;
        }
        return -1;
    }

    private static int skipSpace(byte[] body, int at) {
        while (at < body.length && (body[at] == ' ' || body[at] == '\t' || body[at] == '\n' || body[at] == '\r')) at++;
        return at;
    }

    private static boolean regionMatches(byte[] body, int at, byte[] key) {
        for (int k = 0; k < key.length; k++) if (body[at + k] != key[k]) return false;
        return true;
    }

    private static byte[] splice(byte[] body, int from, int to, byte[] replacement) {
        byte[] out = new byte[body.length - (to - from) + replacement.length];
        System.arraycopy(body, 0, out, 0, from);
        System.arraycopy(replacement, 0, out, from, replacement.length);
        System.arraycopy(body, to, out, from + replacement.length, body.length - to);
        return out;
    }

    private static byte[] quoted(String value) {
        return Jsonp.value(value).toString().getBytes(StandardCharsets.UTF_8);
    }
}
