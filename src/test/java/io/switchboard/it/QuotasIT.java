package io.switchboard.it;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.errors.RateLimitException;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.switchboard.it.Switchboard.admin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Quotas that hold: a burst gets exactly what a limit allows, a budget cannot be passed by concurrent
 * requests, what a request did not use comes back, keys and end users have their own limits, budgets reset,
 * the 429s are OpenAI's (and its SDK does not retry a spent budget), and two servers share one limit.
 */
class QuotasIT {

    static String model;
    static String priced;

    @BeforeAll
    static void models() {
        Engines.reset();
        model = Engines.small("quota", false);
        priced = Engines.model("quota-priced", 16, "Qwen/Qwen2.5-7B-Instruct", null, false, false, "--sim-tpot-ms", "200");
        assertEquals(201, admin("POST", "/admin/models/" + priced + "/prices", Json.createObjectBuilder()
                .add("valid_from", "2020-01-01T00:00:00Z").add("input_per_mtok", 0.15).add("output_per_mtok", 0.60)
                .build()).status());
        // loads both before the bursts, so no test waits for an engine
        assertEquals(200, chat(Tenants.named("warm").allowedModels(model, priced).createWithKey().getString("key"),
                model, 1, null).status());
    }

    static Switchboard.Reply chat(String key, String model, int maxTokens, String user) {
        return Switchboard.tenant("POST", "/v1/chat/completions", key, "{\"model\":\"" + model + "\",\"max_tokens\":"
                + maxTokens + ",\"ignore_eos\":true," + (user == null ? "" : "\"user\":\"" + user + "\",")
                + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
    }

    static List<Switchboard.Reply> burst(int requests, Callable<Switchboard.Reply> request) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(requests);
        try {
            List<Future<Switchboard.Reply>> replies = new ArrayList<>();
            for (int i = 0; i < requests; i++) replies.add(pool.submit(request));
            List<Switchboard.Reply> done = new ArrayList<>();
            for (Future<Switchboard.Reply> reply : replies) done.add(reply.get());
            return done;
        } finally {
            pool.shutdownNow();
        }
    }

    static long count(List<Switchboard.Reply> replies, int status) {
        return replies.stream().filter(r -> r.status() == status).count();
    }

    static JsonObject tenantWith(String limits) {
        JsonObject tenant = Switchboard.admin("POST", "/admin/tenants", "{\"name\":\"" + Switchboard.unique("quota")
                + "\",\"allowed_models\":[\"" + model + "\",\"" + priced + "\"]," + limits + "}").json();
        return Tenants.newKey(tenant.getJsonNumber("id").longValue(), null);
    }

    @Test
    void exactlyNRequestsPassALimitOfNPerMinuteUnderABurst() throws Exception {
        String key = tenantWith("\"rpm_limit\": 20").getString("key");
        List<Switchboard.Reply> replies = burst(40, () -> chat(key, model, 1, null));
        assertEquals(20, count(replies, 200), () -> replies.stream().map(Switchboard.Reply::status).toList().toString());
        assertEquals(20, count(replies, 429));
        Switchboard.Reply refused = replies.stream().filter(r -> r.status() == 429).findFirst().orElseThrow();
        assertEquals("rate_limit_exceeded", refused.error().getString("code"));
        assertEquals("requests", refused.error().getString("type"));
        assertTrue(refused.error().getString("message").contains("tenant '"), refused::toString);
        assertTrue(refused.error().getString("message").contains("Limit 20"), refused::toString);
        assertEquals(model, refused.header("x-switchboard-model"), "a refusal still says which model would have served");
        assertEquals("direct", refused.header("x-switchboard-route"));
        // the burst used the whole minute in one 6-second bucket: room comes back when that bucket leaves the minute
        int retryAfter = Integer.parseInt(refused.header("retry-after"));
        long retryAfterMs = Long.parseLong(refused.header("retry-after-ms"));
        assertTrue(retryAfter >= 54 && retryAfter <= 60, "retry-after " + retryAfter);
        assertEquals(retryAfter, (retryAfterMs + 999) / 1000);
        String wait = retryAfter < 60 ? retryAfter + "s" : "1m0s";
        assertTrue(refused.error().getString("message").contains("Please try again in " + wait), refused::toString);
        Switchboard.Reply ok = replies.stream().filter(r -> r.status() == 200).findFirst().orElseThrow();
        assertEquals("20", ok.header("x-ratelimit-limit-requests"));
        assertNotNull(ok.header("x-ratelimit-remaining-requests"));
        assertNotNull(ok.header("x-ratelimit-reset-requests"));
    }

