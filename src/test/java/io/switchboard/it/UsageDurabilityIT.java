package io.switchboard.it;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * No usage row is lost or counted twice: not when Switchboard is killed with kill -9 under load (a second
 * server, its rows still only in its journal at the kill), not when the database is away under load (its
 * login taken away, or PostgreSQL itself stopped and started again).
 */
class UsageDurabilityIT {

    private static final String APP_ROLE = System.getProperty("switchboard.it.db-user", "switchboard_test");

    @Test
    void everyResponseReceivedInFullHasExactlyOneRowAfterAKill9() throws Exception {
        String model = Engines.small("durable", false);
        jakarta.json.JsonObject tenant = Tenants.named("durable").allowedModels(model).createWithKey();
        String apiKey = tenant.getString("key");
        try (SecondServer server = new SecondServer("switchboard-it-kill9", 19180)) {
            // a minute between database writes: at the kill, the rows are in the journal only
            server.start(Map.of("SWITCHBOARD_USAGE_FLUSH_MS", "60000"));
            Set<String> received = ConcurrentHashMap.newKeySet();
            AtomicBoolean loading = new AtomicBoolean(true);
            ExecutorService clients = load(server.baseUrl(), apiKey, model, received, loading, 6);
            Engines.eventually(Duration.ofSeconds(60), () -> received.size() >= 60, () -> received.size() + " answers");
            server.kill9(); // mid-load: some requests are cut off; those the clients got in full count
            loading.set(false);
            clients.shutdown();
            assertTrue(clients.awaitTermination(30, TimeUnit.SECONDS));
            assertEquals(0, rowCounts(received).size(), "with a minute between writes, no row is in the database yet");

            server.start(Map.of("SWITCHBOARD_USAGE_FLUSH_MS", "200")); // replays its journal
            Engines.eventually(Duration.ofSeconds(30), () -> rowCounts(received).size() == received.size(),
                    () -> rowCounts(received).size() + " of " + received.size() + " rows");
            rowCounts(received).forEach((id, rows) -> assertEquals(1, rows, id));
            assertRollupsMatchRows(tenant.getJsonNumber("tenant_id").longValue());
            // the killed server's engine events end READY: serve once more here, so the clean stop below ends
            // the model's trail in COLD (EngineEventsAfterShutdownCheck reads every test model's trail)
            Set<String> after = ConcurrentHashMap.newKeySet();
            AtomicBoolean once = new AtomicBoolean(true);
            ExecutorService last = load(server.baseUrl(), apiKey, model, after, once, 1);
            Engines.eventually(Duration.ofSeconds(60), () -> !after.isEmpty(), () -> "the restarted server does not serve");
            once.set(false);
            last.shutdown();
            assertTrue(last.awaitTermination(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void rowsMadeWhileTheDatabaseIsAwayAreWrittenOnceWhenItIsBack() throws Exception {
        rowsMadeDuringAnOutageAreWrittenOnce("outage", () -> {
            operator("ALTER ROLE " + APP_ROLE + " NOLOGIN");
            operator("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = '" + APP_ROLE + "'");
        }, () -> operator("ALTER ROLE " + APP_ROLE + " LOGIN"));
    }

    @Test
    void rowsMadeWhilePostgresqlRestartsAreWrittenOnceWhenItIsBack() throws Exception {
        String cluster = System.getProperty("switchboard.it.db-cluster", "");
        assumeFalse(cluster.isBlank(), "the database is not a local cluster that ./switchboard test may restart");
        // a restart (pg_ctlcluster restart is stop then start) with time between for requests to be made
        rowsMadeDuringAnOutageAreWrittenOnce("restart", () -> pgCtlCluster(cluster, "stop"), () -> pgCtlCluster(cluster, "start"));
    }

    interface Step {
        void run() throws Exception;
    }

    /** Under load, the database goes away (keys and catalog are cached: requests go on being served) and comes back. */
    private static void rowsMadeDuringAnOutageAreWrittenOnce(String name, Step goAway, Step comeBack) throws Exception {
        String model = Engines.small(name, false);
        jakarta.json.JsonObject tenant = Tenants.named(name).allowedModels(model).createWithKey();
        Set<String> received = ConcurrentHashMap.newKeySet();
        AtomicBoolean loading = new AtomicBoolean(true);
        ExecutorService clients = load(Switchboard.BASE_URL, tenant.getString("key"), model, received, loading, 4);
        try {
            Engines.eventually(Duration.ofSeconds(60), () -> received.size() >= 20, () -> received.size() + " answers");
            goAway.run();
            int before = received.size();
            Engines.eventually(Duration.ofSeconds(30), () -> received.size() >= before + 40,
                    () -> (received.size() - before) + " answers while the database was away");
        } finally {
            comeBack.run();
        }
        loading.set(false);
        clients.shutdown();
        assertTrue(clients.awaitTermination(30, TimeUnit.SECONDS));
        Engines.eventually(Duration.ofSeconds(30), () -> rowCounts(received).size() == received.size(),
                () -> rowCounts(received).size() + " of " + received.size() + " rows");
        rowCounts(received).forEach((id, rows) -> assertEquals(1, rows, id));
        assertRollupsMatchRows(tenant.getJsonNumber("tenant_id").longValue());
    }

    /** The tenant's daily rollups hold exactly what its rows hold: requests, tokens and cost, none counted twice. */
    static void assertRollupsMatchRows(long tenantId) {
        String rows = "SELECT count(*), coalesce(sum(prompt_tokens), 0), coalesce(sum(completion_tokens), 0), "
                + "coalesce(sum(cost_picos), 0) FROM usage_record WHERE tenant_id = ?";
        String rollups = "SELECT coalesce(sum(requests), 0), coalesce(sum(prompt_tokens), 0), coalesce(sum(completion_tokens), 0), "
                + "coalesce(sum(cost_picos), 0) FROM usage_daily WHERE tenant_id = ?";
        Engines.eventually(Duration.ofSeconds(10), () -> sums(rows, tenantId).equals(sums(rollups, tenantId)),
                () -> "rows " + sums(rows, tenantId) + ", rollups " + sums(rollups, tenantId));
    }

    private static List<Long> sums(String sql, long tenantId) {
        try (Connection db = UsageAccountingIT.db();
             PreparedStatement query = db.prepareStatement(sql)) {
            query.setLong(1, tenantId);
            try (ResultSet result = query.executeQuery()) {
                result.next();
                return List.of(result.getLong(1), result.getLong(2), result.getLong(3), result.getLong(4));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aRowPostgresqlRefusesIsSetAsideAndTheRowsBehindItAreStillWritten() throws Exception {
        String model = Engines.small("refused", false);
        String apiKey = Tenants.named("refused").allowedModels(model).createWithKey().getString("key");
        // a value no column takes: here a constraint the test adds for one end user (in real life a migration's
        // narrower column, a clock far off into a partition that cannot be made, ...)
        String refusedUser = "refused-" + System.nanoTime(); // this run's: the database keeps earlier runs' rows
        owner("ALTER TABLE usage_record ADD CONSTRAINT it_refuses_one_user CHECK (end_user IS DISTINCT FROM '" + refusedUser + "')");
        try {
            double setAsideBefore = metric("switchboard_usage_rows_set_aside_total");
            Set<String> written = new java.util.LinkedHashSet<>();
            String refused = null;
            for (int i = 0; i < 12; i++) {
                String user = i == 4 ? refusedUser : "user-" + i;
                Switchboard.Reply reply = Switchboard.send("POST", "/v1/chat/completions", apiKey, "{\"model\":\"" + model
                        + "\",\"max_tokens\":4,\"user\":\"" + user + "\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
                assertEquals(200, reply.status(), reply::toString);
                if (i == 4) refused = reply.header("x-request-id");
                else written.add(reply.header("x-request-id"));
            }
            Engines.eventually(Duration.ofSeconds(30), () -> rowCounts(written).size() == written.size(),
                    () -> rowCounts(written).size() + " of the " + written.size() + " other rows written");
            rowCounts(written).forEach((id, rows) -> assertEquals(1, rows, id));
            assertEquals(Map.of(), rowCounts(Set.of(refused)), "the refused row is not in the database");
            assertEquals(setAsideBefore + 1, metric("switchboard_usage_rows_set_aside_total"), "set aside, counted");
        } finally {
            owner("ALTER TABLE usage_record DROP CONSTRAINT IF EXISTS it_refuses_one_user");
        }
    }

    private static double metric(String name) {
        return Switchboard.send("GET", "/metrics", null, null).body().lines().filter(l -> l.startsWith(name + " ") || l.startsWith(name + "{"))
                .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    /** As the application's role, which owns its tables. */
    private static void owner(String sql) throws SQLException {
        try (Connection db = UsageAccountingIT.db();
             Statement statement = db.createStatement()) {
            statement.execute(sql);
        }
    }

    /** Stops or starts the local cluster ("15/main"), as root with systemd left out, as this project's machines run it. */
    private static void pgCtlCluster(String cluster, String action) throws Exception {
        String[] versionAndName = cluster.split("/");
        List<String> command = "root".equals(System.getProperty("user.name"))
                ? List.of("pg_ctlcluster", "--skip-systemctl-redirect", versionAndName[0], versionAndName[1], action)
                : List.of("pg_ctlcluster", versionAndName[0], versionAndName[1], action);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "pg_ctlcluster " + action + " did not finish");
        assertEquals(0, process.exitValue(), "pg_ctlcluster " + action + ": " + output);
    }

    /** Clients sending streamed and whole requests until told to stop; the ids of answers received in full. */
    static ExecutorService load(String baseUrl, String apiKey, String model, Set<String> received, AtomicBoolean loading,
                                int clients) {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        for (int c = 0; c < clients; c++) {
            boolean stream = c % 2 == 0;
            pool.submit(() -> {
                HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
                while (loading.get()) {
                    HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl + "/v1/chat/completions"))
                            .timeout(Duration.ofSeconds(20)).header("Authorization", "Bearer " + apiKey)
                            .header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + model + "\",\"stream\":" + stream
                                    + ",\"max_tokens\":8,\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}]}"))
                            .build();
                    try {
                        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                        boolean whole = response.statusCode() == 200 && (stream
                                ? response.body().endsWith("data: [DONE]\n\n") : response.body().endsWith("}"));
                        if (whole) received.add(response.headers().firstValue("x-request-id").orElseThrow());
                    } catch (Exception cutOff) {
                        sleepQuietly(100); // the server is gone or going: not received in full
                    }
                }
            });
        }
        return pool;
    }

    /** How many rows each of these request ids has (ids without a row are absent). */
    static Map<String, Integer> rowCounts(Set<String> requestIds) {
        Map<String, Integer> counts = new HashMap<>();
        try (Connection db = UsageAccountingIT.db();
             PreparedStatement query = db.prepareStatement(
                     "SELECT request_id, count(*) FROM usage_record WHERE request_id = ANY (?) GROUP BY request_id")) {
            Array ids = db.createArrayOf("text", List.copyOf(requestIds).toArray());
            query.setArray(1, ids);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) counts.put(rows.getString(1), rows.getInt(2));
            }
        } catch (SQLException e) {
            throw new IllegalStateException(e);
        }
        return counts;
    }

    /** A role that may take the application's login away and end its sessions (see ./switchboard test). */
    private static void operator(String sql) throws SQLException {
        try (Connection db = DriverManager.getConnection(System.getProperty("switchboard.it.db-url"),
                "switchboard_test_operator", "switchboard_test_operator");
             Statement statement = db.createStatement()) {
            statement.execute(sql);
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
