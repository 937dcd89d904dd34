package io.switchboard.engines.control;

import java.net.URI;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;

/** A running engine: where it answers, whether it is alive, how to stop it, what it logged. */
public interface EngineProcess {

    /** The engine's OpenAI-compatible base URI, e.g. {@code http://127.0.0.1:41234}. */
    URI baseUri();

    OptionalLong pid();

    boolean isAlive();

    /** Completes with the exit status when the process ends; never for a remote engine. */
    CompletableFuture<Integer> onExit();

    /** SIGTERM, then SIGKILL after {@code grace}; blocks until it is gone. */
    void stop(Duration grace);

    /** The last lines the engine logged, for error messages and engine events. */
    String logTail(int lines);
}
