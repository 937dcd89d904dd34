package io.switchboard.gateway.control;

import io.switchboard.gateway.entity.ApiException;
import jakarta.json.JsonException;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.DateTimeException;
import java.util.ArrayList;
import java.util.List;

/**
 * A request body read as a JSON object, with typed accessors that answer 400 naming the field
 * at fault, as OpenAI does. Unknown fields are ignored. "Absent" and "null" are told apart
 * ({@link #has}) so that PATCH can set a limit back to unlimited.
 */
public final class JsonRequest {

    private static final Instant EARLIEST = Instant.parse("1970-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59Z");

    private final JsonObject json;

    private JsonRequest(JsonObject json) {
        this.json = json;
    }

    /** Reads the whole body (a {@link LimitedInputStream} turns an oversized one into a 413) and parses it. */
    public static JsonRequest parse(InputStream body) {
        return parse(readAll(body));
    }

    /**
     * Parses a body already read. JSON on the wire is UTF-8 (RFC 8259); parsing from a string spares
     * the 8 KiB decoder buffer that Parsson's own stream reader allocates for every body.
     */
    public static JsonRequest parse(byte[] body) {
        try (JsonReader reader = Jsonp.reader(new StringReader(new String(body, StandardCharsets.UTF_8)))) {
            JsonValue value = reader.readValue();
            if (value.getValueType() != JsonValue.ValueType.OBJECT) {
                throw ApiException.invalid(null, "The request body must be a JSON object.");
            }
            return new JsonRequest(value.asJsonObject());
        } catch (JsonException e) { // JsonParsingException included
            throw notJson();
        } catch (ApiException e) {
            throw e;
        } catch (RuntimeException e) { // Parsson's limits (nesting deeper than 1,000, huge numbers) are plain RuntimeExceptions
            throw ApiException.invalid(null, "We could not parse the JSON body of your request: " + e.getMessage() + ".");
        }
    }

    /** Bodies up to this size are read into one array of their declared length. */
    private static final int EXACT_READ_MAX_BYTES = 64 * 1024;

    /** The body's bytes: 413 when it passes its limit, 400 when it cannot be read (the client went away). */
    public static byte[] readAll(InputStream body) {
        return readAll(body, -1);
    }

    /**
     * The same, read into an array of the body's Content-Length (-1 when it has none): the JDK's
     * readAllBytes starts every body, however small, with an 8 KiB buffer and then copies it, a
     * third of all the garbage a relayed request made. Larger declared lengths are read in steps,
     * so that a client cannot make the server allocate what it never sends.
     */
    public static byte[] readAll(InputStream body, long contentLength) {
        if (body == null) throw notJson();
        try {
            if (contentLength < 0 || contentLength > EXACT_READ_MAX_BYTES) return body.readAllBytes();
            byte[] bytes = new byte[(int) contentLength];
            if (body.readNBytes(bytes, 0, bytes.length) < bytes.length) throw notJson(); // the client went away mid-body
            return bytes;
        } catch (RequestTooLargeException e) {
            throw ApiException.tooLarge(e.limitBytes());
        } catch (IOException e) {
            throw notJson();
        }
    }

    public static JsonRequest of(JsonObject json) {
        return new JsonRequest(json);
    }

    private static ApiException notJson() {
        return ApiException.invalid(null, "We could not parse the JSON body of your request. The API expects "
                + "a JSON payload, but what was sent was not valid JSON.");
    }

    public JsonObject json() {
        return json;
    }

    /** True when the field is present, also when it is {@code null}. */
    public boolean has(String name) {
        return json.containsKey(name);
    }

    private JsonValue present(String name) {
        JsonValue value = json.get(name);
        return value == null || value.getValueType() == JsonValue.ValueType.NULL ? null : value;
    }

    public String requiredString(String name, int maxLength) {
        String value = optionalString(name, maxLength);
        if (value == null) throw ApiException.invalid(name, "Missing required parameter: '" + name + "'.");
        return value;
    }

