package io.switchboard.it;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The admin console in a real browser: {@code src/test/console/console.test.mjs} drives Debian's chromium with
 * playwright-core (both installed by {@code ./switchboard test} when missing) through sign-in, a model's load
 * seen on the overview, a tenant and a key created (the key shown once) and revoked, an explain, the usage
 * chart and the timeline, and fails on any error the pages log. Screenshots land in target/console-screenshots.
 */
class ConsoleIT {

    static final Path SCRIPT = Path.of("src/test/console/console.test.mjs");
    static final Path SCREENSHOTS = Path.of("target/console-screenshots");
    static String model;
    static String broken;
    static String key;
    static String tenant;

    @BeforeAll
    static void coldModelAndATenant() {
        Engines.reset();
        // about 3 s to load (the simulator's time scale is 0.1): long enough for the overview to show LOADING
        model = Engines.model("console", 16, "Qwen/Qwen2.5-7B-Instruct", null, false, true, "--sim-load-seconds", "30");
        // too little memory for its KV cache: the simulated engine exits as vLLM does, with its log's last lines
        broken = Engines.model("console-broken", 8, "Qwen/Qwen2.5-7B-Instruct", null, false, false);
        jakarta.json.JsonObject created = Tenants.named("console-tenant").allowedModels(model, broken).create();
        tenant = created.getString("name");
        key = Tenants.newKey(created.getJsonNumber("id").longValue(), null).getString("key");
    }

    @Test
    void anAdminWorksThroughEveryPageInARealBrowser() throws Exception {
        assertTrue(Files.isDirectory(SCRIPT.getParent().resolve("node_modules/playwright-core")),
                "playwright-core is not installed: ./switchboard test installs it (npm ci in src/test/console)");
        ProcessBuilder node = new ProcessBuilder("node", SCRIPT.getFileName().toString())
                .directory(SCRIPT.getParent().toFile()).redirectErrorStream(true);
        node.environment().put("BASE_URL", Switchboard.BASE_URL);
        node.environment().put("ADMIN_TOKEN", Switchboard.ADMIN_TOKEN);
        node.environment().put("MODEL", model);
        node.environment().put("BROKEN_MODEL", broken);
        node.environment().put("TENANT_KEY", key);
        node.environment().put("TENANT_NAME", tenant);
        node.environment().put("SCREENSHOTS", SCREENSHOTS.toAbsolutePath().toString());
        if (Files.isDirectory(SCREENSHOTS)) {
            try (var old = Files.list(SCREENSHOTS)) {
                for (Path file : old.toList()) Files.delete(file); // a failed step's screenshot of an earlier run misleads
            }
        }
        Path log = Files.createDirectories(Path.of("target")).resolve("console-test.log");
        node.redirectOutput(log.toFile());
        Process run = node.start();
        boolean ended = run.waitFor(240, TimeUnit.SECONDS);
        if (!ended) run.destroyForcibly();
        String output = read(log);
        assertTrue(ended, "the browser test did not end within 240 s:\n" + output);
        assertEquals(0, run.exitValue(), output);
        assertTrue(output.contains("all console steps passed"), output);
        for (String page : new String[] {"overview", "tenants", "routing", "usage", "timeline", "models", "invoice", "overview-narrow"}) {
            assertTrue(Files.size(SCREENSHOTS.resolve(page + ".png")) > 10_000, page + " screenshot");
        }
    }

    /** The tenants page's "in flight": requests admitted and not ended, as every replica reported them. */
    @Test
    void aTenantsRequestsInFlightShowInItsActivityUntilTheyEnd() throws Exception {
        String slow = Engines.model("console-slow", 16, "Qwen/Qwen2.5-7B-Instruct", null, false, false,
                "--sim-load-seconds", "100"); // about 10 s here: the request is in flight all that time
        jakarta.json.JsonObject limited = Tenants.named("console-busy").allowedModels(slow).with("max_concurrency", 4).create();
        long id = limited.getJsonNumber("id").longValue();
        String busyKey = Tenants.newKey(id, null).getString("key");
        var reply = java.util.concurrent.CompletableFuture.supplyAsync(() -> Switchboard.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(Switchboard.BASE_URL + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + busyKey).timeout(java.time.Duration.ofSeconds(90))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"model\":\"" + slow
                        + "\",\"max_tokens\":2,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")).build()));
        Engines.eventually(java.time.Duration.ofSeconds(8), () -> inFlight(id) == 1, () -> "in flight: " + inFlight(id));
        assertEquals(200, reply.get(90, TimeUnit.SECONDS).status());
        Engines.eventually(java.time.Duration.ofSeconds(8), () -> inFlight(id) == 0, () -> "in flight: " + inFlight(id));
    }

    private static long inFlight(long tenantId) {
        for (jakarta.json.JsonObject a : Switchboard.admin("GET", "/admin/tenants/activity", (String) null).json()
                .getJsonArray("data").getValuesAs(jakarta.json.JsonObject.class)) {
            if (a.getJsonNumber("tenant_id").longValue() == tenantId && !a.isNull("in_flight")) {
                return a.getJsonNumber("in_flight").longValue();
            }
        }
        return -1;
    }

    /** What the console's new reads refuse: a clear 400 naming the parameter, never a 500. */
    @Test
    void theConsolesReadsRefuseBadParametersWithA400NamingThem() {
        String[][] cases = {
                {"/admin/engines/events?since=yesterday", "since"},
                {"/admin/engines/waits?until=soon", "until"},
                {"/admin/engines/waits?since=2026-01-01T00:00:00Z&until=2026-01-03T00:00:00Z", "since"},
                {"/admin/engines/waits?bucket_seconds=abc", "bucket_seconds"},
                {"/admin/tenants/activity?seconds=0", "seconds"},
                {"/admin/tenants/activity?seconds=x", "seconds"}};
        for (String[] c : cases) {
            Switchboard.Reply reply = Switchboard.admin("GET", c[0], (String) null);
            assertEquals(400, reply.status(), c[0] + ": " + reply);
            assertEquals(c[1], reply.error().getString("param"), c[0]);
        }
    }

    /** The console's pure functions (money shown exactly, the timeline's stretches) under Node's test runner. */
    @Test
    void theConsolesOwnFunctionsHoldUnderNodesTestRunner() throws Exception {
        Process run = new ProcessBuilder("node", "--test", "units.test.mjs").directory(SCRIPT.getParent().toFile())
                .redirectErrorStream(true).start();
        String output = new String(run.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(run.waitFor(60, TimeUnit.SECONDS), output);
        assertEquals(0, run.exitValue(), output);
        assertTrue(output.contains("# fail 0"), output);
    }

    private static String read(Path log) throws IOException {
        return Files.readString(log, StandardCharsets.UTF_8);
    }
}
