package io.switchboard.inference.boundary;

import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StreamWritersTest {

    @Test
    void aStreamWhoseWriteBlocksDoesNotHoldUpTheOthersAndItsThreadIsGivenBackAfterwards() throws Exception {
        StreamWriters writers = new StreamWriters(1);
        try {
            CountDownLatch clientReadsAgain = new CountDownLatch(1);
            CountDownLatch otherWritten = new CountDownLatch(1);
            new InOrder(writers).run(() -> awaitQuietly(clientReadsAgain)); // the one writer, blocked
            new InOrder(writers).run(otherWritten::countDown);

            assertTrue(otherWritten.await(5, TimeUnit.SECONDS), "the other stream waited for the blocked write");
            assertEquals(2, writers.threads());
            clientReadsAgain.countDown();
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (writers.threads() > 1 && System.nanoTime() < until) Thread.sleep(10);
            assertEquals(1, writers.threads(), "the thread added for the blocked write was not given back");
        } finally {
            writers.shutdown();
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException stopped) {
            Thread.currentThread().interrupt();
        }
    }
}
