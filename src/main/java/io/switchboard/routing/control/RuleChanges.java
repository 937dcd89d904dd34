package io.switchboard.routing.control;

import jakarta.annotation.PreDestroy;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedThreadFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Tells the {@link RuleBook} when the rules changed, on every server, within a second of any change made
 * through the API or by plain SQL: one connection of the pool LISTENs on {@code route_rules}, which the
 * rules' change trigger notifies (sql/V9). While that connection is down, the rules' version is polled
 * instead, every {@code switchboard.routing.poll-ms}, until listening works again. Every
 * {@code switchboard.routing.check-ms} the listener also reads the version itself: that finds a connection
 * that died silently, and any notification lost with it.
 */
@ApplicationScoped
public class RuleChanges {

    private static final Logger LOG = Logger.getLogger(RuleChanges.class.getName());
    static final String CHANNEL = "route_rules";

    @Resource(lookup = "jdbc/switchboard") DataSource dataSource;
    @Resource ManagedThreadFactory threads;
    @Inject RuleBook book;
    @Inject @ConfigProperty(name = "switchboard.routing.poll-ms", defaultValue = "500") long pollMillis;
    @Inject @ConfigProperty(name = "switchboard.routing.check-ms", defaultValue = "10000") long checkMillis;

    private volatile boolean running = true;
    private volatile boolean listening;
    private Thread listener;

    void startWithTheApplication(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
        book.refresh(true);
        listener = threads.newThread(this::listen);
        listener.setName("switchboard-route-rules");
        listener.setDaemon(true);
        listener.start();
    }

    @PreDestroy
    void stop() {
        running = false;
        if (listener != null) listener.interrupt();
    }

    /** Whether changes arrive as notifications now (false: the version is being polled). */
    public boolean listening() {
        return listening;
    }

    private void listen() {
        boolean warned = false;
        while (running) {
            try (Connection connection = dataSource.getConnection()) {
                connection.setAutoCommit(true);
                try (Statement statement = connection.createStatement()) {
                    statement.execute("LISTEN " + CHANNEL);
                }
                PGConnection notifications = connection.unwrap(PGConnection.class);
                listening = true;
                if (warned) LOG.info("Listening for routing rule changes again");
                warned = false;
                book.refresh(false); // what changed while nobody listened
                long nextCheck = System.nanoTime() + checkMillis * 1_000_000;
                while (running) {
                    PGNotification[] arrived = notifications.getNotifications((int) Math.min(checkMillis, 1000));
                    if (arrived != null && arrived.length > 0) {
                        book.refresh(false);
                    } else if (System.nanoTime() > nextCheck) {
                        try (Statement check = connection.createStatement()) {
                            check.execute("SELECT 1"); // a dead connection fails here
                        }
                        book.refresh(false);
                        nextCheck = System.nanoTime() + checkMillis * 1_000_000;
                    }
                }
            } catch (SQLException | RuntimeException down) {
                listening = false;
                if (!running) return;
                if (!warned) LOG.log(Level.WARNING, "Not listening for routing rule changes (" + down.getMessage()
                        + "); polling their version every " + pollMillis + " ms meanwhile");
                warned = true;
                poll();
            }
        }
    }

    /** Polls the version for about a second and a half before listening is tried again. */
    private void poll() {
        long until = System.nanoTime() + 1_500_000_000L;
        while (running && System.nanoTime() < until) {
            book.refresh(false);
            try {
                Thread.sleep(pollMillis);
            } catch (InterruptedException stopping) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
