package io.switchboard.inference.control;

import io.switchboard.gateway.control.Jsonp;
import io.switchboard.inference.entity.CompletionRequest;
import io.switchboard.inference.entity.CompletionRequest.Endpoint;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A Responses follow-up turn's prompt is its earlier conversation and its own input: its reservation against the
 * tenant's token limits counts both, and the earlier part by the engine's own count where the stored usage said it.
 */
class PromptEstimateTest {

    private static final JsonObject OWN = Jsonp.object().add("model", "m").add("input", "And then?").build();

    @Test
    void aFollowUpReservesItsEarlierConversationToo() {
        CompletionRequest first = new CompletionRequest(Endpoint.RESPONSES, "m", true, false, OWN);
        CompletionRequest next = first.continuing(new CompletionRequest.Earlier("resp_1", "[]", 5_000));
        assertEquals(PromptEstimate.upperBound(first) + 5_000 + 64, PromptEstimate.upperBound(next));
        assertEquals(PromptEstimate.tokens(first) + 5_000, PromptEstimate.tokens(next));
    }

    @Test
    void anEarlierConversationWithoutUsageIsBoundByItsLength() {
        String items = "[{\"role\":\"user\",\"content\":\"" + "x".repeat(3_000) + "\"}]";
        CompletionRequest next = new CompletionRequest(Endpoint.RESPONSES, "m", true, false, OWN)
                .continuing(new CompletionRequest.Earlier("resp_1", items, -1));
        assertTrue(PromptEstimate.upperBound(next) >= 3 * 3_000, "every character may be a token of three bytes");
        assertTrue(PromptEstimate.tokens(next) >= 3_000 / 4);
    }
}
