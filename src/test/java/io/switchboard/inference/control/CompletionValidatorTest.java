package io.switchboard.inference.control;

import io.switchboard.gateway.entity.ApiException;
import io.switchboard.gateway.control.JsonRequest;
import io.switchboard.inference.entity.CompletionRequest;
import io.switchboard.inference.entity.CompletionRequest.Endpoint;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.StringReader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CompletionValidatorTest {

    static CompletionRequest validate(Endpoint endpoint, String json) {
        return CompletionValidator.validate(endpoint, JsonRequest.of(Json.createReader(new StringReader(json)).readObject()));
    }

    static String rejectedParam(Endpoint endpoint, String json) {
        return assertThrows(ApiException.class, () -> validate(endpoint, json)).param();
    }

    @Test
    void streamsAlwaysAskTheEngineForUsageButRememberWhetherTheClientDid() {
        CompletionRequest silent = validate(Endpoint.CHAT, "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"unknown_field\":1}");
        JsonObject upstream = CompletionValidator.upstreamBody(silent, "served-m");
        assertFalse(silent.clientWantsUsage());
        assertTrue(upstream.getJsonObject("stream_options").getBoolean("include_usage"));
        assertEquals("served-m", upstream.getString("model"));
        assertEquals(1, upstream.getInt("unknown_field"), "unknown fields pass through to vLLM");

        CompletionRequest asked = validate(Endpoint.CHAT, "{\"model\":\"m\",\"stream\":true,\"stream_options\":{\"include_usage\":true,\"continuous_usage_stats\":true},\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertTrue(asked.clientWantsUsage());
        assertTrue(CompletionValidator.upstreamBody(asked, "m").getJsonObject("stream_options").getBoolean("continuous_usage_stats"));

        CompletionRequest plain = validate(Endpoint.CHAT, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertFalse(CompletionValidator.upstreamBody(plain, "m").containsKey("stream_options"));
    }

    @Test
    void onlyANonStreamedRequestForTheServedModelItselfIsRelayedAsTheClientSentIt() {
        CompletionRequest plain = validate(Endpoint.CHAT, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertTrue(CompletionValidator.passesUnchanged(plain, "m"));
        assertFalse(CompletionValidator.passesUnchanged(plain, "other"), "an alias is rewritten to the model it chose");
        CompletionRequest stream = validate(Endpoint.CHAT, "{\"model\":\"m\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}");
        assertFalse(CompletionValidator.passesUnchanged(stream, "m"), "a stream gains include_usage");
    }

    @Test
    void openAisRulesNameTheParameter() {
        assertEquals("model", rejectedParam(Endpoint.CHAT, "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}"));
        assertEquals("messages", rejectedParam(Endpoint.CHAT, "{\"model\":\"m\",\"messages\":{}}"));
        assertEquals("messages[1].content", rejectedParam(Endpoint.CHAT,
                "{\"model\":\"m\",\"messages\":[{\"role\":\"system\",\"content\":\"s\"},{\"role\":\"user\",\"content\":5}]}"));
        assertEquals("top_p", rejectedParam(Endpoint.CHAT, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"top_p\":1.5}"));
        assertEquals("stop", rejectedParam(Endpoint.CHAT, "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"stop\":[\"a\",\"b\",\"c\",\"d\",\"e\"]}"));
        assertEquals("prompt", rejectedParam(Endpoint.COMPLETIONS, "{\"model\":\"m\",\"prompt\":{}}"));
        assertEquals("stream_options", rejectedParam(Endpoint.COMPLETIONS, "{\"model\":\"m\",\"prompt\":\"p\",\"stream_options\":{}}"));
        validate(Endpoint.CHAT, "{\"model\":\"m\",\"messages\":[{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[]}]}");
        validate(Endpoint.COMPLETIONS, "{\"model\":\"m\",\"prompt\":[[1,2],[3]]}");
    }

    static String chat(String extra) {
        return "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]," + extra + "}";
    }

    static final String WEATHER = "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
            + "\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}}}]";

    @Test
    void toolsToolChoiceAndResponseFormatAreCheckedWithOpenAisParam() {
        assertEquals("tools", rejectedParam(Endpoint.CHAT, chat("\"tools\":\"get_weather\"")));
        assertEquals("tools[0].type", rejectedParam(Endpoint.CHAT, chat("\"tools\":[{\"function\":{\"name\":\"f\"}}]")));
        assertEquals("tools[0].type", rejectedParam(Endpoint.CHAT, chat("\"tools\":[{\"type\":\"browser\"}]")));
        assertEquals("tools[0].function.name", rejectedParam(Endpoint.CHAT,
                chat("\"tools\":[{\"type\":\"function\",\"function\":{\"description\":\"d\"}}]")));
        assertEquals("tools[0].function.name", rejectedParam(Endpoint.CHAT,
                chat("\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"get weather\"}}]")));
        assertEquals("tools[0].function.parameters", rejectedParam(Endpoint.CHAT,
                chat("\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":\"{}\"}}]")));
        assertEquals("tool_choice", rejectedParam(Endpoint.CHAT, chat("\"tool_choice\":\"required\"")), "no tools to choose");
        assertEquals("tool_choice", rejectedParam(Endpoint.CHAT, chat(WEATHER + ",\"tool_choice\":\"always\"")));
        assertEquals("tool_choice", rejectedParam(Endpoint.CHAT, chat(WEATHER
                + ",\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"get_time\"}}")));
        assertEquals("tool_choice.function.name", rejectedParam(Endpoint.CHAT, chat(WEATHER
                + ",\"tool_choice\":{\"type\":\"function\",\"function\":{}}")));
        assertEquals("parallel_tool_calls", rejectedParam(Endpoint.CHAT, chat(WEATHER + ",\"parallel_tool_calls\":\"yes\"")));
        assertEquals("parallel_tool_calls", rejectedParam(Endpoint.CHAT, chat("\"parallel_tool_calls\":true")), "no tools to call");
        assertEquals("response_format.type", rejectedParam(Endpoint.CHAT, chat("\"response_format\":{\"type\":\"xml\"}")));
        assertEquals("response_format.json_schema", rejectedParam(Endpoint.CHAT, chat("\"response_format\":{\"type\":\"json_schema\"}")));
        assertEquals("response_format.json_schema.name", rejectedParam(Endpoint.CHAT,
                chat("\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"schema\":{}}}")));
        assertEquals("top_logprobs", rejectedParam(Endpoint.CHAT, chat("\"top_logprobs\":3")), "only with logprobs");
        assertEquals("reasoning_effort", rejectedParam(Endpoint.CHAT, chat("\"reasoning_effort\":\"max\"")));

        ApiException wording = assertThrows(ApiException.class, () -> validate(Endpoint.CHAT, chat(WEATHER + ",\"tool_choice\":\"always\"")));
        assertEquals("Invalid value: 'always'. Supported values are: 'none', 'auto', and 'required'.", wording.getMessage());
    }

    @Test
    void whatOpenAiAcceptsPassesToTheEngineUnchanged() {
        for (String accepted : new String[]{
                WEATHER + ",\"tool_choice\":\"required\",\"parallel_tool_calls\":false",
                WEATHER + ",\"tool_choice\":{\"type\":\"function\",\"function\":{\"name\":\"get_weather\"}}",
                WEATHER + ",\"tool_choice\":\"none\"",
                "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"noop\"}}]",
                "\"response_format\":{\"type\":\"json_object\"}",
                "\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"city\",\"strict\":true,"
                        + "\"schema\":{\"type\":\"object\"}}}",
                "\"logprobs\":true,\"top_logprobs\":5",
                "\"reasoning_effort\":\"low\",\"tools\":null,\"tool_choice\":null"}) {
            CompletionRequest request = validate(Endpoint.CHAT, chat(accepted));
            assertTrue(CompletionValidator.passesUnchanged(request, "m"), accepted);
        }
    }
}
