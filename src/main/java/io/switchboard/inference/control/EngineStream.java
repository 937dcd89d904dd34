package io.switchboard.inference.control;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;

/**
 * An engine's token stream as the relay reads it, one network read at a time: what to pass on to the
 * client (each {@code data:} line as an event of its own, the usage-only chunk only if the client asked;
 * {@code event:}/{@code id:} lines and comments, the engine's keep-alives, dropped) and what billing needs
 * (usage, finish reason, whether {@code [DONE]} came, an error event). Events are looked at as bytes in
 * one pass; only one that mentions usage or an error becomes a string. Pure; one per stream, used by one
 * thread at a time.
 */
public final class EngineStream implements SseEvents.Sink {

    private static final byte[] DATA = SseEvents.ascii("data:");
    private static final byte[] DATA_PREFIX = SseEvents.ascii("data: ");
    private static final byte[] EVENT_END = SseEvents.ascii("\n\n");
    private static final byte[] DONE = SseEvents.ascii("[DONE]");
    private static final byte[] USAGE = SseEvents.ascii("\"usage\"");
    private static final byte[] ERROR = SseEvents.ascii("\"error\"");
    private static final byte[] FINISH_REASON = SseEvents.ascii("\"finish_reason\":\"");
    private static final byte[] CONTENT = SseEvents.ascii("\"content\":\"");
    private static final byte[] TEXT = SseEvents.ascii("\"text\":\"");
    private static final byte[] DELTA = SseEvents.ascii("\"delta\":\"");

    private final boolean clientWantsUsage;
    private final byte[] lastEvent; // named events (Responses, Messages): what the last one's data holds; null: [DONE]
    private volatile String lastPayload;
    private final SseEvents events = new SseEvents();
    // reused: a read's output is written before the next read comes; allocated at the first event (a whole
    // answer has an EngineStream too and never needs one)
    private byte[] out = new byte[0];
    private int outSize;
    private volatile boolean sawDone;
    private volatile boolean sawToken;
    private volatile boolean sawError;
    private volatile UsageScanner.Usage usage;
    private volatile String finishReason;
    private volatile int tokenChunks;
    private volatile int namedEvents; // passed on: the Responses API numbers its events from 0, one by one
    private NullFieldFill fill; // named events: a field the gateway fills in (the Responses API's previous_response_id)

    public EngineStream(boolean clientWantsUsage) {
        this(clientWantsUsage, null);
    }

    /**
     * A stream of named events ({@code event:} and {@code data:} lines, passed on whole) that ends with the event
     * whose data holds {@code lastEvent}, as the Responses and Messages APIs end; null: one that ends with [DONE].
     */
    public EngineStream(boolean clientWantsUsage, String lastEvent) {
        this.clientWantsUsage = clientWantsUsage;
        this.lastEvent = lastEvent == null ? null : SseEvents.ascii(lastEvent);
    }

    /** Named events pass on with this field filled in where the engine left it null. */
    public EngineStream filling(NullFieldFill fill) {
        this.fill = fill;
        return this;
    }

    /** The data of the stream's last event (a named-event stream's, once it came): the Responses API's whole response. */
    public String lastPayload() {
        return lastPayload;
    }

    /** Reads what one network read brought; answers how many bytes of {@link #output()} to pass on (0: none yet). */
    public int read(List<ByteBuffer> buffers) {
        outSize = 0;
        events.feed(buffers, this);
        return outSize;
    }

    /** The stream ended: an event left without its blank line still counts. Answers the bytes to pass on. */
    public int end() {
        outSize = 0;
        events.finish(this);
        return outSize;
    }

    /** The bytes to pass on after {@link #read} or {@link #end}; valid until the next call. */
    public byte[] output() {
        return out;
    }

    /** The {@code sequence_number} an event the gateway adds to a Responses stream takes: one past the engine's last. */
    public int nextSequenceNumber() {
        return namedEvents;
    }

    public boolean sawDone() {
        return sawDone;
    }

    /** Whether an event other than {@code [DONE]} came: the first token's moment is the relay's to note. */
    public boolean sawToken() {
        return sawToken;
    }

    public boolean sawError() {
        return sawError;
    }

