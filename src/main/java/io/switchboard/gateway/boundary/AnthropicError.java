package io.switchboard.gateway.boundary;

import io.switchboard.gateway.control.Jsonp;
import io.switchboard.gateway.entity.ApiException;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * The same errors as {@link OpenAiError}, in Anthropic's shape for the Messages API, which Anthropic's SDKs
 * read: {@code {"type": "error", "error": {"type", "message"}}}, the type named by the status as Anthropic
 * names it, the request id beside it.
 */
public final class AnthropicError {

    private AnthropicError() {
    }

    public static String type(int status) {
        return switch (status) {
            case 400, 405, 409, 422 -> "invalid_request_error";
            case 401 -> "authentication_error";
            case 403 -> "permission_error";
            case 404 -> "not_found_error";
            case 413 -> "request_too_large";
            case 429 -> "rate_limit_error";
            case 503, 529 -> "overloaded_error";
            case 504 -> "timeout_error";
            default -> "api_error";
        };
    }

    public static String json(ApiException error, String requestId) {
        var body = Jsonp.object().add("type", "error")
                .add("error", Jsonp.object().add("type", type(error.status())).add("message", error.getMessage()));
        if (requestId != null) body.add("request_id", requestId);
        return body.build().toString();
    }

    /** An error event in a Messages stream that had begun. */
    public static String event(ApiException error) {
        return "event: error\ndata: " + json(error, null) + "\n\n";
    }

    public static void write(HttpServletResponse response, ApiException error, String requestId) throws IOException {
        response.setStatus(error.status());
        error.headers().forEach(response::setHeader);
        response.setContentType("application/json");
        byte[] bytes = json(error, requestId).getBytes(StandardCharsets.UTF_8);
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }
}
