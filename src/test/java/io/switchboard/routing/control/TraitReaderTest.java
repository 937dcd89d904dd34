package io.switchboard.routing.control;

import io.switchboard.gateway.control.Jsonp;
import io.switchboard.gateway.entity.ApiException;
import io.switchboard.routing.entity.Quality;
import io.switchboard.routing.entity.RequestTraits;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TraitReaderTest {

    private static JsonObject chat(String... contents) {
        var messages = Jsonp.array();
        for (int i = 0; i < contents.length; i++) {
            messages.add(Jsonp.object().add("role", i % 2 == 0 ? "user" : "assistant").add("content", contents[i]));
        }
        return Jsonp.object().add("model", "auto").add("messages", messages).build();
    }

    @Test
    void countsMessagesEstimatesTokensAndReadsTheLastUserMessage() {
        RequestTraits traits = TraitReader.read("chat", chat("first question", "an answer", "x".repeat(400)), null);
        assertEquals(3, traits.messages());
        assertEquals((14 + 9 + 400 + 3) / 4 + 3 * 4, traits.promptTokens());
        assertEquals("x".repeat(400), traits.window());
        assertEquals(Quality.STANDARD, traits.quality());
        assertEquals(-1, traits.maxTokens());
    }

    @Test
    void aHugePromptIsLookedAtThroughABoundedWindowOfItsHeadAndTail() {
        String huge = "```python\n" + "a".repeat(400_000) + "\nsee main.rs";
        RequestTraits traits = TraitReader.read("chat", chat(huge), null);
        assertTrue(traits.window().length() <= TraitReader.WINDOW + 1, "window of " + traits.window().length());
        assertTrue(traits.languages().contains("python") && traits.languages().contains("rust"), traits.languages()::toString);
        assertTrue(traits.promptTokens() > 100_000, "the estimate still counts it all");
    }

    @Test
    void qualityComesFromTheHeaderElseTheMetadataAndAnUnknownOneIsA400NamingWhere() {
        JsonObject withMetadata = Jsonp.object(chat("hi")).add("metadata", Jsonp.object().add("quality", "low")).build();
        assertEquals(Quality.LOW, TraitReader.read("chat", withMetadata, null).quality());
        assertEquals(Quality.HIGH, TraitReader.read("chat", withMetadata, "HIGH").quality());
        ApiException header = assertThrows(ApiException.class, () -> TraitReader.read("chat", chat("hi"), "best"));
        assertEquals("x-switchboard-quality", header.param());
        JsonObject bad = Jsonp.object(chat("hi")).add("metadata", Jsonp.object().add("quality", "ultra")).build();
        assertEquals("metadata.quality", assertThrows(ApiException.class, () -> TraitReader.read("chat", bad, null)).param());
    }

    @Test
    void aCompletionsPromptIsOneMessage() {
        JsonObject body = Jsonp.object().add("model", "auto").add("prompt", "def f(x):\n  return x").add("max_tokens", 7).build();
        RequestTraits traits = TraitReader.read("completions", body, null);
        assertEquals(1, traits.messages());
        assertEquals(7, traits.maxTokens());
        assertTrue(traits.languages().contains("python"));
    }
}
