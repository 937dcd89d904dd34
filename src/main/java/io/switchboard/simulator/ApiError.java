package io.switchboard.simulator;

import java.util.Map;

/** An error answer in vLLM's shape: {@code {"error": {"message", "type", "param", "code"}}} with code = status. */
final class ApiError extends RuntimeException {

    final int status;
    final String type;
    final String param;

    ApiError(int status, String type, String param, String message) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.param = param;
    }

    static ApiError badRequest(String param, String message) {
        return new ApiError(400, "BadRequestError", param, message);
    }

    static ApiError notFound(String param, String message) {
        return new ApiError(404, "NotFoundError", param, message);
    }

    /** The shape vLLM's Anthropic handler answers its own errors in: its error type names, not Anthropic's. */
    Map<String, Object> anthropicBody() {
        return Json.obj("type", "error", "error", Json.obj("type", type, "message", getMessage()));
    }

    Map<String, Object> body() {
        return Json.obj("error", Json.obj("message", getMessage(), "type", type, "param", param, "code", status));
    }
}
