package io.switchboard.it;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.stream.Stream;

import static io.switchboard.it.Switchboard.admin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A client's mistakes get a clear 4xx in OpenAI's error shape, never a 500. */
class BadInputIT {

    /** The IT server's limit (SWITCHBOARD_MAX_REQUEST_BYTES in pom.xml); the default is 10 MiB. */
    static final int LIMIT = 1_048_576;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "malformed JSON          | {\"name\": \"x\"                          | ",
            "not an object           | [1, 2, 3]                                 | ",
            "empty body              | ''                                        | ",
            "missing name            | {\"rpm_limit\": 5}                        | name",
            "name of the wrong type  | {\"name\": 42}                            | name",
            "blank name              | {\"name\": \"  \"}                        | name",
            "quota of the wrong type | {\"name\": \"t\", \"rpm_limit\": \"many\"} | rpm_limit",
            "fractional quota        | {\"name\": \"t\", \"rpm_limit\": 1.5}     | rpm_limit",
            "negative quota          | {\"name\": \"t\", \"tpm_limit\": -1}      | tpm_limit",
            "huge quota              | {\"name\": \"t\", \"rpm_limit\": 1e40}    | rpm_limit",
            "models not a list       | {\"name\": \"t\", \"allowed_models\": \"a\"} | allowed_models",
            "model of the wrong type | {\"name\": \"t\", \"allowed_models\": [1]} | allowed_models[0]",
    })
    void badTenantBodiesAreRejectedNamingTheField(String ignoredCase, String body, String param) {
        Switchboard.Reply reply = admin("POST", "/admin/tenants", body);

        assertEquals(400, reply.status(), reply::toString);
        assertEquals("invalid_request_error", reply.error().getString("type"));
        assertNotNull(reply.error().getString("message"));
        if (param == null) {
            assertTrue(Switchboard.isNull(reply.error(), "param"), reply::toString);
        } else {
            assertEquals(param, reply.error().getString("param"));
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "no memory        | {\"name\": \"m\", \"max_model_len\": 10}                         | gpu_memory_gib",
            "zero memory      | {\"name\": \"m\", \"gpu_memory_gib\": 0, \"max_model_len\": 10}  | gpu_memory_gib",
            "no length        | {\"name\": \"m\", \"gpu_memory_gib\": 4}                         | max_model_len",
            "unknown engine   | {\"name\": \"m\", \"gpu_memory_gib\": 4, \"max_model_len\": 9, \"engine\": \"tgi\"} | engine",
            "slash in name    | {\"name\": \"a/b\", \"gpu_memory_gib\": 4, \"max_model_len\": 9}  | name",
            "reserved alias   | {\"name\": \"auto\", \"gpu_memory_gib\": 4, \"max_model_len\": 9} | name",
            "pinned not bool  | {\"name\": \"m\", \"gpu_memory_gib\": 4, \"max_model_len\": 9, \"pinned\": \"yes\"} | pinned",
            "bad url          | {\"name\": \"m\", \"gpu_memory_gib\": 4, \"max_model_len\": 9, \"url\": \"ftp:x\"} | url",
    })
    void badModelBodiesAreRejectedNamingTheField(String ignoredCase, String body, String param) {
        Switchboard.Reply reply = admin("POST", "/admin/models", body);

        assertEquals(400, reply.status(), reply::toString);
        assertEquals(param, reply.error().getString("param"));
    }

    @Test
    void badExpiryOfAKeyIsRejected() {
        long tenantId = Tenants.named("bad-expiry").create().getJsonNumber("id").longValue();

        Switchboard.Reply reply = admin("POST", "/admin/tenants/" + tenantId + "/keys", "{\"expires_at\": \"soon\"}");

        assertEquals(400, reply.status(), reply::toString);
        assertEquals("expires_at", reply.error().getString("param"));
    }

    @Test
    void aBodyOverTheLimitIsRejectedWith413() {
        String oversized = "{\"name\": \"" + "x".repeat(LIMIT) + "\"}";

        Switchboard.Reply reply = admin("POST", "/admin/tenants", oversized);

        assertEquals(413, reply.status(), reply::toString);
        assertEquals("invalid_request_error", reply.error().getString("type"));
    }

    @Test
    void aChunkedBodyOverTheLimitIsRejectedWith413() {
        byte[] chunk = "x".repeat(64 * 1024).getBytes(StandardCharsets.UTF_8);
        List<byte[]> parts = Stream.concat(Stream.of("{\"name\": \"".getBytes(StandardCharsets.UTF_8)),
                Stream.generate(() -> chunk).limit(LIMIT / chunk.length + 2)).toList();
        // no Content-Length: the limit must hold while reading
        HttpRequest request = HttpRequest.newBuilder(URI.create(Switchboard.BASE_URL + "/admin/tenants"))
                .header("Authorization", "Bearer " + Switchboard.ADMIN_TOKEN)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.fromPublisher(fromChunks(parts)))
                .build();

        Switchboard.Reply reply = Switchboard.send(request);

        assertEquals(413, reply.status(), reply::toString);
    }

    @Test
    void aBodyJustUnderTheLimitIsAccepted() {
        String name = Switchboard.unique("big");
        String body = "{\"name\": \"" + name + "\", \"padding\": \"" + "y".repeat(LIMIT - 200) + "\"}";

        assertEquals(201, admin("POST", "/admin/tenants", body).status());
    }

    @Test
    void unknownPathsAndMethodsAreOpenAiErrors() {
        Switchboard.Reply unknown = admin("GET", "/admin/no-such-thing", (String) null);
        assertEquals(404, unknown.status(), unknown::toString);
        assertEquals("invalid_request_error", unknown.error().getString("type"));

        Switchboard.Reply wrongMethod = admin("PUT", "/admin/tenants", "{}");
        assertEquals(405, wrongMethod.status(), wrongMethod::toString);

        Switchboard.Reply textId = admin("GET", "/admin/tenants/abc", (String) null);
        assertEquals(404, textId.status(), textId::toString);
    }

    @Test
    void garbageNeverGetsA500() {
        String[] bodies = {"", "null", "true", "\"s\"", "{", "}", "{\"name\":null}", "{\"name\":{}}",
                "{\"name\":[]}", "{\"name\":\"\\u0000\"}", "{\"name\":\"ok\",\"status\":\"zombie\"}",
                "{\"expires_at\": 99999999999999999999}", "\u00ff\u00fe", "{\"gpu_memory_gib\":\"NaN\"}"};
        String[][] targets = {{"POST", "/admin/tenants"}, {"PATCH", "/admin/tenants/1"},
                {"POST", "/admin/tenants/1/keys"}, {"POST", "/admin/models"}, {"PATCH", "/admin/models/chat-8b"}};
        for (String[] target : targets) {
            for (String body : bodies) {
                Switchboard.Reply reply = admin(target[0], target[1], body);
                assertTrue(reply.status() < 500, () -> Arrays.toString(target) + " " + body + " -> " + reply);
            }
        }
    }

    private static Flow.Publisher<java.nio.ByteBuffer> fromChunks(List<byte[]> parts) {
        return HttpRequest.BodyPublishers.concat(parts.stream()
                .map(HttpRequest.BodyPublishers::ofByteArray)
                .toArray(HttpRequest.BodyPublisher[]::new));
    }
}
