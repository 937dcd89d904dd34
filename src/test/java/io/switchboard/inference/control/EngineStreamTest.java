package io.switchboard.inference.control;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the relay passes on from an engine's stream, and what it bills from it. */
class EngineStreamTest {

    private static final String VLLM = "data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"},\"finish_reason\":null}]}\n\n"
            + ": ping\n\n"
            + "data: {\"choices\":[{\"delta\":{\"content\":\"!\"},\"finish_reason\":\"stop\"}]}\n\n"
            + "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":4,\"completion_tokens\":2,\"total_tokens\":6}}\n\n"
            + "data: [DONE]\n\n";

    @Test
    void theUsageChunkIsBilledAndPassedOnOnlyWhenAskedCommentsAreDropped() {
        for (boolean asked : new boolean[]{false, true}) {
            EngineStream stream = new EngineStream(asked);
            String out = read(stream, VLLM);
            assertEquals(new UsageScanner.Usage(4, 2, null), stream.usage());
            assertEquals("stop", stream.finishReason());
            assertTrue(stream.sawDone() && stream.sawToken() && !stream.sawError());
            assertFalse(out.contains("ping"));
            assertEquals(asked, out.contains("\"usage\""));
            assertTrue(out.endsWith("data: [DONE]\n\n"), out);
        }
    }

    @Test
    void otherEnginesEventAndIdLinesAreDroppedTheirDataLinesKeptAndALastUnfinishedEventCounts() {
        EngineStream stream = new EngineStream(false);
        String out = read(stream, "event: message\nid: 7\ndata: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n"
                + "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":1,\"completion_tokens\":1}}\r\nid: 8\r\n\r\n"
                + "data: [DONE] \n");
        out += new String(stream.output(), 0, stream.end(), StandardCharsets.UTF_8);
        assertEquals("data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\ndata: [DONE]\n\n", out);
        assertEquals(new UsageScanner.Usage(1, 1, null), stream.usage());
        assertTrue(stream.sawDone());
    }

    @Test
    void anErrorEventIsNoticed() {
        EngineStream stream = new EngineStream(false);
        read(stream, "data: {\"error\":{\"message\":\"EngineCore encountered an issue.\"}}\n\ndata: [DONE]\n\n");
        assertTrue(stream.sawError());
    }

    @Test
    void aResponsesStreamIsBilledFromItsCompletedEventAndItsNullErrorsAreNoErrors() {
        EngineStream stream = new EngineStream(false, io.switchboard.inference.entity.CompletionRequest.Endpoint.RESPONSES.lastEvent);
        String created = "{\"type\":\"response.created\",\"response\":{\"id\":\"resp_1\",\"error\": null,"
                + "\"status\":\"in_progress\",\"usage\":null},\"sequence_number\":0}";
        String delta = "{\"type\":\"response.output_text.delta\",\"delta\":\"Hi\",\"sequence_number\":1}";
        String completed = "{\"type\":\"response.completed\",\"response\":{\"id\":\"resp_1\",\"error\":null,"
                + "\"status\":\"completed\",\"usage\":{\"input_tokens\":5,\"output_tokens\":1,\"total_tokens\":6}},\"sequence_number\":2}";
        String out = read(stream, "event: response.created\ndata: " + created + "\n\nevent: response.output_text.delta\ndata: "
                + delta + "\n\nevent: response.completed\ndata: " + completed + "\n\n");
        assertFalse(stream.sawError(), "\"error\": null is no error");
        assertTrue(stream.sawToken() && stream.sawDone());
        assertEquals(new UsageScanner.Usage(5, 1, null), stream.usage());
        assertTrue(out.startsWith("event: response.created\ndata: "), out);
        assertEquals(3, stream.nextSequenceNumber(), "an event the gateway adds is numbered after the engine's three");
    }

    private static String read(EngineStream stream, String text) {
        int n = stream.read(List.of(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8))));
        return new String(stream.output(), 0, n, StandardCharsets.UTF_8);
    }
}
