package io.switchboard.it;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.BooleanSupplier;

import static io.switchboard.it.Switchboard.admin;
import static io.switchboard.it.Switchboard.tenant;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tenants call /v1 with their API keys; what a bad, revoked or expired key gets. */
class TenantAuthenticationIT {

    static String modelA;
    static String modelB;

    @BeforeAll
    static void catalogWithTwoModels() {
        modelA = Switchboard.unique("auth-a");
        modelB = Switchboard.unique("auth-b");
        for (String name : List.of(modelA, modelB)) {
            Switchboard.Reply created = admin("POST", "/admin/models", Json.createObjectBuilder()
                    .add("name", name).add("engine", "sim").add("model_id", "test/" + name)
                    .add("gpu_memory_gib", 16).add("max_model_len", 4096).build());
            assertEquals(201, created.status(), created::toString);
        }
    }

    @Test
    void aNewKeyListsTheCatalogModelsAndAuto() {
        JsonObject key = Tenants.named("lister").createWithKey();

        Switchboard.Reply models = tenant("GET", "/v1/models", key.getString("key"), null);

        assertEquals(200, models.status(), models::toString);
        assertEquals("list", models.json().getString("object"));
        List<String> ids = ids(models.json());
        assertTrue(ids.containsAll(List.of(modelA, modelB, "auto")), ids::toString);
        JsonObject card = models.json().getJsonArray("data").getJsonObject(0);
        assertEquals("model", card.getString("object"));
        assertTrue(card.getJsonNumber("created").longValue() > 0);
        assertNotNull(card.getString("owned_by"));
        assertNotNull(models.header("x-request-id"));
    }

    @Test
    void aTenantSeesOnlyItsAllowedModels() {
        JsonObject key = Tenants.named("restricted").allowedModels(modelA).createWithKey();

        List<String> ids = ids(tenant("GET", "/v1/models", key.getString("key"), null).json());

        assertTrue(ids.contains(modelA), ids::toString);
        assertFalse(ids.contains(modelB), ids::toString);
    }

    @Test
    void aDisabledModelIsNotListed() {
        String name = Switchboard.unique("auth-disabled");
        admin("POST", "/admin/models", Json.createObjectBuilder().add("name", name)
                .add("gpu_memory_gib", 8).add("max_model_len", 2048).build());
        assertEquals(200, admin("POST", "/admin/models/" + name + "/disable", (String) null).status());
        JsonObject key = Tenants.named("sees-enabled").createWithKey();

        assertFalse(ids(tenant("GET", "/v1/models", key.getString("key"), null).json()).contains(name));
    }

    @Test
    void aMissingKeyIsRejectedAsOpenAiDoes() {
        Switchboard.Reply reply = Switchboard.send("GET", "/v1/models", null, null);

        assertInvalidApiKey(reply);
        assertTrue(reply.error().getString("message").contains("didn't provide an API key"));
    }

    @Test
    void anUnknownKeyIsRejectedWithoutEchoingIt() {
        String wrong = "sk-sb-thisKeyWasNeverIssuedToAnybody0123456789abc";
        Switchboard.Reply reply = tenant("GET", "/v1/models", wrong, null);

        assertInvalidApiKey(reply);
        assertFalse(reply.body().contains(wrong), "the full key must not be echoed");
    }

    @Test
    void unknownV1PathsAskForAKeyBeforeAnythingElse() {
        assertInvalidApiKey(Switchboard.send("GET", "/v1/no-such-thing", null, null));
    }

    @Test
    void revokedKeyIsRejectedWithinFiveSeconds() {
        JsonObject key = Tenants.named("revoked").createWithKey();
        String apiKey = key.getString("key");
        assertEquals(200, tenant("GET", "/v1/models", apiKey, null).status());

        Switchboard.Reply revoked = admin("DELETE", "/admin/tenants/" + key.getJsonNumber("tenant_id")
                + "/keys/" + key.getJsonNumber("id"), (String) null);
        assertEquals(200, revoked.status(), revoked::toString);
        assertEquals("revoked", revoked.json().getString("status"));

        assertWithinFiveSeconds(() -> tenant("GET", "/v1/models", apiKey, null).status() == 401);
        assertInvalidApiKey(tenant("GET", "/v1/models", apiKey, null));
    }

    /** As another server would see it: the revocation arrives through the database only (its NOTIFY). */
    @Test
    void keyRevokedStraightInTheDatabaseIsRejectedWithinASecond() throws SQLException {
        JsonObject key = Tenants.named("sql-revoked").createWithKey();
        String apiKey = key.getString("key");
        assertEquals(200, tenant("GET", "/v1/models", apiKey, null).status());

        try (Connection db = database();
             PreparedStatement revoke = db.prepareStatement("UPDATE api_key SET revoked_at = now() WHERE id = ?")) {
            revoke.setLong(1, key.getJsonNumber("id").longValue());
            assertEquals(1, revoke.executeUpdate());
        }

        assertWithin(Duration.ofSeconds(1), () -> tenant("GET", "/v1/models", apiKey, null).status() == 401);
    }

