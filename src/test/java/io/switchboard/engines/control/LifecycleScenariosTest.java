package io.switchboard.engines.control;

import io.switchboard.engines.entity.EngineRefusal;
import io.switchboard.engines.entity.EngineState;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The lifecycle state machine in scenarios, as Ollama's scheduler tests do it: a model manager on fake
 * engines (see {@link Lifecycle}), one 80 GiB GPU, every step run on the test's thread.
 */
class LifecycleScenariosTest {

    @Test
    void aBurstForAColdModelCausesOneLoadAndAllItsRequestsAreServedWhenItIsReady() {
        Lifecycle gpu = new Lifecycle().model("chat", 16).start();
        gpu.maxNumSeqs = 4;
        List<CompletableFuture<Lease>> burst = List.of(gpu.request("chat"), gpu.request("chat"), gpu.request("chat"));

        assertEquals(1, gpu.launches("chat"));
        assertTrue(burst.stream().allMatch(f -> f.isDone() && !f.isCompletedExceptionally()));
        assertEquals(List.of("COLD->LOADING (load)", "LOADING->READY (ready)"), gpu.eventsOf("chat"));
        assertEquals(3, gpu.engine("chat").leases());
    }

    @Test
    void underMemoryPressureTheLeastRecentlyUsedIdleModelIsEvicted() {
        Lifecycle gpu = new Lifecycle().model("a", 40).model("b", 30).model("c", 30).start();
        gpu.use("a");
        gpu.advance(Duration.ofSeconds(10));
        gpu.use("b");
        gpu.advance(Duration.ofSeconds(10));

        CompletableFuture<Lease> forC = gpu.request("c");

        assertEquals(EngineState.COLD, gpu.state("a"), "a was used longest ago");
        assertEquals(EngineState.READY, gpu.state("b"));
        assertEquals(EngineState.READY, gpu.state("c"));
        assertFalse(forC.isCompletedExceptionally());
        assertEquals(List.of("COLD->LOADING (load)", "LOADING->READY (ready)", "READY->DRAINING (evicted for c)",
                "DRAINING->STOPPING (evicted)", "STOPPING->COLD (stopped)"), gpu.eventsOf("a"));
    }

    @Test
    void aModelWithLeasesIsNeverEvictedTheLoadWaitsForThem() {
        Lifecycle gpu = new Lifecycle().model("a", 50).model("b", 50).start();
        Lease running = gpu.served("a");

        CompletableFuture<Lease> forB = gpu.request("b");
        assertFalse(forB.isDone(), "b waits: a is busy");
        assertEquals(EngineState.READY, gpu.state("a"));

        running.release(true);
        gpu.settle();
        assertTrue(forB.isDone() && !forB.isCompletedExceptionally());
        assertEquals(EngineState.COLD, gpu.state("a"));
    }

    @Test
    void aRequestForAModelBeingEvictedWaitsAndTheModelIsLoadedAgain() {
        Lifecycle gpu = new Lifecycle().model("a", 40).model("b", 30).model("c", 40).start();
        gpu.use("a");
        gpu.advance(Duration.ofSeconds(5));
        gpu.use("b");
        gpu.advance(Duration.ofSeconds(5));
        CompletableFuture<Lease> forC = gpu.manager.leases().acquire(gpu.spec("c"), Duration.ofSeconds(300));
        assertEquals(EngineState.STOPPING, gpu.state("a"), "a is on its way out, its stop not yet done");

        CompletableFuture<Lease> forA = gpu.manager.leases().acquire(gpu.spec("a"), Duration.ofSeconds(300));
        assertFalse(forA.isDone());
        gpu.settle();

        assertTrue(forC.isDone() && !forC.isCompletedExceptionally());
        assertTrue(forA.isDone() && !forA.isCompletedExceptionally(), "a came back for the request that waited");
        assertEquals(2, gpu.launches("a"));
        assertEquals(EngineState.COLD, gpu.state("b"), "b made room for a in turn");
    }