    @Test
    void aHundredConcurrentRequestsCannotTakeATenantPastItsTokenBudgetOrSpendLimit() throws Exception {
        JsonObject tokens = tenantWith("\"monthly_token_budget\": 3000");
        List<Switchboard.Reply> replies = burst(100, () -> chat(tokens.getString("key"), model, 20, null));
        assertTrue(count(replies, 200) > 10, "some fit: " + count(replies, 200));
        assertTrue(count(replies, 429) > 0, "not all fit");
        Switchboard.Reply refused = replies.stream().filter(r -> r.status() == 429).findFirst().orElseThrow();
        assertEquals("insufficient_quota", refused.error().getString("code"));
        assertEquals("false", refused.header("x-should-retry"));
        assertTrue(usedTokens(tokens.getJsonNumber("tenant_id").longValue()) <= 3000);

        // 0.0001 of the currency: 100 micro-units; a request costs at most about 18 of them
        JsonObject spend = tenantWith("\"monthly_spend_limit\": 0.0001");
        List<Switchboard.Reply> spent = burst(100, () -> chat(spend.getString("key"), priced, 20, null));
        assertTrue(count(spent, 200) >= 1 && count(spent, 429) > 0, spent.stream().map(Switchboard.Reply::status).toList()::toString);
        assertTrue(usedPicos(spend.getJsonNumber("tenant_id").longValue()) <= 100L * 1_000_000);
    }

