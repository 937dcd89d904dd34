package io.switchboard.engines.control;

import java.net.URI;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/**
 * A vLLM server that runs elsewhere, at the catalog model's {@code url}: nothing to start or stop. Also what
 * a server that starts no engines (SWITCHBOARD_LAUNCHER=remote: the gateway image) uses for every model, so a
 * model without a url fails its load with a message that says so.
 */
public class RemoteEngineLauncher implements EngineLauncher {

    @Override
    public EngineProcess launch(LaunchRequest request) {
        String url = request.model().url();
        if (url == null || url.isBlank()) {
            throw new IllegalStateException("model '" + request.model().name() + "' has no url, and this server starts"
                    + " no engines of its own (SWITCHBOARD_LAUNCHER=remote); give the catalog model \"engine\": \"remote\""
                    + " and the url of the vLLM server that serves it, or call the engine host that loads it");
        }
        URI uri = URI.create(url.replaceAll("/+$", ""));
        return new EngineProcess() {
            @Override
            public URI baseUri() {
                return uri;
            }

            @Override
            public OptionalLong pid() {
                return OptionalLong.empty();
            }

            @Override
            public boolean isAlive() {
                return true;
            }

            @Override
            public CompletableFuture<Integer> onExit() {
                return new CompletableFuture<>();
            }

            @Override
            public void stop(Duration grace) {
                // not ours to stop
            }

            @Override
            public String logTail(int lines) {
                return "";
            }
        };
    }

    @Override
    public boolean usesLocalGpu() {
        return false;
    }
}
