package io.switchboard.engines.control;

import io.switchboard.catalog.entity.EngineType;
import io.switchboard.catalog.entity.ModelSpec;
import io.switchboard.engines.entity.EngineRefusal;
import io.switchboard.engines.entity.EngineState;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static io.switchboard.engines.entity.EngineState.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The lifecycle's rules on their own: the transition table, the backoff, the GPU reservations. */
class LifecycleRulesTest {

    private static final long GIB = 1L << 30;

    @Test
    void theTransitionTableAllowsTheLifecycleAndNothingElse() {
        assertTrue(COLD.mayBecome(LOADING));
        assertTrue(LOADING.mayBecome(READY));
        assertTrue(READY.mayBecome(DRAINING));
        assertTrue(DRAINING.mayBecome(SLEEPING));
        assertTrue(SLEEPING.mayBecome(LOADING));
        assertTrue(STOPPING.mayBecome(COLD));
        assertTrue(FAILED.mayBecome(LOADING));
        assertFalse(COLD.mayBecome(READY), "nothing serves without a load");
        assertFalse(SLEEPING.mayBecome(READY), "a sleeping engine is woken (LOADING) first");
        assertFalse(FAILED.mayBecome(READY));
        assertFalse(STOPPING.mayBecome(READY));
        assertFalse(READY.mayBecome(SLEEPING), "an engine with requests would crash: it drains first");
        for (EngineState state : EngineState.values()) {
            assertFalse(state.mayBecome(state) && state != LOADING, state + " never becomes itself");
        }
    }

    @Test
    void theBackoffDoublesFromTheSecondFailureUpToItsMaximum() {
        Backoff backoff = new Backoff(Duration.ofSeconds(60));
        assertEquals(Duration.ZERO, backoff.after(1));
        assertEquals(Duration.ofSeconds(2), backoff.after(2));
        assertEquals(Duration.ofSeconds(4), backoff.after(3));
        assertEquals(Duration.ofSeconds(32), backoff.after(6));
        assertEquals(Duration.ofSeconds(60), backoff.after(7));
        assertEquals(Duration.ofSeconds(60), backoff.after(1_000));
    }

    @Test
    void reservationsCountWhatEachStateHoldsAndTheFewestVictimsWin() {
        List<ManagedEngine> engines = new ArrayList<>();
        GpuReservations gpus = new GpuReservations(List.of(80 * GIB, 80 * GIB), engines);
        engines.add(engine("a", 30, READY, 0));
        engines.add(engine("b", 30, READY, 0));
        engines.add(engine("c", 60, READY, 1));
        engines.add(engine("loading", 10, LOADING, 0));

        assertEquals(10 * GIB, gpus.free(0));
        assertEquals(20 * GIB, gpus.free(1));
        assertEquals(1, gpus.withMostFree());
        ManagedEngine wanted = engine("wanted", 60, COLD, -1);
        List<ManagedEngine> victims = gpus.victims(wanted, 60 * GIB, new LeastRecentlyUsedPolicy(settings()), Instant.now(),
                GpuReservations::evictable, e -> e.snapshot(Instant.now(), false));
        assertEquals(List.of("c"), victims.stream().map(e -> e.name).toList(), "one victim on GPU 1 beats two on GPU 0");
    }

    @Test
    void aModelLargerThanAnyGpuOrThanWhatPinnedModelsLeaveCanNeverFit() {
        List<ManagedEngine> engines = new ArrayList<>();
        GpuReservations gpus = new GpuReservations(List.of(80 * GIB), engines);
        ManagedEngine pinned = engine("pinned", 40, READY, 0);
        pinned.spec = spec("pinned", 40, true);
        engines.add(pinned);

        assertEquals(EngineRefusal.Reason.MODEL_TOO_LARGE, gpus.whyItCannotFit(engine("huge", 90, COLD, -1)).reason());
        assertEquals(EngineRefusal.Reason.MODEL_CANNOT_FIT, gpus.whyItCannotFit(engine("big", 50, COLD, -1)).reason());
        assertNull(gpus.whyItCannotFit(engine("fits", 40, COLD, -1)));
    }

    @Test
    void theSleepTierParksOnlyWhatFitsAndGivesItBackOnce() {
        HostMemoryBudget host = new HostMemoryBudget(64 * GIB);
        ManagedEngine a = engine("a", 40, DRAINING, 0);
        assertTrue(host.canPark(40 * GIB));
        host.park(a, 40 * GIB);
        assertFalse(host.canPark(30 * GIB));
        host.unpark(a);
        host.unpark(a);
        assertEquals(0, host.usedBytes());
    }

    @Test
    void aModelQueuedForALoadIsNoVictimAndOneOnItsWayOutIsNotStartedUntilItIsOut() {
        List<ManagedEngine> engines = new ArrayList<>();
        GpuReservations gpus = new GpuReservations(List.of(80 * GIB), engines);
        ManagedEngine queued = engine("queued", 16, SLEEPING, 0);
        ManagedEngine idle = engine("idle", 40, READY, 0);
        engines.add(queued);
        engines.add(idle);
        LoadQueue queue = new LoadQueue();
        queue.demand(queued);
        queued.wanted = true; // an admin's load
        assertEquals(List.of("idle"), gpus.victims(engine("big", 60, COLD, -1), 60 * GIB,
                new LeastRecentlyUsedPolicy(settings()), Instant.now(),
                GpuReservations::evictable, e -> e.snapshot(Instant.now(), false)).stream().map(e -> e.name).toList());

        queued.state = STOPPING; // stopped all the same (by an admin, say) while it waited in the queue
        EngineSupervisor supervisor = new EngineSupervisor(settings(), null, java.util.Optional.empty(), null) {
            @Override
            boolean usesLocalGpu(ModelSpec model) {
                return true;
            }
        };
        assertNull(queue.next(gpus, supervisor), "it waits to be COLD, rather than a start the table refuses");
        queued.state = COLD;
        assertTrue(queue.next(gpus, supervisor) instanceof LoadQueue.Start start && start.engine() == queued);
    }

    private static ManagedEngine engine(String name, int gib, EngineState state, int gpu) {
        ManagedEngine engine = new ManagedEngine(name, spec(name, gib, false));
        engine.state = state;
        engine.gpu = gpu;
        engine.reservedBytes = state.holdsGpuMemory() ? gib * GIB : 0;
        engine.stateSince = Instant.EPOCH;
        return engine;
    }

    private static ModelSpec spec(String name, int gib, boolean pinned) {
        return new ModelSpec(name, EngineType.SIM, "org/" + name, BigDecimal.valueOf(gib), 4096, null, List.of(), pinned,
                true, false, null, Instant.EPOCH);
    }

    private static EngineSettings settings() {
        return new EngineSettings() {
            @Override
            public Duration minResidency() {
                return Duration.ZERO;
            }
        };
    }
}
