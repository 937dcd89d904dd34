package io.switchboard.engines.control;

import io.switchboard.catalog.entity.ModelSpec;

import java.io.IOException;
import java.nio.file.Path;

/**
 * How an engine for a model comes to exist: {@code vllm} and {@code sim} start a child process
 * with {@code vllm serve}'s command line, {@code remote} attaches to a server that runs elsewhere.
 */
public interface EngineLauncher {

    /** What a launch needs: the model, where to listen, which GPU and how much of it, where to log. */
    record LaunchRequest(ModelSpec model, String host, int port, int gpu, double gpuMemoryUtilization, int maxNumSeqs,
                         boolean sleepMode, Path logFile) {
    }

    EngineProcess launch(LaunchRequest request) throws IOException;

    /** True for engines that use this host's GPUs (and so count against its memory). */
    default boolean usesLocalGpu() {
        return true;
    }
}
