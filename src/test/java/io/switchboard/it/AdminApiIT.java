package io.switchboard.it;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;

import static io.switchboard.it.Switchboard.admin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What an administrator does through /admin, and who may not. */
class AdminApiIT {

    @Test
    void adminCreatesATenantWithQuotasAndReadsItBack() {
        String name = Switchboard.unique("acme");
        Switchboard.Reply created = admin("POST", "/admin/tenants", Json.createObjectBuilder()
                .add("name", name).add("rpm_limit", 600).add("tpm_limit", 100_000).add("max_concurrency", 8)
                .add("daily_token_budget", 1_000_000).add("monthly_token_budget", 20_000_000)
                .add("monthly_spend_limit", 250.5)
                .add("allowed_models", Json.createArrayBuilder().add("chat-8b"))
                .add("some_future_field", "ignored as OpenAI does").build());

        assertEquals(201, created.status(), created::toString);
        JsonObject tenant = created.json();
        assertEquals(name, tenant.getString("name"));
        assertEquals("active", tenant.getString("status"));
        assertEquals(600, tenant.getInt("rpm_limit"));
        assertEquals(8, tenant.getInt("max_concurrency"));
        assertEquals(0, new BigDecimal("250.5").compareTo(tenant.getJsonNumber("monthly_spend_limit").bigDecimalValue()));

        Switchboard.Reply read = admin("GET", "/admin/tenants/" + tenant.getJsonNumber("id"), (String) null);
        assertEquals(200, read.status());
        assertEquals(100_000, read.json().getJsonNumber("tpm_limit").longValue());
        assertEquals("chat-8b", read.json().getJsonArray("allowed_models").getString(0));
        assertTrue(admin("GET", "/admin/tenants", (String) null).body().contains(name));
    }

    @Test
    void patchChangesOnlyTheGivenFieldsAndNullMeansUnlimited() {
        JsonObject tenant = Tenants.named("patchable").with("rpm_limit", 60).with("tpm_limit", 5000).create();
        String path = "/admin/tenants/" + tenant.getJsonNumber("id");

        Switchboard.Reply patched = admin("PATCH", path, "{\"rpm_limit\": null, \"max_concurrency\": 3}");

        assertEquals(200, patched.status(), patched::toString);
        assertTrue(Switchboard.isNull(patched.json(), "rpm_limit"));
        assertEquals(3, patched.json().getInt("max_concurrency"));
        assertEquals(5000, patched.json().getInt("tpm_limit"));
    }

    @Test
    void duplicateNamesAreAConflict() {
        JsonObject first = Tenants.named("twin").create();

        Switchboard.Reply second = admin("POST", "/admin/tenants", Json.createObjectBuilder()
                .add("name", first.getString("name")).build());

        assertEquals(409, second.status(), second::toString);
        assertEquals("name", second.error().getString("param"));
    }

    @Test
    void unknownIdsAreNotFound() {
        Switchboard.Reply reply = admin("GET", "/admin/tenants/999999999", (String) null);
        assertEquals(404, reply.status(), reply::toString);
        assertEquals("invalid_request_error", reply.error().getString("type"));
        assertEquals(404, admin("POST", "/admin/tenants/999999999/keys", "{}").status());
        assertEquals(404, admin("DELETE", "/admin/tenants/999999999/keys/1", (String) null).status());
        assertEquals(404, admin("GET", "/admin/models/no-such-model", (String) null).status());
    }

    @Test
    void keyOfAnotherTenantCannotBeRevokedThroughTheWrongTenant() {
        JsonObject key = Tenants.named("owner").createWithKey();
        long otherTenant = Tenants.named("other").create().getJsonNumber("id").longValue();

        Switchboard.Reply reply = admin("DELETE", "/admin/tenants/" + otherTenant + "/keys/" + key.getJsonNumber("id"),
                (String) null);

        assertEquals(404, reply.status(), reply::toString);
        assertEquals(200, Switchboard.tenant("GET", "/v1/models", key.getString("key"), null).status());
    }

