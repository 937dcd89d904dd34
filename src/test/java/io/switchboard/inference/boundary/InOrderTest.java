package io.switchboard.inference.boundary;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A stream's steps in order, one at a time, also across a pause for a stored response's write: the final event
 * goes out after the write, and what the engine sent meanwhile (its end) after that.
 */
class InOrderTest {

    @Test
    void stepsGivenDuringAPauseRunAfterItsContinuationOneAtATime() throws Exception {
        ExecutorService pool = Executors.newCachedThreadPool();
        InOrder steps = new InOrder(pool);
        List<String> ran = new CopyOnWriteArrayList<>();
        AtomicInteger running = new AtomicInteger();
        AtomicInteger overlapping = new AtomicInteger();
        CompletableFuture<Void> written = new CompletableFuture<>();
        Runnable watched = () -> {
            if (running.incrementAndGet() > 1) overlapping.incrementAndGet();
            running.decrementAndGet();
        };
        steps.run(() -> ran.add("first"));
        steps.run(() -> {
            watched.run();
            ran.add("completed event read");
            steps.pauseUntil(written, () -> ran.add("completed event written"));
        });
        for (int i = 0; i < 50; i++) {
            int n = i;
            steps.run(() -> {
                watched.run();
                ran.add("after " + n);
            });
        }
        Thread.sleep(100);
        assertEquals(List.of("first", "completed event read"), ran, "nothing runs while the write is on its way");
        written.complete(null);
        pool.shutdown();
        pool.awaitTermination(5, TimeUnit.SECONDS);
        assertEquals(53, ran.size(), ran::toString);
        assertEquals("completed event written", ran.get(2));
        for (int i = 0; i < 50; i++) assertEquals("after " + i, ran.get(3 + i));
        assertEquals(0, overlapping.get());
    }

    @Test
    void aFailedPauseStillGoesOn() throws Exception {
        ExecutorService pool = Executors.newCachedThreadPool();
        InOrder steps = new InOrder(pool);
        List<String> ran = new CopyOnWriteArrayList<>();
        steps.run(() -> steps.pauseUntil(CompletableFuture.failedFuture(new IllegalStateException("database away")),
                () -> ran.add("written anyway")));
        steps.run(() -> ran.add("end"));
        Thread.sleep(200);
        pool.shutdown();
        assertEquals(List.of("written anyway", "end"), ran);
    }
}
