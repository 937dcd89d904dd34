package io.switchboard.it;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Builds tenants and keys through the admin API for a test. */
public final class Tenants {

    private final JsonObjectBuilder body = Json.createObjectBuilder();

    private Tenants(String name) {
        body.add("name", name);
    }

    public static Tenants named(String stem) {
        return new Tenants(Switchboard.unique(stem));
    }

    public Tenants with(String field, long value) {
        body.add(field, value);
        return this;
    }

    public Tenants allowedModels(String... models) {
        body.add("allowed_models", Json.createArrayBuilder(java.util.List.of(models)));
        return this;
    }

    /** Creates the tenant; answers its JSON. */
    public JsonObject create() {
        Switchboard.Reply reply = Switchboard.admin("POST", "/admin/tenants", body.build());
        assertEquals(201, reply.status(), reply::toString);
        return reply.json();
    }

    /** Creates the tenant and one key; answers the key's creation JSON (with {@code key} and {@code tenant_id}). */
    public JsonObject createWithKey() {
        return newKey(create().getJsonNumber("id").longValue(), null);
    }

    public static JsonObject newKey(long tenantId, String expiresAt) {
        JsonObjectBuilder key = Json.createObjectBuilder().add("name", "test key");
        if (expiresAt != null) key.add("expires_at", expiresAt);
        Switchboard.Reply reply = Switchboard.admin("POST", "/admin/tenants/" + tenantId + "/keys", key.build());
        assertEquals(201, reply.status(), reply::toString);
        return reply.json();
    }
}
