package io.switchboard.engines.control;

import io.switchboard.catalog.control.ModelCatalog;
import io.switchboard.catalog.entity.ModelSpec;
import io.switchboard.engines.entity.EngineRefusal;
import io.switchboard.engines.entity.EngineRefusal.Reason;
import io.switchboard.engines.entity.EngineSnapshot;
import io.switchboard.engines.entity.EngineState;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.ejb.ConcurrencyManagement;
import jakarta.ejb.ConcurrencyManagementType;
import jakarta.ejb.DependsOn;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.inject.Inject;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.logging.Logger;

/**
 * The lifecycle's state machine: every engine state change is one method below, with the rule that
 * allows it beside it, checked against {@link EngineState}'s transition table. Its helpers do the
 * rest: {@link WaitQueue} (waiting requests), {@link GpuReservations} (memory, fit, victims),
 * {@link HostMemoryBudget} (the sleep tier), {@link EngineSupervisor} (all process and HTTP I/O),
 * {@link HealthWatch} (health checks, circuit breaker) and {@link Backoff}.
 * What is not a transition belongs in a helper.
 *
 * <p>Concurrency: bean-managed. One short lock guards all engine state; it is never held across I/O,
 * which the supervisor runs off it and whose outcome comes back under it as a transition. So a load,
 * an eviction or a slow engine never blocks requests for other models.
 */
@Singleton
@Startup
@DependsOn({"SchemaMigrator", "FlushOnShutdown"})
@ConcurrencyManagement(ConcurrencyManagementType.BEAN)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED) // no JTA transaction per lease: nothing here is transactional
public class ModelManager {

    private static final Logger LOG = Logger.getLogger(ModelManager.class.getName());
    private static final long RESIDUE_BYTES = 512L << 20; // what vLLM keeps on the GPU while asleep

    @Inject ModelCatalog catalog;
    @Inject EngineSettings settings;
    @Inject EngineControl control;
    @Inject EngineEventLog events;
    @Inject EngineMetrics metrics;
    @Resource ManagedExecutorService executor;
    @Resource ManagedScheduledExecutorService scheduler;

    final Object lock = new Object(); // guards all engine state; Leases take it too
    final Map<String, ManagedEngine> engines = new HashMap<>(); // by model name
    final LoadQueue loadQueue = new LoadQueue();
    private final Leases leases = new Leases(this);
    private final EngineCommands commands = new EngineCommands(this);
    private final LifecycleView view = new LifecycleView(this);
    LifecycleTasks tasks;
    EngineSupervisor supervisor;
    GpuReservations gpus;
    HostMemoryBudget hostMemory;
    private HealthWatch health;
    private Backoff backoff;
    private Evictions evictions;
    private LifecycleTasks.Timer healthChecks;
    volatile boolean stopping;

    @PostConstruct
    void start() {
        start(LifecycleTasks.of(executor, scheduler, Clock.systemUTC()));
    }

    /** Starts on the given tasks (unit tests pass manual ones): sizes the GPUs, starts the health checks, loads the pinned models. */
    void start(LifecycleTasks lifecycleTasks) {
        tasks = lifecycleTasks;
        var probe = settings.probe();
        supervisor = new EngineSupervisor(settings, control, probe, tasks);
        List<Long> sizes = settings.configuredCapacities().orElseGet(() -> GpuReservations.probed(probe, settings.gpuCount()));
        gpus = new GpuReservations(sizes, engines.values());
        hostMemory = new HostMemoryBudget(settings.hostMemoryBytes());
        health = new HealthWatch(this, settings.breakerFailures());
        backoff = new Backoff(settings.maxBackoff());
        evictions = new Evictions(EvictionPolicy.named(settings.evictionPolicy(), settings), new SwapScheduler(
                SwapScheduler.kind(settings.swapScheduler()), settings.maxSwapDeferral()), tasks, lock, this::scheduleLoads);
        metrics.registerGpus(this);
        LOG.info("GPU memory: " + sizes.stream().map(b -> String.format("%.1f GiB", b / (double) (1L << 30))).toList());
        healthChecks = tasks.every(Duration.ofMillis(settings.healthIntervalMillis()), () -> health.sweep(supervisor));
        for (ModelSpec model : catalog.enabled()) {
            if (model.pinned()) commands.load(model.name()); // the most requested models stay resident
        }
    }

