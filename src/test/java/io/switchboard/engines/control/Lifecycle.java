package io.switchboard.engines.control;

import io.switchboard.catalog.control.ModelCatalog;
import io.switchboard.catalog.entity.EngineType;
import io.switchboard.catalog.entity.ModelSpec;
import io.switchboard.engines.entity.EngineSnapshot;
import io.switchboard.engines.entity.EngineState;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;

/**
 * A model manager on fakes, for scenarios: engines are fake processes that a fake launcher "starts",
 * every task runs on the test's thread when the test calls {@link #settle} or {@link #advance}, and the
 * clock moves only when the test says so. GPUs of 80 GiB; each model's size is given in GiB.
 */
final class Lifecycle {

    static final long GIB = 1L << 30;
    static final Instant T0 = Instant.parse("2026-12-01T00:00:00Z");

    final ManualTasks tasks = new ManualTasks(T0);
    final List<ModelSpec> catalog = new ArrayList<>();
    final List<String> events = new ArrayList<>();
    final List<FakeProcess> launched = new ArrayList<>();
    final Set<String> failingStarts = new HashSet<>();
    final Set<String> failingWakes = new HashSet<>();
    final Set<String> crashingWakes = new HashSet<>();
    Duration minResidency = Duration.ZERO;
    int maxNumSeqs = 4;
    String evictionPolicy = "lru";
    String swapScheduler = "on-idle";
    Duration maxSwapDeferral = Duration.ofSeconds(30);
    final ModelManager manager = new ModelManager();

    Lifecycle model(String name, int gib, boolean pinned, boolean sleepEnabled) {
        catalog.add(new ModelSpec(name, EngineType.SIM, "org/" + name, BigDecimal.valueOf(gib), 4096, null, List.of(),
                pinned, true, sleepEnabled, null, T0));
        return this;
    }

    Lifecycle model(String name, int gib) {
        return model(name, gib, false, false);
    }

    Lifecycle start() {
        manager.catalog = ModelCatalog.of(() -> catalog);
        manager.settings = new Settings();
        manager.control = new Control();
        manager.events = new EngineEventLog() {
            @Override
            void record(String model, Integer gpu, EngineState from, EngineState to, Long ms, String reason, String detail) {
                events.add(model + " " + from + "->" + to + " (" + reason + ")");
            }
        };
        manager.metrics = new EngineMetrics() {
            @Override void registerGpus(ModelManager m) { }
            @Override void loaded(String model, long millis) { }
            @Override void eviction(String model, String reason) { }
            @Override void crash(String model) { }
            @Override void queueWait(long nanos) { }
        };
        manager.start(tasks);
        settle();
        return this;
    }

    ModelSpec spec(String name) {
        return catalog.stream().filter(m -> m.name().equals(name)).findFirst().orElseThrow();
    }

    CompletableFuture<Lease> request(String model) {
        CompletableFuture<Lease> lease = manager.leases().acquire(spec(model), Duration.ofSeconds(300));
        settle();
        return lease;
    }

    /** A request that is served at once (the model loads in no time here). */
    Lease served(String model) {
        CompletableFuture<Lease> lease = request(model);
        if (!lease.isDone()) throw new AssertionError(model + " is not served: " + manager.view().engines() + "\n" + events);
        return lease.join();
    }

    /** A whole request: a lease taken and given back at once (it "ran" in no time). */
    void use(String model) {
        served(model).release(true);
        settle();
    }

    void settle() {
        tasks.runPending();
    }

    void advance(Duration by) {
        tasks.advance(by);
    }

    EngineSnapshot engine(String model) {
        return manager.view().engines().stream().filter(e -> e.model().equals(model)).findFirst().orElseThrow();
    }

    EngineState state(String model) {
        return manager.view().engines().stream().filter(e -> e.model().equals(model)).findFirst()
                .map(EngineSnapshot::state).orElse(EngineState.COLD);
    }

    long launches(String model) {
        return launched.stream().filter(p -> p.model.equals(model)).count();
    }

    FakeProcess process(String model) {
        for (int i = launched.size() - 1; i >= 0; i--) if (launched.get(i).model.equals(model)) return launched.get(i);
        throw new AssertionError("never launched: " + model);
    }

    List<String> eventsOf(String model) {
        return events.stream().filter(e -> e.startsWith(model + " ")).map(e -> e.substring(model.length() + 1)).toList();
    }

    /** A simulated engine process: alive until stopped or crashed. */
    final class FakeProcess implements EngineProcess {
        final String model;
        final int port;
        final CompletableFuture<Integer> exit = new CompletableFuture<>();

