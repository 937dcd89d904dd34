package io.switchboard.inference.control;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Whole events out of an SSE byte stream, however the network cuts it. */
class SseEventsTest {

    private static final String STREAM = "data: {\"id\":\"a\",\"choices\":[{\"delta\":{\"content\":\"Hé\"}}]}\n\n"
            + ": keep-alive\n\n"
            + "data: {\"id\":\"a\",\"choices\":[],\"usage\":{\"prompt_tokens\":3}}\r\n\r\n"
            + "data: [DONE]\n\n";

    @Test
    void eventsComeOutWholeWhereverTheBytesAreCut() {
        byte[] bytes = STREAM.getBytes(StandardCharsets.UTF_8);
        List<String> whole = split(List.of(bytes));
        assertEquals(List.of("data: {\"id\":\"a\",\"choices\":[{\"delta\":{\"content\":\"Hé\"}}]}", ": keep-alive",
                "data: {\"id\":\"a\",\"choices\":[],\"usage\":{\"prompt_tokens\":3}}", "data: [DONE]"), whole);
        for (int cut = 1; cut < bytes.length; cut++) {
            byte[] first = java.util.Arrays.copyOfRange(bytes, 0, cut);
            byte[] rest = java.util.Arrays.copyOfRange(bytes, cut, bytes.length);
            assertEquals(whole, split(List.of(first, rest)), "cut at " + cut);
        }
    }

    @Test
    void anUnfinishedEventWaitsAndIsReported() {
        SseEvents events = new SseEvents();
        List<String> seen = new ArrayList<>();
        events.feed(List.of(ByteBuffer.wrap("data: {\"a\":1}\n\ndata: {\"b\"".getBytes(StandardCharsets.UTF_8))),
                (b, off, len) -> seen.add(new String(b, off, len, StandardCharsets.UTF_8)));
        assertEquals(List.of("data: {\"a\":1}"), seen);
        assertTrue(events.hasPartialEvent());
        events.feed(List.of(ByteBuffer.wrap(":2}\n\n".getBytes(StandardCharsets.UTF_8))),
                (b, off, len) -> seen.add(new String(b, off, len, StandardCharsets.UTF_8)));
        assertEquals("data: {\"b\":2}", seen.get(1));
        assertFalse(events.hasPartialEvent());
    }

    @Test
    void aStreamThatEndsWithoutItsLastBlankLineStillHandsOverItsLastEvent() {
        SseEvents events = new SseEvents();
        List<String> seen = new ArrayList<>();
        SseEvents.Sink sink = (b, off, len) -> seen.add(new String(b, off, len, StandardCharsets.UTF_8));
        events.feed(List.of(ByteBuffer.wrap("data: {\"a\":1}\n\ndata: [DONE]\n".getBytes(StandardCharsets.UTF_8))), sink);
        events.finish(sink);
        assertEquals(List.of("data: {\"a\":1}", "data: [DONE]"), seen);
        assertFalse(events.hasPartialEvent());
    }

    private static List<String> split(List<byte[]> pieces) {
        SseEvents events = new SseEvents();
        List<String> seen = new ArrayList<>();
        for (byte[] piece : pieces) {
            events.feed(List.of(ByteBuffer.wrap(piece)), (b, off, len) -> seen.add(new String(b, off, len, StandardCharsets.UTF_8)));
        }
        return seen;
    }
}