    /** Every child engine stops with the server, and the engine events say so (FlushOnShutdown writes them after this). */
    @PreDestroy
    void stop() {
        stopping = true;
        if (healthChecks != null) healthChecks.cancel();
        Map<ManagedEngine, EngineProcess> running = new LinkedHashMap<>();
        synchronized (lock) {
            for (ManagedEngine engine : engines.values()) {
                if (engine.process != null) {
                    running.put(engine, engine.process);
                    if (engine.state != EngineState.STOPPING) transition(engine, EngineState.STOPPING, "server shutting down", null, null);
                }
                engine.waiters.failAll(new EngineRefusal(Reason.SHUTTING_DOWN, engine.name, "Switchboard is shutting down."), tasks);
            }
        }
        long started = System.nanoTime();
        running.values().parallelStream().forEach(process -> process.stop(settings.stopGrace()));
        synchronized (lock) {
            running.forEach((engine, process) -> {
                if (engine.process == process) stopped(engine, started); // else an eviction's own stop said so
            });
        }
    }

    // ---- requests ----

    /** The request path's way to leases, without the EJB proxy (see {@link Leases}). */
    public Leases leases() {
        return leases;
    }

    ManagedEngine engineFor(ModelSpec model) {
        ManagedEngine engine = engines.computeIfAbsent(model.name(), name -> new ManagedEngine(name, model));
        if (engine.state == EngineState.COLD || engine.state == EngineState.FAILED) engine.spec = model; // catalog edits apply on the next load
        return engine;
    }

    /** Why a request cannot even wait: a model that can never fit here, or a crash backoff still running. */
    EngineRefusal refusal(ManagedEngine engine) {
        EngineRefusal cannotFit = supervisor.usesLocalGpu(engine.spec) ? gpus.whyItCannotFit(engine) : null;
        return cannotFit != null ? cannotFit : backoff.refusal(engine, tasks.now());
    }

    /** A lease ended: the circuit breaker counts it; a drained engine may go now; the queue may move. */
    void released(ManagedEngine engine, boolean succeeded) {
        if (succeeded && engine.state == EngineState.READY) engine.consecutiveFailures = 0;
        if (health.circuitOpens(engine, succeeded)) {
            engine.consecutiveRequestFailures = 0;
            health.crashed(engine, settings.breakerFailures() + " requests in a row failed on the engine", "", settings.stopGrace());
        }
        if (engine.state == EngineState.READY) leases.dispatch(engine);
        if (engine.state == EngineState.DRAINING && engine.inFlight == 0) evictDrained(engine);
        scheduleLoads();
    }

    // ---- loading ----

    /** Someone wants this model: a load (or wake-up) is put on its way. */
    void demand(ManagedEngine engine) {
        loadQueue.demand(engine);
        scheduleLoads();
    }

    /** Starts what the load queue can start now, or evicts for its head (see {@link LoadQueue}, {@link Evictions}). */
    private void scheduleLoads() {
        LoadQueue.Step step;
        while ((step = loadQueue.next(gpus, supervisor, tasks.now(), evictions.reordersLoads())) instanceof LoadQueue.Start start) {
            load(start.engine(), start.gpu());
        }
        if (step instanceof LoadQueue.MakeRoom room // unless memory is already coming back: then its release asks again
                && engines.values().stream().noneMatch(e -> e.state == EngineState.DRAINING || e.state == EngineState.STOPPING)) {
            for (ManagedEngine victim : evictions.victimsFor(room, gpus, hostMemory)) {
                if (!GpuReservations.drainable(victim)) continue; // an eviction just done may have moved the queue on
                metrics.eviction(victim.name, "make_room");
                if (victim.state == EngineState.SLEEPING) stopEngine(victim, "evicted for " + room.engine().name);
                else drain(victim, "evicted for " + room.engine().name, true);
            }
        }
    }

    /** COLD, SLEEPING or FAILED → LOADING: the queue's head has room on {@code gpu} (-1: a remote engine). */
    private void load(ManagedEngine engine, int gpu) {
        boolean wake = engine.state == EngineState.SLEEPING;
        int previousGpu = engine.gpu;
        engine.gpu = gpu; // first: the LOADING event names the GPU it loads on
        if (!transition(engine, EngineState.LOADING, wake ? "wake" : "load", null, null)) {
            engine.gpu = previousGpu;
            return;
        }
        engine.reservedBytes = gpu < 0 ? 0 : engine.fullBytes();
        engine.loadStartedNanos = System.nanoTime();
        engine.loadStartedAt = tasks.now();
        if (wake) {
            hostMemory.unpark(engine);
            EngineProcess process = engine.process;
            supervisor.wake(process).whenComplete(Failures.logged((ok, failure) -> loadEnded(engine, process, true, failure)));
        } else {
            launch(engine, gpus.releasedWithin(gpu, settings.memoryWait().plusSeconds(30), tasks.now()));
        }
    }