    @Test
    void aCrashWhileLoadingFailsItsWaitersWithTheReasonAndTheRetriesBackOff() {
        Lifecycle gpu = new Lifecycle().model("a", 16).start();
        gpu.failingStarts.add("a");

        CompletableFuture<Lease> first = gpu.request("a");
        EngineRefusal failed = refusal(first);
        assertEquals(EngineRefusal.Reason.FAILED, failed.reason());
        assertTrue(failed.getMessage().contains("no such file: vllm"), failed.getMessage());
        assertEquals(EngineState.FAILED, gpu.state("a"));

        refusal(gpu.request("a")); // the first failure in a row is retried at once, and fails again
        EngineRefusal backingOff = refusal(gpu.request("a"));
        assertEquals(EngineRefusal.Reason.BACKING_OFF, backingOff.reason(), "the second failure in a row waits 2 s");
        assertTrue(backingOff.retryAfterSeconds().orElseThrow() >= 2);

        gpu.failingStarts.clear();
        gpu.advance(Duration.ofSeconds(3));
        CompletableFuture<Lease> afterBackoff = gpu.request("a");
        assertTrue(afterBackoff.isDone() && !afterBackoff.isCompletedExceptionally());
        assertEquals(EngineState.READY, gpu.state("a"));
    }

    @Test
    void anEngineThatCrashesWhileServingEndsItsLeasesAndIsReloadedOnTheNextRequest() {
        Lifecycle gpu = new Lifecycle().model("a", 16).start();
        Lease running = gpu.served("a");
        String[] heard = new String[1];
        int[] times = new int[1];
        running.onEngineFailure(reason -> {
            heard[0] = reason;
            times[0]++;
        });

        gpu.process("a").crash();
        gpu.settle();

        assertEquals(EngineState.FAILED, gpu.state("a"));
        assertEquals(1, times[0], "the lease hears of the failure once");
        assertTrue(heard[0].contains("exited with status 1") && heard[0].contains("CUDA error"), heard[0]);
        running.release(false);
        gpu.settle();
        assertFalse(gpu.request("a").isCompletedExceptionally());
        assertEquals(2, gpu.launches("a"));
    }

    @Test
    void aModelThatNeverGoesIdleIsDrainedOnceAWaiterForAnotherHasWaitedTheBound() {
        Lifecycle gpu = new Lifecycle().model("a", 50).model("b", 50);
        gpu.maxSwapDeferral = Duration.ofSeconds(30);
        gpu.start();
        Lease running = gpu.served("a");
        CompletableFuture<Lease> forB = gpu.request("b");

        gpu.advance(Duration.ofSeconds(20));
        Lease next = gpu.served("a"); // a stays busy: a new request always comes before the last one ends
        running.release(true);
        gpu.settle();
        assertEquals(EngineState.READY, gpu.state("a"), "within the bound, b waits");

        gpu.advance(Duration.ofSeconds(11));
        assertEquals(EngineState.DRAINING, gpu.state("a"), "b has waited 31 s: a takes no new requests");
        CompletableFuture<Lease> laterForA = gpu.request("a");
        assertFalse(laterForA.isDone(), "a request for a draining model waits");

        next.release(true);
        gpu.settle();
        assertTrue(forB.isDone() && !forB.isCompletedExceptionally(), "b is served once a's last request ended");
        assertFalse(laterForA.isDone(), "a comes back after b");
    }

    @Test
    void aLoadThatNeedsTheResidueOfASleepingModelQueuedBehindItIsNotBlockedForEver() {
        // the big model takes the whole GPU: it fits only once the small one's residue (half a GiB) is gone too
        Lifecycle gpu = new Lifecycle().model("small", 4, false, true).model("big", 80).model("other", 70);
        gpu.maxSwapDeferral = Duration.ofSeconds(30);
        gpu.start();
        gpu.use("small");
        gpu.manager.commands().sleep("small");
        gpu.settle();
        Lease busy = gpu.served("other"); // holds the GPU: big and then small queue behind it
        CompletableFuture<Lease> forBig = gpu.request("big");
        CompletableFuture<Lease> forSmall = gpu.request("small");
        busy.release(true);
        gpu.settle();

        gpu.advance(Duration.ofSeconds(31));

        assertTrue(forBig.isDone() && !forBig.isCompletedExceptionally(), "big: " + gpu.manager.view().engines());
        assertFalse(forSmall.isDone(), "small waits its turn, loaded afresh after big");
    }

    /** Model "a" (16 GiB, sleep enabled) used once and put to sleep by an admin. */
    private static Lifecycle asleep() {
        Lifecycle gpu = new Lifecycle().model("a", 16, false, true).start();
        gpu.use("a");
        gpu.manager.commands().sleep("a");
        gpu.settle();
        assertEquals(EngineState.SLEEPING, gpu.state("a"));
        return gpu;
    }

