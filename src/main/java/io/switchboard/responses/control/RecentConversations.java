package io.switchboard.responses.control;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.switchboard.persistence.control.ChangeNotifications;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Instant;
import java.util.Optional;

/**
 * The conversations of recently stored responses, in memory, so that a follow-up turn ({@code previous_response_id})
 * is relayed without a database read first: every turn of an agent names the response before it. A stored response
 * never changes, so the only thing to hear of is a deletion before its expiry, which the table's trigger tells every
 * server (NOTIFY {@code stored_response}, sql V14). The cache is trusted only once its channel is listened to, not
 * at all while notifications cannot be heard, and it is emptied at every catch-up (when listening resumes, and at
 * the listener's check every {@code switchboard.notifications.check-ms}, 10 s): a deleted response is never
 * continued from memory, at the price of a database read for a turn that comes more than seconds later. Entries are the tenant's
 * alone (a lookup names the tenant) and weigh their characters, {@code switchboard.responses.cache-mib} in all.
 */
@ApplicationScoped
public class RecentConversations {

    static final String CHANNEL = "stored_response";

    private record Remembered(long tenantId, ResponseStore.Conversation conversation) {
    }

    @Inject ChangeNotifications notifications;
    @Inject @ConfigProperty(name = "switchboard.responses.cache-mib", defaultValue = "64") long cacheMib;

    private Cache<String, Remembered> recent;
    private Cache<String, Boolean> deleted; // ids told deleted lately: a read that raced the deletion is not remembered
    private volatile boolean heard; // notifications were being heard when last asked: the cache is trusted
    private volatile boolean caughtUp; // this channel is listened to: the listener ran the catch-up after its LISTEN

    @PostConstruct
    void start() {
        recent = Caffeine.newBuilder().maximumWeight(Math.max(1, cacheMib) * 1024 * 1024 / 2) // Java chars: 2 bytes
                .<String, Remembered>weigher((id, remembered) -> id.length() + remembered.conversation().items().length())
                .build();
        deleted = Caffeine.newBuilder().expireAfterWrite(java.time.Duration.ofMinutes(1)).maximumSize(100_000).build();
        notifications.subscribe(CHANNEL, this::deleted, this::catchUp);
    }

    /** The tenant's conversation so far for this response id (its input then output items, as JSON), when known here. */
    public Optional<ResponseStore.Conversation> find(long tenantId, String id) {
        if (!trusted()) return Optional.empty();
        Remembered remembered = recent.getIfPresent(id);
        if (remembered == null || remembered.tenantId() != tenantId || !remembered.conversation().expiresAt().isAfter(Instant.now())) {
            return Optional.empty();
        }
        return Optional.of(remembered.conversation());
    }

    /** Remembers a conversation that is in the database (just stored, or just read from it). */
    public void remember(long tenantId, String id, ResponseStore.Conversation conversation) {
        if (!trusted() || deleted.getIfPresent(id) != null) return;
        recent.put(id, new Remembered(tenantId, conversation));
        if (deleted.getIfPresent(id) != null) recent.invalidate(id); // told deleted while it was put
    }

    /** A response deleted here: never continued from memory again. */
    public void forget(String id) {
        deleted(id);
    }

    private void deleted(String id) {
        deleted.put(id, Boolean.TRUE);
        recent.invalidate(id);
    }

    /** Notifications may have been missed: nothing in memory is trusted until they are heard again. */
    void catchUp() {
        recent.invalidateAll();
        caughtUp = notifications.listening();
    }

    private boolean trusted() {
        boolean listening = notifications.listening() && caughtUp;
        if (listening && !heard) recent.invalidateAll(); // resumed: what was deleted meanwhile is unknown
        heard = listening;
        return listening;
    }
}
