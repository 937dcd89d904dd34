package io.switchboard.tenancy.control;

import io.switchboard.persistence.control.WriteBehind;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps {@code api_key.last_used_at} roughly current without a write per request: uses are
 * noted in memory and written in one transaction every {@code switchboard.auth.last-used-flush-seconds}.
 */
@ApplicationScoped // a plain bean, not an EJB: record() is on the hot path and must cost no more than a map put
public class LastUseRecorder implements WriteBehind {

    private static final Logger LOG = Logger.getLogger(LastUseRecorder.class.getName());

    private final ConcurrentHashMap<Long, Instant> pending = new ConcurrentHashMap<>();

    @Inject
    ApiKeyStore keys;

    @Resource
    ManagedScheduledExecutorService scheduler;

    @Inject
    @ConfigProperty(name = "switchboard.auth.last-used-flush-seconds", defaultValue = "30")
    long flushSeconds;

    private ScheduledFuture<?> flushing;

    @PostConstruct
    void start() {
        flushing = scheduler.scheduleWithFixedDelay(this::flush, flushSeconds, flushSeconds, TimeUnit.SECONDS);
    }

    @PreDestroy
    void stop() {
        flushing.cancel(false); // the last flush comes from FlushOnShutdown, while the key store still answers
    }

    public void record(long keyId) {
        pending.put(keyId, Instant.now());
    }

    /** Writes what was noted since the last flush; on failure the times are kept for the next one. */
    @Override
    public void flush() {
        if (pending.isEmpty()) return;
        Map<Long, Instant> batch = new HashMap<>();
        pending.forEach((keyId, at) -> {
            batch.put(keyId, at);
            pending.remove(keyId, at);
        });
        try {
            keys.recordLastUse(batch);
        } catch (RuntimeException e) {
            batch.forEach((keyId, at) -> pending.merge(keyId, at, (a, b) -> a.isAfter(b) ? a : b));
            LOG.log(Level.WARNING, "Could not record API key use; will retry: " + e.getMessage());
        }
    }
}
