package io.switchboard.engines.control;

import java.net.URI;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/** A vLLM server that runs elsewhere, at the catalog model's {@code url}: nothing to start or stop. */
public class RemoteEngineLauncher implements EngineLauncher {

    @Override
    public EngineProcess launch(LaunchRequest request) {
        URI uri = URI.create(request.model().url().replaceAll("/+$", ""));
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
