package io.switchboard.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client that says how long it waits (the Stainless SDKs' X-Stainless-Timeout and X-Stainless-Read-Timeout,
 * in seconds) is not held past that for a model load: a load known to take longer is answered at once with
 * 503 and a Retry-After of the load's rest, the load started for the retry; a load of unknown length is
 * waited for only as long as the client waits. The model loads in about 4 s here (time scale 0.1).
 */
class ClientWaitIT {

    static String model;
    static String apiKey;

    @BeforeAll
    static void slowModel() {
        Engines.reset();
        model = Engines.model("client-wait", 36, "Qwen/Qwen2.5-32B-Instruct", "fp8", false, false,
                "--sim-load-seconds", "40");
        apiKey = Tenants.named("client-wait").allowedModels(model).createWithKey().getString("key");
    }

    @Test
    void aLoadLongerThanTheClientWaitsIsAnsweredAtOnceWithAnHonestRetryAfter() {
        // never loaded here: how long it takes is unknown, so the request waits as long as the client does
        Switchboard.Reply unknown = chat("X-Stainless-Read-Timeout", "1.5");
        assertEquals(503, unknown.status(), unknown::toString);
        assertEquals("model_load_timeout", unknown.error().getString("code"));
        assertEquals("LOADING", Engines.state(model), "the answer came before the load ended");
        Engines.awaitState(model, "READY", Duration.ofSeconds(30)); // the load went on: now its time is known

        Switchboard.admin("POST", "/admin/engines/" + model + "/unload", (String) null);
        Engines.awaitState(model, "COLD", Duration.ofSeconds(30));

        Switchboard.Reply tooLong = chat("X-Stainless-Timeout", "2");
        assertEquals("LOADING", Engines.state(model), "answered at once, and the load started for the retry");
        assertEquals(503, tooLong.status(), tooLong::toString);
        assertEquals("model_loading", tooLong.error().getString("code"));
        long retryAfter = Long.parseLong(tooLong.header("Retry-After"));
        assertTrue(retryAfter >= 2 && retryAfter <= 10, "the rest of a load of about 4 s, not " + retryAfter);
        assertEquals(retryAfter * 1000, Long.parseLong(tooLong.header("retry-after-ms")));

        Switchboard.Reply patient = chat("X-Stainless-Timeout", "600");
        assertEquals(200, patient.status(), patient::toString);
    }

    private static Switchboard.Reply chat(String header, String seconds) {
        return Switchboard.send(HttpRequest.newBuilder(URI.create(Switchboard.BASE_URL + "/v1/chat/completions"))
                .timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + apiKey)
                .header("Content-Type", "application/json")
                .header(header, seconds)
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model
                        + "\",\"max_tokens\":3,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"))
                .build());
    }
}
