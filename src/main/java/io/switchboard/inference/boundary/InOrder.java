package io.switchboard.inference.boundary;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One stream's steps, run one at a time and in the order given, on a pool thread: the engine's HTTP client
 * hands each read over on its selector thread, which must never block, while a write to a slow client may.
 * A step given while another runs is run after it by the same thread, without a further hand-off. A step may
 * {@link #pauseUntil pause} the stream for work done elsewhere (a stored response's write): no thread waits
 * meanwhile, and the steps given in between run after it.
 */
final class InOrder {

    private final Executor pool;
    private final ConcurrentLinkedQueue<Runnable> steps = new ConcurrentLinkedQueue<>();
    private final AtomicInteger waiting = new AtomicInteger();
    private CompletionStage<?> pause; // set by the running step; read by the same thread after it
    private Runnable afterPause;

    InOrder(Executor pool) {
        this.pool = pool;
    }

    void run(Runnable step) {
        steps.add(step);
        if (waiting.getAndIncrement() == 0) pool.execute(this::drain);
    }

    /**
     * Called by the running step: once it returns, the stream waits for {@code done} (complete or failed), then
     * runs {@code then} before the steps given meanwhile.
     */
    void pauseUntil(CompletionStage<?> done, Runnable then) {
        pause = done;
        afterPause = then;
    }

    private void drain() {
        do {
            if (runPausing(steps.poll())) return; // the step's count stays: nobody starts a drain until it resumes
        } while (waiting.decrementAndGet() > 0);
    }

    /** Runs the step; true when it paused the stream (the drain resumes once the pause is over). */
    private boolean runPausing(Runnable step) {
        safely(step);
        CompletionStage<?> paused = pause;
        if (paused == null) return false;
        Runnable then = afterPause;
        pause = null;
        afterPause = null;
        paused.whenComplete((ignored, failure) -> pool.execute(() -> resume(then)));
        return true;
    }

    private void resume(Runnable then) {
        if (runPausing(then)) return;
        if (waiting.decrementAndGet() > 0) drain();
    }

    private static void safely(Runnable step) {
        try {
            step.run();
        } catch (RuntimeException | Error failure) {
            java.util.logging.Logger.getLogger(InOrder.class.getName()).log(java.util.logging.Level.SEVERE,
                    "A stream's step failed", failure);
        }
    }
}
