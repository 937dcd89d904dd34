package io.switchboard.it;

import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static io.switchboard.it.Switchboard.admin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client that stops reading its stream: once a write to it has waited SWITCHBOARD_CLIENT_WRITE_TIMEOUT
 * (3 s in the test server), the stream is cut, the request ends as the client's (499) and its lease
 * comes back; nobody waits for it forever and the engine stops generating for nobody.
 */
class StalledClientIT {

    @Test
    void aClientThatStopsReadingIsDisconnectedAfterTheWriteTimeoutAndItsLeaseComesBack() throws Exception {
        String model = Engines.small("stalled", false);
        String key = Tenants.named("stalled").createWithKey().getString("key");
        String requestId = "it-stalled-" + System.nanoTime();
        try (Socket socket = streamNeverRead(model, key, requestId)) {
            Engines.eventually(Duration.ofSeconds(60), () -> admin("GET", "/admin/requests/" + requestId, (String) null)
                    .status() == 200, () -> "the stalled stream never ended");
            JsonObject outcome = admin("GET", "/admin/requests/" + requestId, (String) null).json();
            assertEquals(499, outcome.getInt("status"), outcome::toString);
        }
        Engines.eventually(Duration.ofSeconds(10), () -> admin("GET", "/admin/engines", (String) null).json()
                .getJsonArray("data").stream().map(v -> v.asJsonObject())
                .filter(e -> e.getString("model").equals(model)).allMatch(e -> e.getInt("leases") == 0),
                () -> "the stalled stream's lease was not given back");
    }

    /**
     * Streams are written by a few threads (one in the test server): a stream whose client stopped reading
     * blocks one of them, and must not hold up the others until the write timeout cuts the stalled one.
     */
    @Test
    void anotherTenantsStreamIsRelayedInFullWhileAStalledStreamWaitsForItsClient() throws Exception {
        String model = Engines.small("stalled-beside", false);
        String stalledKey = Tenants.named("stalled-beside").createWithKey().getString("key");
        String key = Tenants.named("beside-stalled").createWithKey().getString("key");
        String stalledId = "it-stalled-beside-" + System.nanoTime();
        String chat = "{\"model\":\"" + model + "\",\"stream\":true,\"max_tokens\":40,\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}";
        assertEquals(200, Switchboard.tenant("POST", "/v1/chat/completions", key, chat).status()); // the model is loaded
        try (Socket socket = streamNeverRead(model, stalledKey, stalledId)) {
            Thread.sleep(1_500); // its writes fill the socket buffers (under a second here) and wait; the write timeout is 3 s
            Switchboard.Reply other = Switchboard.tenant("POST", "/v1/chat/completions", key, chat);
            assertEquals(200, other.status(), other::toString);
            assertTrue(other.body().contains("data: [DONE]"), other::body);
            assertEquals(404, admin("GET", "/admin/requests/" + stalledId, (String) null).status(),
                    "the other stream was done only once the stalled one had been cut");
        }
    }

    /** A stream far larger than the socket buffers on both sides hold (32 choices of 2,000 tokens), never read. */
    private static Socket streamNeverRead(String model, String key, String requestId) throws Exception {
        byte[] body = ("{\"model\":\"" + model + "\",\"stream\":true,\"n\":32,\"max_tokens\":2000,\"ignore_eos\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"tell me everything\"}]}").getBytes(StandardCharsets.UTF_8);
        URI base = URI.create(Switchboard.BASE_URL);
        Socket socket = new Socket();
        socket.setOption(StandardSocketOptions.SO_RCVBUF, 4096); // before connecting: the window stays small
        socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5000);
        OutputStream out = socket.getOutputStream();
        out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + key
                + "\r\nx-request-id: " + requestId + "\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
        return socket; // ... and never read: the connection stays open, the client silent
    }
}
