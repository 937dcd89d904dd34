package io.switchboard.it;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * The Switchboard server that the build started for the integration tests, seen over HTTP as a
 * client would see it. Configured by failsafe's system properties (pom.xml).
 */
public final class Switchboard {

    public static final String BASE_URL = System.getProperty("switchboard.it.base-url", "http://127.0.0.1:19080");
    public static final String ADMIN_TOKEN = System.getProperty("switchboard.it.admin-token", "it-admin-token-0123456789");

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private Switchboard() {
    }

    /** An answer: status, headers and the body, parsed when it is JSON. */
    public record Reply(int status, HttpResponse<String> raw) {

        public JsonObject json() {
            try {
                return Json.createReader(new StringReader(raw.body())).readObject();
            } catch (RuntimeException e) {
                throw new AssertionError("not a JSON object (status " + status + "): " + raw.body(), e);
            }
        }

        public JsonObject error() {
            return json().getJsonObject("error");
        }

        public String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }

        public String body() {
            return raw.body();
        }

        @Override
        public String toString() {
            return status + " " + raw.body();
        }
    }

    public static Reply send(String method, String path, String bearer, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(BASE_URL + path))
                .timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) request.header("Content-Type", "application/json");
        if (bearer != null) request.header("Authorization", "Bearer " + bearer);
        return send(request.build());
    }

    public static Reply send(HttpRequest request) {
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), response);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static Reply admin(String method, String path, String body) {
        return send(method, path, ADMIN_TOKEN, body);
    }

    public static Reply admin(String method, String path, JsonObject body) {
        return admin(method, path, body == null ? null : body.toString());
    }

    public static Reply tenant(String method, String path, String apiKey, String body) {
        return send(method, path, apiKey, body);
    }

    /** A name no earlier test run used, so tests never collide on unique names. */
    public static String unique(String stem) {
        return stem + "-" + Long.toString(System.nanoTime(), 36);
    }

    public static boolean isNull(JsonObject object, String field) {
        return object.containsKey(field) && object.get(field).getValueType() == JsonValue.ValueType.NULL;
    }
}
