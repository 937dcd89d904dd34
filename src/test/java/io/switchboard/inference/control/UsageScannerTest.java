package io.switchboard.inference.control;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What billing reads from engines' answers, as vLLM writes them. */
class UsageScannerTest {

    @Test
    void aWholeAnswersUsageIsReadWithItsCachedTokensAndTheGeneratedTextIsNotMistakenForIt() {
        String answer = "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"choices\":[{\"index\":0,\"message\":"
                + "{\"role\":\"assistant\",\"content\":\"the \\\"usage\\\":{\\\"prompt_tokens\\\":999} was quoted\"},"
                + "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":12,\"total_tokens\":19,"
                + "\"completion_tokens\":7,\"prompt_tokens_details\":{\"cached_tokens\":8}}}";

        assertEquals(new UsageScanner.Usage(12, 7, 8), UsageScanner.ofAnswer(answer));
        assertEquals("stop", UsageScanner.finishReason(answer));
    }

    @Test
    void theResponsesAndMessagesApisAreBilledFromTheirInputAndOutputTokens() {
        String response = "{\"id\":\"resp_1\",\"object\":\"response\",\"output\":[],\"status\":\"incomplete\","
                + "\"incomplete_details\":{\"reason\":\"max_output_tokens\"},\"usage\":{\"input_tokens\":16,"
                + "\"input_tokens_details\":{\"cached_tokens\":5},\"output_tokens\":8,\"total_tokens\":24}}";
        assertEquals(new UsageScanner.Usage(16, 8, 5), UsageScanner.ofAnswer(response));
        assertEquals("length", UsageScanner.finishReason(response));

        String message = "{\"id\":\"chatcmpl-1\",\"type\":\"message\",\"content\":[],\"stop_reason\":\"tool_use\","
                + "\"usage\":{\"input_tokens\":12,\"output_tokens\":5}}";
        assertEquals(new UsageScanner.Usage(12, 5, null), UsageScanner.ofAnswer(message));
        assertEquals("tool_calls", UsageScanner.finishReason(message));

        // a stream's events carry it inside the response or the message, or at the top (message_delta)
        assertEquals(new UsageScanner.Usage(11, 3, 0), UsageScanner.ofChunk("{\"response\":{\"usage\":{\"input_tokens\":11,"
                + "\"input_tokens_details\":{\"cached_tokens\":0},\"output_tokens\":3}},\"type\":\"response.completed\"}").usage());
        assertEquals(new UsageScanner.Usage(11, 3, null), UsageScanner.ofChunk("{\"type\":\"message_delta\",\"delta\":"
                + "{\"stop_reason\":\"end_turn\"},\"usage\":{\"input_tokens\":11,\"output_tokens\":3}}").usage());
    }

    @Test
    void anAnswerWithoutUsageHasNone() {
        assertNull(UsageScanner.ofAnswer("{\"choices\":[]}"));
        assertNull(UsageScanner.ofAnswer("{\"usage\":{\"prompt_tokens\":"), "truncated");
        assertNull(UsageScanner.finishReason("{\"choices\":[{\"finish_reason\":null}]}"));
    }

    @Test
    void theUsageOnlyChunkOfAStreamIsToldApartFromATokenChunk() {
        UsageScanner.ChunkUsage last = UsageScanner.ofChunk("{\"id\":\"c\",\"object\":\"chat.completion.chunk\","
                + "\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":16,\"total_tokens\":21}}");
        assertEquals(new UsageScanner.Usage(5, 16, null), last.usage());
        assertTrue(last.usageOnly());

        UsageScanner.ChunkUsage continuous = UsageScanner.ofChunk("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"}}],"
                + "\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1}}");
        assertFalse(continuous.usageOnly(), "vLLM's continuous usage stats ride on token chunks");
        assertNull(UsageScanner.ofChunk("{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"usage\"}}]}"));
    }

    @Test
    void errorEventsAreRecognised() {
        assertTrue(UsageScanner.isError("{\"error\":{\"message\":\"boom\"}}"));
        assertTrue(UsageScanner.isError("{\"object\":\"error\",\"message\":\"boom\",\"code\":500}"));
        assertFalse(UsageScanner.isError("{\"choices\":[{\"delta\":{\"content\":\"error\"}}]}"));
    }
}
