package io.switchboard.engines.control;

import io.switchboard.catalog.entity.EngineType;
import io.switchboard.catalog.entity.ModelSpec;
import io.switchboard.engines.entity.EngineSnapshot;
import io.switchboard.engines.entity.EngineState;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The cost-aware eviction policies and the swap scheduler's rent-or-buy decision. */
class SwapPoliciesTest {

    private static final long GIB = 1L << 30;
    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

    private static EngineSnapshot engine(String model, long gib, EngineState state, Instant lastUsed, long reloadMillis,
                                         double demandPerSecond) {
        return new EngineSnapshot(model, state, 0, gib * GIB, 0, 0, lastUsed, NOW.minusSeconds(3600), 1, 0, 0, 1, 2L,
                false, null, 0, reloadMillis, demandPerSecond);
    }

    private static FakeEngineSettings settings() {
        return new FakeEngineSettings() {
            @Override public Duration minResidency() { return Duration.ZERO; }
        };
    }

    @Test
    void greedyDualEvictsWhatIsCheapToBringBackBeforeWhatWasUsedLongestAgo() {
        EngineSnapshot sleepsCheaply = engine("sleeps", 20, EngineState.READY, NOW.minusSeconds(5), 900, 1);
        EngineSnapshot coldReload = engine("cold", 20, EngineState.READY, NOW.minusSeconds(600), 20_000, 1);

        assertEquals(List.of("cold"), names(new LeastRecentlyUsedPolicy(settings())
                .chooseVictims(List.of(sleepsCheaply, coldReload), 10 * GIB, NOW)));
        assertEquals(List.of("sleeps"), names(new GreedyDualPolicy(settings())
                .chooseVictims(List.of(sleepsCheaply, coldReload), 10 * GIB, NOW)));
    }

    @Test
    void greedyDualAgesACostlyModelThatIsNotUsedAgain() {
        GreedyDualPolicy policy = new GreedyDualPolicy(settings());
        EngineSnapshot costly = engine("costly", 20, EngineState.READY, NOW.minusSeconds(600), 20_000, 0);
        List<String> victims = new ArrayList<>();
        // cheap models come and go, each used once; every eviction raises the inflation by its credit
        for (int i = 0; i < 30; i++) {
            EngineSnapshot cheap = engine("cheap-" + i, 20, EngineState.READY, NOW.plusSeconds(i), 4_000, 0);
            victims.addAll(names(policy.chooseVictims(List.of(costly, cheap), 10 * GIB, NOW.plusSeconds(i))));
        }
        assertEquals("cheap-0", victims.get(0), "at first the costly model stays");
        assertTrue(victims.contains("costly"), "unused, it goes at last: " + victims);
    }

    @Test
    void delayedHitsKeepsTheModelWhoseReloadWouldQueueTheMostRequests() {
        EngineSnapshot busy = engine("busy", 20, EngineState.READY, NOW.minusSeconds(60), 10_000, 2.0);
        EngineSnapshot quiet = engine("quiet", 20, EngineState.READY, NOW.minusSeconds(1), 10_000, 0.01);

        assertEquals(List.of("busy"), names(new LeastRecentlyUsedPolicy(settings())
                .chooseVictims(List.of(busy, quiet), 10 * GIB, NOW)));
        assertEquals(List.of("quiet"), names(new DelayedHitsPolicy(settings())
                .chooseVictims(List.of(busy, quiet), 10 * GIB, NOW)));
    }

    @Test
    void everyPolicyStopsASleepingModelOnlyWhenTheAwakeOnesDoNotFreeEnough() {
        EngineSnapshot asleep = engine("asleep", 1, EngineState.SLEEPING, NOW.minusSeconds(3000), 20_000, 0);
        EngineSnapshot awake = engine("awake", 20, EngineState.READY, NOW.minusSeconds(5), 900, 3);
        for (EvictionPolicy policy : List.of(new LeastRecentlyUsedPolicy(settings()), new GreedyDualPolicy(settings()),
                new DelayedHitsPolicy(settings()))) {
            assertEquals(List.of("awake"), names(policy.chooseVictims(List.of(asleep, awake), 10 * GIB, NOW)));
            assertEquals(List.of("awake", "asleep"), names(policy.chooseVictims(List.of(asleep, awake), 21 * GIB, NOW)));
        }
    }