    /** A non-blank string of at most {@code maxLength} characters, or null when absent or null. */
    public String optionalString(String name, int maxLength) {
        JsonValue value = present(name);
        if (value == null) return null;
        if (!(value instanceof JsonString string)) {
            throw ApiException.invalid(name, "Invalid type for '" + name + "': expected a string.");
        }
        String text = string.getString();
        if (text.isBlank()) throw ApiException.invalid(name, "'" + name + "' must not be empty.");
        if (text.chars().anyMatch(c -> c < 0x20)) {
            throw ApiException.invalid(name, "'" + name + "' must not contain control characters.");
        }
        if (text.length() > maxLength) {
            throw ApiException.invalid(name, "'" + name + "' must be at most " + maxLength + " characters long.");
        }
        return text;
    }

    /** A whole number within [min, max], or null when absent or null. */
    public Long optionalLong(String name, long min, long max) {
        JsonValue value = present(name);
        if (value == null) return null;
        if (!(value instanceof JsonNumber number) || !number.isIntegral()) {
            throw ApiException.invalid(name, "Invalid type for '" + name + "': expected an integer.");
        }
        BigDecimal exact = number.bigDecimalValue();
        if (exact.compareTo(BigDecimal.valueOf(min)) < 0 || exact.compareTo(BigDecimal.valueOf(max)) > 0) {
            throw ApiException.invalid(name, "'" + name + "' must be between " + min + " and " + max + ".");
        }
        return exact.longValueExact();
    }

    public Integer optionalInt(String name, int min, int max) {
        Long value = optionalLong(name, min, max);
        return value == null ? null : value.intValue();
    }

    /**
     * A number within [min, max] with at most {@code scale} decimal places (what its column holds), or
     * null when absent or null: a value the database would round to nothing or refuse is the client's 400.
     */
    public BigDecimal optionalDecimal(String name, BigDecimal min, BigDecimal max, int scale) {
        JsonValue value = present(name);
        if (value == null) return null;
        if (!(value instanceof JsonNumber number)) {
            throw ApiException.invalid(name, "Invalid type for '" + name + "': expected a number.");
        }
        BigDecimal decimal = number.bigDecimalValue();
        if (decimal.compareTo(min) < 0 || decimal.compareTo(max) > 0) {
            throw ApiException.invalid(name, "'" + name + "' must be between " + min.toPlainString() + " and "
                    + max.toPlainString() + ".");
        }
        if (decimal.stripTrailingZeros().scale() > scale) {
            throw ApiException.invalid(name, "'" + name + "' must have at most " + scale + " decimal places.");
        }
        return decimal;
    }

    public Boolean optionalBoolean(String name) {
        JsonValue value = present(name);
        if (value == null) return null;
        if (value == JsonValue.TRUE) return true;
        if (value == JsonValue.FALSE) return false;
        throw ApiException.invalid(name, "Invalid type for '" + name + "': expected a boolean.");
    }

    /** A list of non-blank strings, or null when absent or null. */
    public List<String> optionalStringList(String name, int maxLength) {
        JsonValue value = present(name);
        if (value == null) return null;
        if (value.getValueType() != JsonValue.ValueType.ARRAY) {
            throw ApiException.invalid(name, "Invalid type for '" + name + "': expected an array of strings.");
        }
        List<String> items = new ArrayList<>();
        int index = 0;
        for (JsonValue item : value.asJsonArray()) {
            String param = name + "[" + index++ + "]";
            if (!(item instanceof JsonString string) || string.getString().isBlank()) {
                throw ApiException.invalid(param, "Invalid value for '" + param + "': expected a non-empty string.");
            }
            if (string.getString().length() > maxLength) {
                throw ApiException.invalid(param, "'" + param + "' must be at most " + maxLength + " characters long.");
            }
            items.add(string.getString());
        }
        return items;
    }

    /** An instant given as an ISO-8601 date-time or as unix seconds, or null when absent or null. */
    public Instant optionalInstant(String name) {
        JsonValue value = present(name);
        if (value == null) return null;
        Instant instant = null;
        try {
            if (value instanceof JsonNumber number && number.isIntegral()) {
                instant = Instant.ofEpochSecond(number.bigDecimalValue().longValueExact());
            } else if (value instanceof JsonString string) {
                instant = OffsetDateTime.parse(string.getString()).toInstant();
            }
        } catch (ArithmeticException | DateTimeException e) {
            // answered below
        }
        if (instant != null && !instant.isBefore(EARLIEST) && !instant.isAfter(LATEST)) return instant;
        throw ApiException.invalid(name, "Invalid value for '" + name
                + "': expected an ISO-8601 date-time with offset (2027-01-31T00:00:00Z) or unix seconds.");
    }
}