    private void launch(ManagedEngine engine, boolean waitForMemory) {
        int gpu = engine.gpu;
        var start = new EngineSupervisor.Start(engine.spec, gpu, gpu < 0 ? 0.9
                : GpuReservations.utilization(engine.fullBytes(), gpus.capacity(gpu)), engine.fullBytes(), waitForMemory);
        supervisor.start(start, process -> spawned(engine, process), () -> {
            synchronized (lock) {
                return engine.state == EngineState.LOADING;
            }
        }).whenComplete(Failures.logged((process, failure) -> loadEnded(engine, process, false, failure)));
    }

    private void spawned(ManagedEngine engine, EngineProcess process) {
        synchronized (lock) {
            if (engine.state != EngineState.LOADING) return; // called off before it existed: its load fails and stops it
            engine.process = process;
            engine.sleepMode = supervisor.sleepMode(engine.spec);
            engine.maxConcurrency = supervisor.maxNumSeqs(engine.spec);
        }
        supervisor.watchExit(process, (exited, status, log) -> health.exited(engine, exited, status, log));
    }

    private void loadEnded(ManagedEngine engine, EngineProcess process, boolean wake, Throwable failure) {
        if (failure == null) {
            ready(engine, process, wake);
            return;
        }
        var why = failure instanceof EngineSupervisor.LoadFailure f ? f : new EngineSupervisor.LoadFailure(
                "load failed: " + Failures.describe(failure), process, "", false);
        synchronized (lock) {
            if (engine.state == EngineState.LOADING && engine.process == why.process) { // else called off meanwhile
                if (why.processDied && restart(engine, why)) return;
                failed(engine, why.getMessage(), why.logTail);
            }
        }
        if (why.process != null && why.process.isAlive()) supervisor.stop(why.process, Duration.ZERO);
    }

    /** LOADING → LOADING: a sleeping engine died while waking; it starts afresh for its waiters (its weights are gone, the model is not). */
    private boolean restart(ManagedEngine engine, EngineSupervisor.LoadFailure failure) {
        if (!transition(engine, EngineState.LOADING, "restart", null, "the engine died while waking up ("
                + failure.getMessage() + "); starting it afresh\n" + failure.logTail)) return false;
        engine.process = null;
        engine.crashes++;
        metrics.crash(engine.name);
        engine.loadStartedNanos = System.nanoTime();
        engine.loadStartedAt = tasks.now();
        launch(engine, true); // its memory comes back a little after the exit
        return true;
    }

    /** LOADING → READY: the engine answers /health (or woke). Its waiters go first. */
    private void ready(ManagedEngine engine, EngineProcess process, boolean wake) {
        synchronized (lock) {
            if (engine.state != EngineState.LOADING || engine.process != process) { // called off meanwhile
                if (engine.process != process && process.isAlive()) supervisor.stop(process, Duration.ZERO);
                return;
            }
            long millis = Duration.between(engine.loadStartedAt, tasks.now()).toMillis();
            if (!transition(engine, EngineState.READY, wake ? "woke" : "ready", millis, null)) return;
            if (wake) engine.lastWakeMillis = millis; else engine.lastLoadMillis = millis;
            engine.loads++;
            engine.lastError = null;
            metrics.loaded(engine.name, millis);
            leases.dispatch(engine);
            scheduleLoads();
        }
    }

    // ---- eviction ----

    /** READY → DRAINING: no new requests; in-flight ones finish (bounded), then it sleeps (if allowed and host memory has room) or stops. */
    void drain(ManagedEngine engine, String reason, boolean preferSleep) {
        boolean sleep = preferSleep && hostMemory.wouldPark(engine);
        if (!transition(engine, EngineState.DRAINING, reason, null, null)) return;
        engine.sleepAfterDrain = sleep;
        if (engine.inFlight == 0) evictDrained(engine);
        else engine.drainTimeout = tasks.after(settings.drainTimeout(), () -> drainTimedOut(engine));
    }

    private void drainTimedOut(ManagedEngine engine) {
        synchronized (lock) {
            if (engine.state != EngineState.DRAINING) return;
            engine.sleepAfterDrain = false; // requests still running: sleeping now would crash vLLM, so stop it
            failLeases(engine, "Model '" + engine.name + "' was unloaded while this request was running.");
            stopEngine(engine, "drain timed out");
        }
    }

