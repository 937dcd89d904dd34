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
        // 32 choices of 2,000 tokens: far more than the socket buffers on both sides hold
        byte[] body = ("{\"model\":\"" + model + "\",\"stream\":true,\"n\":32,\"max_tokens\":2000,\"ignore_eos\":true,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"tell me everything\"}]}").getBytes(StandardCharsets.UTF_8);
        URI base = URI.create(Switchboard.BASE_URL);
        try (Socket socket = new Socket()) {
            socket.setOption(StandardSocketOptions.SO_RCVBUF, 4096); // before connecting: the window stays small
            socket.connect(new InetSocketAddress(base.getHost(), base.getPort()), 5000);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " + key
                    + "\r\nx-request-id: " + requestId + "\r\nContent-Type: application/json\r\nContent-Length: "
                    + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            // ... and never read: the connection stays open, the client silent

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
}
