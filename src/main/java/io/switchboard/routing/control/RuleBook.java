package io.switchboard.routing.control;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.annotation.RegistryType;

import java.lang.management.ManagementFactory;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The routing rules in force on this server: one immutable {@link RuleSet}, replaced whole when the
 * rules' version in the database moves ({@link RuleChanges} says when). A set that does not compile
 * (a keyword pattern written by SQL that Java cannot compile) is logged and recorded as an event once
 * per version, and the last good set stays in force.
 */
@ApplicationScoped
public class RuleBook {

    private static final Logger LOG = Logger.getLogger(RuleBook.class.getName());

    @Inject RuleStore store;
    @Inject @RegistryType(type = MetricRegistry.Type.APPLICATION) MetricRegistry metrics;

    private final ReentrantLock reloading = new ReentrantLock();
    private volatile RuleSet current = RuleSet.EMPTY;
    private volatile long rejectedVersion = -1;
    private volatile String lastError;

    @PostConstruct
    void registerGauge() {
        metrics.gauge("switchboard_route_rules_version", () -> current.version());
    }

    /** The set in force: read once per request, never changes under it. */
    public RuleSet current() {
        return current;
    }

    /** Why the newest version is not in force, or null when it is. */
    public String lastError() {
        return lastError;
    }

    /** Loads the rules when their version moved past the set in force (or {@code force}); false when the database could not be read. */
    public boolean refresh(boolean force) {
        reloading.lock(); // one load at a time; a change seen meanwhile is read by the next
        try {
            long version = store.version();
            if (!force && (version == current.version() || version == rejectedVersion)) return true;
            RuleStore.Snapshot snapshot = store.snapshot();
            try {
                current = RuleSet.compile(snapshot.version(), snapshot.rules());
                lastError = null;
                LOG.info("Routing rules version " + snapshot.version() + " in force (" + current.size() + " enabled)");
            } catch (IllegalArgumentException invalid) {
                rejected(snapshot.version(), invalid.getMessage());
            }
            return true;
        } catch (RuntimeException unreadable) {
            LOG.log(Level.FINE, "Routing rules could not be read; the set in force stays", unreadable);
            return false;
        } finally {
            reloading.unlock();
        }
    }

    private void rejected(long version, String why) {
        if (version == rejectedVersion) return;
        rejectedVersion = version;
        lastError = "version " + version + ": " + why;
        LOG.severe("Routing rules version " + version + " not loaded, version " + current.version() + " stays in force: " + why);
        metrics.counter("switchboard_route_rules_rejected_total").inc();
        try {
            store.rejected(version, ManagementFactory.getRuntimeMXBean().getName(), why);
        } catch (RuntimeException unrecorded) {
            LOG.log(Level.WARNING, "Could not record the rejected routing rules", unrecorded);
        }
    }
}
