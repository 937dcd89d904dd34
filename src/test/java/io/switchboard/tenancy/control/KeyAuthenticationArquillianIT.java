package io.switchboard.tenancy.control;

import io.switchboard.gateway.entity.ApiException;
import io.switchboard.persistence.control.WriteBehind;
import io.switchboard.tenancy.entity.ApiKey;
import io.switchboard.tenancy.entity.KeyCheck;
import io.switchboard.tenancy.entity.Tenant;
import jakarta.inject.Inject;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.asset.EmptyAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Inside the container, where the database round trips can be counted: the foundation's promise
 * that a valid key costs no database round trip on the hot path, and that {@code last_used_at}
 * stays current without a write per request. Runs in the integration-test server (real Liberty,
 * JTA, Hibernate, PostgreSQL), deployed as its own archive next to Switchboard: the tenancy
 * component with a persistence unit that has Hibernate's statistics on.
 */
@ExtendWith(ArquillianExtension.class)
class KeyAuthenticationArquillianIT {

    @Deployment
    static WebArchive tenancy() {
        WebArchive war = ShrinkWrap.create(WebArchive.class, "switchboard-tenancy-it.war")
                .addPackages(false, "io.switchboard.tenancy.control", "io.switchboard.tenancy.entity")
                .addClass(ApiException.class)
                .addClass(WriteBehind.class)
                .addClass(io.switchboard.persistence.control.ChangeNotifications.class)
                .addAsResource("arquillian/tenancy-persistence.xml", "META-INF/persistence.xml")
                .addAsWebInfResource(EmptyAsset.INSTANCE, "beans.xml"); // Caffeine, like Hibernate, is in lib/global
        return war;
    }

    @Inject TenantStore tenants;
    @Inject ApiKeyStore keys;
    @Inject KeyAuthenticator authenticator;
    @Inject LastUseRecorder lastUse;

    @Inject PersistenceStatistics database;

    private String newKey() {
        Tenant tenant = new Tenant();
        tenant.setName("arquillian-" + UUID.randomUUID());
        tenants.create(tenant);
        return keys.issue(tenant.getId(), "in-container", null).key();
    }

    @Test
    void aValidKeyIsCheckedAgainstTheDatabaseOnceNotPerRequest() {
        String key = newKey();
        long lookupsBefore = database.executions(ApiKey.BY_HASH);
        long statementsBefore = database.statements();

        KeyCheck first = authenticator.authenticate(key);
        assertNotNull(first.principal(), "a freshly issued key is valid");
        assertEquals(lookupsBefore + 1, database.executions(ApiKey.BY_HASH), "the first use looks the key up");

        // the cache's own thread may re-read keys meanwhile (a sweep, another test's change): a lookup per request
        // shows in every attempt, one in the background in one at most
        long extra = Long.MAX_VALUE;
        for (int attempt = 0; attempt < 3 && extra != 0; attempt++) {
            long before = database.executions(ApiKey.BY_HASH);
            for (int i = 0; i < 1_000; i++) {
                assertEquals(first.principal().keyId(), authenticator.authenticate(key).principal().keyId());
            }
            extra = database.executions(ApiKey.BY_HASH) - before;
        }
        assertEquals(0, extra, "a thousand more uses: no more lookups");
        // nothing else went to the database for them either (the last-use flush is one statement, at most)
        assertTrue(database.statements() - statementsBefore <= 3,
                () -> "statements: " + (database.statements() - statementsBefore));
    }

    @Test
    void lastUseIsWrittenInBatchesNotOncePerRequest() throws Exception {
        String key = newKey();
        long keyId = authenticator.authenticate(key).principal().keyId();
        lastUse.flush();
        long statementsBefore = database.statements();
        Instant start = Instant.now();

        for (int i = 0; i < 500; i++) authenticator.authenticate(key);
        lastUse.flush();

        long writes = database.statements() - statementsBefore;
        assertTrue(writes >= 1 && writes <= 2, () -> "500 uses were written with " + writes + " statements");
        Instant lastUsed = keys.ofTenant(database.tenantOf(keyId)).stream().filter(k -> k.getId() == keyId).findFirst()
                .orElseThrow().getLastUsedAt();
        assertNotNull(lastUsed, "last_used_at is set");
        assertTrue(!lastUsed.isBefore(start.minus(Duration.ofSeconds(1))), () -> "last used at " + lastUsed + ", start " + start);
    }
}
