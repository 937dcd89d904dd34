package io.switchboard.it;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.switchboard.it.Switchboard.admin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Routing rules kept in PostgreSQL: each condition alone and together, priority and defaults, the choice of a
 * resident model over a cold one, fallbacks before the first byte (streams too), context windows, plain SQL
 * edits in force within a second (on a second server too), a broken rule set that leaves the last good one,
 * the audit trail, explain agreeing with what serves, and the aliases each key sees in {@code /v1/models}.
 * Every rule here is for a test tenant or a test alias, so other tests' {@code auto} is untouched.
 */
class RoutingIT {

    static String small;     // resident once warmed
    static String other;     // a second small one
    static String third;
    static long tenantId;
    static String key;

    @BeforeAll
    static void models() {
        Engines.reset();
        small = Engines.small("route-small", false);
        other = Engines.small("route-other", false);
        third = Engines.small("route-third", false);
        JsonObject created = Tenants.named("routing").createWithKey();
        tenantId = created.getJsonNumber("tenant_id").longValue();
        key = created.getString("key");
        assertEquals(200, chat(small, "hi").status()); // small is resident from here on
    }

    // ---- the classifier: conditions, priority, defaults ----

    @Test
    void eachConditionAloneAndTogetherPicksItsRuleInPriorityOrderAndTheDefaultServesTheRest() {
        String alias = Switchboard.unique("smart");
        long python = rule(alias, 10, Map.of("code_languages", List.of("py"), "target_model", small));
        long longChat = rule(alias, 20, Map.of("min_messages", 4, "target_model", other));
        long proof = rule(alias, 30, Map.of("quality", "high", "keyword_pattern", "(?i)\\bprove\\b", "target_model", third));
        long shortCompletion = rule(alias, 40, Map.of("endpoint", "completions", "max_prompt_tokens", 50, "target_model", other));
        long fallback = rule(alias, 999, Map.of("is_default", true, "target_model", small));

        assertEquals(python, ruleOf(explain(alias, "Why does this fail?\n```python\nprint(1/0)\n```", null)));
        assertEquals(python, ruleOf(explain(alias, "Look at src/main.py please", null)), "a file name shows the language");
        assertEquals(python, ruleOf(explain(alias, "from typing import List\ndef f(x):\n    return x", null)), "keywords show it");
        JsonObject longOne = explain(alias, messages(5, "no code here"), "chat", null);
        assertEquals(longChat, ruleOf(longOne));
        assertTrue(longOne.getJsonArray("skipped").getValuesAs(JsonObject.class).stream()
                .anyMatch(s -> s.getJsonNumber("rule_id").longValue() == python && s.getString("reason").contains("no code language")),
                longOne::toString);
        assertEquals(proof, ruleOf(explain(alias, "Please prove that sqrt(2) is irrational", "high")));
        assertEquals(fallback, ruleOf(explain(alias, "Please prove that sqrt(2) is irrational", null)), "quality alone is not enough");
        assertEquals(fallback, ruleOf(explain(alias, "Tell me a story", "high")), "the keyword alone is not enough");
        assertEquals(shortCompletion, ruleOf(explain(alias, promptBody(alias, "Once upon a time"), "completions", null)));
        assertEquals(fallback, ruleOf(explain(alias, "Once upon a time", null)), "the endpoint condition");
        assertEquals(fallback, ruleOf(explain(alias, promptBody(alias, "x".repeat(400)), "completions", null)),
                "the prompt-token bound");
        // python in a long conversation: the lower priority number wins, until an admin changes it
        String both = messages(5, "```rust\nfn main() {}\n```\nand also main.py");
        assertEquals(python, ruleOf(explain(alias, both, "chat", null)));
        assertEquals(200, admin("PATCH", "/admin/routes/" + longChat, "{\"priority\": 5}").status());
        assertEquals(longChat, ruleOf(explain(alias, both, "chat", null)));
    }

