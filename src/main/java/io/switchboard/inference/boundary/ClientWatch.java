package io.switchboard.inference.boundary;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedScheduledExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Notices clients that went away while their request waits for a model or for the engine, so
 * that the request leaves the queue, gives its lease back and the engine stops generating for
 * nobody. A servlet only sees a disconnect when a write fails, so: a stream that has been quiet
 * for a heartbeat gets a keep-alive comment, and a request with nothing to write yet has its TCP
 * connection looked up in the kernel's table. One sweep for all open requests, twice per
 * heartbeat, rather than a timer per request: scheduling a managed task costs more than most relays.
 */
@ApplicationScoped
public class ClientWatch {

    private static final Logger LOG = Logger.getLogger(ClientWatch.class.getName());

    @Resource ManagedScheduledExecutorService scheduler;
    @Inject @ConfigProperty(name = "switchboard.inference.heartbeat-ms", defaultValue = "1000") long heartbeatMillis;

    private final Set<InferenceExchange> open = ConcurrentHashMap.newKeySet();
    private ScheduledFuture<?> sweeps;

    @PostConstruct
    void start() {
        long every = Math.max(10, heartbeatMillis / 2);
        sweeps = scheduler.scheduleWithFixedDelay(this::sweep, every, every, TimeUnit.MILLISECONDS);
    }

    @PreDestroy
    void stop() {
        if (sweeps != null) sweeps.cancel(false);
    }

    void watch(InferenceExchange exchange) {
        open.add(exchange);
    }

    void forget(InferenceExchange exchange) {
        open.remove(exchange);
    }

    long heartbeatNanos() {
        return heartbeatMillis * 1_000_000;
    }

    private void sweep() {
        try {
            long now = System.nanoTime();
            Set<Integer> ports = new HashSet<>();
            for (InferenceExchange exchange : open) {
                if (exchange.quietFor(now) >= heartbeatNanos()) {
                    if (exchange.streams()) {
                        exchange.heartbeat();
                    } else {
                        ports.add(exchange.localPort());
                    }
                }
            }
            if (ports.isEmpty()) return;
            TcpConnections connections = TcpConnections.read(ports); // only while non-streamed requests wait
            if (!connections.readable()) return;
            for (InferenceExchange exchange : open) {
                if (!exchange.streams() && exchange.quietFor(now) >= heartbeatNanos()) exchange.checkConnection(connections);
            }
        } catch (RuntimeException unexpected) {
            LOG.log(Level.WARNING, "Checking on waiting clients failed", unexpected); // the next sweep tries again
        }
    }
}
