package io.switchboard.gateway.control;

import jakarta.json.JsonObject;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Example;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonFieldRewriteTest {

    private static String rewrite(String body, String value) {
        byte[] out = JsonFieldRewrite.replaceString(body.getBytes(StandardCharsets.UTF_8), "model", value);
        return out == null ? null : new String(out, StandardCharsets.UTF_8);
    }

    @Example
    void onlyTheTopLevelModelChangesAndEveryOtherByteStays() {
        String body = "{ \"messages\":[{\"role\":\"user\",\"content\":\"the \\\"model\\\": \\\"x\\\"\",\"model\":\"inner\"}],\n"
                + "  \"model\" :  \"auto\", \"temperature\": 0.70, \"metadata\": {\"model\": \"m\"} }";
        assertEquals(body.replace("\"model\" :  \"auto\"", "\"model\" :  \"qwen-7b\""), rewrite(body, "qwen-7b"));
    }

    @Example
    void aModelThatIsNotAPlainStringIsLeftToTheCaller() {
        assertNull(rewrite("{\"model\": null, \"x\": 1}", "a"));
        assertNull(rewrite("{\"messages\": [], \"mod\\u0065l\": \"auto\"}", "a"));
        assertNull(rewrite("{\"messages\": [{\"model\": \"inner\"}]}", "a"));
    }

    @Example
    void theNewValueIsEscaped() {
        assertEquals("{\"model\":\"a\\\"b\"}", rewrite("{\"model\":\"auto\"}", "a\"b"));
    }

    /** Whatever the body, the rewritten one parses to the same object with only the model changed. */
    @Property(tries = 300)
    void rewritingEqualsParsingAndChangingTheModel(@ForAll("bodies") JsonObject body, @ForAll("names") String model) {
        String rewritten = rewrite(body.toString(), model);
        assertEquals(Jsonp.object(body).add("model", model).build(), Jsonp.parseObject(rewritten));
    }

    private static String append(String body, String value) {
        byte[] out = JsonFieldRewrite.appendString(body.getBytes(StandardCharsets.UTF_8), "request_id", value);
        return out == null ? null : new String(out, StandardCharsets.UTF_8);
    }

    @Example
    void aFieldIsAppendedAsTheLastMemberAndEveryOtherByteStays() {
        assertEquals("{\"request_id\":\"resp_1\"}", append("{}", "resp_1"));
        assertEquals("{ \"input\": \"hi\" ,\"request_id\":\"resp_1\"}\n", append("{ \"input\": \"hi\" }\n", "resp_1"));
        assertEquals("{\"a\":[1,{}],\"request_id\":\"a\\\"b\"}", append("{\"a\":[1,{}]}", "a\"b"));
        assertNull(append("[1]", "x"));
    }

    /** A follow-up turn's conversation replaces the client's own input without the body being rebuilt. */
    @Example
    void aValueWrittenAsJsonIsAppendedAsItIs() {
        byte[] out = JsonFieldRewrite.appendJson("{\"input\":\"hi\",\"previous_response_id\":\"resp_1\"}".getBytes(StandardCharsets.UTF_8),
                "input", "[{\"role\":\"user\",\"content\":\"hi\"}]");
        out = JsonFieldRewrite.appendJson(out, "previous_response_id", "null");
        JsonObject parsed = Jsonp.parseObject(new String(out, StandardCharsets.UTF_8));
        assertEquals("user", parsed.getJsonArray("input").getJsonObject(0).getString("role"));
        assertTrue(parsed.isNull("previous_response_id"));
    }

    /** Appended after the client's own, the gateway's value is the one a parser keeps. */
    @Property(tries = 300)
    void appendingEqualsParsingAndSettingTheField(@ForAll("bodies") JsonObject body, @ForAll("names") String value) {
        String withOwn = Jsonp.object(body).add("request_id", "client's").build().toString();
        assertEquals(Jsonp.object(body).add("request_id", value).build(), Jsonp.parseObject(append(body.toString(), value)));
        assertEquals(value, Jsonp.parseObject(append(withOwn, value)).getString("request_id"));
    }

    @Provide
    Arbitrary<JsonObject> bodies() {
        Arbitrary<String> text = Arbitraries.strings().all().ofMaxLength(30).filter(JsonFieldRewriteTest::encodable);
        return net.jqwik.api.Combinators.combine(text, text, text, Arbitraries.integers().between(0, 3))
                .as((before, content, after, where) -> {
                    var messages = Jsonp.array().add(Jsonp.object().add("role", "user").add("content", content).add("model", before));
                    var body = Jsonp.object();
                    if (where == 0) body.add("model", before);
                    body.add("messages", messages).add(before.isEmpty() ? "k" : before, after);
                    if (where > 0) body.add("model", after);
                    body.add("metadata", Jsonp.object().add("model", content));
                    return body.build();
                }).filter(body -> body.containsKey("model") && body.get("model") instanceof jakarta.json.JsonString);
    }

    @Provide
    Arbitrary<String> names() {
        return Arbitraries.strings().all().ofMinLength(1).ofMaxLength(20).filter(JsonFieldRewriteTest::encodable);
    }

    /** What UTF-8 bytes on the wire can hold: no lone surrogates (a body read from bytes never has one). */
    static boolean encodable(String text) {
        return text.chars().noneMatch(c -> Character.isSurrogate((char) c));
    }
}
