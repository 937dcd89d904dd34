package io.switchboard.inference.boundary;

import io.switchboard.engines.control.Failures;
import io.switchboard.gateway.control.Jsonp;
import io.switchboard.gateway.entity.ApiException;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

import java.net.ConnectException;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;

/** How a relay's trouble with the engine reads to the client: the status, code and words of each kind. */
final class EngineFailures {

    /** The client closed the connection (nginx's convention): recorded, never sent. */
    static final int CLIENT_CLOSED = 499;

    private EngineFailures() {
    }

    /** A failed call to the engine; {@code engineFailure} is the lifecycle's reason when the engine itself failed. */
    static ApiException of(Throwable failure, String model, String engineFailure) {
        if (engineFailure != null) return new ApiException(503, "server_error", "engine_failed", null, engineFailure);
        if (failure instanceof HttpTimeoutException) {
            return new ApiException(504, "server_error", "engine_timeout", null,
                    "The engine serving '" + model + "' did not answer in time.");
        }
        if (failure instanceof ConnectException) {
            return new ApiException(503, "server_error", "engine_unreachable", null,
                    "The engine serving '" + model + "' cannot be reached.").withHeader("Retry-After", "1");
        }
        if (failure instanceof CancellationException) {
            return new ApiException(CLIENT_CLOSED, ApiException.INVALID_REQUEST, null, null, "cancelled");
        }
        return new ApiException(502, "server_error", "engine_error", null,
                "The connection to the engine serving '" + model + "' failed: " + Failures.describe(failure));
    }

    /** The message of an engine's error body (OpenAI's or FastAPI's shape), else its first 500 characters. */
    static String message(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        try {
            JsonValue error = Jsonp.parseObject(text).get("error");
            if (error instanceof JsonObject object) return object.getString("message", text);
            if (error instanceof jakarta.json.JsonString string) return string.getString();
        } catch (RuntimeException notJson) {
            // fall through
        }
        return text.length() > 500 ? text.substring(0, 500) : text;
    }

    /** The message, naming the field where the engine named one ({@code param}): Anthropic's shape has no field for it. */
    static String messageNamingItsField(byte[] bytes) {
        String message = message(bytes);
        try {
            if (Jsonp.parseObject(new String(bytes, StandardCharsets.UTF_8)).get("error") instanceof JsonObject error
                    && error.get("param") instanceof jakarta.json.JsonString param && !message.contains(param.getString())) {
                return message + " (" + param.getString() + ")";
            }
        } catch (RuntimeException notJson) {
            // the message alone
        }
        return message;
    }

    static Throwable unwrap(Throwable failure) {
        Throwable t = failure;
        while (t instanceof CompletionException && t.getCause() != null) t = t.getCause();
        return t;
    }
}
