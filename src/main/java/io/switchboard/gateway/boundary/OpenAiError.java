package io.switchboard.gateway.boundary;

import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.servlet.http.HttpServletResponse;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** OpenAI's error body, {@code {"error": {"message", "type", "param", "code"}}}, for every way an error leaves. */
public final class OpenAiError {

    private OpenAiError() {
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

    /** Writes the error as the whole response of a servlet (headers not yet committed). */
    public static void write(HttpServletResponse response, ApiException error) throws IOException {
        response.setStatus(error.status());
        error.headers().forEach(response::setHeader);
        response.setContentType("application/json");
        byte[] bytes = json(error).getBytes(StandardCharsets.UTF_8);
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }

    /** Any failure as an ApiException: ours as they are, anything else as a 500 without internals. */
    public static ApiException of(Throwable failure) {
        return ApiExceptionMapper.asApiException(failure, "POST", "");
    }
}
