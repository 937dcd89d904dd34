package io.switchboard.inference.control;

import io.switchboard.accounting.entity.UsageRecord;
import io.switchboard.inference.entity.RequestOutcome;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The usage row an outcome becomes: every value within what its column takes, so PostgreSQL never refuses it. */
class OutcomeLogTest {

    @Test
    void anEnginesOddValuesAreFittedToTheirColumnsNotRefusedByTheDatabase() {
        String longReason = "stop_because_the_engine_says_so_" + "x".repeat(60);
        String longRule = "r".repeat(199) + "\uD83D\uDE00"; // 201 chars: the cut must not split the emoji
        RequestOutcome odd = new RequestOutcome("req_1", null, 7L, 9L, null, "chat", "chat", longRule, null,
                "/v1/chat/completions", false, 200, longReason, -5, 3, -1, false, 0, null, 12, Instant.EPOCH, Instant.EPOCH, null);

        UsageRecord row = OutcomeLog.usage(odd);

        assertEquals(longReason.substring(0, 40), row.finishReason());
        assertEquals("r".repeat(199), row.route());
        assertEquals(0, row.promptTokens(), "an engine's negative count is none");
        assertEquals(0, row.cachedTokens(), "never more cached than prompt tokens");
        assertEquals(0, row.completionTokens());

        RequestOutcome nul = new RequestOutcome("req_2", null, 7L, 9L, "bob\u0000", "chat", "chat", null, null,
                "/v1/chat/completions", false, 502, "stop", 1, 0, 1, false, 0, null, 12, Instant.EPOCH, Instant.EPOCH,
                "engine said \u0000 this");
        assertEquals("bob", OutcomeLog.usage(nul).endUser(), "PostgreSQL refuses NUL in text");
        assertEquals("engine said  this", OutcomeLog.usage(nul).error());
    }
}
