package io.switchboard.inference.control;

import io.switchboard.inference.entity.CompletionRequest.Endpoint;
import org.junit.jupiter.api.Test;

import static io.switchboard.inference.control.CompletionValidatorTest.rejectedParam;
import static io.switchboard.inference.control.CompletionValidatorTest.validate;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The Responses API's, Messages' and embeddings' own checks: a 400 naming the field, as each API names it. */
class SurfaceValidatorTest {

    @Test
    void responsesNeedAnInputOfTextOrItemsAndAreNeverBackground() {
        assertEquals("input", rejectedParam(Endpoint.RESPONSES, "{\"model\":\"m\"}"));
        assertEquals("input", rejectedParam(Endpoint.RESPONSES, "{\"model\":\"m\",\"input\":42}"));
        assertEquals("input[1]", rejectedParam(Endpoint.RESPONSES, "{\"model\":\"m\",\"input\":[{\"role\":\"user\",\"content\":\"a\"},\"b\"]}"));
        assertEquals("background", rejectedParam(Endpoint.RESPONSES, "{\"model\":\"m\",\"input\":\"a\",\"background\":true}"));
        assertEquals("max_output_tokens", rejectedParam(Endpoint.RESPONSES, "{\"model\":\"m\",\"input\":\"a\",\"max_output_tokens\":0}"));
        assertEquals("store", rejectedParam(Endpoint.RESPONSES, "{\"model\":\"m\",\"input\":\"a\",\"store\":\"yes\"}"));
        assertTrue(validate(Endpoint.RESPONSES, "{\"model\":\"m\",\"input\":\"a\",\"background\":false,\"stream\":true}").stream());
    }

    @Test
    void messagesNeedMaxTokensAndUserOrAssistantTurns() {
        String turn = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
        assertEquals("max_tokens", rejectedParam(Endpoint.MESSAGES, "{\"model\":\"m\"," + turn + "}"));
        assertEquals("messages", rejectedParam(Endpoint.MESSAGES, "{\"model\":\"m\",\"max_tokens\":4}"));
        assertEquals("messages.0.role", rejectedParam(Endpoint.MESSAGES,
                "{\"model\":\"m\",\"max_tokens\":4,\"messages\":[{\"role\":\"system\",\"content\":\"hi\"}]}"));
        assertEquals("messages.0.content", rejectedParam(Endpoint.MESSAGES,
                "{\"model\":\"m\",\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":7}]}"));
        assertEquals("temperature", rejectedParam(Endpoint.MESSAGES, "{\"model\":\"m\",\"max_tokens\":4," + turn + ",\"temperature\":1.5}"),
                "Anthropic's temperature is at most 1");
        validate(Endpoint.COUNT_TOKENS, "{\"model\":\"m\"," + turn + "}"); // count_tokens has no max_tokens
    }

    @Test
    void embeddingsTakeTextOrTokensAsFloatOrBase64() {
        assertEquals("input", rejectedParam(Endpoint.EMBEDDINGS, "{\"model\":\"m\"}"));
        assertEquals("input", rejectedParam(Endpoint.EMBEDDINGS, "{\"model\":\"m\",\"input\":[]}"));
        assertEquals("input", rejectedParam(Endpoint.EMBEDDINGS, "{\"model\":\"m\",\"input\":[[1,2],[]]}"));
        assertEquals("input", rejectedParam(Endpoint.EMBEDDINGS, "{\"model\":\"m\",\"input\":[1.5]}"));
        assertEquals("encoding_format", rejectedParam(Endpoint.EMBEDDINGS, "{\"model\":\"m\",\"input\":\"a\",\"encoding_format\":\"int8\"}"));
        assertEquals("dimensions", rejectedParam(Endpoint.EMBEDDINGS, "{\"model\":\"m\",\"input\":\"a\",\"dimensions\":0}"));
        validate(Endpoint.EMBEDDINGS, "{\"model\":\"m\",\"input\":[[1,2],[3]],\"encoding_format\":\"base64\",\"dimensions\":256}");
        validate(Endpoint.EMBEDDINGS, "{\"model\":\"m\",\"input\":[\"a\",\"b\"],\"encoding_format\":null}");
    }
}