    @Test
    void aSleepingEngineThatDiesWhileWakingIsStartedAfreshForItsWaiters() {
        Lifecycle gpu = asleep();

        gpu.crashingWakes.add("a"); // it dies as it is woken
        CompletableFuture<Lease> waiting = gpu.request("a");

        assertTrue(waiting.isDone() && !waiting.isCompletedExceptionally());
        assertEquals(List.of("SLEEPING->LOADING (wake)", "LOADING->LOADING (restart)", "LOADING->READY (ready)"),
                gpu.eventsOf("a").subList(gpu.eventsOf("a").size() - 3, gpu.eventsOf("a").size()));
        assertEquals(2, gpu.launches("a"));
    }

    @Test
    void aWakeThatFailsWhileTheEngineLivesFailsTheModel() {
        Lifecycle gpu = asleep();
        gpu.failingWakes.add("a");

        EngineRefusal failed = refusal(gpu.request("a"));

        assertEquals(EngineRefusal.Reason.FAILED, failed.reason());
        assertTrue(failed.getMessage().contains("wake-up failed"), failed.getMessage());
        assertFalse(gpu.process("a").isAlive(), "the engine that would not wake is stopped");
    }

    @Test
    void aPinnedModelIsLoadedAtStartNeverEvictedAndWhatCannotFitBesideItIsRefusedAtOnce() {
        Lifecycle gpu = new Lifecycle().model("pinned", 40, true, false).model("m", 40).model("n", 40)
                .model("big", 50).start();
        assertEquals(EngineState.READY, gpu.state("pinned"));

        EngineRefusal cannotFit = refusal(gpu.request("big"));
        assertEquals(EngineRefusal.Reason.MODEL_CANNOT_FIT, cannotFit.reason());
        assertEquals(0, gpu.launches("big"));

        gpu.use("m");
        gpu.use("n");
        assertEquals(EngineState.READY, gpu.state("pinned"));
        assertEquals(EngineState.COLD, gpu.state("m"), "m, not the pinned model, made room for n");
    }

    @Test
    void aJustLoadedModelIsEvictedOnlyWhenNoOtherIdleModelWouldDo() {
        Lifecycle gpu = new Lifecycle().model("old", 30).model("fresh", 30).model("next", 30);
        gpu.minResidency = Duration.ofSeconds(60);
        gpu.start();
        gpu.use("old");
        gpu.advance(Duration.ofSeconds(120));
        gpu.use("fresh"); // loaded at 120 s: inside its residency until 180 s
        gpu.advance(Duration.ofSeconds(5));
        gpu.use("old"); // used after fresh: plain LRU would evict fresh
        gpu.advance(Duration.ofSeconds(5));

        gpu.use("next");

        assertEquals(EngineState.COLD, gpu.state("old"));
        assertEquals(EngineState.READY, gpu.state("fresh"));
    }

    @Test
    void anAdminsCommandsThatCannotBeDoneAreRefusedWithTheirReason() {
        Lifecycle gpu = new Lifecycle().model("a", 16).start();
        assertEquals(EngineRefusal.Reason.UNKNOWN_MODEL,
                assertThrows(EngineRefusal.class, () -> gpu.manager.commands().load("nope")).reason());
        assertEquals(EngineRefusal.Reason.NOT_RUNNING,
                assertThrows(EngineRefusal.class, () -> gpu.manager.commands().sleep("a")).reason());
        gpu.use("a");
        assertEquals(EngineRefusal.Reason.NOT_SLEEPABLE,
                assertThrows(EngineRefusal.class, () -> gpu.manager.commands().sleep("a")).reason());
    }

    @Test
    void everyStateChangeFollowsTheTransitionTable() {
        Lifecycle gpu = new Lifecycle().model("a", 40, false, true).model("b", 50).start();
        gpu.use("a");
        gpu.use("b"); // a sleeps for b
        gpu.use("a"); // b is stopped, a woken
        gpu.manager.commands().unload("a");
        gpu.settle();

        for (String event : gpu.events) {
            String[] change = event.split(" ")[1].split("->");
            assertTrue(EngineState.valueOf(change[0]).mayBecome(EngineState.valueOf(change[1])), event);
        }
        assertTrue(gpu.eventsOf("a").contains("READY->DRAINING (evicted for b)"));
        assertTrue(gpu.eventsOf("a").contains("DRAINING->SLEEPING (slept)"));
        assertTrue(gpu.eventsOf("a").contains("SLEEPING->LOADING (wake)"));
        assertEquals(EngineState.COLD, gpu.state("a"));
    }

    private static EngineRefusal refusal(CompletableFuture<Lease> lease) {
        assertTrue(lease.isDone(), "answered");
        CompletionException failure = assertThrows(CompletionException.class, lease::join);
        return (EngineRefusal) failure.getCause();
    }
}
