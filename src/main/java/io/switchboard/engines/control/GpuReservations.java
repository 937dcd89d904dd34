package io.switchboard.engines.control;

import io.switchboard.engines.entity.EngineRefusal;
import io.switchboard.engines.entity.EngineSnapshot;
import io.switchboard.engines.entity.EngineState;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.logging.Logger;

/**
 * The GPUs' memory as the lifecycle books it: each engine reserves its catalog size on one GPU
 * while LOADING, READY, DRAINING or STOPPING (a residue while SLEEPING), and the reservations on a
 * GPU never add up to more than its capacity. Also where a model is refused because it can never
 * fit, which idle engines to evict for a load, and when a GPU last gave memory back (the next start
 * there waits until the GPU shows it free). Guarded by the model manager's lock.
 */
final class GpuReservations {

    private static final Logger LOG = Logger.getLogger(GpuReservations.class.getName());
    private static final double GIB = 1L << 30;

    private final long[] capacity;
    private final Instant[] lastRelease;
    private final Collection<ManagedEngine> engines;

    GpuReservations(List<Long> capacities, Collection<ManagedEngine> engines) {
        this.capacity = capacities.stream().mapToLong(Long::longValue).toArray();
        this.lastRelease = new Instant[capacity.length];
        Arrays.fill(lastRelease, Instant.EPOCH);
        this.engines = engines;
    }

    /** The GPUs' sizes as the probe reads them (the first {@code count}), else one 80 GiB GPU with a warning. */
    static List<Long> probed(Optional<GpuProbe> probe, int count) {
        try {
            if (probe.isEmpty()) throw new IOException("no GPU probe");
            List<Long> sizes = probe.get().read().stream().map(GpuProbe.Reading::totalBytes).toList();
            return sizes.subList(0, Math.min(sizes.size(), Math.max(1, count)));
        } catch (IOException e) {
            LOG.warning("Cannot read GPU memory (" + e.getMessage() + "); assuming one 80 GiB GPU. Set SWITCHBOARD_GPU_MEMORY_GIB.");
            return List.of(80L << 30);
        }
    }

    int count() {
        return capacity.length;
    }

    /** Capacity and reservation per GPU, in bytes. */
    List<long[]> snapshot() {
        List<long[]> gpus = new ArrayList<>();
        for (int gpu = 0; gpu < capacity.length; gpu++) gpus.add(new long[]{capacity[gpu], reserved(gpu)});
        return gpus;
    }

    long capacity(int gpu) {
        return capacity[gpu];
    }

    long free(int gpu) {
        return capacity[gpu] - reserved(gpu);
    }

    int withMostFree() {
        int best = 0;
        for (int gpu = 1; gpu < capacity.length; gpu++) if (free(gpu) > free(best)) best = gpu;
        return best;
    }

    /** An engine on this GPU stopped, slept or failed: its memory comes back a little later. */
    void released(int gpu, Instant at) {
        if (gpu >= 0) lastRelease[gpu] = at;
    }

    /** Whether a start on this GPU should first wait for the GPU to show the memory free. */
    boolean releasedWithin(int gpu, Duration window, Instant now) {
        return gpu >= 0 && Duration.between(lastRelease[gpu], now).compareTo(window) < 0;
    }

    /** Why the model can never be loaded here, or null: larger than any GPU, or than what the pinned models leave. */
    EngineRefusal whyItCannotFit(ManagedEngine engine) {
        long need = engine.fullBytes();
        long largest = Arrays.stream(capacity).max().orElse(0);
        if (need > largest) {
            return new EngineRefusal(EngineRefusal.Reason.MODEL_TOO_LARGE, engine.name, String.format(
                    "Model '%s' needs %.1f GiB of GPU memory but the largest GPU here has %.1f GiB.",
                    engine.name, need / GIB, largest / GIB));
        }
        long attainable = attainable(engine);
        if (need > attainable) {
            return new EngineRefusal(EngineRefusal.Reason.MODEL_CANNOT_FIT, engine.name, String.format(
                    "Model '%s' needs %.1f GiB of GPU memory but pinned models leave at most %.1f GiB on any GPU.",
                    engine.name, need / GIB, attainable / GIB));
        }
        return null;
    }

    /**
     * The engines to evict so that {@code need} bytes come free for {@code forEngine}: among those
     * {@code eligible} ({@link #evictable} or {@link #drainable}), the policy's choice on each GPU it may use,
     * seen as {@code view} shows them; the GPU that needs the fewest victims; empty when none can.
     */
    List<ManagedEngine> victims(ManagedEngine forEngine, long need, EvictionPolicy policy, Instant now,
                                Predicate<ManagedEngine> eligible, Function<ManagedEngine, EngineSnapshot> view) {
        List<Integer> gpus = new ArrayList<>();
        if (forEngine.state == EngineState.SLEEPING) {
            gpus.add(forEngine.gpu); // its residue is there
        } else {
            for (int gpu = 0; gpu < capacity.length; gpu++) gpus.add(gpu);
        }
        List<EngineSnapshot> best = null;
        for (int gpu : gpus) {
            List<EngineSnapshot> candidates = engines.stream()
                    .filter(e -> e != forEngine && e.gpu == gpu && eligible.test(e))
                    .map(view).toList();
            List<EngineSnapshot> chosen = policy.chooseVictims(candidates, need - free(gpu), now);
            if (!chosen.isEmpty() && (best == null || chosen.size() < best.size())) best = chosen;
        }
        if (best == null) return List.of();
        List<ManagedEngine> chosen = new ArrayList<>();
        for (EngineSnapshot victim : best) {
            for (ManagedEngine engine : engines) if (engine.name.equals(victim.model())) chosen.add(engine);
        }
        return chosen;
    }

    /** Idle and allowed to go: no leases, no waiters, not pinned, not queued for a load, and READY (or asleep, holding a residue). */
    static boolean evictable(ManagedEngine engine) {
        return engine.inFlight == 0 && engine.waiters.isEmpty() && !engine.queuedForLoad && drainable(engine);
    }

    /**
     * Allowed to go once its requests in flight have finished: what the swap scheduler may take when a wait
     * reaches its bound. A sleeping engine queued for its wake-up counts too: its residue may be what the
     * queue's head lacks, and the head would otherwise wait behind the models queued after it for ever.
     */
    static boolean drainable(ManagedEngine engine) {
        return !engine.spec.pinned() && (engine.state == EngineState.READY || engine.state == EngineState.SLEEPING);
    }

    /** vLLM's --gpu-memory-utilization for a reservation, rounded down so it never takes more than reserved. */
    static double utilization(long reservedBytes, long capacityBytes) {
        return Math.floor(reservedBytes * 10_000.0 / capacityBytes) / 10_000.0;
    }

    private long reserved(int gpu) {
        long sum = 0;
        for (ManagedEngine engine : engines) {
            if (engine.gpu == gpu && (engine.state.holdsGpuMemory() || engine.state == EngineState.SLEEPING)) {
                sum += engine.reservedBytes;
            }
        }
        return sum;
    }

    /** The most memory the engine could ever get: a GPU's size less what pinned engines (never evicted) hold there. */
    private long attainable(ManagedEngine forEngine) {
        long best = 0;
        for (int gpu = 0; gpu < capacity.length; gpu++) {
            long pinned = 0;
            for (ManagedEngine other : engines) {
                if (other != forEngine && other.gpu == gpu && other.spec.pinned() && other.state.holdsGpuMemory()) {
                    pinned += other.reservedBytes;
                }
            }
            best = Math.max(best, capacity[gpu] - pinned);
        }
        return best;
    }
}
