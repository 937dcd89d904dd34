package io.switchboard.gateway.control;

import io.switchboard.gateway.entity.ApiException;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonRequestTest {

    static JsonRequest parse(String json) {
        return JsonRequest.parse(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
    }

    static ApiException rejected(Runnable action) {
        return assertThrows(ApiException.class, action::run);
    }

    @Test
    void absentAndNullAreToldApart() {
        JsonRequest request = parse("{\"rpm_limit\": null}");
        assertTrue(request.has("rpm_limit"));
        assertFalse(request.has("tpm_limit"));
        assertNull(request.optionalLong("rpm_limit", 0, 10));
    }

    @Test
    void typedFieldsAreRead() {
        JsonRequest request = parse("{\"n\": 7, \"d\": 2.5, \"b\": true, \"s\": \"x\", \"l\": [\"a\", \"b\"],"
                + " \"t\": \"2027-01-31T00:00:00Z\", \"u\": 1800000000}");
        assertEquals(7L, request.optionalLong("n", 0, 10));
        assertEquals(new BigDecimal("2.5"), request.optionalDecimal("d", BigDecimal.ZERO, BigDecimal.TEN, 3));
        assertEquals(true, request.optionalBoolean("b"));
        assertEquals("x", request.requiredString("s", 5));
        assertEquals(List.of("a", "b"), request.optionalStringList("l", 5));
        assertEquals(Instant.parse("2027-01-31T00:00:00Z"), request.optionalInstant("t"));
        assertEquals(Instant.ofEpochSecond(1_800_000_000L), request.optionalInstant("u"));
    }

    @Test
    void wrongTypesNameTheField() {
        JsonRequest request = parse("{\"n\": \"7\", \"f\": 1.5, \"big\": 99, \"b\": \"yes\", \"l\": [1]}");
        assertEquals("n", rejected(() -> request.optionalLong("n", 0, 10)).param());
        assertEquals("f", rejected(() -> request.optionalLong("f", 0, 10)).param());
        assertEquals("big", rejected(() -> request.optionalLong("big", 0, 10)).param());
        assertEquals("b", rejected(() -> request.optionalBoolean("b")).param());
        assertEquals("l[0]", rejected(() -> request.optionalStringList("l", 5)).param());
        assertEquals("missing", rejected(() -> request.requiredString("missing", 5)).param());
    }

    @Test
    void stringsAreBoundedAndFreeOfControlCharacters() {
        assertEquals(400, rejected(() -> parse("{\"s\": \"toolong\"}").requiredString("s", 3)).status());
        assertEquals(400, rejected(() -> parse("{\"s\": \"a\\u0000b\"}").requiredString("s", 9)).status());
        assertEquals(400, rejected(() -> parse("{\"s\": \"   \"}").requiredString("s", 9)).status());
    }

    @Test
    void instantsOutsideTheCalendarAreRejected() {
        assertEquals("t", rejected(() -> parse("{\"t\": 99999999999999999999}").optionalInstant("t")).param());
        assertEquals("t", rejected(() -> parse("{\"t\": \"tomorrow\"}").optionalInstant("t")).param());
        assertEquals("t", rejected(() -> parse("{\"t\": 1e300}").optionalInstant("t")).param());
    }

    @Test
    void malformedBodiesAreA400WithoutParam() {
        for (String body : new String[]{"", "{", "[1]", "\"text\"", "{\"a\":}"}) {
            ApiException error = rejected(() -> parse(body));
            assertEquals(400, error.status(), body);
            assertNull(error.param(), body);
        }
    }

    /** A body that goes on past a limit of 100 bytes, as LimitedInputStream reports it. */
    static InputStream pastTheLimit() {
        return new InputStream() {
            int sent;
            @Override
            public int read() throws IOException {
                if (sent++ > 100) throw new RequestTooLargeException(100);
                return sent == 1 ? '[' : ' ';
            }
        };
    }

    @Test
    void aBodyPastTheLimitIsA413() {
        assertEquals(413, rejected(() -> JsonRequest.parse(pastTheLimit())).status());
    }

    @Test
    void aBodyIsReadToItsDeclaredLengthAndAShortOneIsA400() {
        byte[] json = "{\"model\":\"m\"}".getBytes(StandardCharsets.UTF_8);
        byte[] read = JsonRequest.readAll(new ByteArrayInputStream(json), json.length);
        assertEquals("m", JsonRequest.parse(read).json().getString("model"));
        ApiException cutShort = rejected(() -> JsonRequest.readAll(new ByteArrayInputStream(json), json.length + 10));
        assertEquals(400, cutShort.status());
        // no or a large declared length: read to the end, as before
        assertEquals(json.length, JsonRequest.readAll(new ByteArrayInputStream(json), -1).length);
        assertEquals(json.length, JsonRequest.readAll(new ByteArrayInputStream(json), 1_000_000).length);
    }

    @Test
    void aSizedBodyPastTheLimitIsStillA413() {
        assertEquals(413, rejected(() -> JsonRequest.readAll(pastTheLimit(), 500)).status());
    }
}