    void evictDrained(ManagedEngine engine) {
        if (engine.drainTimeout != null) engine.drainTimeout.cancel();
        engine.evictions++;
        gpus.released(engine.gpu, tasks.now());
        if (!engine.sleepAfterDrain) {
            stopEngine(engine, "evicted");
            return;
        }
        long started = System.nanoTime();
        EngineProcess process = engine.process;
        supervisor.sleep(process).whenComplete(Failures.logged((ok, failure) -> {
            synchronized (lock) {
                if (engine.state != EngineState.DRAINING || engine.process != process) return;
                if (failure == null) slept(engine, started);
                else stopEngine(engine, "sleep failed: " + Failures.describe(failure));
            }
        }));
    }

    /** DRAINING → SLEEPING: the weights are in host memory; a residue stays on the GPU. */
    private void slept(ManagedEngine engine, long startedNanos) {
        if (!transition(engine, EngineState.SLEEPING, "slept", (System.nanoTime() - startedNanos) / 1_000_000, null)) return;
        hostMemory.park(engine, engine.fullBytes());
        engine.reservedBytes = Math.min(RESIDUE_BYTES, engine.reservedBytes);
        afterEviction(engine);
    }

    /** LOADING, READY, DRAINING or SLEEPING → STOPPING: SIGTERM, then SIGKILL after the grace period. */
    void stopEngine(ManagedEngine engine, String reason) {
        if (!transition(engine, EngineState.STOPPING, reason, null, null)) return;
        hostMemory.unpark(engine);
        EngineProcess process = engine.process;
        long started = System.nanoTime();
        supervisor.stop(process, settings.stopGrace()).whenComplete(Failures.logged((ok, failure) -> {
            synchronized (lock) {
                if (engine.state != EngineState.STOPPING || engine.process != process) return;
                stopped(engine, started);
                afterEviction(engine);
            }
        }));
    }

    /** STOPPING → COLD: the process is gone, its memory free again. */
    private void stopped(ManagedEngine engine, long startedNanos) {
        if (!transition(engine, EngineState.COLD, "stopped", (System.nanoTime() - startedNanos) / 1_000_000, null)) return;
        engine.process = null;
        engine.reservedBytes = 0;
        gpus.released(engine.gpu, tasks.now());
    }

    private void afterEviction(ManagedEngine engine) {
        if (!engine.waiters.isEmpty()) demand(engine); // asked for again meanwhile: reload it
        scheduleLoads();
    }

    // ---- failures ----

    /** → FAILED: leases end with an error, waiters are refused with the reason, memory is given back, the backoff starts. */
    void failed(ManagedEngine engine, String reason, String logTail) {
        if (!transition(engine, EngineState.FAILED, "failed", null, logTail == null || logTail.isBlank() ? reason
                : reason + "\n" + logTail)) return;
        engine.consecutiveFailures++;
        Duration wait = backoff.after(engine.consecutiveFailures);
        engine.retryNotBefore = tasks.now().plus(wait);
        engine.lastError = logTail == null || logTail.isBlank() ? reason : reason + ": " + Failures.rootCause(logTail);
        hostMemory.unpark(engine);
        engine.reservedBytes = 0;
        engine.process = null; // whoever stops it now, its exit is no second crash
        gpus.released(engine.gpu, tasks.now());
        engine.wanted = false;
        loadQueue.remove(engine);
        failLeases(engine, "The engine serving '" + engine.name + "' failed: " + engine.lastError);
        engine.waiters.failAll(new EngineRefusal(Reason.FAILED, engine.name, "Model '" + engine.name
                + "' could not be served: " + engine.lastError, Math.max(1, wait.toSeconds())), tasks);
        scheduleLoads();
    }

    private void failLeases(ManagedEngine engine, String reason) {
        for (Lease lease : List.copyOf(engine.leases)) tasks.run(() -> lease.engineFailed(reason));
    }

    /** An admin's load, unload and sleep (see {@link EngineCommands}). */
    public EngineCommands commands() {
        return commands;
    }

    /** What the admin API, the metrics and the console read: engines and memory (see {@link LifecycleView}). */
    public LifecycleView view() {
        return view;
    }

    /** The one place where an engine's state changes: refused (and logged as the bug it is) unless the table allows it. */
    private boolean transition(ManagedEngine engine, EngineState to, String reason, Long durationMillis, String detail) {
        EngineState from = engine.state;
        if (!from.mayBecome(to)) {
            LOG.severe("Engine " + engine.name + ": refused " + from + " -> " + to + " (" + reason
                    + "), which EngineState does not allow; this is a bug");
            return false;
        }
        engine.state = to;
        engine.stateSince = tasks.now();
        events.record(engine.name, engine.gpu < 0 ? null : engine.gpu, from, to, durationMillis, reason, detail);
        LOG.info("Engine " + engine.name + ": " + from + " -> " + to + " (" + reason + ")");
        return true;
    }
}
