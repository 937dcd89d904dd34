package io.switchboard.inference.control;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NullFieldFillTest {

    private final NullFieldFill fill = new NullFieldFill("previous_response_id", "resp_abc");

    private String filled(String json) {
        return new String(fill.fill(json.getBytes(StandardCharsets.UTF_8)), StandardCharsets.UTF_8);
    }

    @Test
    void aNullFieldIsFilledCompactOrSpaced() {
        assertEquals("{\"id\":\"resp_1\",\"previous_response_id\":\"resp_abc\",\"x\":1}",
                filled("{\"id\":\"resp_1\",\"previous_response_id\":null,\"x\":1}"));
        assertEquals("{\"previous_response_id\":\"resp_abc\"}", filled("{\"previous_response_id\": null}"));
    }

    @Test
    void aFieldWithAValueOrTheNameInsideAStringIsLeftAlone() {
        byte[] valued = "{\"previous_response_id\":\"resp_other\"}".getBytes(StandardCharsets.UTF_8);
        assertSame(valued, fill.fill(valued), "nothing to fill: no copy");
        String quoted = "{\"text\":\"say \\\"previous_response_id\\\":null\"}";
        assertEquals(quoted, filled(quoted));
    }

    @Test
    void everyResponseEventOfAStreamCarriesTheFilledId() {
        EngineStream stream = new EngineStream(false, io.switchboard.inference.entity.CompletionRequest.Endpoint.RESPONSES.lastEvent)
                .filling(fill);
        String events = "event: response.created\ndata: {\"type\":\"response.created\",\"response\":{\"id\":\"resp_1\","
                + "\"previous_response_id\":null,\"usage\":null}}\n\n"
                + "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"delta\":\"Hi\"}\n\n"
                + "event: response.completed\ndata: {\"type\":\"response.completed\",\"response\":{\"id\":\"resp_1\","
                + "\"previous_response_id\":null,\"usage\":{\"input_tokens\":5,\"output_tokens\":1,\"total_tokens\":6}}}\n\n";
        int n = stream.read(List.of(ByteBuffer.wrap(events.getBytes(StandardCharsets.UTF_8))));
        String out = new String(stream.output(), 0, n, StandardCharsets.UTF_8);
        assertEquals(2, out.split("\"previous_response_id\":\"resp_abc\"", -1).length - 1, out);
        assertTrue(out.contains("\"delta\":\"Hi\""), out);
        assertTrue(stream.lastPayload().contains("\"previous_response_id\":\"resp_abc\""), "the stored response has it too");
        assertEquals(new UsageScanner.Usage(5, 1, null), stream.usage());
    }
}
