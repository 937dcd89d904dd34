package io.switchboard.it;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The fuzz suite's HTTP half: 10,000 generated malformed and hostile requests (seeded: the same
 * sequence every run; SWITCHBOARD_FUZZ_SEED picks another) across every /v1 and /admin endpoint,
 * on 8 connections to 127.0.0.1, bounded to two minutes. No answer is a 5xx, every 4xx is in OpenAI's
 * error shape, and afterwards the server is ready with no lease or waiter left behind.
 */
class HostileRequestsIT {

    private static final int REQUESTS = 10_000;
    private static final long SEED = Long.parseLong(System.getenv().getOrDefault("SWITCHBOARD_FUZZ_SEED", "20261201"));
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private static final String[] V1 = {"/v1/chat/completions", "/v1/completions", "/v1/models", "/v1/models/fuzz",
            "/v1/responses", "/v1/embeddings", "/v1/chat/completions/x"};
    private static final String[] ADMIN = {"/admin/tenants", "/admin/tenants/1", "/admin/tenants/abc", "/admin/tenants/-1",
            "/admin/tenants/99999999999999999999", "/admin/tenants/1/keys", "/admin/tenants/1/keys/1",
            "/admin/tenants/1/disable", "/admin/models", "/admin/models/fuzz-none", "/admin/models/fuzz-none/disable",
            "/admin/engines", "/admin/engines/fuzz-none/load", "/admin/engines/fuzz-none/unload",
            "/admin/engines/fuzz-none/sleep", "/admin/engines/events?limit=abc", "/admin/engines/events?limit=-5",
            "/admin/requests/nope", "/admin/requests/" + "x".repeat(300)};
    private static final String[] METHODS = {"POST", "POST", "POST", "PATCH", "GET", "PUT", "DELETE"};
    private static final String[] FIELDS = {"model", "messages", "prompt", "max_tokens", "n", "temperature", "top_p",
            "stream", "stream_options", "stop", "seed", "user", "name", "rpm_limit", "tpm_limit", "monthly_spend_limit",
            "allowed_models", "engine", "model_id", "gpu_memory_gib", "max_model_len", "extra_args", "pinned",
            "expires_at", "status", "price_input_per_mtok", "url"};
    private static final String[] VALUES = {"null", "true", "[]", "{}", "-1", "0", "1e999999999", "-1e999999999",
            "1e-999999999", "123456789012345678901234567890", "2147483648", "1.5", "\"\"", "\"x\"", "\"\\u0000\"",
            "\"\\ud800\"", "[null]", "[{\"role\":\"user\"}]", "[{\"role\":\"nobody\",\"content\":\"x\"}]", "{\"include_usage\":1}",
            "\"2027-99-99\"", "\"fuzz-none\"", "[1,2,3]", "\"sim\"", "\"" + "x".repeat(5000) + "\""};

    @Test
    void tenThousandHostileRequestsGetNo5xxAndEvery4xxInOpenAisShape() throws Exception {
        String key = Tenants.named("fuzz").createWithKey().getString("key");
        Random random = new Random(SEED);
        List<HttpRequest> requests = new ArrayList<>();
        for (int i = 0; i < REQUESTS; i++) requests.add(hostile(random, key));

        Map<String, String> wrong = new ConcurrentHashMap<>();
        AtomicInteger answered = new AtomicInteger();
        ExecutorService connections = Executors.newFixedThreadPool(8);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
        for (HttpRequest request : requests) {
            connections.execute(() -> {
                if (System.nanoTime() > deadline) return;
                try {
                    HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
                    answered.incrementAndGet();
                    String problem = problem(response);
                    if (problem != null) wrong.putIfAbsent(request.method() + " " + request.uri().getRawPath() + " -> " + problem, "");
                } catch (Exception e) {
                    wrong.putIfAbsent(request.method() + " " + request.uri() + " -> " + e, "");
                }
            });
        }
        connections.shutdown();
        assertTrue(connections.awaitTermination(3, TimeUnit.MINUTES));

        assertEquals(List.of(), wrong.keySet().stream().sorted().limit(20).toList(), "answers that were wrong");
        assertEquals(REQUESTS, answered.get(), "every request answered within the bound");
        assertEquals(200, Switchboard.send("GET", "/health/ready", null, null).status());
        JsonObject engines = Switchboard.admin("GET", "/admin/engines", (String) null).json();
        for (JsonValue engine : engines.getJsonArray("data")) {
            assertEquals(0, engine.asJsonObject().getInt("leases"), engine::toString);
            assertEquals(0, engine.asJsonObject().getInt("waiters"), engine::toString);
        }
    }