        FakeProcess(String model, int port) {
            this.model = model;
            this.port = port;
        }

        void crash() {
            exit.complete(1);
        }

        @Override public URI baseUri() { return URI.create("http://127.0.0.1:" + port); }
        @Override public OptionalLong pid() { return OptionalLong.of(10_000 + port); }
        @Override public boolean isAlive() { return !exit.isDone(); }
        @Override public CompletableFuture<Integer> onExit() { return exit; }
        @Override public void stop(Duration grace) { exit.complete(143); }
        @Override public String logTail(int lines) { return exit.isDone() && exit.join() == 1 ? "RuntimeError: CUDA error: an illegal memory access" : ""; }
    }

    private final class Settings extends FakeEngineSettings {
        Settings() {
            capacities = List.of(80 * GIB);
            hostMemoryBytes = 64 * GIB;
            maxWaiters = 512;
        }
        @Override public EngineLauncher launcherFor(ModelSpec model) {
            return request -> {
                if (failingStarts.contains(request.model().name())) throw new IOException("no such file: vllm");
                FakeProcess process = new FakeProcess(request.model().name(), 40_000 + launched.size());
                launched.add(process);
                return process;
            };
        }
        @Override public Duration minResidency() { return Lifecycle.this.minResidency; }
        @Override public int defaultMaxNumSeqs() { return Lifecycle.this.maxNumSeqs; } // EngineSettings has a field of that name
        @Override public String evictionPolicy() { return Lifecycle.this.evictionPolicy; }
        @Override public String swapScheduler() { return Lifecycle.this.swapScheduler; }
        @Override public Duration maxSwapDeferral() { return Lifecycle.this.maxSwapDeferral; }
    }

    /** The engine's HTTP API as the manager calls it: healthy while alive; wake-ups fail where told to. */
    private final class Control extends EngineControl {
        @Override public boolean healthy(URI base) {
            return launched.stream().anyMatch(p -> p.baseUri().equals(base) && p.isAlive());
        }
        @Override public void awaitReady(EngineProcess process, BooleanSupplier stillWanted) throws IOException {
            if (!process.isAlive()) throw new IOException("the engine exited with status " + process.onExit().join());
            if (!stillWanted.getAsBoolean()) throw new IOException("load cancelled");
        }
        @Override public void sleep(URI base) { }
        @Override public void wakeUp(URI base) throws IOException {
            FakeProcess process = launched.stream().filter(p -> p.baseUri().equals(base)).findFirst().orElseThrow();
            if (crashingWakes.contains(process.model)) process.crash(); // as the simulator's crash_on_wake fault
            if (failingWakes.contains(process.model) || !process.isAlive()) throw new IOException("Connection refused");
        }
    }

    /** Tasks run on the caller's thread, in order, when asked; timers when the clock passes them. */
    static final class ManualTasks implements LifecycleTasks {
        private final ArrayDeque<Runnable> pending = new ArrayDeque<>();
        private final List<Scheduled> timers = new ArrayList<>();
        private Instant now;

        ManualTasks(Instant start) {
            now = start;
        }

        private final class Scheduled implements Timer {
            Instant due;
            final Duration every;
            final Runnable task;
            boolean cancelled;

            Scheduled(Instant due, Duration every, Runnable task) {
                this.due = due;
                this.every = every;
                this.task = task;
            }

            @Override
            public void cancel() {
                cancelled = true;
            }
        }

        @Override public void run(Runnable task) { pending.add(task); }

        @Override public Timer after(Duration delay, Runnable task) {
            Scheduled timer = new Scheduled(now.plus(delay), null, task);
            timers.add(timer);
            return timer;
        }

        @Override public Timer every(Duration interval, Runnable task) {
            Scheduled timer = new Scheduled(now.plus(interval), interval, task);
            timers.add(timer);
            return timer;
        }

        @Override public Instant now() { return now; }

        void runPending() {
            for (Runnable task; (task = pending.poll()) != null; ) task.run();
        }

        /** Moves the clock, running every timer that falls due on the way (and what each sets off). */
        void advance(Duration by) {
            Instant end = now.plus(by);
            while (true) {
                runPending();
                Scheduled next = timers.stream().filter(t -> !t.cancelled && !t.due.isAfter(end))
                        .min(java.util.Comparator.comparing(t -> t.due)).orElse(null);
                if (next == null) break;
                now = next.due;
                if (next.every == null) timers.remove(next); else next.due = next.due.plus(next.every);
                next.task.run();
            }
            now = end;
            runPending();
        }
    }
}
