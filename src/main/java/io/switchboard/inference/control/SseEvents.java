package io.switchboard.inference.control;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Splits an engine's server-sent event stream into whole events as its bytes arrive, across buffer
 * boundaries, without decoding them to text: an event is what comes before a blank line ({@code \n\n},
 * or {@code \r\n\r\n}). The relay forwards the events of one network read together; only the rare event
 * that mentions usage is ever turned into a string. Not thread-safe: one per stream.
 */
public final class SseEvents {

    /** Receives each complete event's bytes, without the blank line that ends it. */
    public interface Sink {
        void event(byte[] bytes, int offset, int length);
    }

    private byte[] pending = new byte[0]; // allocated by the first read: a whole answer never has one
    private int length;
    private int scanned; // bytes of pending already searched for an event's end

    /** Takes the buffers' bytes and hands every event they complete to the sink, in order. */
    public void feed(List<ByteBuffer> buffers, Sink sink) {
        for (ByteBuffer buffer : buffers) {
            int n = buffer.remaining();
            if (length + n > pending.length) pending = java.util.Arrays.copyOf(pending, Math.max(Math.max(pending.length * 2, length + n), 1024));
            buffer.get(pending, length, n);
            length += n;
        }
        int start = 0;
        for (int i = Math.max(scanned, 1); i < length; i++) {
            if (pending[i] == '\n' && (pending[i - 1] == '\n' || (i >= 3 && pending[i - 1] == '\r' && pending[i - 2] == '\n'))) {
                int end = pending[i - 1] == '\r' ? i - 2 : i - 1; // the first newline of the blank line
                if (end > start && pending[end - 1] == '\r') end--;
                if (end > start) sink.event(pending, start, end - start);
                start = i + 1;
            }
        }
        System.arraycopy(pending, start, pending, 0, length - start);
        length -= start;
        scanned = length;
    }

    /** The stream ended: what is left of an unfinished event goes to the sink as the last event. */
    public void finish(Sink sink) {
        int end = length;
        while (end > 0 && (pending[end - 1] == '\n' || pending[end - 1] == '\r')) end--;
        if (end > 0) sink.event(pending, 0, end);
        length = 0;
        scanned = 0;
    }

    /** Whether bytes of an unfinished event are waiting for the rest. */
    public boolean hasPartialEvent() {
        return length > 0;
    }

    /** Whether {@code bytes[at, to)} begins with {@code pattern}. */
    public static boolean startsWith(byte[] bytes, int at, int to, byte[] pattern) {
        if (to - at < pattern.length) return false;
        for (int j = 0; j < pattern.length; j++) {
            if (bytes[at + j] != pattern[j]) return false;
        }
        return true;
    }

    public static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