    /** Null when the answer is right: below 500, and a 4xx carries OpenAI's error object. */
    private static String problem(HttpResponse<String> response) {
        int status = response.statusCode();
        if (status >= 500) return status + " " + response.body();
        if (status < 400) return null;
        try (JsonReader reader = Json.createReader(new StringReader(response.body()))) {
            JsonObject error = reader.readObject().getJsonObject("error");
            if (error == null || !error.containsKey("message") || !error.containsKey("type")
                    || !error.containsKey("param") || !error.containsKey("code")) {
                return status + " not in OpenAI's shape: " + response.body();
            }
            return null;
        } catch (RuntimeException notJson) {
            return status + " not JSON: " + response.body();
        }
    }

    private static HttpRequest hostile(Random random, String key) {
        boolean admin = random.nextInt(3) == 0;
        String path = admin ? ADMIN[random.nextInt(ADMIN.length)] : V1[random.nextInt(V1.length)];
        String method = METHODS[random.nextInt(METHODS.length)];
        byte[] body = body(random);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(Switchboard.BASE_URL + path))
                .timeout(Duration.ofSeconds(30));
        String bearer = switch (random.nextInt(10)) {
            case 0 -> null;
            case 1 -> "sk-wrong-" + random.nextInt();
            default -> admin ? Switchboard.ADMIN_TOKEN : key;
        };
        if (bearer != null) request.header("Authorization", "Bearer " + bearer);
        switch (random.nextInt(6)) {
            case 0 -> request.header("Content-Type", "text/plain");
            case 1 -> request.header("Content-Type", "application/x-www-form-urlencoded");
            case 2 -> request.header("Content-Type", "application/json; charset=latin1");
            default -> request.header("Content-Type", "application/json");
        }
        if (random.nextInt(10) == 0) request.header("x-request-id", "../../etc/passwd;%00".repeat(random.nextInt(20)));
        HttpRequest.BodyPublisher publisher = random.nextInt(8) == 0
                ? HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)) // chunked
                : HttpRequest.BodyPublishers.ofByteArray(body);
        return (method.equals("GET") || method.equals("DELETE")) && random.nextBoolean()
                ? request.method(method, HttpRequest.BodyPublishers.noBody()).build()
                : request.method(method, publisher).build();
    }

    /** A body from one of the ways clients get it wrong, or mean it. */
    private static byte[] body(Random random) {
        String valid = "{\"model\":\"fuzz-none\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"prompt\":\"hi\","
                + "\"name\":\"fuzz-" + random.nextInt(1_000_000) + "\"}";
        return switch (random.nextInt(10)) {
            case 0 -> {
                byte[] bytes = new byte[random.nextInt(200)];
                random.nextBytes(bytes);
                yield bytes; // noise, invalid UTF-8 included
            }
            case 1 -> valid.substring(0, random.nextInt(valid.length())).getBytes(StandardCharsets.UTF_8); // truncated
            case 2 -> {
                int depth = 500 + random.nextInt(5000);
                yield (random.nextBoolean() ? "[".repeat(depth) + "]".repeat(depth)
                        : "{\"messages\":" + "{\"a\":".repeat(depth) + "1" + "}".repeat(depth + 1)).getBytes(StandardCharsets.UTF_8);
            }
            case 3 -> ("{\"model\":\"a\",\"model\":\"b\"," + valid.substring(1)).getBytes(StandardCharsets.UTF_8); // duplicate keys
            case 4 -> valid.replace("hi", "h\u0000i\u0007").getBytes(StandardCharsets.UTF_8);
            case 5 -> new byte[0];
            case 6 -> ("{\"messages\":[" + "{\"role\":\"user\",\"content\":\"x\"},".repeat(random.nextInt(2000))
                    + "{}],\"model\":1}").getBytes(StandardCharsets.UTF_8);
            default -> {
                StringBuilder json = new StringBuilder("{");
                int fields = 1 + random.nextInt(4);
                for (int i = 0; i < fields; i++) {
                    if (i > 0) json.append(',');
                    json.append('"').append(FIELDS[random.nextInt(FIELDS.length)]).append("\":")
                            .append(VALUES[random.nextInt(VALUES.length)]);
                }
                yield json.append('}').toString().getBytes(StandardCharsets.UTF_8); // a wrong type or value at some field
            }
        };
    }
}
