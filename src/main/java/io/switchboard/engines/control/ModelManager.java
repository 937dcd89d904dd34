package io.switchboard.engines.control;

import io.switchboard.catalog.control.ModelCatalog;
import io.switchboard.catalog.entity.ModelSpec;
import io.switchboard.engines.entity.EngineSnapshot;
import io.switchboard.engines.entity.EngineState;
import io.switchboard.gateway.boundary.ApiException;
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

import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.logging.Logger;

/**
 * Owns every engine: hands out leases on READY engines, loads models on demand, evicts the least
 * valuable idle ones to make room, and notices engines that die.
 *
 * <p>Concurrency: bean-managed. One short lock guards all engine state and the GPU ledger; it is
 * never held across I/O (process start, health polls, sleep/wake calls, database writes), which
 * all run on executor threads and come back under the lock to make their transition. So a load,
 * an eviction or a slow engine never blocks requests for other models, and waiting is a future
 * per request, not a parked thread. Every transition goes through {@link #transition}, which
 * records an engine event.
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
    @Inject EvictionPolicy policy;
    @Resource ManagedExecutorService executor;
    @Resource ManagedScheduledExecutorService scheduler;

    private final Object lock = new Object();
    private final Map<String, ManagedEngine> engines = new HashMap<>();
    private final ArrayDeque<ManagedEngine> loadQueue = new ArrayDeque<>();
    private long[] capacity = new long[0];
    private Instant[] lastEviction = new Instant[0];
    private long hostBytesUsed;
    private Optional<GpuProbe> probe = Optional.empty();
    private ScheduledFuture<?> healthChecks;
    private volatile boolean stopping;
    private final Leases leases = new Leases(this); // this instance, not the container's proxy
    private final EngineCommands commands = new EngineCommands(this);

    @PostConstruct
    void start() {
        probe = settings.probe();
        List<Long> sizes = settings.configuredCapacities().orElseGet(this::probedCapacities);
        capacity = sizes.stream().mapToLong(Long::longValue).toArray();
        lastEviction = new Instant[capacity.length];
        java.util.Arrays.fill(lastEviction, Instant.EPOCH);
        metrics.registerGpus(this);
        LOG.info("GPU memory: " + sizes.stream().map(b -> String.format("%.1f GiB", b / (double) (1L << 30))).toList());
        healthChecks = scheduler.scheduleWithFixedDelay(this::checkHealth, settings.healthIntervalMillis(),
                settings.healthIntervalMillis(), TimeUnit.MILLISECONDS);
        // the most requested models stay resident: load the pinned ones now
        for (ModelSpec model : catalog.enabled()) {
            if (model.pinned()) {
                load(model.name());
            }
        }
    }

    private List<Long> probedCapacities() {
        try {
            List<Long> sizes = probe.orElseThrow(() -> new IOException("no GPU probe")).read().stream()
                    .map(GpuProbe.Reading::totalBytes).toList();
            return sizes.subList(0, Math.min(sizes.size(), Math.max(1, settings.gpuCount())));
        } catch (IOException e) {
            LOG.warning("Cannot read GPU memory (" + e.getMessage() + "); assuming one 80 GiB GPU. "
                    + "Set SWITCHBOARD_GPU_MEMORY_GIB.");
            return List.of(80L << 30);
        }
    }

    /**
     * Every child engine stops with the server: no orphan process survives it, and the engine events
     * say so (FlushOnShutdown writes them after this, see {@code @DependsOn}).
     */
    @PreDestroy
    void stop() {
        stopping = true;
        if (healthChecks != null) healthChecks.cancel(false);
        Map<ManagedEngine, EngineProcess> running = new LinkedHashMap<>();
        synchronized (lock) {
            for (ManagedEngine engine : engines.values()) {
                if (engine.process != null) {
                    running.put(engine, engine.process);
                    if (engine.state != EngineState.STOPPING) {
                        transition(engine, EngineState.STOPPING, "server shutting down", null, null);
                    }
                }
                failWaiters(engine, new ApiException(503, "server_error", "shutting_down", null,
                        "Switchboard is shutting down."));
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

    /** Acquire and abandon for the per-request path, without the container's per-call work (see {@link Leases}). */
    public Leases leases() {
        return leases;
    }

    /**
     * A lease on the model's engine: at once when it is READY with a free slot, otherwise when it
     * becomes so (loading it first if needed), or a 503 once {@code maxWait} has passed or the load failed.
     */
    public CompletableFuture<Lease> acquire(ModelSpec model, Duration maxWait) {
        synchronized (lock) {
            ManagedEngine engine = engineFor(model);
            if (engine.state == EngineState.READY && engine.inFlight < engine.maxConcurrency && engine.waiters.isEmpty()) {
                return CompletableFuture.completedFuture(grant(engine, 0));
            }
            ApiException refusal = refusal(engine);
            if (refusal != null) return CompletableFuture.failedFuture(refusal);
            if (engine.waiters.size() >= settings.maxWaiters()) {
                return CompletableFuture.failedFuture(unavailable(engine, "Too many requests are waiting for model '"
                        + engine.name + "'.", "model_queue_full"));
            }
            ManagedEngine.Waiter waiter = new ManagedEngine.Waiter();
            engine.waiters.add(waiter);
            waiter.timeout = scheduler.schedule(() -> giveUp(engine, waiter), maxWait.toMillis(), TimeUnit.MILLISECONDS);
            demand(engine);
            return waiter.future;
        }
    }

    /** A waiter whose client left gives its place up. */
    public void abandon(String model, CompletableFuture<Lease> pending) {
        synchronized (lock) {
            ManagedEngine engine = engines.get(model);
            if (engine != null) engine.waiters.removeIf(w -> w.future == pending);
        }
        if (!pending.cancel(false) && pending.isDone() && !pending.isCompletedExceptionally()) {
            pending.join().release(true);
        }
    }

    void release(Lease lease, boolean succeeded) {
        synchronized (lock) {
            ManagedEngine engine = lease.engine;
            engine.leases.remove(lease);
            engine.inFlight--;
            engine.lastUsed = Instant.now();
            if (succeeded) {
                engine.consecutiveRequestFailures = 0;
                if (engine.state == EngineState.READY) engine.consecutiveFailures = 0;
            } else if (++engine.consecutiveRequestFailures >= settings.breakerFailures()
                    && engine.state == EngineState.READY) {
                openCircuit(engine);
            }
            if (engine.state == EngineState.READY) dispatch(engine);
            if (engine.state == EngineState.DRAINING && engine.inFlight == 0) evictDrained(engine);
            scheduleLoads();
        }
    }

    private ManagedEngine engineFor(ModelSpec model) {
        ManagedEngine engine = engines.computeIfAbsent(model.name(), name -> new ManagedEngine(name, model));
        if (engine.state == EngineState.COLD || engine.state == EngineState.FAILED) engine.spec = model; // catalog edits apply on the next load
        return engine;
    }

    /** Why a request cannot even wait: a model no GPU can hold, or a crash backoff still running. */
    private ApiException refusal(ManagedEngine engine) {
        if (usesLocalGpu(engine) && engine.fullBytes() > largestGpu()) {
            return new ApiException(503, "server_error", "model_too_large", null, String.format(
                    "Model '%s' needs %.1f GiB of GPU memory but the largest GPU here has %.1f GiB.",
                    engine.name, engine.fullBytes() / (double) (1L << 30), largestGpu() / (double) (1L << 30)));
        }
        if (usesLocalGpu(engine) && engine.fullBytes() > attainable(engine)) {
            return new ApiException(503, "server_error", "model_cannot_fit", null, String.format(
                    "Model '%s' needs %.1f GiB of GPU memory but pinned models leave at most %.1f GiB on any GPU.",
                    engine.name, engine.fullBytes() / (double) (1L << 30), attainable(engine) / (double) (1L << 30)));
        }
        if (engine.state == EngineState.FAILED && Instant.now().isBefore(engine.retryNotBefore)) {
            long seconds = Math.max(1, Duration.between(Instant.now(), engine.retryNotBefore).toSeconds() + 1);
            return new ApiException(503, "server_error", "model_unavailable", null, "Model '" + engine.name
                    + "' failed and will be retried in " + seconds + " s: " + engine.lastError)
                    .withHeader("Retry-After", String.valueOf(seconds));
        }
        return null;
    }

    private Lease grant(ManagedEngine engine, long queuedNanos) {
        engine.inFlight++;
        engine.lastUsed = Instant.now();
        Lease lease = new Lease(this, engine, engine.process.baseUri(), queuedNanos);
        engine.leases.add(lease);
        return lease;
    }

    /** Releases waiters together once the engine is READY, up to its concurrency cap. */
    private void dispatch(ManagedEngine engine) {
        while (engine.state == EngineState.READY && engine.inFlight < engine.maxConcurrency && !engine.waiters.isEmpty()) {
            ManagedEngine.Waiter waiter = engine.waiters.poll();
            if (waiter.future.isDone()) continue; // timed out or abandoned
            waiter.timeout.cancel(false);
            Lease lease = grant(engine, System.nanoTime() - waiter.enqueuedNanos);
            metrics.queueWait(System.nanoTime() - waiter.enqueuedNanos);
            // complete outside the lock: the request's continuation must not run under it
            executor.execute(() -> {
                if (!waiter.future.complete(lease)) lease.release(true);
            });
        }
    }

    private void giveUp(ManagedEngine engine, ManagedEngine.Waiter waiter) {
        ApiException timeout;
        synchronized (lock) {
            if (!engine.waiters.remove(waiter)) return;
            timeout = unavailable(engine, "Model '" + engine.name + "' did not become ready in time.", "model_load_timeout");
        }
        waiter.future.completeExceptionally(timeout);
    }

    /** 503 with Retry-After: what remains of the expected load time, at least a second. */
    private ApiException unavailable(ManagedEngine engine, String message, String code) {
        long expected = engine.lastLoadMillis > 0 ? engine.lastLoadMillis : 30_000;
        long elapsed = engine.state == EngineState.LOADING ? (System.nanoTime() - engine.loadStartedNanos) / 1_000_000 : 0;
        long seconds = Math.max(1, (expected - elapsed + 999) / 1000);
        return new ApiException(503, "server_error", code, null, message).withHeader("Retry-After", String.valueOf(seconds));
    }

    private void failWaiters(ManagedEngine engine, ApiException error) {
        List<ManagedEngine.Waiter> failed = new ArrayList<>(engine.waiters);
        engine.waiters.clear();
        for (ManagedEngine.Waiter waiter : failed) {
            if (waiter.timeout != null) waiter.timeout.cancel(false);
            executor.execute(() -> waiter.future.completeExceptionally(error));
        }
    }

    // ---- loading ----

    /** Someone wants this model: make sure a load (or wake-up) is on its way. */
    private void demand(ManagedEngine engine) {
        switch (engine.state) {
            case COLD, SLEEPING, FAILED -> {
                if (!engine.queuedForLoad) {
                    engine.queuedForLoad = true;
                    loadQueue.add(engine);
                }
                scheduleLoads();
            }
            default -> {
                // LOADING and READY serve the waiters; DRAINING and STOPPING re-demand when they finish
            }
        }
    }

    /**
     * Starts queued loads in the order they were asked for. The head of the queue either fits in
     * free GPU memory, or idle engines are evicted for it, or it waits for leases to end; later
     * entries never overtake it, so a large model cannot starve.
     */
    private void scheduleLoads() {
        while (!loadQueue.isEmpty()) {
            ManagedEngine next = loadQueue.peek();
            if (next.waiters.isEmpty() && !next.wanted) {
                loadQueue.poll();
                next.queuedForLoad = false;
                continue;
            }
            if (!usesLocalGpu(next)) {
                loadQueue.poll();
                startLoad(next, -1, 0);
                continue;
            }
            long need = next.fullBytes() - (next.state == EngineState.SLEEPING ? next.reservedBytes : 0);
            int gpu = next.state == EngineState.SLEEPING ? next.gpu : gpuWithMostFree();
            if (free(gpu) >= need) {
                loadQueue.poll();
                startLoad(next, gpu, need);
                continue;
            }
            makeRoom(next, need); // else it waits for leases to end or evictions to finish
            return;
        }
    }

    /** Evicts idle engines so that {@code need} bytes come free on some GPU; false when none can. */
    private boolean makeRoom(ManagedEngine forEngine, long need) {
        if (engines.values().stream().anyMatch(e -> e.state == EngineState.DRAINING || e.state == EngineState.STOPPING)) {
            return false; // memory is already on its way back
        }
        Instant now = Instant.now();
        List<Integer> gpus = forEngine.state == EngineState.SLEEPING ? List.of(forEngine.gpu) : allGpus();
        List<EngineSnapshot> best = null;
        for (int gpu : gpus) {
            List<EngineSnapshot> candidates = engines.values().stream()
                    .filter(e -> e != forEngine && e.gpu == gpu && evictable(e))
                    .map(ManagedEngine::snapshot).toList();
            List<EngineSnapshot> victims = policy.chooseVictims(candidates, need - free(gpu), now);
            if (!victims.isEmpty() && (best == null || victims.size() < best.size())) best = victims;
        }
        if (best == null) return false;
        for (EngineSnapshot victim : best) {
            ManagedEngine engine = engines.get(victim.model());
            metrics.eviction(engine.name, "make_room");
            if (engine.state == EngineState.SLEEPING) {
                stopEngine(engine, "evicted for " + forEngine.name);
            } else {
                drain(engine, "evicted for " + forEngine.name, true);
            }
        }
        return true;
    }

    /** Idle and allowed to go: no leases, no waiters, not pinned, and READY (or asleep, holding a residue). */
    private static boolean evictable(ManagedEngine engine) {
        return !engine.spec.pinned() && engine.inFlight == 0 && engine.waiters.isEmpty()
                && (engine.state == EngineState.READY || engine.state == EngineState.SLEEPING);
    }

    private void startLoad(ManagedEngine engine, int gpu, long needBytes) {
        engine.queuedForLoad = false;
        boolean wake = engine.state == EngineState.SLEEPING;
        engine.gpu = gpu;
        engine.reservedBytes = gpu < 0 ? 0 : engine.fullBytes();
        engine.loadStartedNanos = System.nanoTime();
        if (wake) hostBytesUsed -= engine.hostBytes;
        transition(engine, EngineState.LOADING, wake ? "wake" : "load", null, null);
        boolean waitForMemory = gpu >= 0 && Duration.between(lastEviction[gpu], Instant.now())
                .compareTo(settings.memoryWait().plusSeconds(30)) < 0;
        executor.execute(() -> runLoad(engine, wake, gpu, needBytes, waitForMemory));
    }

    /** Off the lock: start (or wake) the engine and wait until it answers; then READY or FAILED. */
    private void runLoad(ManagedEngine engine, boolean wake, int gpu, long needBytes, boolean waitForMemory) {
        EngineProcess process = null;
        try {
            if (waitForMemory) awaitFreeMemory(gpu, needBytes); // an evicted engine's memory comes back late
            if (wake) {
                process = engine.process;
                control.wakeUp(process.baseUri());
            } else {
                ModelSpec model = engine.spec;
                EngineLauncher launcher = settings.launcherFor(model);
                boolean sleepMode = model.sleepEnabled() && launcher.usesLocalGpu();
                int maxNumSeqs = maxNumSeqs(model);
                process = launcher.launch(new EngineLauncher.LaunchRequest(model, settings.engineHost(), freePort(),
                        Math.max(gpu, 0), gpu < 0 ? 0.9 : utilization(engine.fullBytes(), capacity[gpu]), maxNumSeqs,
                        sleepMode, settings.logDir().resolve(engine.name + ".log")));
                EngineProcess started = process;
                synchronized (lock) {
                    engine.process = started;
                    engine.sleepMode = sleepMode;
                    engine.maxConcurrency = maxNumSeqs;
                }
                started.onExit().thenAccept(status -> exited(engine, started, status));
                awaitHealthy(engine, started);
            }
            long millis = (System.nanoTime() - engine.loadStartedNanos) / 1_000_000;
            synchronized (lock) {
                if (engine.state != EngineState.LOADING || engine.process != process) return; // superseded
                engine.lastLoadMillis = millis;
                engine.loads++;
                engine.lastError = null;
                transition(engine, EngineState.READY, wake ? "woke" : "ready", millis, null);
                metrics.loaded(engine.name, millis);
                dispatch(engine);
                scheduleLoads();
            }
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            } else if (wake && diedWhileWaking(process) && startAfresh(engine, process, Failures.describe(e))) {
                runLoad(engine, false, gpu, engine.fullBytes(), true); // its memory comes back a little after the exit
                return;
            }
            String reason = (wake ? "wake-up failed: " : "load failed: ") + Failures.describe(e);
            String log = process == null ? "" : process.logTail(8);
            EngineProcess failed = process;
            synchronized (lock) {
                if (engine.state == EngineState.LOADING) {
                    markFailed(engine, reason, log);
                }
            }
            if (failed != null && failed.isAlive()) executor.execute(() -> failed.stop(Duration.ZERO));
        }
    }

    /** Whether a wake-up failed because the sleeping engine's process is gone (killed, crashed, out of memory). */
    private static boolean diedWhileWaking(EngineProcess process) {
        if (process == null || process.pid().isEmpty()) return false; // a remote engine is not ours to restart
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

    /**
     * A sleeping engine that died while waking is started afresh for the requests waiting on it, rather than
     * failing them all: the weights it parked in host memory are gone, the model is not.
     */
    private boolean startAfresh(ManagedEngine engine, EngineProcess dead, String failure) {
        synchronized (lock) {
            if (engine.state != EngineState.LOADING || engine.process != dead) return false;
            engine.process = null;
            engine.hostBytes = 0;
            engine.crashes++;
            metrics.crash(engine.name);
            engine.loadStartedNanos = System.nanoTime();
            transition(engine, EngineState.LOADING, "restart", null,
                    "the engine died while waking up (" + failure + "); starting it afresh\n" + dead.logTail(8));
            return true;
        }
    }

    private void awaitHealthy(ManagedEngine engine, EngineProcess process) throws IOException, InterruptedException {
        try {
            control.awaitReady(process, () -> {
                synchronized (lock) {
                    return engine.state == EngineState.LOADING;
                }
            });
        } catch (org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException tooSlow) {
            throw new IOException("the engine was not healthy within " + settings.loadTimeout().toSeconds() + " s");
        }
    }

    /** After an eviction the GPU gives memory back with a delay: wait (bounded) until the probe shows it free. */
    private void awaitFreeMemory(int gpu, long bytes) throws InterruptedException {
        if (probe.isEmpty()) return;
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

    // ---- eviction ----

    /** Stops routing to the engine, lets in-flight requests finish (bounded), then sleeps or stops it. */
    private void drain(ManagedEngine engine, String reason, boolean preferSleep) {
        engine.sleepAfterDrain = preferSleep && engine.sleepMode && engine.spec.sleepEnabled()
                && hostBytesUsed + weightsBytes(engine) <= settings.hostMemoryBytes();
        transition(engine, EngineState.DRAINING, reason, null, null);
        if (engine.inFlight == 0) {
            evictDrained(engine);
        } else {
            engine.drainTimeout = scheduler.schedule(() -> drainTimedOut(engine), settings.drainTimeout().toMillis(),
                    TimeUnit.MILLISECONDS);
        }
    }

    private void drainTimedOut(ManagedEngine engine) {
        synchronized (lock) {
            if (engine.state != EngineState.DRAINING) return;
            // requests still running: sleeping now would crash vLLM (PEERS.md), so stop it instead
            engine.sleepAfterDrain = false;
            failLeases(engine, "Model '" + engine.name + "' was unloaded while this request was running.");
            stopEngine(engine, "drain timed out");
        }
    }

    private void evictDrained(ManagedEngine engine) {
        if (engine.drainTimeout != null) engine.drainTimeout.cancel(false);
        engine.evictions++;
        lastEviction[Math.max(engine.gpu, 0)] = Instant.now();
        if (!engine.sleepAfterDrain) {
            stopEngine(engine, "evicted");
            return;
        }
        long started = System.nanoTime();
        EngineProcess process = engine.process;
        executor.execute(() -> {
            try {
                control.sleep(process.baseUri());
                synchronized (lock) {
                    if (engine.state != EngineState.DRAINING || engine.process != process) return;
                    engine.hostBytes = weightsBytes(engine);
                    hostBytesUsed += engine.hostBytes;
                    engine.reservedBytes = Math.min(RESIDUE_BYTES, engine.reservedBytes);
                    transition(engine, EngineState.SLEEPING, "slept", (System.nanoTime() - started) / 1_000_000, null);
                    afterEviction(engine);
                }
            } catch (Exception e) {
                if (e instanceof InterruptedException) Thread.currentThread().interrupt();
                synchronized (lock) {
                    if (engine.state == EngineState.DRAINING) stopEngine(engine, "sleep failed: " + Failures.describe(e));
                }
            }
        });
    }

    /** SIGTERM, then SIGKILL after the grace period; COLD once the process is gone. */
    private void stopEngine(ManagedEngine engine, String reason) {
        if (engine.state == EngineState.SLEEPING) hostBytesUsed -= engine.hostBytes;
        engine.hostBytes = 0;
        transition(engine, EngineState.STOPPING, reason, null, null);
        EngineProcess process = engine.process;
        long started = System.nanoTime();
        executor.execute(() -> {
            if (process != null) process.stop(settings.stopGrace());
            synchronized (lock) {
                if (engine.state != EngineState.STOPPING || engine.process != process) return;
                stopped(engine, started);
                afterEviction(engine);
            }
        });
    }

    /** Its process is gone (stopping since {@code startedNanos}): the memory is free again, the model COLD. */
    private void stopped(ManagedEngine engine, long startedNanos) {
        engine.process = null;
        engine.reservedBytes = 0;
        if (engine.gpu >= 0) lastEviction[engine.gpu] = Instant.now();
        transition(engine, EngineState.COLD, "stopped", (System.nanoTime() - startedNanos) / 1_000_000, null);
    }

    private void afterEviction(ManagedEngine engine) {
        if (!engine.waiters.isEmpty()) demand(engine); // it was asked for again meanwhile: reload it
        scheduleLoads();
    }

    // ---- failures ----

    /** The process ended: expected when we stopped it, a crash otherwise. */
    private void exited(ManagedEngine engine, EngineProcess process, int status) {
        synchronized (lock) {
            if (engine.process != process || engine.state == EngineState.STOPPING || engine.state == EngineState.COLD
                    || stopping) {
                return;
            }
            if (engine.state == EngineState.LOADING) return; // runLoad reports it with the log
            String log = process.logTail(8);
            engine.crashes++;
            metrics.crash(engine.name);
            markFailed(engine, "the engine exited with status " + status, log);
        }
    }

    /**
     * The circuit breaker per engine: an engine whose relayed requests keep failing (5xx, broken
     * connections) is taken out of rotation and restarted on the next request, after the usual backoff.
     */
    private void openCircuit(ManagedEngine engine) {
        EngineProcess process = engine.process;
        engine.crashes++;
        metrics.crash(engine.name);
        markFailed(engine, engine.consecutiveRequestFailures + " requests in a row failed on the engine", "");
        engine.consecutiveRequestFailures = 0;
        if (process != null) executor.execute(() -> process.stop(settings.stopGrace()));
    }

    private void checkHealth() {
        List<ManagedEngine> ready;
        synchronized (lock) {
            ready = engines.values().stream().filter(e -> e.state == EngineState.READY && e.process != null).toList();
        }
        for (ManagedEngine engine : ready) {
            EngineProcess process = engine.process;
            if (process == null || !process.isAlive()) continue; // exit is reported by onExit
            boolean healthy = control.healthy(process.baseUri());
            synchronized (lock) {
                if (engine.process != process || engine.state != EngineState.READY) continue;
                engine.consecutiveHealthFailures = healthy ? 0 : engine.consecutiveHealthFailures + 1;
                if (engine.consecutiveHealthFailures >= 3) {
                    engine.crashes++;
                    metrics.crash(engine.name);
                    markFailed(engine, "the engine stopped answering /health", "");
                    executor.execute(() -> process.stop(Duration.ZERO));
                }
            }
        }
    }

    /** FAILED: leases end with an error, waiters get 503 with the reason, memory is given back, backoff starts. */
    private void markFailed(ManagedEngine engine, String reason, String logTail) {
        engine.consecutiveFailures++;
        long backoffSeconds = engine.consecutiveFailures <= 1 ? 0
                : Math.min(settings.maxBackoff().toSeconds(), 1L << Math.min(engine.consecutiveFailures - 1, 16));
        engine.retryNotBefore = Instant.now().plusSeconds(backoffSeconds);
        engine.lastError = logTail == null || logTail.isBlank() ? reason : reason + ": " + lastLine(logTail);
        if (engine.state == EngineState.SLEEPING) hostBytesUsed -= engine.hostBytes;
        engine.hostBytes = 0;
        engine.reservedBytes = 0;
        engine.process = null; // whoever stops it now, its exit is no second crash
        if (engine.gpu >= 0) lastEviction[engine.gpu] = Instant.now();
        engine.queuedForLoad = false;
        loadQueue.remove(engine);
        transition(engine, EngineState.FAILED, "failed", null, logTail == null || logTail.isBlank() ? reason
                : reason + "\n" + logTail);
        failLeases(engine, "The engine serving '" + engine.name + "' failed: " + engine.lastError);
        ApiException error = new ApiException(503, "server_error", "model_unavailable", null,
                "Model '" + engine.name + "' could not be served: " + engine.lastError)
                .withHeader("Retry-After", String.valueOf(Math.max(1, backoffSeconds)));
        failWaiters(engine, error);
        engine.wanted = false;
        scheduleLoads();
    }

    private void failLeases(ManagedEngine engine, String reason) {
        for (Lease lease : List.copyOf(engine.leases)) executor.execute(() -> lease.engineFailed(reason));
    }

    // ---- admin ----

    /** Load, unload and sleep for admins, without the container's rollback of their refusals (see {@link EngineCommands}). */
    public EngineCommands commands() {
        return commands;
    }

    /** Loads a model without a request waiting for it (an admin's load, or a pinned model). */
    void load(String model) {
        ModelSpec spec = catalog.find(model).filter(ModelSpec::enabled)
                .orElseThrow(() -> ApiException.notFound("model_not_found", "No enabled model '" + model + "' in the catalog."));
        synchronized (lock) {
            ManagedEngine engine = engineFor(spec);
            ApiException refusal = refusal(engine);
            if (refusal != null && engine.state != EngineState.FAILED) throw refusal;
            if (engine.state == EngineState.FAILED) engine.retryNotBefore = Instant.EPOCH; // an admin retries now
            engine.wanted = true;
            demand(engine);
        }
    }

    /** Stops the model's engine after draining it (bounded); it reloads on the next request. */
    void unload(String model) {
        synchronized (lock) {
            ManagedEngine engine = known(model);
            engine.wanted = false;
            loadQueue.remove(engine);
            engine.queuedForLoad = false;
            switch (engine.state) {
                case READY -> drain(engine, "unloaded by admin", false);
                case DRAINING -> engine.sleepAfterDrain = false;
                case SLEEPING -> stopEngine(engine, "unloaded by admin");
                case LOADING -> stopEngine(engine, "load cancelled by admin");
                default -> {
                    // COLD, STOPPING, FAILED: nothing runs
                }
            }
            metrics.eviction(engine.name, "admin");
        }
    }

    /** Drains the engine and puts it to sleep (vLLM sleep level 1), if its catalog entry allows sleep. */
    void sleep(String model) {
        synchronized (lock) {
            ManagedEngine engine = known(model);
            if (!engine.sleepMode) {
                throw ApiException.invalid("model", "Model '" + model + "' was not started with sleep mode "
                        + "(sleep_enabled in the catalog, on a local engine).");
            }
            if (engine.state != EngineState.READY) {
                throw new ApiException(409, ApiException.INVALID_REQUEST, "engine_not_ready", "model",
                        "Model '" + model + "' is " + engine.state + ", not READY.");
            }
            engine.wanted = false;
            drain(engine, "slept by admin", true);
            if (!engine.sleepAfterDrain && engine.state == EngineState.DRAINING) {
                throw new ApiException(409, ApiException.INVALID_REQUEST, "host_memory_full", "model",
                        "Not enough host memory budget to park the weights; the engine is being stopped instead.");
            }
            metrics.eviction(engine.name, "admin_sleep");
        }
    }

    private ManagedEngine known(String model) {
        ManagedEngine engine = engines.get(model);
        if (engine == null) {
            if (catalog.find(model).isEmpty()) {
                throw ApiException.notFound("model_not_found", "No model '" + model + "' in the catalog.");
            }
            throw new ApiException(409, ApiException.INVALID_REQUEST, "engine_not_running", "model",
                    "Model '" + model + "' has no engine.");
        }
        return engine;
    }

    /** Every engine ever asked for, by model name. */
    public List<EngineSnapshot> engines() {
        synchronized (lock) {
            return engines.values().stream().map(ManagedEngine::snapshot)
                    .sorted(Comparator.comparing(EngineSnapshot::model)).toList();
        }
    }

    /** GPU capacity and reservation per GPU, in bytes. */
    public List<long[]> gpuMemory() {
        synchronized (lock) {
            List<long[]> gpus = new ArrayList<>();
            for (int gpu = 0; gpu < capacity.length; gpu++) gpus.add(new long[]{capacity[gpu], reserved(gpu)});
            return gpus;
        }
    }

    // ---- bookkeeping ----

    private void transition(ManagedEngine engine, EngineState to, String reason, Long durationMillis, String detail) {
        EngineState from = engine.state;
        engine.state = to;
        engine.stateSince = Instant.now();
        events.record(engine.name, engine.gpu < 0 ? null : engine.gpu, from, to, durationMillis, reason, detail);
        LOG.info("Engine " + engine.name + ": " + from + " -> " + to + " (" + reason + ")");
    }

    private long reserved(int gpu) {
        long sum = 0;
        for (ManagedEngine engine : engines.values()) {
            if (engine.gpu == gpu && (engine.state.holdsGpuMemory() || engine.state == EngineState.SLEEPING)) {
                sum += engine.reservedBytes;
            }
        }
        return sum;
    }

    private long free(int gpu) {
        return capacity[gpu] - reserved(gpu);
    }

    private int gpuWithMostFree() {
        int best = 0;
        for (int gpu = 1; gpu < capacity.length; gpu++) if (free(gpu) > free(best)) best = gpu;
        return best;
    }

    private List<Integer> allGpus() {
        List<Integer> gpus = new ArrayList<>();
        for (int gpu = 0; gpu < capacity.length; gpu++) gpus.add(gpu);
        return gpus;
    }

    /** The most memory the engine could ever get: a GPU's size less what pinned engines (never evicted) hold there. */
    private long attainable(ManagedEngine forEngine) {
        long best = 0;
        for (int gpu = 0; gpu < capacity.length; gpu++) {
            long pinned = 0;
            for (ManagedEngine other : engines.values()) {
                if (other != forEngine && other.gpu == gpu && other.spec.pinned() && other.state.holdsGpuMemory()) {
                    pinned += other.reservedBytes;
                }
            }
            best = Math.max(best, capacity[gpu] - pinned);
        }
        return best;
    }

    private long largestGpu() {
        long largest = 0;
        for (long size : capacity) largest = Math.max(largest, size);
        return largest;
    }

    private boolean usesLocalGpu(ManagedEngine engine) {
        return settings.launcherFor(engine.spec).usesLocalGpu();
    }

    private int maxNumSeqs(ModelSpec model) {
        for (int i = 0; i < model.extraArgs().size() - 1; i++) {
            if (model.extraArgs().get(i).equals("--max-num-seqs")) {
                try {
                    return Integer.parseInt(model.extraArgs().get(i + 1));
                } catch (NumberFormatException e) {
                    break;
                }
            }
        }
        return settings.defaultMaxNumSeqs();
    }

    /** vLLM's --gpu-memory-utilization for a reservation, rounded down so it never takes more than reserved. */
    static double utilization(long reservedBytes, long capacityBytes) {
        return Math.floor(reservedBytes * 10_000.0 / capacityBytes) / 10_000.0;
    }

    private static long weightsBytes(ManagedEngine engine) {
        return engine.fullBytes(); // what level 1 parks in host memory, at most the reservation
    }

    /** The engine's error lines (vLLM prints the root cause first, then "See root cause above"), else its last line. */
    private static String lastLine(String log) {
        List<String> errors = log.strip().lines().filter(l -> l.contains("Error") || l.contains("ERROR"))
                .map(String::strip).toList();
        if (errors.isEmpty()) {
            List<String> lines = log.strip().lines().toList();
            return lines.get(lines.size() - 1).strip();
        }
        return String.join(" / ", errors.subList(Math.max(0, errors.size() - 3), errors.size()));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