    public UsageScanner.Usage usage() {
        return usage;
    }

    public String finishReason() {
        return finishReason;
    }

    /**
     * The chunks that carried generated text: vLLM sends one per token (more tokens per chunk only with
     * speculative decoding), so for a stream cut off before its usage chunk this is the tokens it generated.
     */
    public int tokenChunks() {
        return tokenChunks;
    }

    @Override
    public void event(byte[] bytes, int offset, int length) {
        if (lastEvent != null) {
            namedEvent(bytes, offset, length);
            return;
        }
        int end = offset + length;
        for (int line = offset; line < end; ) {
            int lineEnd = line;
            while (lineEnd < end && bytes[lineEnd] != '\n') lineEnd++;
            int stop = lineEnd;
            while (stop > line && (bytes[stop - 1] == '\r' || bytes[stop - 1] == ' ' || bytes[stop - 1] == '\t')) stop--;
            if (SseEvents.startsWith(bytes, line, stop, DATA)) dataLine(bytes, line, stop);
            line = lineEnd + 1;
        }
    }

    /** An event of a named-event stream: looked at as chat's data lines are, passed on whole, {@code event:} line and all. */
    private void namedEvent(byte[] bytes, int offset, int length) {
        if (fill != null) {
            bytes = fill.fill(bytes, offset, length);
            offset = 0;
            length = bytes.length;
        }
        int end = offset + length;
        for (int line = offset; line < end; ) {
            int lineEnd = line;
            while (lineEnd < end && bytes[lineEnd] != '\n') lineEnd++;
            int stop = lineEnd;
            while (stop > line && (bytes[stop - 1] == '\r' || bytes[stop - 1] == ' ')) stop--;
            if (SseEvents.startsWith(bytes, line, stop, DATA)) {
                int from = line + 5;
                while (from < stop && bytes[from] == ' ') from++;
                look(bytes, from, stop);
                if (contains(bytes, from, stop, lastEvent)) {
                    sawDone = true;
                    lastPayload = new String(bytes, from, stop - from, StandardCharsets.UTF_8);
                }
            }
            line = lineEnd + 1;
        }
        namedEvents++;
        int need = outSize + length + EVENT_END.length;
        makeRoom(need);
        System.arraycopy(bytes, offset, out, outSize, length);
        outSize += length;
        System.arraycopy(EVENT_END, 0, out, outSize, EVENT_END.length);
        outSize += EVENT_END.length;
    }

    private static boolean contains(byte[] bytes, int from, int end, byte[] pattern) {
        for (int i = from; i <= end - pattern.length; i++) {
            if (bytes[i] == pattern[0] && SseEvents.startsWith(bytes, i, end, pattern)) return true;
        }
        return false;
    }

    /** A named event's data: text (the first token), usage, an error, the finish reason (in chat's words). */
    private void look(byte[] bytes, int from, int end) {
        boolean mentionsUsage = false;
        boolean mentionsError = false;
        boolean carriesText = false;
        for (int i = from; i < end - 1; i++) {
            if (bytes[i] != '"') continue;
            byte next = bytes[i + 1];
            // a "usage": null or "error": null (every response.created and in_progress has both) carries nothing
            if (next == 'u' && !mentionsUsage) mentionsUsage = SseEvents.startsWith(bytes, i, end, USAGE) && !nullAfter(bytes, i + USAGE.length, end);
            else if (next == 'e' && !mentionsError) mentionsError = SseEvents.startsWith(bytes, i, end, ERROR) && !nullAfter(bytes, i + ERROR.length, end);
            else if (!carriesText && (next == 'd' || next == 't')) carriesText = deltaFollows(bytes, i, end);
        }
        if (carriesText) {
            tokenChunks++;
            sawToken = true;
        }
        if (mentionsUsage || mentionsError) {
            String payload = new String(bytes, from, end - from, StandardCharsets.UTF_8);
            UsageScanner.ChunkUsage counted = UsageScanner.ofChunk(payload);
            if (counted != null) usage = counted.usage();
            if (mentionsError && UsageScanner.isError(payload)) sawError = true;
            String reason = UsageScanner.finishReason(payload);
            if (reason != null) finishReason = reason;
        }
    }

