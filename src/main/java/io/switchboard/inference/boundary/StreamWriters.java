package io.switchboard.inference.boundary;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Logger;

/**
 * The threads that write streams to their clients (each stream's steps in order, see {@link InOrder}): a few,
 * sharing one queue, so that under load a chunk waits in the queue of a thread that is already running
 * rather than waking one of hundreds (a thread per stream cost about a third of the relay's CPU per chunk).
 * A write to a client that stopped reading blocks its thread until the write timeout; so a watch adds one
 * thread for each write blocked longer than {@link #BLOCKED_NANOS}, and gives it back once the write is done:
 * stalled clients never hold up the other streams for longer than that.
 */
final class StreamWriters implements Executor {

    private static final Logger LOG = Logger.getLogger(StreamWriters.class.getName());
    private static final long BLOCKED_NANOS = 50_000_000;
    private static final long WATCH_MILLIS = 20;
    private static final int MOST = 4096;

    private final int running;
    private final ThreadPoolExecutor pool;
    private final Thread watch;
    private final AtomicInteger count = new AtomicInteger();
    private final Set<Writer> writers = ConcurrentHashMap.newKeySet();

    StreamWriters(int running) {
        this.running = running;
        this.pool = new ThreadPoolExecutor(running, running, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                work -> new Writer(work, "switchboard-stream-writer-" + count.incrementAndGet(), writers));
        this.watch = new Thread(this::watchForBlockedWrites, "switchboard-stream-writers-watch");
        this.watch.setDaemon(true);
        this.watch.start();
    }

    @Override
    public void execute(Runnable steps) {
        pool.execute(steps);
    }

    /** Runs one step of a stream, timed where a writer runs it: a step that takes long is a write that blocks. */
    static void timed(Runnable step) {
        if (!(Thread.currentThread() instanceof Writer writer)) {
            step.run();
            return;
        }
        writer.busySince = System.nanoTime();
        try {
            step.run();
        } finally {
            writer.busySince = 0;
        }
    }

    /** How many threads write now: the running ones and one per blocked write. */
    int threads() {
        return pool.getCorePoolSize();
    }

    void shutdown() {
        watch.interrupt();
        pool.shutdownNow();
    }

    private void watchForBlockedWrites() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(WATCH_MILLIS);
            } catch (InterruptedException stopped) {
                return;
            }
            long now = System.nanoTime();
            int blocked = 0;
            for (Writer writer : writers) {
                if (writer.blockedAt(now)) blocked++;
            }
            resize(Math.min(MOST, running + blocked));
        }
    }

    private void resize(int threads) {
        int now = pool.getCorePoolSize();
        if (threads > now) {
            pool.setMaximumPoolSize(threads);
            pool.setCorePoolSize(threads); // starts threads for what waits in the queue
            LOG.fine(() -> "stream writers: " + threads + " (writes blocked on stalled clients)");
        } else if (threads < now) {
            pool.setCorePoolSize(threads); // the idle ones beyond it end
            pool.setMaximumPoolSize(threads);
        }
    }

    private static final class Writer extends Thread {
        private final Set<Writer> writers;
        volatile long busySince; // 0: between steps

        Writer(Runnable work, String name, Set<Writer> writers) {
            super(work, name);
            this.writers = writers;
            setDaemon(true);
            writers.add(this);
        }

        @Override
        public void run() {
            try {
                super.run();
            } finally {
                writers.remove(this);
            }
        }

        boolean blockedAt(long now) {
            long since = busySince;
            return since != 0 && now - since > BLOCKED_NANOS;
        }
    }
}
