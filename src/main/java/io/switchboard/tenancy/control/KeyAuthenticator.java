package io.switchboard.tenancy.control;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import io.switchboard.gateway.entity.ApiException;
import io.switchboard.tenancy.entity.KeyCheck;
import io.switchboard.tenancy.entity.KeyCheck.Rejection;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;
import java.time.Instant;

/**
 * Turns a presented API key into the calling tenant without a database round trip on the hot
 * path. Checks are cached by the key's hash: refreshed in the background after
 * {@code switchboard.auth.cache-refresh-ms} and dropped after {@code cache-expire-ms}, so a
 * revocation or a disabled tenant takes effect on every server within that time even when the
 * change came from another server or straight from SQL. Changes made through this server's
 * admin API take effect at once ({@link #forgetAll()}).
 */
@ApplicationScoped
public class KeyAuthenticator {

    @Inject
    ApiKeyStore keys;

    @Inject
    LastUseRecorder lastUse;

    // Refreshes run on a container thread so that the store's transaction and persistence context work.
    @Resource
    ManagedExecutorService executor;

    @Inject
    @ConfigProperty(name = "switchboard.auth.cache-refresh-ms", defaultValue = "2000")
    long refreshMillis;

    @Inject
    @ConfigProperty(name = "switchboard.auth.cache-expire-ms", defaultValue = "4000")
    long expireMillis;

    private LoadingCache<String, KeyCheck> checks;

    @PostConstruct
    void createCache() {
        checks = Caffeine.newBuilder()
                .maximumSize(100_000)
                .refreshAfterWrite(Duration.ofMillis(refreshMillis))
                .expireAfterWrite(Duration.ofMillis(Math.max(expireMillis, refreshMillis + 1)))
                .executor(executor)
                .build(keys::check);
    }

    /** The caller behind {@code presentedKey}, or why it is refused. */
    public KeyCheck authenticate(String presentedKey) {
        if (presentedKey == null || presentedKey.isEmpty()) return KeyCheck.rejected(Rejection.MISSING);
        if (!ApiKeys.plausible(presentedKey)) return KeyCheck.rejected(Rejection.UNKNOWN);
        KeyCheck check;
        try {
            check = checks.get(ApiKeys.hash(presentedKey));
        } catch (RuntimeException databaseDown) {
            throw new ApiException(503, "server_error", "service_unavailable", null,
                    "API keys cannot be checked right now; please retry shortly.").withHeader("Retry-After", "2");
        }
        if (check.principal() == null) return check;
        Instant expiresAt = check.principal().keyExpiresAt();
        if (expiresAt != null && !Instant.now().isBefore(expiresAt)) {
            return KeyCheck.rejected(Rejection.EXPIRED, check.principal().tenantId(), check.principal().keyId());
        }
        lastUse.record(check.principal().keyId());
        return check;
    }

    /** Drops every cached check, after a change made through this server. */
    public void forgetAll() {
        checks.invalidateAll();
    }
}
