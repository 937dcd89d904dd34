package io.switchboard.engines.control;

import io.switchboard.engines.entity.EngineEvent;
import io.switchboard.engines.entity.EngineState;
import io.switchboard.persistence.control.WriteBehind;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Engine events are noted in memory by the model manager (under its lock, so no I/O) and written
 * to PostgreSQL in batches every half second by a container thread.
 */
@ApplicationScoped
public class EngineEventLog implements WriteBehind {

    private static final Logger LOG = Logger.getLogger(EngineEventLog.class.getName());

    private final ConcurrentLinkedQueue<EngineEvent> pending = new ConcurrentLinkedQueue<>();

    @Inject
    EngineEventStore store;

    @Resource
    ManagedScheduledExecutorService scheduler;

    private ScheduledFuture<?> flushing;

    @PostConstruct
    void start() {
        flushing = scheduler.scheduleWithFixedDelay(this::flush, 500, 500, TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() {
        flushing.cancel(false); // the last flush comes from FlushOnShutdown, while the event store still answers
    }

    void record(String model, Integer gpu, EngineState from, EngineState to, Long durationMillis, String reason,
                String detail) {
        pending.add(new EngineEvent(Instant.now(), model, gpu, from, to, durationMillis, reason, detail));
    }

    /** Writes what is pending; on failure keeps it for the next try (the database may be briefly away). */
    @Override
    public synchronized void flush() {
        if (pending.isEmpty()) return;
        List<EngineEvent> batch = new ArrayList<>();
        for (EngineEvent event; (event = pending.peek()) != null && batch.size() < 500; ) batch.add(pending.poll());
        try {
            store.record(batch);
        } catch (RuntimeException e) {
            LOG.warning("Could not write " + batch.size() + " engine events; will retry: " + e.getMessage());
            List<EngineEvent> retry = new ArrayList<>(batch);
            retry.addAll(pending);
            pending.clear();
            pending.addAll(retry);
        }
    }
}
