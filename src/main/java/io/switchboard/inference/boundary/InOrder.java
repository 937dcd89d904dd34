package io.switchboard.inference.boundary;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One stream's steps, run one at a time and in the order given, on a pool thread: the engine's HTTP client
 * hands each read over on its selector thread, which must never block, while a write to a slow client may.
 * A step given while another runs is run after it by the same thread, without a further hand-off.
 */
final class InOrder {

    private final Executor pool;
    private final ConcurrentLinkedQueue<Runnable> steps = new ConcurrentLinkedQueue<>();
    private final AtomicInteger waiting = new AtomicInteger();

    InOrder(Executor pool) {
        this.pool = pool;
    }

    void run(Runnable step) {
        steps.add(step);
        if (waiting.getAndIncrement() == 0) pool.execute(this::drain);
    }

    private void drain() {
        do {
            Runnable step = steps.poll();
            try {
                StreamWriters.timed(step);
            } catch (RuntimeException | Error failure) {
                java.util.logging.Logger.getLogger(InOrder.class.getName()).log(java.util.logging.Level.SEVERE,
                        "A stream's step failed", failure);
            }
        } while (waiting.decrementAndGet() > 0);
    }
}
