package io.switchboard.it;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Request paths the web container refuses to decode, as a scanner or a buggy client sends them. Where
 * the refusal happens inside the application (an encoded slash, backslash or dot segment, a path
 * parameter: Servlet 6's canonical-path rules), the answer is OpenAI's error shape, not Liberty's HTML.
 * Where Liberty refuses before any application is chosen (a malformed escape, an encoded NUL, an encoded
 * slash after a dot-dot segment), the answer is still a 400, in Liberty's own words (JSON for a client that
 * accepts JSON), as does a header field over Liberty's 32 KiB maximum: docs/architecture.md ("The one error path")
 * says why those are the container's. Raw sockets, because {@link java.net.URI} refuses to build some of these
 * paths at all.
 */
class ContainerRefusalsIT {

    static final List<String> REFUSED_IN_THE_APPLICATION = List.of(
            "/v1/chat%2Fcompletions", "/v1/models%2F..%2Fadmin", "/v1/foo%5Cbar", "/v1/%2e/models", "/v1/%2E%2e/models",
            "/v1/models;x=1/a", "/v1/models%23frag", "/admin/tenants%2F1", "/admin/%2e%2e/v1/models");
    static final List<String> REFUSED_BY_THE_CONTAINER = List.of("/v1/%00", "/v1/models%zz", "/v1/..%2F..%2Fetc%2Fpasswd");

    record Answer(int status, String contentType, String body) {
    }

    static Answer get(String path) throws IOException {
        return send(path, "");
    }

    static Answer send(String path, String extraHeaders) throws IOException {
        URI base = URI.create(Switchboard.BASE_URL);
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(10_000);
            String request = "POST " + path + " HTTP/1.1\r\nHost: " + base.getHost() + "\r\nAccept: application/json\r\n"
                    + "Authorization: Bearer sk-unknown\r\nContent-Type: application/json\r\nContent-Length: 2\r\n" + extraHeaders
                    + "Connection: close\r\n\r\n{}";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            in.transferTo(all);
            String text = all.toString(StandardCharsets.UTF_8);
            int headEnd = text.indexOf("\r\n\r\n");
            String head = headEnd < 0 ? text : text.substring(0, headEnd);
            String body = headEnd < 0 ? "" : text.substring(headEnd + 4);
            String contentType = "";
            for (String line : head.split("\r\n")) {
                if (line.toLowerCase().startsWith("content-type:")) contentType = line.substring(13).trim();
            }
            return new Answer(Integer.parseInt(head.split(" ")[1]), contentType, body);
        }
    }

    @Test
    void pathsTheApplicationRefusesAreAnsweredInOpenAisShape() throws IOException {
        List<String> wrong = new ArrayList<>();
        for (String path : REFUSED_IN_THE_APPLICATION) {
            Answer answer = get(path);
            String problem = null;
            if (answer.status() < 400 || answer.status() >= 500) problem = "status " + answer.status();
            else if (!answer.contentType().startsWith("application/json")) problem = "content type " + answer.contentType();
            else {
                JsonObject error = Json.createReader(new StringReader(answer.body())).readObject().getJsonObject("error");
                if (error == null || !error.containsKey("message") || !"invalid_request_error".equals(error.getString("type", "")))
                    problem = "not OpenAI's error shape";
            }
            if (problem != null) wrong.add(path + " -> " + problem + ": " + answer.body().substring(0, Math.min(200, answer.body().length())));
        }
        assertTrue(wrong.isEmpty(), String.join("\n", wrong));
    }

    @Test
    void theErrorPageAskedForDirectlyIsAnUnknownUrl() throws IOException {
        Answer answer = get("/errors/container");
        assertEquals(404, answer.status(), answer.body());
        assertTrue(answer.body().contains("\"unknown_url\""), answer.body());
    }

    @Test
    void pathsTheContainerRefusesAreStillA400() throws IOException {
        for (String path : REFUSED_BY_THE_CONTAINER) {
            assertEquals(400, get(path).status(), path);
        }
        assertEquals(200, Switchboard.send("GET", "/health/ready", null, null).status(), "the server is ready afterwards");
    }

    @Test
    void aHeaderFieldOverLibertysLimitIsA400() throws IOException {
        Answer answer = send("/v1/chat/completions", "X-Padding: " + "a".repeat(40 * 1024) + "\r\n");
        assertEquals(400, answer.status(), "a 40 KiB header field");
        Answer fits = send("/v1/chat/completions", "X-Padding: " + "a".repeat(16 * 1024) + "\r\n");
        assertEquals(401, fits.status(), "a 16 KiB header field reaches Switchboard, which refuses the unknown key: " + fits.body());
        assertTrue(fits.body().contains("\"error\""), fits.body());
    }
}