    /** Whether a key's value, after its closing quote at {@code from}, is {@code null}. */
    private static boolean nullAfter(byte[] bytes, int from, int end) {
        int i = from;
        while (i < end && bytes[i] == ' ') i++;
        if (i >= end || bytes[i] != ':') return false;
        i++;
        while (i < end && bytes[i] == ' ') i++;
        return end - i >= 4 && bytes[i] == 'n' && bytes[i + 1] == 'u' && bytes[i + 2] == 'l' && bytes[i + 3] == 'l';
    }

    /** Whether {@code "delta":"} or {@code "text":"} with text after it starts at i. */
    private static boolean deltaFollows(byte[] bytes, int i, int end) {
        byte[] key = bytes[i + 1] == 'd' ? DELTA : TEXT;
        int after = i + key.length;
        return after < end && bytes[after] != '"' && SseEvents.startsWith(bytes, i, end, key);
    }

    private void dataLine(byte[] bytes, int offset, int end) {
        int from = offset + 5;
        while (from < end && bytes[from] == ' ') from++;
        if (end - from == DONE.length && SseEvents.startsWith(bytes, from, end, DONE)) {
            sawDone = true;
            pass(bytes, from, end);
            return;
        }
        sawToken = true;
        // one pass for the keys that matter; an escaped quote inside generated text is \" and never matches
        boolean mentionsUsage = false;
        boolean mentionsError = false;
        boolean carriesText = false;
        int reason = -1;
        for (int i = from; i < end - 1; i++) {
            if (bytes[i] != '"') continue;
            byte next = bytes[i + 1];
            if (next == 'u' && !mentionsUsage) mentionsUsage = SseEvents.startsWith(bytes, i, end, USAGE);
            else if (next == 'f' && reason < 0 && SseEvents.startsWith(bytes, i, end, FINISH_REASON)) reason = i;
            else if (next == 'e' && !mentionsError) mentionsError = SseEvents.startsWith(bytes, i, end, ERROR);
            else if (!carriesText && (next == 'c' || next == 't')) carriesText = textFollows(bytes, i, end);
        }
        if (carriesText) tokenChunks++; // one thread at a time reads a stream
        boolean usageOnly = false;
        if (mentionsUsage || mentionsError) {
            String payload = new String(bytes, from, end - from, StandardCharsets.UTF_8);
            UsageScanner.ChunkUsage counted = UsageScanner.ofChunk(payload);
            if (counted != null) {
                usage = counted.usage();
                usageOnly = counted.usageOnly();
            }
            if (UsageScanner.isError(payload)) sawError = true;
        }
        if (reason >= 0) {
            int start = reason + FINISH_REASON.length;
            int close = start;
            while (close < end && bytes[close] != '"') close++;
            if (close > start && close < end) finishReason = new String(bytes, start, close - start, StandardCharsets.UTF_8);
        }
        if (!usageOnly || clientWantsUsage) pass(bytes, from, end);
    }

    /** Whether {@code "content":"} or {@code "text":"} with at least one character of text starts at i. */
    private static boolean textFollows(byte[] bytes, int i, int end) {
        byte[] key = bytes[i + 1] == 'c' ? CONTENT : TEXT;
        int after = i + key.length;
        return after < end && bytes[after] != '"' && SseEvents.startsWith(bytes, i, end, key);
    }

    /** The output buffer holds at least {@code need} bytes: grown by doubling, 4 KB at the first event. */
    private void makeRoom(int need) {
        if (need > out.length) out = Arrays.copyOf(out, Math.max(Math.max(out.length * 2, need), 4096));
    }

    /** Passes {@code data: <payload>} on as an event of its own. */
    private void pass(byte[] bytes, int from, int end) {
        int need = outSize + DATA_PREFIX.length + (end - from) + EVENT_END.length;
        makeRoom(need);
        System.arraycopy(DATA_PREFIX, 0, out, outSize, DATA_PREFIX.length);
        outSize += DATA_PREFIX.length;
        System.arraycopy(bytes, from, out, outSize, end - from);
        outSize += end - from;
        System.arraycopy(EVENT_END, 0, out, outSize, EVENT_END.length);
        outSize += EVENT_END.length;
    }
}
