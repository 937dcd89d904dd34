package io.switchboard.gateway.entity;

import jakarta.ejb.ApplicationException;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every error a client sees, in OpenAI's terms: HTTP status, {@code type}, {@code code} and the
 * {@code param} at fault. Thrown anywhere, turned into a response only by gateway.boundary.OpenAiError (for servlets and, through ApiExceptionMapper, JAX-RS).
 * Marked as an EJB application exception so that it leaves a bean unwrapped and rolls back its transaction.
 */
@ApplicationException(rollback = true)
public class ApiException extends RuntimeException {

    public static final String INVALID_REQUEST = "invalid_request_error";

    private final int status;
    private final String type;
    private final String code;
    private final String param;
    private final Map<String, String> headers = new LinkedHashMap<>();

    public ApiException(int status, String type, String code, String param, String message) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.code = code;
        this.param = param;
    }

    /** 400: the request is malformed; {@code param} names the offending field. */
    public static ApiException invalid(String param, String message) {
        return new ApiException(400, INVALID_REQUEST, param == null ? null : "invalid_value", param, message);
    }

    public static ApiException notFound(String code, String message) {
        return new ApiException(404, INVALID_REQUEST, code, null, message);
    }

    public static ApiException conflict(String param, String message) {
        return new ApiException(409, INVALID_REQUEST, "already_exists", param, message);
    }

    public static ApiException tooLarge(long limitBytes) {
        return new ApiException(413, INVALID_REQUEST, "request_too_large", null,
                "The request body is larger than the limit of " + limitBytes + " bytes.");
    }

    /**
     * Adds a response header. A {@code Retry-After} in seconds also sets {@code retry-after-ms} (unless set), which
     * the OpenAI SDKs prefer: both say the same wait.
     */
    public ApiException withHeader(String name, String value) {
        headers.put(name, value);
        if (name.equals("Retry-After") && !headers.containsKey("retry-after-ms") && value.chars().allMatch(Character::isDigit)) {
            headers.put("retry-after-ms", String.valueOf(Long.parseLong(value) * 1000));
        }
        return this;
    }

    public int status() { return status; }
    public String type() { return type; }
    public String code() { return code; }
    public String param() { return param; }
    /**
     * The response headers. A 503 always says what the SDKs should do: wait its own {@code Retry-After}, or a
     * second when it set none, unless {@code x-should-retry: false} says that retrying cannot help.
     */
    public Map<String, String> headers() {
        if (status == 503 && !headers.containsKey("Retry-After") && !"false".equals(headers.get("x-should-retry"))) {
            withHeader("Retry-After", "1");
        }
        return headers;
    }
}
