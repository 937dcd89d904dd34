package io.switchboard.engines.control;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One engine's decode in the swap replay, as the simulator runs it: continuous batching, every running sequence
 * making a token each time per output token, which is slower by 3% for every other sequence running beside it
 * ({@code --sim-batch-slowdown}). So a burst of waiters released together decodes slowly at first and faster as
 * the batch thins, and a drain lasts as long as the batch it waits for.
 */
final class ReplayBatch {

    private static final double SLOWDOWN = 0.03;

    private static final class Sequence {
        double remainingTokens;
        final Runnable done;

        Sequence(double tokens, Runnable done) {
            this.remainingTokens = tokens;
            this.done = done;
        }
    }

    private final VirtualTime time;
    private final double tpotSeconds;
    private final List<Sequence> running = new ArrayList<>();
    private Instant updated;
    private LifecycleTasks.Timer nextEnd;

    ReplayBatch(VirtualTime time, double tpotSeconds) {
        this.time = time;
        this.tpotSeconds = tpotSeconds;
        this.updated = time.now();
    }

    /** A sequence joins the batch with {@code tokens} to make; {@code done} runs when it has made them. */
    void join(int tokens, Runnable done) {
        advance();
        running.add(new Sequence(Math.max(1, tokens), done));
        reschedule();
    }

    private double secondsPerToken() {
        return tpotSeconds * (1 + SLOWDOWN * Math.max(0, running.size() - 1));
    }

    /** Every running sequence made the tokens the time since the last change allowed. */
    private void advance() {
        Instant now = time.now();
        if (!running.isEmpty()) {
            double tokens = Duration.between(updated, now).toNanos() / 1e9 / secondsPerToken();
            for (Sequence sequence : running) sequence.remainingTokens -= tokens;
        }
        updated = now;
    }

    private void reschedule() {
        if (nextEnd != null) nextEnd.cancel();
        nextEnd = null;
        if (running.isEmpty()) return;
        double fewest = running.stream().mapToDouble(s -> s.remainingTokens).min().orElse(0);
        nextEnd = time.after(ReplayGpu.seconds(Math.max(0, fewest) * secondsPerToken()), this::finishDue);
    }

    private void finishDue() {
        advance();
        List<Sequence> finished = new ArrayList<>();
        for (Sequence sequence : running) if (sequence.remainingTokens <= 1e-6) finished.add(sequence);
        running.removeAll(finished);
        reschedule();
        for (Sequence sequence : finished) sequence.done.run();
    }
}