    @Test
    void aTenantDisabledStraightInTheDatabaseIsRefusedWithinASecond() throws SQLException {
        JsonObject key = Tenants.named("sql-disabled").createWithKey();
        String apiKey = key.getString("key");
        assertEquals(200, tenant("GET", "/v1/models", apiKey, null).status());
        try (Connection db = database();
             PreparedStatement disable = db.prepareStatement("UPDATE tenant SET status = 'DISABLED' WHERE id = ?")) {
            disable.setLong(1, key.getJsonNumber("tenant_id").longValue());
            assertEquals(1, disable.executeUpdate());
        }
        assertWithin(Duration.ofSeconds(1), () -> tenant("GET", "/v1/models", apiKey, null).status() == 401);
    }

    @Test
    void disabledTenantsKeysAreRejected() {
        JsonObject key = Tenants.named("disabled").createWithKey();
        String apiKey = key.getString("key");
        assertEquals(200, tenant("GET", "/v1/models", apiKey, null).status());

        Switchboard.Reply disabled = admin("POST", "/admin/tenants/" + key.getJsonNumber("tenant_id") + "/disable",
                (String) null);
        assertEquals("disabled", disabled.json().getString("status"));

        assertWithinFiveSeconds(() -> tenant("GET", "/v1/models", apiKey, null).status() == 401);
        assertInvalidApiKey(tenant("GET", "/v1/models", apiKey, null));

        admin("PATCH", "/admin/tenants/" + key.getJsonNumber("tenant_id"), "{\"status\":\"active\"}");
        assertWithinFiveSeconds(() -> tenant("GET", "/v1/models", apiKey, null).status() == 200);
    }

    @Test
    void expiredKeyIsRejected() {
        long tenantId = Tenants.named("expiring").create().getJsonNumber("id").longValue();
        String past = Instant.now().minusSeconds(60).toString();
        JsonObject key = Tenants.newKey(tenantId, past);

        assertInvalidApiKey(tenant("GET", "/v1/models", key.getString("key"), null));
        JsonObject listed = admin("GET", "/admin/tenants/" + tenantId + "/keys", (String) null)
                .json().getJsonArray("data").getJsonObject(0);
        assertEquals("expired", listed.getString("status"));
    }

    @Test
    void lastUsedTimeIsRecordedWithoutAWritePerRequest() {
        JsonObject key = Tenants.named("last-used").createWithKey();
        String keysPath = "/admin/tenants/" + key.getJsonNumber("tenant_id") + "/keys";
        assertTrue(Switchboard.isNull(admin("GET", keysPath, (String) null).json()
                .getJsonArray("data").getJsonObject(0), "last_used_at"));

        assertEquals(200, tenant("GET", "/v1/models", key.getString("key"), null).status());

        // the IT server flushes every second (pom.xml); production every 30 s
        assertWithinFiveSeconds(() -> admin("GET", keysPath, (String) null).json().getJsonArray("data")
                .getJsonObject(0).get("last_used_at").getValueType() == JsonValue.ValueType.STRING);
    }

    @Test
    void keysAreListedByPrefixOnly() {
        JsonObject key = Tenants.named("prefix").createWithKey();
        String apiKey = key.getString("key");
        assertTrue(apiKey.startsWith("sk-sb-"), apiKey);
        assertTrue(apiKey.startsWith(key.getString("prefix")));

        Switchboard.Reply listed = admin("GET", "/admin/tenants/" + key.getJsonNumber("tenant_id") + "/keys",
                (String) null);

        assertFalse(listed.body().contains(apiKey), "a listed key must not reveal the key");
        JsonObject item = listed.json().getJsonArray("data").getJsonObject(0);
        assertEquals(key.getString("prefix"), item.getString("prefix"));
        assertTrue(Switchboard.isNull(item, "key"));
    }

    static void assertInvalidApiKey(Switchboard.Reply reply) {
        assertEquals(401, reply.status(), reply::toString);
        assertEquals("invalid_request_error", reply.error().getString("type"));
        assertEquals("invalid_api_key", reply.error().getString("code"));
        assertTrue(Switchboard.isNull(reply.error(), "param"));
    }

    static void assertWithinFiveSeconds(BooleanSupplier condition) {
        assertWithin(Duration.ofSeconds(5), condition);
    }

    static void assertWithin(Duration within, BooleanSupplier condition) {
        Instant deadline = Instant.now().plus(within);
        while (Instant.now().isBefore(deadline)) {
            if (condition.getAsBoolean()) return;
            sleep(20);
        }
        assertTrue(condition.getAsBoolean(), "not true within " + within);
    }

    static List<String> ids(JsonObject list) {
        return list.getJsonArray("data").getValuesAs(JsonObject.class).stream().map(m -> m.getString("id")).toList();
    }

    static Connection database() throws SQLException {
        return DriverManager.getConnection(System.getProperty("switchboard.it.db-url"),
                System.getProperty("switchboard.it.db-user"), System.getProperty("switchboard.it.db-password"));
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