    @Test
    void aTenantsOwnDefaultComesBeforeTheDefaultForEveryTenantAndAConcreteModelSkipsTheRules() {
        String alias = Switchboard.unique("fast");
        long everyone = rule(alias, 100, Map.of("is_default", true, "target_model", other, "tenant_id", JsonValue.NULL));
        long own = rule(alias, 100, Map.of("is_default", true, "target_model", small));
        assertEquals(own, ruleOf(explain(alias, "hi", null)));
        JsonObject otherTenant = Tenants.named("routing-other").create();
        JsonObject forOther = explainFor(otherTenant.getJsonNumber("id").longValue(), chatBody(alias, "hi"), "chat", null);
        assertEquals(everyone, ruleOf(forOther), forOther::toString);
        JsonObject concrete = explain(small, "```python\nx\n```", null);
        assertEquals(small, concrete.getString("model"));
        assertTrue(Switchboard.isNull(concrete, "rule_id"));
    }

    @Test
    void whatServesCarriesItsRouteAndModelAndAgreesWithExplainAndTheUsageRow() throws SQLException {
        String alias = Switchboard.unique("code");
        long id = rule(alias, 10, Map.of("name", Switchboard.unique("python-code"), "code_languages", List.of("python"),
                "target_model", small));
        String name = admin("GET", "/admin/routes/" + id, (String) null).json().getString("name");
        JsonObject explained = explain(alias, "```python\nprint(1)\n```", null);
        Switchboard.Reply served = chat(alias, "```python\nprint(1)\n```");
        assertEquals(200, served.status(), served::toString);
        assertEquals(explained.getString("model"), served.header("x-switchboard-model"));
        assertEquals(small, served.header("x-switchboard-model"));
        assertEquals(name, served.header("x-switchboard-route"), "named rules are shown by name");
        assertEquals(small, served.json().getString("model"), "the engine answered for the model that served");
        Engines.eventually(Duration.ofSeconds(10), () -> name.equals(usageRoute(served.header("x-request-id"))),
                () -> "usage row route " + usageRoute(served.header("x-request-id")));
        Switchboard.Reply direct = chat(small, "hi");
        assertEquals("direct", direct.header("x-switchboard-route"));
    }

    // ---- the GPU-aware choice ----

    @Test
    void aResidentAlternativeServesWhenTheTargetIsColdUnlessHighQualityIsAsked() {
        String cold = Engines.medium("route-cold", 40);
        String alias = Switchboard.unique("chat");
        rule(alias, 10, Map.of("target_model", cold, "alternatives", List.of(small)));
        JsonObject explained = explain(alias, "hi", null);
        assertEquals(small, explained.getString("model"), explained::toString);
        assertEquals("READY", explained.getJsonObject("resident").getJsonObject(small).getString("state"));
        assertEquals("COLD", explained.getJsonObject("resident").getJsonObject(cold).getString("state"));
        Switchboard.Reply quick = chat(alias, "hi");
        assertEquals(200, quick.status(), quick::toString);
        assertEquals(small, quick.header("x-switchboard-model"));
        assertNotNull(quick.header("x-switchboard-route-reason"));
        assertTrue(quick.header("x-switchboard-route-reason").contains(cold + " is cold"), quick.header("x-switchboard-route-reason"));
        assertEquals("COLD", Engines.state(cold), "nobody waited for the cold target");

        Switchboard.Reply best = send("/v1/chat/completions", chatBody(alias, "hi"), "high");
        assertEquals(200, best.status(), best::toString);
        assertEquals(cold, best.header("x-switchboard-model"), "high quality waits for the target");
        assertNull(best.header("x-switchboard-route-reason"));
    }

    // ---- fallbacks before the first byte ----

    @Test
    void aTargetThatCannotFitOrWhoseLoadFailsFallsBackAndSaysWhyStreamsIncluded() {
        String huge = Engines.model("route-huge", 500, "meta-llama/Llama-3.1-405B-Instruct", null, false, false);
        String broken = Engines.model("route-broken", 16, "Qwen/Qwen2.5-7B-Instruct", null, false, false, "--sim-fail-start", "error");
        String alias = Switchboard.unique("big");
        long rule = rule(alias, 10, Map.of("target_model", huge, "fallback_model", small));
        Switchboard.Reply fit = chat(alias, "hi");
        assertEquals(200, fit.status(), fit::toString);
        assertEquals(small, fit.header("x-switchboard-model"));
        assertEquals("cannot_fit", fit.header("x-switchboard-fallback"));

        Switchboard.Reply stream = send("/v1/chat/completions", "{\"model\":\"" + alias + "\",\"stream\":true,\"max_tokens\":3,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}", null);
        assertEquals(200, stream.status(), stream::toString);
        assertEquals("cannot_fit", stream.header("x-switchboard-fallback"));
        assertTrue(stream.body().contains("data: [DONE]"), stream::toString);
        assertTrue(stream.body().contains("\"model\":\"" + small + "\""), stream::toString);

        assertEquals(200, admin("PATCH", "/admin/routes/" + rule, "{\"target_model\": \"" + broken + "\"}").status());
        Switchboard.Reply failed = chat(alias, "hi");
        assertEquals(200, failed.status(), failed::toString);
        assertEquals(small, failed.header("x-switchboard-model"));
        assertEquals("load_failed", failed.header("x-switchboard-fallback"));
        Switchboard.Reply retried = chat(alias, "hi"); // loaded again at once after a first failure, and failed again
        assertEquals("load_failed", retried.header("x-switchboard-fallback"), retried::toString);
        Switchboard.Reply again = chat(alias, "hi"); // the broken model is backing off now
        assertEquals(200, again.status(), again::toString);
        assertEquals("backing_off", again.header("x-switchboard-fallback"));

        Switchboard.Reply noFallback = chat(broken, "hi");
        assertEquals(503, noFallback.status(), "a concrete model has no fallback: " + noFallback);
    }

