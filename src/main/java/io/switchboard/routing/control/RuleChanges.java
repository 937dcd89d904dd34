package io.switchboard.routing.control;

import io.switchboard.persistence.control.ChangeNotifications;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.context.Initialized;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

/**
 * Keeps the {@link RuleBook} current on every server within a second of any change, made through the API or
 * by plain SQL: the rules' change trigger (sql/V9) notifies {@code route_rules}; while notifications cannot be
 * heard, the rules' version is polled instead ({@link ChangeNotifications}).
 */
@ApplicationScoped
public class RuleChanges {

    static final String CHANNEL = "route_rules";

    @Inject RuleBook book;
    @Inject ChangeNotifications notifications;

    void startWithTheApplication(@Observes @Initialized(ApplicationScoped.class) Object ignored) {
        book.refresh(true);
        notifications.subscribe(CHANNEL, version -> book.refresh(false), () -> book.refresh(false));
    }

    /** Whether changes arrive as notifications now (false: the version is being polled). */
    public boolean listening() {
        return notifications.listening();
    }
}