    @Test
    void adminManagesTheModelCatalog() {
        String name = Switchboard.unique("llama-8b");
        Switchboard.Reply created = admin("POST", "/admin/models", Json.createObjectBuilder()
                .add("name", name).add("engine", "vllm").add("model_id", "meta-llama/Llama-3.1-8B-Instruct")
                .add("gpu_memory_gib", 16).add("max_model_len", 8192).add("quantization", "fp8")
                .add("extra_args", Json.createArrayBuilder().add("--enforce-eager"))
                .add("pinned", true).add("sleep_enabled", true)
                .add("price_input_per_mtok", 0.1).add("price_output_per_mtok", 0.2).build());

        assertEquals(201, created.status(), created::toString);
        assertEquals("vllm", created.json().getString("engine"));
        assertEquals("--enforce-eager", created.json().getJsonArray("extra_args").getString(0));
        assertTrue(created.json().getBoolean("enabled"));
        assertEquals(0, new BigDecimal("0.1").compareTo(created.json().getJsonNumber("price_input_per_mtok").bigDecimalValue()));

        // a price is never changed: a new one is a row from its date; one from next year is not in force yet
        Switchboard.Reply later = admin("POST", "/admin/models/" + name + "/prices", Json.createObjectBuilder()
                .add("valid_from", java.time.Instant.now().plus(java.time.Duration.ofDays(400)).toString())
                .add("input_per_mtok", 0.3).add("output_per_mtok", 0.9).build());
        assertEquals(201, later.status(), later::toString);
        assertEquals(2, admin("GET", "/admin/models/" + name + "/prices", (String) null).json().getJsonArray("data").size());
        assertEquals(0, new BigDecimal("0.2").compareTo(admin("GET", "/admin/models/" + name, (String) null).json()
                .getJsonNumber("price_output_per_mtok").bigDecimalValue()));
        Switchboard.Reply tooFine = admin("POST", "/admin/models/" + name + "/prices",
                "{\"input_per_mtok\": 0.0000001, \"output_per_mtok\": 1}");
        assertEquals(400, tooFine.status(), tooFine::toString);
        assertEquals("input_per_mtok", tooFine.error().getString("param"));

        Switchboard.Reply patched = admin("PATCH", "/admin/models/" + name, "{\"gpu_memory_gib\": 20.5, \"pinned\": false}");
        assertEquals(200, patched.status(), patched::toString);
        assertEquals(0, new BigDecimal("20.5").compareTo(patched.json().getJsonNumber("gpu_memory_gib").bigDecimalValue()));
        assertEquals(false, patched.json().getBoolean("pinned"));

        Switchboard.Reply disabled = admin("POST", "/admin/models/" + name + "/disable", (String) null);
        assertEquals(false, disabled.json().getBoolean("enabled"));
        assertTrue(admin("GET", "/admin/models", (String) null).body().contains(name));
        assertEquals(409, admin("POST", "/admin/models", Json.createObjectBuilder().add("name", name)
                .add("gpu_memory_gib", 1).add("max_model_len", 10).build()).status());
    }

    @Test
    void aRemoteModelNeedsAUrl() {
        Switchboard.Reply reply = admin("POST", "/admin/models", Json.createObjectBuilder()
                .add("name", Switchboard.unique("remote")).add("engine", "remote")
                .add("gpu_memory_gib", 16).add("max_model_len", 8192).build());

        assertEquals(400, reply.status(), reply::toString);
        assertEquals("url", reply.error().getString("param"));
    }

    @Test
    void adminCallsWithoutTheTokenAreUnauthorized() {
        Switchboard.Reply missing = Switchboard.send("GET", "/admin/tenants", null, null);
        Switchboard.Reply wrong = Switchboard.send("GET", "/admin/tenants", "not-the-admin-token", null);
        Switchboard.Reply writeAttempt = Switchboard.send("POST", "/admin/tenants", "nope", "{\"name\":\"x\"}");

        for (Switchboard.Reply reply : new Switchboard.Reply[]{missing, wrong, writeAttempt}) {
            assertEquals(401, reply.status(), reply::toString);
            assertEquals("invalid_request_error", reply.error().getString("type"));
        }
    }

    @Test
    void aTenantKeyCannotReachAdmin() {
        String apiKey = Tenants.named("curious").createWithKey().getString("key");

        assertEquals(401, Switchboard.send("GET", "/admin/tenants", apiKey, null).status());
        assertEquals(401, Switchboard.send("POST", "/admin/tenants", apiKey, "{\"name\":\"evil\"}").status());
    }

    @Test
    void theAdminTokenIsNotATenantKey() {
        TenantAuthenticationIT.assertInvalidApiKey(Switchboard.send("GET", "/v1/models", Switchboard.ADMIN_TOKEN, null));
    }
}