    @Test
    void aPromptTooLongForTheTargetGoesToAnAlternativeWithRoomOrIsRefusedAsOpenAiDoes() {
        String narrow = model("route-narrow", 512);
        String wide = model("route-wide", 4096);
        String alias = Switchboard.unique("ctx");
        rule(alias, 10, Map.of("target_model", narrow, "alternatives", List.of(wide)));
        JsonObject roomy = explain(alias, "word ".repeat(600), "high"); // about 750 tokens
        assertEquals(wide, roomy.getString("model"), roomy::toString);
        assertTrue(roomy.getString("choice").contains("does not fit"), roomy::toString);
        Switchboard.Reply tooLong = chat(alias, "word ".repeat(5000));
        assertEquals(400, tooLong.status(), tooLong::toString);
        assertEquals("context_length_exceeded", tooLong.error().getString("code"));
        assertEquals("messages", tooLong.error().getString("param"));
        assertEquals("invalid_request_error", tooLong.error().getString("type"));
    }

    // ---- live on a plain SQL edit, on every server ----

    @Test
    void plainSqlInsertUpdateAndDeleteAreInForceWithinASecondOnThisServerAndOnASecondOne() throws Exception {
        String alias = Switchboard.unique("live");
        try (SecondServer second = new SecondServer("switchboard-it-routes", 19181)) {
            second.start(Map.of());
            assertTrue(admin("GET", "/admin/routes", (String) null).json().getBoolean("listening"), "changes arrive as notifications");
            long id = sqlInsert("INSERT INTO route_rule (alias, tenant_id, target_model) VALUES ('" + alias + "', "
                    + tenantId + ", '" + small + "') RETURNING id");
            long inserted = System.nanoTime();
            awaitModel(Switchboard.BASE_URL, alias, small, inserted);
            awaitModel(second.baseUrl(), alias, small, inserted);

            sql("UPDATE route_rule SET target_model = '" + other + "' WHERE id = " + id);
            long updated = System.nanoTime();
            awaitModel(Switchboard.BASE_URL, alias, other, updated);
            awaitModel(second.baseUrl(), alias, other, updated);

            sql("DELETE FROM route_rule WHERE id = " + id);
            long deleted = System.nanoTime();
            awaitModel(Switchboard.BASE_URL, alias, null, deleted);
            awaitModel(second.baseUrl(), alias, null, deleted);
        }
    }

