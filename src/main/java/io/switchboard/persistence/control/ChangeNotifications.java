package io.switchboard.persistence.control;

import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * What changed in the database, as it changes: one pooled connection LISTENs on the channels the components
 * subscribe to, which their tables' triggers NOTIFY (routing rules, keys and tenants), so a change made on any
 * server or straight in SQL reaches every server at once. Each subscriber also has a catch-up: run once each
 * time listening (re)starts (what changed while nobody listened) and every {@code switchboard.notifications.poll-ms}
 * while it cannot listen, so that a component can poll meanwhile. Every {@code switchboard.notifications.check-ms}
 * the listener runs a query on its connection: that finds one that died silently, and catch-ups run then too
 * (a notification lost with it).
 *
 * <p>The PostgreSQL driver sits in lib/global, the library both the data source and the application load it
 * from, which is what lets the application unwrap a pooled connection to the driver's {@link PGConnection}.
 */
@ApplicationScoped
public class ChangeNotifications {

    private static final Logger LOG = Logger.getLogger(ChangeNotifications.class.getName());
    private static final Pattern CHANNEL = Pattern.compile("[a-z_]{1,60}");
    /** The listening connection's name in {@code pg_stat_activity}. */
    public static final String APPLICATION_NAME = "switchboard-change-listener";

    @Resource(lookup = "jdbc/switchboard") DataSource dataSource;
    @Resource ManagedThreadFactory threads;
    @Inject @ConfigProperty(name = "switchboard.notifications.poll-ms", defaultValue = "500") long pollMillis;
    @Inject @ConfigProperty(name = "switchboard.notifications.check-ms", defaultValue = "10000") long checkMillis;

    private record Subscriber(Consumer<String> onNotify, Runnable catchUp) {
    }

    private final Map<String, List<Subscriber>> subscribers = new ConcurrentHashMap<>();
    private volatile boolean newChannels;
    private volatile boolean running = true;
    private volatile boolean listening;
    private Thread listener;

    /**
     * Calls {@code onNotify} with each notification's payload on {@code channel}, and {@code catchUp} when
     * notifications may have been missed (see the class comment). Both run on the listener's thread: keep them short.
     */
    public synchronized void subscribe(String channel, Consumer<String> onNotify, Runnable catchUp) {
        if (!CHANNEL.matcher(channel).matches()) throw new IllegalArgumentException("channel " + channel);
        subscribers.computeIfAbsent(channel, c -> new CopyOnWriteArrayList<>()).add(new Subscriber(onNotify, catchUp));
        newChannels = true;
        if (listener == null) {
            listener = threads.newThread(this::listen);
            listener.setName("switchboard-change-notifications");
            listener.setDaemon(true);
            listener.start();
        }
    }

    /** Whether changes arrive as notifications now (false: subscribers are polling). */
    public boolean listening() {
        return listening;
    }

    @PreDestroy
    synchronized void stop() {
        running = false;
        if (listener != null) listener.interrupt();
    }

    private void listen() {
        boolean warned = false;
        while (running) {
            try (Connection connection = dataSource.getConnection()) {
                connection.setAutoCommit(true);
                try (Statement name = connection.createStatement()) {
                    name.execute("SET application_name = '" + APPLICATION_NAME + "'"); // to be found in pg_stat_activity
                }
                newChannels = true;
                PGConnection notifications = connection.unwrap(PGConnection.class);
                long nextCheck = 0;
                while (running) {
                    if (newChannels) {
                        newChannels = false;
                        try (Statement statement = connection.createStatement()) {
                            for (String channel : subscribers.keySet()) statement.execute("LISTEN " + channel);
                        }
                        if (!listening && warned) LOG.info("Listening for database changes again");
                        listening = true;
                        warned = false;
                        catchUpAll(); // what changed while nobody listened
                    }
                    PGNotification[] arrived = notifications.getNotifications((int) Math.min(checkMillis, 1000));
                    if (arrived != null) {
                        for (PGNotification notification : arrived) deliver(notification.getName(), notification.getParameter());
                    }
                    if (System.nanoTime() - nextCheck > 0) {
                        if (nextCheck != 0) {
                            try (Statement check = connection.createStatement()) {
                                check.execute("SELECT 1"); // a dead connection fails here
                            }
                            catchUpAll();
                        }
                        nextCheck = System.nanoTime() + checkMillis * 1_000_000;
                    }
                }
            } catch (SQLException | RuntimeException down) {
                listening = false;
                if (!running) return;
                if (!warned) LOG.log(Level.WARNING, "Not listening for database changes (" + down.getMessage()
                        + "); polling every " + pollMillis + " ms meanwhile");
                warned = true;
                poll();
            }
        }
    }

    private void deliver(String channel, String payload) {
        for (Subscriber subscriber : subscribers.getOrDefault(channel, List.of())) {
            try {
                subscriber.onNotify().accept(payload);
            } catch (RuntimeException failed) {
                LOG.log(Level.WARNING, "A subscriber to " + channel + " failed", failed);
            }
        }
    }

    private void catchUpAll() {
        subscribers.forEach((channel, list) -> list.forEach(subscriber -> {
            try {
                subscriber.catchUp().run();
            } catch (RuntimeException failed) {
                LOG.log(Level.FINE, "A catch-up for " + channel + " failed", failed);
            }
        }));
    }

    /** Catches up every poll interval for about a second and a half, then tries to listen again. */
    private void poll() {
        long until = System.nanoTime() + 1_500_000_000L;
        while (running && System.nanoTime() < until) {
            catchUpAll();
            try {
                Thread.sleep(pollMillis);
            } catch (InterruptedException stopping) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
