package io.switchboard.engines.control;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.function.BooleanSupplier;

/**
 * The calls Switchboard makes to an engine for itself (not for a tenant): health, sleep and
 * wake-up (vLLM's /health, and /sleep?level=1, /wake_up and /is_sleeping, which it serves with VLLM_SERVER_DEV_MODE=1). Bounded and retried with MicroProfile Fault Tolerance; all are
 * safe to repeat (sleeping a sleeping engine and waking an awake one are no-ops).
 */
@ApplicationScoped
public class EngineControl {

    @Inject
    EngineHttp engines;

    /** True when {@code /health} answers 200 within a second; a refused connection is simply false. */
    public boolean healthy(URI base) {
        try {
            HttpResponse<Void> response = engines.client().send(HttpRequest.newBuilder(base.resolve("/health"))
                    .timeout(Duration.ofSeconds(1)).GET().build(), HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * Waits until a starting engine answers {@code /health}, or fails as soon as its process exits
     * or the load is called off. The load timeout is MicroProfile Fault Tolerance's: configured
     * as {@code switchboard.engines.load-timeout-seconds} (microprofile-config.properties maps it
     * onto this method's {@code Timeout/value}); when it strikes, this thread is interrupted.
     */
    @Timeout(value = 900, unit = ChronoUnit.SECONDS)
    public void awaitReady(EngineProcess process, BooleanSupplier stillWanted) throws IOException, InterruptedException {
        while (true) {
            if (!process.isAlive()) throw new IOException("the engine exited with status " + process.onExit().join());
            if (healthy(process.baseUri())) return;
            if (!stillWanted.getAsBoolean()) throw new IOException("load cancelled");
            Thread.sleep(10); // a refused connection costs microseconds; the interval is added to every cold request
        }
    }

    /** vLLM sleep level 1: weights to host memory, GPU memory freed. Only call on a drained engine. */
    @Retry(maxRetries = 2, delay = 200, jitter = 50, retryOn = IOException.class)
    @Timeout(value = 120, unit = ChronoUnit.SECONDS)
    public void sleep(URI base) throws IOException, InterruptedException {
        expectOk(post(base.resolve("/sleep?level=1")), "sleep");
    }

    /** Wakes the engine and confirms with {@code /is_sleeping} before anyone routes to it. */
    @Retry(maxRetries = 2, delay = 200, jitter = 50, retryOn = IOException.class)
    @Timeout(value = 120, unit = ChronoUnit.SECONDS)
    public void wakeUp(URI base) throws IOException, InterruptedException {
        expectOk(post(base.resolve("/wake_up")), "wake_up");
        HttpResponse<String> sleeping = engines.client().send(HttpRequest.newBuilder(base.resolve("/is_sleeping"))
                .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (sleeping.statusCode() != 200 || !sleeping.body().replace(" ", "").contains("\"is_sleeping\":false")) {
            throw new IOException("engine still sleeping after wake_up: " + sleeping.body());
        }
    }

    private HttpResponse<String> post(URI uri) throws IOException, InterruptedException {
        return engines.client().send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(110))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static void expectOk(HttpResponse<String> response, String what) throws IOException {
        if (response.statusCode() != 200) {
            throw new IOException(what + " answered " + response.statusCode() + ": " + response.body());
        }
    }
}