    /** The listening connection killed under the server: it listens again on a new one and catches up. */
    @Test
    void aChangeMadeWhileTheListeningConnectionWasKilledIsInForceWithinASecond() throws Exception {
        String alias = Switchboard.unique("relisten");
        int killed = 0;
        try (Connection db = database(); java.sql.Statement s = db.createStatement();
             ResultSet result = s.executeQuery("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                     + "WHERE datname = current_database() AND application_name = 'switchboard-change-listener'")) {
            result.next();
            killed = result.getInt(1);
        }
        assertTrue(killed >= 1, "the listening connection was found");
        sqlInsert("INSERT INTO route_rule (alias, tenant_id, target_model) VALUES ('" + alias + "', " + tenantId
                + ", '" + small + "') RETURNING id");
        awaitModel(Switchboard.BASE_URL, alias, small, System.nanoTime());
        Engines.eventually(Duration.ofSeconds(5), () -> admin("GET", "/admin/routes", (String) null).json().getBoolean("listening"),
                () -> "not listening again");
    }

    @Test
    void aRuleSetThatDoesNotCompileIsRecordedAndTheLastGoodSetStaysInForce() throws SQLException {
        String alias = Switchboard.unique("broken");
        long id = rule(alias, 10, Map.of("keyword_pattern", "hello", "target_model", small));
        long good = admin("GET", "/admin/routes", (String) null).json().getJsonNumber("version_in_force").longValue();
        try {
            sql("UPDATE route_rule SET keyword_pattern = '(unclosed' WHERE id = " + id);
            Engines.eventually(Duration.ofSeconds(5), () -> !Switchboard.isNull(admin("GET", "/admin/routes", (String) null).json(),
                    "last_error"), () -> "no error reported");
            JsonObject listing = admin("GET", "/admin/routes", (String) null).json();
            assertTrue(listing.getString("last_error").contains("keyword_pattern"), listing::toString);
            assertTrue(listing.getJsonNumber("version").longValue() > listing.getJsonNumber("version_in_force").longValue());
            assertEquals(good, listing.getJsonNumber("version_in_force").longValue(), "the last good set stays");
            assertEquals(small, explain(alias, "hello there", null).getString("model"), "the old rule still routes");
            JsonArray events = admin("GET", "/admin/routes/events", (String) null).json().getJsonArray("data");
            assertTrue(events.getValuesAs(JsonObject.class).stream().anyMatch(e -> e.getString("detail").contains("rule " + id)),
                    events::toString);
        } finally {
            sql("UPDATE route_rule SET keyword_pattern = 'hello' WHERE id = " + id);
        }
        Engines.eventually(Duration.ofSeconds(5), () -> Switchboard.isNull(admin("GET", "/admin/routes", (String) null).json(),
                "last_error"), () -> "still in error");
    }

    // ---- audit ----

    @Test
    void changesThroughTheApiAndByPlainSqlLeaveAuditRowsWithWhoAndTheValuesBeforeAndAfter() throws SQLException {
        String alias = Switchboard.unique("audited");
        Switchboard.Reply created = Switchboard.send(HttpRequest.newBuilder(URI.create(Switchboard.BASE_URL + "/admin/routes"))
                .header("Authorization", "Bearer " + Switchboard.ADMIN_TOKEN).header("Content-Type", "application/json")
                .header("x-switchboard-admin", "alice@example.com")
                .POST(HttpRequest.BodyPublishers.ofString(ruleBody(alias, 10, Map.of("target_model", small)).toString())).build());
        assertEquals(201, created.status(), created::toString);
        long id = created.json().getJsonNumber("id").longValue();
        sql("UPDATE route_rule SET priority = 77 WHERE id = " + id);
        JsonArray audit = admin("GET", "/admin/routes/audit?rule_id=" + id, (String) null).json().getJsonArray("data");
        assertEquals(2, audit.size(), audit::toString);
        JsonObject bySql = audit.getJsonObject(0);
        assertEquals("UPDATE", bySql.getString("action"));
        assertEquals(System.getProperty("switchboard.it.db-user", "switchboard_test"), bySql.getString("db_user"));
        assertTrue(Switchboard.isNull(bySql, "admin"), "plain SQL names no admin");
        assertEquals(10, bySql.getJsonObject("old_value").getInt("priority"));
        assertEquals(77, bySql.getJsonObject("new_value").getInt("priority"));
        JsonObject byApi = audit.getJsonObject(1);
        assertEquals("INSERT", byApi.getString("action"));
        assertEquals("alice@example.com", byApi.getString("admin"));
        assertTrue(Switchboard.isNull(byApi, "old_value"));
        assertEquals(alias, byApi.getJsonObject("new_value").getString("alias"));
    }

    // ---- aliases are models ----

    @Test
    void eachKeySeesTheAliasesItsRulesAllowInTheModelListAndCanFetchOne() {
        String alias = Switchboard.unique("mine");
        rule(alias, 10, Map.of("target_model", small));
        String outsider = Tenants.named("routing-outsider").createWithKey().getString("key");
        assertTrue(modelIds(key).contains(alias), "the tenant's own alias is listed");
        assertTrue(modelIds(key).contains("auto"));
        assertTrue(!modelIds(outsider).contains(alias), "another tenant's alias is not");
        Switchboard.Reply one = Switchboard.tenant("GET", "/v1/models/" + alias, key, null);
        assertEquals(200, one.status(), one::toString);
        assertEquals(alias, one.json().getString("id"));
        assertEquals("model", one.json().getString("object"));
        Switchboard.Reply hidden = Switchboard.tenant("GET", "/v1/models/" + alias, outsider, null);
        assertEquals(404, hidden.status(), hidden::toString);
        assertEquals("model_not_found", hidden.error().getString("code"));
        assertEquals(200, Switchboard.tenant("GET", "/v1/models/" + small, key, null).status());
    }

    // ---- the admin API's own checks ----

    @Test
    void theAdminApiRefusesWhatWouldNotWorkWithA400NamingTheField() {
        String alias = Switchboard.unique("bad");
        assertParam("keyword_pattern", admin("POST", "/admin/routes", ruleBody(alias, 1, Map.of("target_model", small,
                "keyword_pattern", "(oops"))));
        assertParam("target_model", admin("POST", "/admin/routes", ruleBody(alias, 1, Map.of("target_model", "no-such-model"))));
        assertParam("alternatives", admin("POST", "/admin/routes", ruleBody(alias, 1, Map.of("target_model", small,
                "alternatives", List.of("no-such-model")))));
        assertParam("max_messages", admin("POST", "/admin/routes", ruleBody(alias, 1, Map.of("target_model", small,
                "min_messages", 5, "max_messages", 2))));
        assertParam("quality", admin("POST", "/admin/routes", ruleBody(alias, 1, Map.of("target_model", small, "quality", "ultra"))));
        assertParam("alias", admin("POST", "/admin/routes", ruleBody(small, 1, Map.of("target_model", other))));
        assertParam("code_languages", admin("POST", "/admin/routes", ruleBody(alias, 1, Map.of("target_model", small,
                "code_languages", List.of("klingon")))));
        Switchboard.Reply quality = send("/v1/chat/completions", chatBody("auto", "hi"), "best");
        assertEquals(400, quality.status(), quality::toString);
        assertEquals("x-switchboard-quality", quality.error().getString("param"));
    }

    // ---- helpers ----

    private static void assertParam(String param, Switchboard.Reply reply) {
        assertEquals(400, reply.status(), reply::toString);
        assertEquals(param, reply.error().getString("param"), reply::toString);
    }

    /** A rule for the test tenant (unless the fields say otherwise); answers its id. */
    static long rule(String alias, int priority, Map<String, Object> fields) {
        Switchboard.Reply created = admin("POST", "/admin/routes", ruleBody(alias, priority, fields));
        assertEquals(201, created.status(), created::toString);
        return created.json().getJsonNumber("id").longValue();
    }

    static JsonObject ruleBody(String alias, int priority, Map<String, Object> fields) {
        JsonObjectBuilder body = Json.createObjectBuilder().add("alias", alias).add("priority", priority).add("tenant_id", tenantId);
        fields.forEach((field, value) -> {
            if (value instanceof String text) body.add(field, text);
            else if (value instanceof Integer number) body.add(field, number);
            else if (value instanceof Boolean flag) body.add(field, flag);
            else if (value instanceof JsonValue json) body.add(field, json);
            else if (value instanceof List<?> list) body.add(field, Json.createArrayBuilder(list));
        });
        return body.build();
    }

    static JsonObject explain(String model, String userMessage, String quality) {
        return explain(model, chatBody(model, userMessage), "chat", quality);
    }

    static JsonObject explain(String model, String body, String endpoint, String quality) {
        return explainFor(tenantId, body.startsWith("{") ? body.replace("PLACEHOLDER", model) : chatBody(model, body), endpoint, quality);
    }

    static JsonObject explainFor(long tenant, String requestBody, String endpoint, String quality) {
        JsonObjectBuilder body = Json.createObjectBuilder().add("tenant_id", tenant).add("endpoint", endpoint)
                .add("request", Json.createReader(new java.io.StringReader(requestBody)).readObject());
        if (quality != null) body.add("quality", quality);
        Switchboard.Reply reply = admin("POST", "/admin/routes/explain", body.build());
        assertEquals(200, reply.status(), reply::toString);
        return reply.json();
    }

    static long ruleOf(JsonObject explanation) {
        assertTrue(!Switchboard.isNull(explanation, "rule_id"), explanation::toString);
        return explanation.getJsonNumber("rule_id").longValue();
    }

    static String chatBody(String model, String content) {
        return Json.createObjectBuilder().add("model", model).add("max_tokens", 2)
                .add("messages", Json.createArrayBuilder().add(Json.createObjectBuilder().add("role", "user").add("content", content)))
                .build().toString();
    }

    static String promptBody(String model, String prompt) {
        return Json.createObjectBuilder().add("model", model).add("max_tokens", 2).add("prompt", prompt).build().toString();
    }

    /** A chat body (its model filled in by explain) of {@code count} messages, the last the user's. */
    static String messages(int count, String last) {
        var messages = Json.createArrayBuilder();
        for (int i = 1; i < count; i++) {
            messages.add(Json.createObjectBuilder().add("role", i % 2 == 1 ? "user" : "assistant").add("content", "turn " + i));
        }
        messages.add(Json.createObjectBuilder().add("role", "user").add("content", last));
        return "{\"model\":\"PLACEHOLDER\",\"messages\":" + messages.build() + "}";
    }

    static Switchboard.Reply chat(String model, String content) {
        return send("/v1/chat/completions", chatBody(model, content), null);
    }

    static Switchboard.Reply send(String path, String body, String quality) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(Switchboard.BASE_URL + path)).timeout(Duration.ofSeconds(60))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (quality != null) request.header("x-switchboard-quality", quality);
        return Switchboard.send(request.build());
    }

    static String model(String stem, int maxModelLen) {
        String name = Switchboard.unique(stem);
        Switchboard.Reply created = admin("POST", "/admin/models", Json.createObjectBuilder().add("name", name).add("engine", "sim")
                .add("model_id", "Qwen/Qwen2.5-7B-Instruct").add("gpu_memory_gib", 16).add("max_model_len", maxModelLen).build());
        assertEquals(201, created.status(), created::toString);
        return name;
    }

    static List<String> modelIds(String apiKey) {
        Switchboard.Reply list = Switchboard.tenant("GET", "/v1/models", apiKey, null);
        assertEquals(200, list.status(), list::toString);
        return list.json().getJsonArray("data").getValuesAs(JsonObject.class).stream().map(m -> m.getString("id")).toList();
    }

    /** Waits until explain on that server answers {@code expected} for the alias (null: no such model), at most a second after {@code sinceNanos}. */
    static void awaitModel(String baseUrl, String alias, String expected, long sinceNanos) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        String body = Json.createObjectBuilder().add("tenant_id", tenantId).add("endpoint", "chat")
                .add("request", Json.createReader(new java.io.StringReader(chatBody(alias, "hi"))).readObject()).build().toString();
        String seen = "nothing";
        while (System.nanoTime() - sinceNanos < 1_000_000_000L) {
            HttpResponse<String> reply = http.send(HttpRequest.newBuilder(URI.create(baseUrl + "/admin/routes/explain"))
                    .header("Authorization", "Bearer " + Switchboard.ADMIN_TOKEN).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
            seen = reply.statusCode() + " " + reply.body();
            if (expected == null ? reply.statusCode() == 404 : reply.statusCode() == 200 && reply.body().contains("\"model\":\"" + expected + "\"")) {
                return;
            }
            Thread.sleep(20);
        }
        throw new AssertionError(baseUrl + " did not route " + alias + " to " + expected + " within a second; last: " + seen);
    }

    static String usageRoute(String requestId) {
        try (Connection db = database();
             PreparedStatement query = db.prepareStatement("SELECT route FROM usage_record WHERE request_id = ?")) {
            query.setString(1, requestId);
            try (ResultSet result = query.executeQuery()) {
                return result.next() ? result.getString(1) : null;
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    static void sql(String statement) throws SQLException {
        try (Connection db = database(); java.sql.Statement s = db.createStatement()) {
            s.execute(statement);
        }
    }

    static long sqlInsert(String statement) throws SQLException {
        try (Connection db = database(); java.sql.Statement s = db.createStatement(); ResultSet result = s.executeQuery(statement)) {
            result.next();
            return result.getLong(1);
        }
    }

    static Connection database() throws SQLException {
        return DriverManager.getConnection(System.getProperty("switchboard.it.db-url"),
                System.getProperty("switchboard.it.db-user"), System.getProperty("switchboard.it.db-password"));
    }
}
