package io.switchboard.engines.control;

import io.switchboard.catalog.control.ModelCatalog;
import io.switchboard.catalog.entity.EngineType;
import io.switchboard.catalog.entity.ModelSpec;
import io.switchboard.engines.entity.EngineState;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * One GPU for the swap replay: Switchboard's own model manager (load queue, reservations, eviction policy,
 * swap scheduler, wait queues, leases) on {@link VirtualTime}, its engines fake processes whose loads,
 * wake-ups, sleeps and stops take as long as the vLLM simulator's (the seed article's figures: a cold load
 * of 8 s for 14 GiB of weights to 62 s for 70 GiB, a wake-up of 47 ms per GiB); their decode is batched as the
 * simulator's is ({@link ReplayBatch}). What it does not model: the HTTP relay, which the gateway benchmarks measure.
 */
final class ReplayGpu {

    static final long GIB = 1L << 30;
    static final Instant T0 = Instant.parse("2023-11-16T18:15:00Z");

    /** A catalog model: its weights (what load and decode times follow) and its reservation on the GPU. */
    record Model(String name, double weightsGib, int reservationGib, boolean sleeps) {
        double loadSeconds() {
            return 8.0 * Math.pow(Math.max(weightsGib, 0.1) / 14.0, 1.2725);
        }

        double wakeSeconds() {
            return 0.047 * weightsGib;
        }

        /** Prefill: 0.1 ms a prompt token. */
        double prefillSeconds(int promptTokens) {
            return promptTokens * 0.0001;
        }

        /** Time per output token alone: 10 ms + 0.5 ms per GiB of weights (slower in a batch: {@link ReplayBatch}). */
        double tpotSeconds() {
            return (10 + 0.5 * weightsGib) / 1000.0;
        }
    }

    /** An engine state change, at a virtual time. */
    record Event(Instant at, String model, EngineState from, EngineState to, String reason) {
    }

    private static final Duration STOP_TIME = Duration.ofSeconds(1);

    final VirtualTime time = new VirtualTime(T0);
    final ModelManager manager = new ModelManager();
    final List<Event> events = new ArrayList<>();
    private final Map<String, Model> models = new HashMap<>();
    private final Map<String, ModelSpec> specs = new HashMap<>();
    private int nextPort = 40_000;
    long evictions;

    ReplayGpu(List<Model> catalog, long gpuBytes, long hostBytes, String policy, String scheduler, Duration maxDeferral) {
        List<ModelSpec> list = new ArrayList<>();
        for (Model model : catalog) {
            models.put(model.name(), model);
            ModelSpec spec = new ModelSpec(model.name(), EngineType.SIM, "replay/" + model.name(),
                    BigDecimal.valueOf(model.reservationGib()), 32_768, null, List.of(), false, true, model.sleeps(), null, T0);
            specs.put(model.name(), spec);
            list.add(spec);
        }
        FakeEngineSettings settings = new FakeEngineSettings() {
            @Override public EngineLauncher launcherFor(ModelSpec model) {
                return request -> new Process(request.model().name(), nextPort++);
            }
            @Override public Duration minResidency() { return Duration.ofSeconds(60); }
            @Override public int defaultMaxNumSeqs() { return 256; }
            @Override public String evictionPolicy() { return policy; }
            @Override public String swapScheduler() { return scheduler; }
            @Override public Duration maxSwapDeferral() { return maxDeferral; }
        };
        settings.capacities = List.of(gpuBytes);
        settings.hostMemoryBytes = hostBytes;
        settings.maxWaiters = 100_000; // a trace's burst during a 60 s load is the figure here, not a refusal
        settings.healthIntervalMillis = 10_000;
        manager.catalog = ModelCatalog.of(list);
        manager.settings = settings;
        manager.control = new Control();
        manager.events = new EngineEventLog() {
            @Override
            void record(String model, Integer gpu, EngineState from, EngineState to, Long ms, String reason, String detail) {
                events.add(new Event(time.now(), model, from, to, reason));
            }
        };
        manager.metrics = new EngineMetrics() {
            @Override void registerGpus(ModelManager m) { }
            @Override void loaded(String model, long millis) { }
            @Override void eviction(String model, String reason) { evictions++; }
            @Override void crash(String model) { }
            @Override void queueWait(long nanos) { }
        };
        manager.start(time);
    }

    ModelSpec spec(String model) {
        return specs.get(model);
    }

    Model model(String name) {
        return models.get(name);
    }

    /** An engine process that lives until it is stopped; stopping it takes a second of virtual time. */
    private final class Process implements EngineProcess {
        final String model;
        final int port;
        final CompletableFuture<Integer> exit = new CompletableFuture<>();

        Process(String model, int port) {
            this.model = model;
            this.port = port;
        }

        @Override public URI baseUri() { return URI.create("http://127.0.0.1:" + port); }
        @Override public OptionalLong pid() { return OptionalLong.of(port); }
        @Override public boolean isAlive() { return !exit.isDone(); }
        @Override public CompletableFuture<Integer> onExit() { return exit; }
        @Override public String logTail(int lines) { return ""; }

        @Override public void stop(Duration grace) {
            time.sleepUntil(time.now().plus(STOP_TIME));
            exit.complete(143);
        }
    }

    /** The engine's API as the manager calls it: ready after the model's load time, awake after its wake time. */
    private final class Control extends EngineControl {
        private final Map<Integer, String> modelByPort = new HashMap<>();

        @Override public boolean healthy(URI base) {
            return true;
        }

        @Override public void awaitReady(EngineProcess process, BooleanSupplier stillWanted) throws IOException {
            Process engine = (Process) process;
            modelByPort.put(engine.port, engine.model);
            time.sleepUntil(time.now().plus(seconds(model(engine.model).loadSeconds())));
            if (!stillWanted.getAsBoolean()) throw new IOException("load cancelled");
        }

        @Override public void sleep(URI base) {
            time.sleepUntil(time.now().plus(seconds(model(modelByPort.get(base.getPort())).wakeSeconds())));
        }

        @Override public void wakeUp(URI base) {
            time.sleepUntil(time.now().plus(seconds(model(modelByPort.get(base.getPort())).wakeSeconds())));
        }
    }

    static Duration seconds(double seconds) {
        return Duration.ofNanos(Math.round(seconds * 1e9));
    }
}
