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
