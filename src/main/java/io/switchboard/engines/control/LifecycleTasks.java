package io.switchboard.engines.control;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Where the lifecycle runs what must not run under the model manager's lock (process starts, engine
 * calls, completing a waiter's future) and its timers, and what time it is. In the server: the
 * container's managed executors and the system clock; in unit tests, a manual one that runs each task
 * on the test's thread when the test says so, and a clock the test moves.
 */
public interface LifecycleTasks {

    /** A scheduled task that may be called off. */
    interface Timer {
        void cancel();
    }

    void run(Runnable task);

    Timer after(Duration delay, Runnable task);

    Timer every(Duration interval, Runnable task);

    Instant now();

    static LifecycleTasks of(Executor executor, ScheduledExecutorService scheduler, Clock clock) {
        return new LifecycleTasks() {
            @Override
            public void run(Runnable task) {
                executor.execute(task);
            }

            @Override
            public Timer after(Duration delay, Runnable task) {
                ScheduledFuture<?> future = scheduler.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
                return () -> future.cancel(false);
            }

            @Override
            public Timer every(Duration interval, Runnable task) {
                ScheduledFuture<?> future = scheduler.scheduleWithFixedDelay(task, interval.toMillis(), interval.toMillis(),
                        TimeUnit.MILLISECONDS);
                return () -> future.cancel(false);
            }

            @Override
            public Instant now() {
                return clock.instant();
            }
        };
    }
}
