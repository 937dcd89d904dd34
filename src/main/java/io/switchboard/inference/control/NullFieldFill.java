package io.switchboard.inference.control;

import io.switchboard.gateway.control.Jsonp;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Fills in a top-level-looking JSON field that the engine answered {@code null} with the gateway's own value, in
 * the bytes as they pass: the Responses API's {@code previous_response_id}, which Switchboard resolves itself and
 * so never sends to the engine (vLLM would look it up in its own store and answer 404), yet the client expects
 * echoed in the response object, the {@code response.created}, {@code response.in_progress} and
 * {@code response.completed} events and the stored response. A field name in quotes followed by {@code :} can
 * appear in the JSON only as a key (inside a string its quotes would be escaped), so a byte match is exact.
 * Pure and immutable.
 */
public final class NullFieldFill {

    private final byte[] key;
    private final byte[] value;

    /**
     * {@code "field": null} becomes {@code "field":"value"}, the value written as a JSON string. One per follow-up
     * turn: {@code Json.createValue} looked the JSON provider up each time, a third of that turn's path (wall-clock
     * profile of {@code bench surface -Donly=follow-up}).
     */
    public NullFieldFill(String field, String value) {
        this.key = ("\"" + field + "\":").getBytes(StandardCharsets.UTF_8);
        this.value = Jsonp.value(value).toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The bytes with each null occurrence filled; the same array when there is none (the common case: no copy). */
    public byte[] fill(byte[] bytes, int offset, int length) {
        int end = offset + length;
        byte[] out = null;
        int outSize = 0;
        int copied = offset;
        for (int i = offset; i <= end - key.length; i++) {
            if (bytes[i] != '"' || !SseEvents.startsWith(bytes, i, end, key)) continue;
            int at = i + key.length;
            while (at < end && (bytes[at] == ' ' || bytes[at] == '\t')) at++;
            if (at + 4 > end || bytes[at] != 'n' || bytes[at + 1] != 'u' || bytes[at + 2] != 'l' || bytes[at + 3] != 'l') continue;
            if (out == null) out = new byte[length + value.length + 16];
            int prefix = i + key.length - copied;
            out = ensure(out, outSize + prefix + value.length);
            System.arraycopy(bytes, copied, out, outSize, prefix);
            outSize += prefix;
            System.arraycopy(value, 0, out, outSize, value.length);
            outSize += value.length;
            copied = at + 4;
            i = copied - 1;
        }
        if (out == null) return offset == 0 && length == bytes.length ? bytes : Arrays.copyOfRange(bytes, offset, end);
        out = ensure(out, outSize + end - copied);
        System.arraycopy(bytes, copied, out, outSize, end - copied);
        return Arrays.copyOf(out, outSize + end - copied);
    }

    public byte[] fill(byte[] bytes) {
        return fill(bytes, 0, bytes.length);
    }

    private static byte[] ensure(byte[] out, int size) {
        return size <= out.length ? out : Arrays.copyOf(out, Math.max(out.length * 2, size));
    }
}
