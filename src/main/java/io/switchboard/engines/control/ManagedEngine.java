package io.switchboard.engines.control;

import io.switchboard.catalog.entity.ModelSpec;
import io.switchboard.engines.entity.EngineSnapshot;
import io.switchboard.engines.entity.EngineState;
import io.switchboard.engines.entity.Residency;

import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Everything the lifecycle knows about one model's engine. Plain fields, read and written only
 * under {@link ModelManager}'s lock; only the manager changes {@link #state} (through its transition
 * table), its helpers the counts and reservations they own.
 */
final class ManagedEngine {

    final String name;
    ModelSpec spec;
    EngineState state = EngineState.COLD;
    Instant stateSince = Instant.now();
    int gpu = -1;
    long reservedBytes;
    long hostBytes;
    EngineProcess process;
    boolean sleepMode;
    int maxConcurrency;
    int inFlight;
    final WaitQueue waiters = new WaitQueue();
    final Set<Lease> leases = new LinkedHashSet<>();
    Instant lastUsed = Instant.EPOCH;
    long loads;
    long evictions;
    long crashes;
    int consecutiveFailures;
    int consecutiveHealthFailures;
    int consecutiveRequestFailures;
    Instant retryNotBefore = Instant.EPOCH;
    String lastError;
    long lastLoadMillis;
    /** How long its last wake-up from sleep took (0: never woken). */
    long lastWakeMillis;
    long loadStartedNanos;
    /** When its load or wake-up began, on the lifecycle's clock (what its duration is measured from). */
    Instant loadStartedAt = Instant.EPOCH;
    final DemandRate demand = new DemandRate();
    boolean queuedForLoad;
    /** Loaded without waiters: pinned at start-up or an admin's explicit load. */
    boolean wanted;
    /** What to do once drained: sleep (true) or stop. */
    boolean sleepAfterDrain;
    LifecycleTasks.Timer drainTimeout;

    ManagedEngine(String name, ModelSpec spec) {
        this.name = name;
        this.spec = spec;
    }

    long fullBytes() {
        return spec.gpuMemoryGib().multiply(java.math.BigDecimal.valueOf(1L << 30)).longValue();
    }

    /** Where it stands for routing, at {@code nowNanos}: READY now, or how long until it could be. */
    Residency residency(long nowNanos) {
        long expected = switch (state) {
            case READY -> 0;
            case LOADING -> lastLoadMillis <= 0 ? -1 : Math.max(1, lastLoadMillis - (nowNanos - loadStartedNanos) / 1_000_000);
            case SLEEPING -> lastWakeMillis > 0 ? lastWakeMillis : lastLoadMillis <= 0 ? -1 : Math.max(1, lastLoadMillis / 10);
            default -> lastLoadMillis <= 0 ? -1 : lastLoadMillis; // COLD, FAILED, draining or stopping: a load away
        };
        return new Residency(state, waiters.size(), expected);
    }

    /** What a cold load takes: the last one measured, else the seed article's figures by size (8 s for 14 GiB, 62 s for 70 GiB). */
    long loadMillis() {
        if (lastLoadMillis > 0) return lastLoadMillis;
        double gib = fullBytes() / (double) (1L << 30);
        return Math.round(8_000 * Math.pow(Math.max(gib, 0.1) / 14.0, 1.2725));
    }

    /** What bringing it back after an eviction now costs: a wake-up if it would sleep (the last one, else a tenth of a load), else a load. */
    long reloadMillis(boolean wouldSleep) {
        if (!wouldSleep) return loadMillis();
        return lastWakeMillis > 0 ? lastWakeMillis : Math.max(100, loadMillis() / 10);
    }

    EngineSnapshot snapshot(Instant now, boolean wouldSleep) {
        return new EngineSnapshot(name, state, gpu < 0 ? null : gpu, reservedBytes, inFlight, waiters.size(), lastUsed,
                stateSince, loads, evictions, crashes, process == null ? null : process.baseUri().getPort(),
                process == null || process.pid().isEmpty() ? null : process.pid().getAsLong(), spec.pinned(), lastError,
                hostBytes, reloadMillis(wouldSleep), demand.perSecondAt(now));
    }
}
