package io.switchboard.gateway.boundary;

import io.switchboard.engines.entity.EngineRefusal;
import io.switchboard.gateway.control.Jsonp;
import io.switchboard.gateway.control.RequestTooLargeException;
import io.switchboard.gateway.entity.ApiException;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one error path: any failure becomes an {@link ApiException} here ({@link #of}), and its body is
 * OpenAI's {@code {"error": {"message", "type", "param", "code"}}} for every way an error leaves, the
 * servlets' responses, JAX-RS ({@link ApiExceptionMapper}) and SSE error events alike. A failure that
 * is nobody's mistake but ours is logged once, with its request id, and answered 500 without internals.
 */
public final class OpenAiError {

    private static final Logger LOG = Logger.getLogger(OpenAiError.class.getName());

    private OpenAiError() {
    }

    /** The failure in the API's terms; an unexpected one is logged (once, here) with the request id. */
    public static ApiException of(Throwable failure, String requestId) {
        ApiException error = known(failure);
        if (error != null) return error;
        // the database refused a value (class 22) or a change that lost a race (23): the validation before it should
        // have caught the first, so both are answered as the client's and still logged, to be looked at
        String sqlState = sqlState(failure);
        if (sqlState != null && (sqlState.startsWith("22") || sqlState.startsWith("23"))) {
            LOG.log(Level.WARNING, "Request " + requestId + ": the database refused it (SQLState " + sqlState + ")", failure);
            return sqlState.startsWith("22")
                    ? ApiException.invalid(null, "A value in the request is out of the range Switchboard can store.")
                    : new ApiException(409, ApiException.INVALID_REQUEST, "conflict", null,
                    "The request conflicts with the current state (a duplicate or a missing reference); check and retry.");
        }
        LOG.log(Level.SEVERE, "Request " + requestId + " failed", failure);
        return new ApiException(500, "server_error", null, null,
                "The server had an error while processing your request. Sorry about that!");
    }

    public static JsonObject body(ApiException error) {
        JsonObjectBuilder inner = Jsonp.object()
                .add("message", error.getMessage())
                .add("type", error.type());
        if (error.param() == null) inner.addNull("param"); else inner.add("param", error.param());
        if (error.code() == null) inner.addNull("code"); else inner.add("code", error.code());
        return Jsonp.object().add("error", inner).build();
    }

    public static String json(ApiException error) {
        return body(error).toString();
    }

    /** The error as the last event of a chat or completions stream that had begun: a data line, then [DONE]. */
    public static String dataEvent(ApiException error) {
        return "data: " + json(error) + "\n\ndata: [DONE]\n\n";
    }

    /**
     * The error as the Responses API's {@code error} event, in a stream that had begun: numbered after the events
     * before it ({@code sequenceNumber}), as the SDKs' stream accumulators expect.
     */
    public static String responsesEvent(ApiException error, int sequenceNumber) {
        return "event: error\ndata: " + Jsonp.object().add("code", error.code() == null ? error.type() : error.code())
                .add("message", error.getMessage()).addNull("param").add("sequence_number", sequenceNumber).add("type", "error").build() + "\n\n";
    }

    /** Writes the error as the whole response of a servlet (headers not yet committed). */
    public static void write(HttpServletResponse response, ApiException error) throws IOException {
        response.setStatus(error.status());
        error.headers().forEach(response::setHeader);
        response.setContentType("application/json");
        byte[] bytes = json(error).getBytes(StandardCharsets.UTF_8);
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }

    /** The failure in the API's terms when it is one we expect (ours, a refusal, a database outage), else null. */
    static ApiException known(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof ApiException api) return api;
            if (t instanceof EngineRefusal refusal) return engineRefusal(refusal);
            if (t instanceof RequestTooLargeException tooLarge) return ApiException.tooLarge(tooLarge.limitBytes());
        }
        if (databaseUnavailable(failure)) {
            return new ApiException(503, "server_error", "service_unavailable", null,
                    "The database is unavailable; please retry shortly.").withHeader("Retry-After", "5");
        }
        return null;
    }

    /** The engines component's refusals: a model that cannot be served now is 503 (with a retry hint), an admin's impossible command 4xx. */
    static ApiException engineRefusal(EngineRefusal refusal) {
        ApiException error = switch (refusal.reason()) {
            case MODEL_TOO_LARGE -> unavailable("model_too_large", refusal);
            case MODEL_CANNOT_FIT -> unavailable("model_cannot_fit", refusal);
            case BACKING_OFF, FAILED -> unavailable("model_unavailable", refusal);
            case QUEUE_FULL -> unavailable("model_queue_full", refusal);
            case LOAD_TIMEOUT -> unavailable("model_load_timeout", refusal);
            case OUTWAITS_CLIENT -> unavailable("model_loading", refusal);
            case SHUTTING_DOWN -> unavailable("shutting_down", refusal);
            case UNKNOWN_MODEL -> ApiException.notFound("model_not_found", refusal.getMessage());
            case NOT_SLEEPABLE -> ApiException.invalid("model", refusal.getMessage());
            case NOT_READY -> conflict("engine_not_ready", refusal);
            case NOT_RUNNING -> conflict("engine_not_running", refusal);
            case HOST_MEMORY_FULL -> conflict("host_memory_full", refusal);
        };
        refusal.retryAfterSeconds().ifPresent(seconds -> error.withHeader("Retry-After", String.valueOf(seconds)));
        // a model that can never fit (larger than any GPU, or only where pinned models stay) stays that way until an
        // admin changes the catalog: the SDKs' retries would only wait for the same answer
        if (refusal.reason() == EngineRefusal.Reason.MODEL_TOO_LARGE || refusal.reason() == EngineRefusal.Reason.MODEL_CANNOT_FIT) {
            error.withHeader("x-should-retry", "false");
        }
        return error;
    }

    private static ApiException unavailable(String code, EngineRefusal refusal) {
        return new ApiException(503, "server_error", code, null, refusal.getMessage());
    }

    private static ApiException conflict(String code, EngineRefusal refusal) {
        return new ApiException(409, ApiException.INVALID_REQUEST, code, "model", refusal.getMessage());
    }

    private static String sqlState(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && sql.getSQLState() != null) return sql.getSQLState();
        }
        return null;
    }

    /** Connection failures (SQLState classes 08 and 28, 57P0x shutdowns) are an outage, not a bug. */
    private static boolean databaseUnavailable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException) return true;
            if (t instanceof SQLException sql && sql.getSQLState() != null
                    && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("28")
                    || sql.getSQLState().startsWith("57P"))) {
                return true;
            }
        }
        return false;
    }
}
