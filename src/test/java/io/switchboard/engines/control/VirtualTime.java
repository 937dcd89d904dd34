package io.switchboard.engines.control;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A discrete-event clock for the model manager: an hour of trace replays in seconds, the manager's own
 * code deciding. What the manager runs off its lock (process starts, engine calls) runs on a thread of its
 * own, which may block in {@link #sleepUntil} as long as a load or wake-up takes in virtual time; timers
 * and the replay's own events run on the caller of {@link #runUntil}. One thing runs at a time and time moves
 * only when everything is done or asleep, so a replay is deterministic: the same seed, the same figures.
 */
final class VirtualTime implements LifecycleTasks {

    private static final Logger LOG = Logger.getLogger(VirtualTime.class.getName());

    private final class Event implements Timer {
        Instant due;
        long seq;
        final Runnable task;
        final Duration every;
        boolean cancelled;
        boolean woken; // a sleeper's: its time has come

        Event(Instant due, Runnable task, Duration every) {
            this.due = due;
            this.seq = nextSeq++;
            this.task = task;
            this.every = every;
        }

        @Override
        public void cancel() {
            synchronized (monitor) {
                cancelled = true;
            }
        }
    }

    private final Object monitor = new Object();
    private final PriorityQueue<Event> events = new PriorityQueue<>(
            Comparator.comparing((Event e) -> e.due).thenComparingLong(e -> e.seq));
    private final ArrayDeque<Runnable> ready = new ArrayDeque<>();
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "virtual-time-task");
        thread.setDaemon(true);
        return thread;
    });
    private Instant now;
    private long nextSeq;
    private int running; // tasks on their threads, not asleep

    VirtualTime(Instant start) {
        now = start;
    }

    @Override
    public void run(Runnable task) {
        synchronized (monitor) {
            ready.add(task);
        }
    }

    @Override
    public Timer after(Duration delay, Runnable task) {
        return schedule(now().plus(delay), task, null);
    }

    @Override
    public Timer every(Duration interval, Runnable task) {
        return schedule(now().plus(interval), task, interval);
    }

    /** A replay's own event (an arrival, a request's end), run on the replay's thread at {@code when}. */
    void at(Instant when, Runnable task) {
        schedule(when, task, null);
    }

    @Override
    public Instant now() {
        synchronized (monitor) {
            return now;
        }
    }

    /** Blocks the calling task until virtual time reaches {@code due}: a load or an engine call that takes that long. */
    void sleepUntil(Instant due) {
        synchronized (monitor) {
            Event wake = new Event(due, null, null);
            events.add(wake);
            running--;
            monitor.notifyAll();
            while (!wake.woken) {
                try {
                    monitor.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Runs everything due up to {@code end}, in order, then leaves the clock at {@code end}. */
    void runUntil(Instant end) throws InterruptedException {
        while (true) {
            Event next;
            synchronized (monitor) {
                while (running > 0) monitor.wait();
                Runnable task = ready.poll();
                if (task != null) {
                    running++;
                    threads.execute(() -> runTask(task));
                    continue;
                }
                next = events.poll();
                while (next != null && next.cancelled) next = events.poll();
                if (next == null || next.due.isAfter(end)) {
                    if (next != null) events.add(next);
                    if (end.isAfter(now)) now = end;
                    return;
                }
                if (next.due.isAfter(now)) now = next.due;
                if (next.task == null) { // a sleeping task's time has come
                    next.woken = true;
                    running++;
                    monitor.notifyAll();
                    continue;
                }
                if (next.every != null) {
                    next.due = next.due.plus(next.every);
                    next.seq = nextSeq++;
                    events.add(next);
                }
            }
            next.task.run();
        }
    }

    void shutdown() {
        threads.shutdownNow();
    }

    private Timer schedule(Instant due, Runnable task, Duration every) {
        synchronized (monitor) {
            Event event = new Event(due, task, every);
            events.add(event);
            return event;
        }
    }

    private void runTask(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException | Error e) {
            LOG.log(Level.WARNING, "a lifecycle task failed in the replay", e);
        } finally {
            synchronized (monitor) {
                running--;
                monitor.notifyAll();
            }
        }
    }
}
