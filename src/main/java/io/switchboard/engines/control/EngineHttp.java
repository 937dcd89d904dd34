package io.switchboard.engines.control;

import jakarta.enterprise.context.ApplicationScoped;

import java.net.http.HttpClient;
import java.time.Duration;

/**
 * The one HTTP client that talks to engines, for tenants' requests and for Switchboard's own
 * calls: HTTP/1.1 (vLLM speaks nothing else), pooled keep-alive connections.
 */
@ApplicationScoped
public class EngineHttp {

    private final HttpClient client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();

    public HttpClient client() {
        return client;
    }
}