    @Test
    void anUnknownPolicyOrSchedulerNameIsRefusedWithTheNamesThatExist() {
        IllegalArgumentException policy = assertThrows(IllegalArgumentException.class,
                () -> EvictionPolicy.named("mru", settings()));
        assertTrue(policy.getMessage().contains("lru, greedy-dual, delayed-hits"), policy.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SwapScheduler.kind("eager"));
    }

    @Test
    void theCostSchedulerDefersASwapUntilTheWaitersHaveWaitedWhatItCostsOrTheBound() {
        List<ManagedEngine> engines = new ArrayList<>();
        GpuReservations gpus = new GpuReservations(List.of(80 * GIB), engines);
        ManagedEngine resident = managed("resident", 60, EngineState.READY);
        resident.lastLoadMillis = 10_000;
        for (int i = 0; i < 60; i++) resident.demand.record(NOW.minusSeconds(60 - i)); // about half a request a second
        resident.lastUsed = NOW;
        engines.add(resident);
        ManagedEngine head = managed("head", 60, EngineState.COLD);
        head.lastLoadMillis = 10_000;
        engines.add(head);
        WaitQueue.Waiter waiter = head.waiters.add();
        waiter.since = NOW;
        SwapScheduler cost = new SwapScheduler(SwapScheduler.Kind.COST, Duration.ofSeconds(60));
        SwapScheduler onIdle = new SwapScheduler(SwapScheduler.Kind.ON_IDLE, Duration.ofSeconds(60));
        LeastRecentlyUsedPolicy lru = new LeastRecentlyUsedPolicy(settings());

        assertInstanceOf(SwapScheduler.Evict.class, onIdle.decide(head, 60 * GIB, gpus, lru, NOW.plusSeconds(1),
                e -> e.snapshot(NOW.plusSeconds(1), false)), "on-idle swaps as soon as the resident model is idle");
        // evicting the resident model costs its coming requests about λ·T²/2 = 0.4 × 20² / 2 ≈ 80 s of waiting
        var early = cost.decide(head, 60 * GIB, gpus, lru, NOW.plusSeconds(1), e -> e.snapshot(NOW.plusSeconds(1), false));
        assertInstanceOf(SwapScheduler.Defer.class, early, "one waiter that waited a second does not outweigh it");
        SwapScheduler shortBound = new SwapScheduler(SwapScheduler.Kind.COST, Duration.ofSeconds(30));
        var bounded = shortBound.decide(head, 60 * GIB, gpus, lru, NOW.plusSeconds(30), e -> e.snapshot(NOW.plusSeconds(30), false));
        assertEquals(List.of(resident), ((SwapScheduler.Evict) bounded).victims(), "at the bound it swaps, 30 s short of the cost");
        for (int i = 0; i < 20; i++) head.waiters.add().since = NOW;
        var crowded = cost.decide(head, 60 * GIB, gpus, lru, NOW.plusSeconds(5), e -> e.snapshot(NOW.plusSeconds(5), false));
        assertEquals(List.of(resident), ((SwapScheduler.Evict) crowded).victims(), "21 waiters × 5 s outweigh it");
    }

    private static ManagedEngine managed(String name, int gib, EngineState state) {
        ManagedEngine engine = new ManagedEngine(name, new ModelSpec(name, EngineType.SIM, "org/" + name,
                BigDecimal.valueOf(gib), 4096, null, List.of(), false, true, false, null, NOW));
        engine.state = state;
        engine.gpu = state == EngineState.COLD ? -1 : 0;
        engine.reservedBytes = state == EngineState.COLD ? 0 : gib * GIB;
        engine.stateSince = NOW.minusSeconds(3600);
        return engine;
    }

    private static List<String> names(List<EngineSnapshot> victims) {
        return victims.stream().map(EngineSnapshot::model).toList();
    }
}
