package io.switchboard.engines.control;

import io.switchboard.catalog.entity.ModelSpec;

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The lifecycle's hands: starts engine processes and waits until they answer, wakes, sleeps and stops
 * them, checks their health, watches for their exit, and waits for a GPU to show memory really free.
 * All of it is process or HTTP I/O, so all of it runs on the lifecycle's executor, never under the
 * model manager's lock; each call answers a future that the manager completes its transition on.
 */
class EngineSupervisor {

    private static final Logger LOG = Logger.getLogger(EngineSupervisor.class.getName());
    static final int LOG_LINES = 8;

    /** A load or wake-up that failed: why, what the engine logged, and whether its process died. */
    static final class LoadFailure extends Exception {
        final EngineProcess process;
        final String logTail;
        final boolean processDied;

        LoadFailure(String reason, EngineProcess process, String logTail, boolean processDied) {
            super(reason, null, false, false);
            this.process = process;
            this.logTail = logTail;
            this.processDied = processDied;
        }
    }

    /** What a start needs beyond the model: where, how much of the GPU, and whether to wait for its memory first. */
    record Start(ModelSpec model, int gpu, double gpuMemoryUtilization, long needBytes, boolean waitForMemory) {
    }

    private final EngineSettings settings;
    private final EngineControl control;
    private final Optional<GpuProbe> probe;
    private final LifecycleTasks tasks;

    EngineSupervisor(EngineSettings settings, EngineControl control, Optional<GpuProbe> probe, LifecycleTasks tasks) {
        this.settings = settings;
        this.control = control;
        this.probe = probe;
        this.tasks = tasks;
    }

    boolean usesLocalGpu(ModelSpec model) {
        return settings.launcherFor(model).usesLocalGpu();
    }

    boolean sleepMode(ModelSpec model) {
        return model.sleepEnabled() && usesLocalGpu(model);
    }

    /** The model's own {@code --max-num-seqs} in its extra arguments, else the configured default. */
    int maxNumSeqs(ModelSpec model) {
        List<String> args = model.extraArgs();
        for (int i = 0; i < args.size() - 1; i++) {
            if (args.get(i).equals("--max-num-seqs")) {
                try {
                    return Integer.parseInt(args.get(i + 1));
                } catch (NumberFormatException e) {
                    break;
                }
            }
        }
        return settings.defaultMaxNumSeqs();
    }

    /**
     * Starts an engine and completes once it answers {@code /health}. {@code spawned} hears of the
     * process as soon as it exists (so that it can be stopped, and its exit watched, while it loads);
     * the wait ends early when {@code stillWanted} says the load was called off.
     */
    CompletableFuture<EngineProcess> start(Start start, Consumer<EngineProcess> spawned, BooleanSupplier stillWanted) {
        CompletableFuture<EngineProcess> result = new CompletableFuture<>();
        tasks.run(() -> {
            EngineProcess process = null;
            try {
                if (start.waitForMemory()) awaitFreeMemory(start.gpu(), start.needBytes());
                ModelSpec model = start.model();
                process = settings.launcherFor(model).launch(new EngineLauncher.LaunchRequest(model,
                        settings.engineHost(), freePort(), Math.max(start.gpu(), 0), start.gpuMemoryUtilization(),
                        maxNumSeqs(model), sleepMode(model), settings.logDir().resolve(model.name() + ".log")));
                spawned.accept(process);
                awaitHealthy(process, stillWanted);
                result.complete(process);
            } catch (Exception e) {
                if (e instanceof InterruptedException) Thread.currentThread().interrupt();
                result.completeExceptionally(new LoadFailure("load failed: " + Failures.describe(e), process,
                        process == null ? "" : process.logTail(LOG_LINES), false));
            }
        });
        return result;
    }

    /** Wakes a sleeping engine; a failure says whether the process died meanwhile (then it is started afresh). */
    CompletableFuture<Void> wake(EngineProcess process) {
        return offTheLock(() -> control.wakeUp(process.baseUri()), e -> new LoadFailure("wake-up failed: "
                + Failures.describe(e), process, process.logTail(LOG_LINES), died(process)));
    }

    /** vLLM sleep level 1 on a drained engine. */
    CompletableFuture<Void> sleep(EngineProcess process) {
        return offTheLock(() -> control.sleep(process.baseUri()), e -> e);
    }

    /** An engine call that may block or fail. */
    private interface EngineCall {
        void run() throws Exception;
    }

    /** Runs the call on the lifecycle's executor; its failure, as {@code failure} words it, fails the future. */
    private CompletableFuture<Void> offTheLock(EngineCall call, java.util.function.Function<Exception, Exception> failure) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        tasks.run(() -> {
            try {
                call.run();
                result.complete(null);
            } catch (Exception e) {
                if (e instanceof InterruptedException) Thread.currentThread().interrupt();
                result.completeExceptionally(failure.apply(e));
            }
        });
        return result;
    }

    /** SIGTERM, then SIGKILL after {@code grace}; completes once the process is gone (at once for none). */
    CompletableFuture<Void> stop(EngineProcess process, Duration grace) {
        CompletableFuture<Void> result = new CompletableFuture<>();
        tasks.run(() -> {
            try {
                if (process != null) process.stop(grace);
            } finally {
                result.complete(null);
            }
        });
        return result;
    }

    /** Calls {@code exited} with the status and the log's last lines when the process ends (read off the lock). */
    void watchExit(EngineProcess process, ExitListener exited) {
        process.onExit().thenAccept(status -> exited.exited(process, status, process.logTail(LOG_LINES)));
    }

    interface ExitListener {
        void exited(EngineProcess process, int status, String logTail);
    }

    boolean healthy(EngineProcess process) {
        return process.isAlive() && control.healthy(process.baseUri());
    }

    private void awaitHealthy(EngineProcess process, BooleanSupplier stillWanted) throws IOException, InterruptedException {
        try {
            control.awaitReady(process, stillWanted);
        } catch (org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException tooSlow) {
            throw new IOException("the engine was not healthy within " + settings.loadTimeout().toSeconds() + " s");
        }
    }

    /** Whether a wake-up failed because the sleeping engine's process is gone (killed, crashed, out of memory). */
    private static boolean died(EngineProcess process) {
        if (process.pid().isEmpty()) return false; // a remote engine is not ours to restart
        try {
            process.onExit().get(1, TimeUnit.SECONDS); // the failed call may come just before the exit
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (TimeoutException | ExecutionException alive) {
            return false;
        }
    }

    /** After an eviction the GPU gives memory back with a delay: wait (bounded) until the probe shows it free. */
    private void awaitFreeMemory(int gpu, long bytes) throws InterruptedException {
        if (probe.isEmpty() || gpu < 0) return;
        long deadline = System.nanoTime() + settings.memoryWait().toNanos();
        while (System.nanoTime() < deadline) {
            try {
                List<GpuProbe.Reading> readings = probe.get().read();
                if (gpu < readings.size() && readings.get(gpu).freeBytes() >= bytes) return;
            } catch (IOException e) {
                LOG.fine("GPU probe failed: " + e.getMessage());
                return;
            }
            Thread.sleep(250);
        }
        LOG.warning("GPU " + gpu + " memory not free after " + settings.memoryWait().toSeconds() + " s; starting anyway");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