    @Test
    void aStreamCancelledEarlyGivesBackWhatItDidNotGenerate() throws Exception {
        // the limit holds one request's worst case (prompt bound plus 150), not two
        String key = tenantWith("\"tpm_limit\": 250").getString("key");
        HttpRequest request = HttpRequest.newBuilder(URI.create(Switchboard.BASE_URL + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + priced + "\",\"stream\":true,\"max_tokens\":150,"
                        + "\"ignore_eos\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).build();
        HttpResponse<InputStream> stream = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, stream.statusCode());
        try (InputStream body = stream.body()) {
            body.readNBytes(200); // the first few chunks
        } // cancelled
        Engines.eventually(Duration.ofSeconds(10), () -> chatStatus(key, 150) == 200,
                () -> "the cancelled stream's unused tokens did not come back");
    }

    static int chatStatus(String key, int maxTokens) {
        return chat(key, priced, maxTokens, null).status();
    }

    @Test
    void keysAndEndUsersHaveLimitsOfTheirOwn() {
        JsonObject tenant = Switchboard.admin("POST", "/admin/tenants", "{\"name\":\"" + Switchboard.unique("scopes")
                + "\",\"end_user_rpm_limit\": 2}").json();
        long tenantId = tenant.getJsonNumber("id").longValue();
        assertEquals(2, tenant.getInt("end_user_rpm_limit"));
        Switchboard.Reply limitedKey = admin("POST", "/admin/tenants/" + tenantId + "/keys", "{\"name\":\"ci\",\"rpm_limit\":3}");
        assertEquals(201, limitedKey.status(), limitedKey::toString);
        assertEquals(3, limitedKey.json().getInt("rpm_limit"));
        String limited = limitedKey.json().getString("key");
        String other = Tenants.newKey(tenantId, null).getString("key");

        for (int i = 0; i < 3; i++) assertEquals(200, chat(limited, model, 1, null).status());
        Switchboard.Reply fourth = chat(limited, model, 1, null);
        assertEquals(429, fourth.status());
        assertTrue(fourth.error().getString("message").contains("API key"), fourth::toString);
        assertEquals(200, chat(other, model, 1, null).status(), "the tenant's other key is not limited");

        assertEquals(200, chat(other, model, 1, "alice").status());
        Switchboard.Reply header = Switchboard.send(HttpRequest.newBuilder(URI.create(Switchboard.BASE_URL + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + other).header("x-switchboard-user", "alice")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model + "\",\"max_tokens\":1,"
                        + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).build());
        assertEquals(200, header.status(), "the header names the same end user");
        Switchboard.Reply third = chat(other, model, 1, "alice");
        assertEquals(429, third.status());
        assertTrue(third.error().getString("message").contains("end user 'alice'"), third::toString);
        assertEquals(200, chat(other, model, 1, "bob").status(), "another end user has a limit of their own");

        Switchboard.Reply patched = admin("PATCH", "/admin/tenants/" + tenantId + "/keys/" + limitedKey.json().getJsonNumber("id"),
                "{\"rpm_limit\": null}");
        assertEquals(200, patched.status(), patched::toString);
    }

    @Test
    void aResetStartsASpentBudgetAfresh() {
        JsonObject key = tenantWith("\"daily_token_budget\": 200");
        long tenantId = key.getJsonNumber("tenant_id").longValue();
        Switchboard.Reply reply;
        int served = 0;
        while ((reply = chat(key.getString("key"), model, 40, null)).status() == 200) served++;
        assertTrue(served >= 1 && served <= 3, "served " + served);
        assertEquals(429, reply.status());
        assertEquals("insufficient_quota", reply.error().getString("code"));
        assertTrue(reply.error().getString("message").contains("daily token budget"), reply::toString);
        assertTrue(reply.error().getString("message").contains("resets at"), reply::toString);

        assertEquals(200, admin("POST", "/admin/tenants/" + tenantId + "/budgets/reset", (String) null).status());
        assertEquals(200, chat(key.getString("key"), model, 40, null).status(), "the budget starts afresh");
        assertEquals(404, admin("POST", "/admin/tenants/999999999/budgets/reset", (String) null).status());
    }

    @Test
    void theOpenAiSdkSeesARateLimitExceptionAndDoesNotRetryASpentBudget() throws Exception {
        JsonObject key = tenantWith("\"daily_token_budget\": 1");
        long tenantId = key.getJsonNumber("tenant_id").longValue();
        OpenAIClient client = OpenAIOkHttpClient.builder().baseUrl(Switchboard.BASE_URL + "/v1")
                .apiKey(key.getString("key")).maxRetries(2).build();
        RateLimitException refused = assertThrows(RateLimitException.class, () -> client.chat().completions().create(
                ChatCompletionCreateParams.builder().model(model).addUserMessage("hi").maxCompletionTokens(5).build()));
        assertEquals(429, refused.statusCode());
        assertEquals("insufficient_quota", refused.code().orElse(null));
        Thread.sleep(500); // a retry, had there been one, would have come by now
        assertEquals(1, refusals(tenantId), "x-should-retry: false: the SDK tried once");
    }

    @Test
    void twoServersOnOneDatabaseShareALimit() throws Exception {
        String key = tenantWith("\"rpm_limit\": 20").getString("key");
        try (SecondServer second = new SecondServer("switchboard-it-replica", 19190)) {
            second.start(Map.of());
            Engines.eventually(Duration.ofSeconds(60), () -> Switchboard.send(HttpRequest.newBuilder(URI.create(
                    second.baseUrl() + "/v1/models")).header("Authorization", "Bearer " + key).build()).status() == 200,
                    () -> "the second server does not know the key");
            List<Switchboard.Reply> replies = burst(40, new Callable<>() {
                int turn;

                @Override
                public synchronized Switchboard.Reply call() {
                    String base = turn++ % 2 == 0 ? Switchboard.BASE_URL : second.baseUrl();
                    return Switchboard.send(HttpRequest.newBuilder(URI.create(base + "/v1/chat/completions"))
                            .header("Authorization", "Bearer " + key).timeout(Duration.ofSeconds(60))
                            .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model + "\",\"max_tokens\":1,"
                                    + "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).build());
                }
            });
            long served = count(replies, 200);
            assertTrue(served <= 20, "together never more than the limit: " + served);
            assertTrue(served > 10, "both servers serve from the one limit: " + served);
            assertEquals(40, served + count(replies, 429), replies.stream().map(Switchboard.Reply::status).toList()::toString);
        }
    }

    @Test
    void crossingBudgetThresholdsRecordsAlertsAndPostsSignedWebhooksOnce() throws Exception {
        List<String[]> received = new java.util.concurrent.CopyOnWriteArrayList<>();
        com.sun.net.httpserver.HttpServer hook = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        hook.createContext("/alerts", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            received.add(new String[] {body, exchange.getRequestHeaders().getFirst("x-switchboard-signature"),
                    exchange.getRequestHeaders().getFirst("x-switchboard-timestamp")});
            exchange.sendResponseHeaders(received.size() == 1 ? 500 : 204, -1); // the first delivery fails: it is retried
            exchange.close();
        });
        hook.start();
        try {
            String url = "http://127.0.0.1:" + hook.getAddress().getPort() + "/alerts";
            JsonObject tenant = Switchboard.admin("POST", "/admin/tenants", Json.createObjectBuilder()
                    .add("name", Switchboard.unique("alerted")).add("monthly_token_budget", 2000)
                    .add("alert_webhook_url", url).add("alert_webhook_secret", "s3cret").build()).json();
            long tenantId = tenant.getJsonNumber("id").longValue();
            assertEquals(url, tenant.getString("alert_webhook_url"));
            assertTrue(tenant.getBoolean("alert_webhook_secret_set"));
            assertTrue(!tenant.toString().contains("s3cret"), "the secret is never shown");
            String key = Tenants.newKey(tenantId, null).getString("key");
            // each request uses some 50 tokens (its prompt and 40 generated) and reserves some 80: use passes 80 and
            // 95 %, and the first request the budget refuses makes it 100 %
            while (chat(key, model, 40, null).status() == 200) {
                // until the budget is spent
            }
            Engines.eventually(Duration.ofSeconds(20), () -> alerts(tenantId).size() == 3,
                    () -> "alerts: " + alerts(tenantId));
            List<Integer> thresholds = alerts(tenantId).stream().map(a -> a.asJsonObject().getInt("threshold")).sorted().toList();
            assertEquals(List.of(80, 95, 100), thresholds);
            Engines.eventually(Duration.ofSeconds(20), () -> received.size() == 4, () -> received.size() + " webhook posts");
            Thread.sleep(2_000); // nothing more comes: once per threshold and period
            assertEquals(4, received.size(), "three alerts, one of them posted twice (its first post failed)");
            for (String[] post : received) {
                assertEquals("sha256=" + io.switchboard.quotas.control.BudgetAlerts.sign("s3cret", post[2] + "." + post[0]),
                        post[1], "signed with the tenant's secret");
                assertEquals(tenantId, Json.createReader(new java.io.StringReader(post[0])).readObject()
                        .getJsonNumber("tenant_id").longValue());
            }
            Engines.eventually(Duration.ofSeconds(10), () -> alerts(tenantId).stream()
                    .allMatch(a -> !Switchboard.isNull(a.asJsonObject(), "delivered_at")), () -> "not all delivered");
        } finally {
            hook.stop(0);
        }
    }

    @Test
    void atASaturatedModelOneTenantsFloodDoesNotStarveAnothersTrickle() throws Exception {
        // two requests at a time, each about half a second: sixteen flooding clients keep it saturated
        String saturated = Engines.model("saturated", 16, "Qwen/Qwen2.5-7B-Instruct", null, false, false,
                "--max-num-seqs", "2", "--sim-tpot-ms", "100");
        String flood = Tenants.named("flood").allowedModels(saturated).createWithKey().getString("key");
        String trickle = Tenants.named("trickle").allowedModels(saturated).createWithKey().getString("key");
        assertEquals(200, chat(flood, saturated, 1, null).status()); // loaded
        java.util.concurrent.atomic.AtomicBoolean flooding = new java.util.concurrent.atomic.AtomicBoolean(true);
        List<Long> floodMillis = new java.util.concurrent.CopyOnWriteArrayList<>();
        ExecutorService floods = Executors.newFixedThreadPool(16);
        for (int c = 0; c < 16; c++) {
            floods.submit(() -> {
                while (flooding.get()) {
                    long start = System.nanoTime();
                    if (chat(flood, saturated, 50, null).status() == 200) floodMillis.add((System.nanoTime() - start) / 1_000_000);
                }
            });
        }
        List<Long> trickleMillis = new ArrayList<>();
        try {
            Thread.sleep(2_000); // the flood's queue builds up
            for (int i = 0; i < 6; i++) {
                long start = System.nanoTime();
                Switchboard.Reply reply = chat(trickle, saturated, 50, null);
                assertEquals(200, reply.status(), reply::toString);
                trickleMillis.add((System.nanoTime() - start) / 1_000_000);
                Thread.sleep(1_000);
            }
        } finally {
            flooding.set(false);
            floods.shutdown();
            floods.awaitTermination(60, java.util.concurrent.TimeUnit.SECONDS);
        }
        List<Long> sortedFlood = floodMillis.stream().sorted().toList();
        long floodMedian = sortedFlood.get(sortedFlood.size() / 2);
        long trickleWorst = trickleMillis.stream().mapToLong(Long::longValue).max().orElseThrow();
        assertTrue(floodMedian > 2_000, "the model was saturated: the flood's median " + floodMedian + " ms");
        assertTrue(trickleWorst < floodMedian / 2, "the trickle waited " + trickleMillis + " ms, the flood's median "
                + floodMedian + " ms");
    }

    @Test
    void whileTheDatabaseIsAwayKnownKeysAreServedWithinTheirLimitAndTheCountersReconcileAfter() throws Exception {
        JsonObject key = tenantWith("\"rpm_limit\": 10");
        long tenantId = key.getJsonNumber("tenant_id").longValue();
        assertEquals(200, chat(key.getString("key"), model, 1, null).status()); // known: its key check is cached
        String role = System.getProperty("switchboard.it.db-user", "switchboard_test");
        List<Switchboard.Reply> during;
        try {
            operator("ALTER ROLE " + role + " NOLOGIN");
            operator("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '" + role + "'");
            during = new ArrayList<>();
            for (int i = 0; i < 15; i++) during.add(chat(key.getString("key"), model, 1, null));
        } finally {
            operator("ALTER ROLE " + role + " LOGIN");
        }
        // one request before, the rest of the minute's ten during: enforced on this server alone
        assertEquals(9, count(during, 200), during.stream().map(Switchboard.Reply::status).toList()::toString);
        assertEquals(6, count(during, 429));
        // back: what was granted while it was away is written as leases, so the counters hold all ten
        Engines.eventually(Duration.ofSeconds(15), () -> leased("tenant:" + tenantId, "rpm") >= 10,
                () -> "leased " + leased("tenant:" + tenantId, "rpm"));
    }

    static long leased(String scope, String metric) {
        try (Connection db = DriverManager.getConnection(System.getProperty("switchboard.it.db-url"),
                System.getProperty("switchboard.it.db-user"), System.getProperty("switchboard.it.db-password"));
             PreparedStatement query = db.prepareStatement("SELECT coalesce(sum(leased), 0) FROM quota_lease "
                     + "WHERE scope = ? AND metric = ? AND window_end > now() - interval '60 seconds'")) {
            query.setString(1, scope);
            query.setString(2, metric);
            try (ResultSet result = query.executeQuery()) {
                result.next();
                return result.getLong(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void operator(String sql) throws SQLException {
        try (Connection db = DriverManager.getConnection(System.getProperty("switchboard.it.db-url"),
                "switchboard_test_operator", "switchboard_test_operator");
             java.sql.Statement statement = db.createStatement()) {
            statement.execute(sql);
        }
    }

    static jakarta.json.JsonArray alerts(long tenantId) {
        Switchboard.Reply reply = admin("GET", "/admin/alerts?tenant=" + tenantId, (String) null);
        assertEquals(200, reply.status(), reply::toString);
        return reply.json().getJsonArray("data");
    }

    static long usedTokens(long tenantId) throws SQLException {
        return sum("SELECT coalesce(sum(prompt_tokens + completion_tokens), 0) FROM usage_record WHERE tenant_id = ?", tenantId);
    }

    static long usedPicos(long tenantId) throws SQLException {
        return sum("SELECT coalesce(sum(cost_picos), 0) FROM usage_record WHERE tenant_id = ?", tenantId);
    }

    static long refusals(long tenantId) throws SQLException {
        return sum("SELECT count(*) FROM usage_record WHERE tenant_id = ? AND http_status = 429", tenantId);
    }

    static long sum(String sql, long tenantId) throws SQLException {
        Engines.eventually(Duration.ofSeconds(5), () -> true, () -> "");
        try {
            Thread.sleep(600); // the usage writer batches every 50 ms; give it a few
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Connection db = DriverManager.getConnection(System.getProperty("switchboard.it.db-url"),
                System.getProperty("switchboard.it.db-user"), System.getProperty("switchboard.it.db-password"));
             PreparedStatement query = db.prepareStatement(sql)) {
            query.setLong(1, tenantId);
            try (ResultSet result = query.executeQuery()) {
                result.next();
                return result.getLong(1);
            }
        }
    }
}
