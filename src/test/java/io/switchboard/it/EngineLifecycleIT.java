package io.switchboard.it;

import jakarta.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

import static io.switchboard.it.Switchboard.admin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Models load on demand, the right ones are evicted, a swap never blocks other models, failures
 * are clear: with real simulator processes on one simulated 80 GiB GPU. Past 400 lines because its
 * scenarios share one server's GPU and engines (a split would load the same models twice); the state
 * machine's finer cases are unit scenarios in engines.control.LifecycleScenariosTest.
 */
@org.junit.jupiter.api.Timeout(value = 180, unit = java.util.concurrent.TimeUnit.SECONDS) // a hung stream fails its test, not CI
class EngineLifecycleIT {

    static String apiKey;

    @BeforeAll
    static void tenant() {
        apiKey = Tenants.named("lifecycle").createWithKey().getString("key");
    }

    @BeforeEach
    void cleanGpu() {
        Engines.reset();
    }

    /** An engine that is still running when the server stops, for EngineEventsAfterShutdownCheck. */
    @AfterAll
    static void leaveAnEngineRunning() {
        String model = Engines.small("left-running", false);
        assertEquals(202, admin("POST", "/admin/engines/" + model + "/load", (String) null).status());
        Engines.awaitState(model, "READY", Duration.ofSeconds(20));
    }

    static Switchboard.Reply chat(String model, int maxTokens) {
        return Switchboard.tenant("POST", "/v1/chat/completions", apiKey, "{\"model\":\"" + model + "\",\"messages\":"
                + "[{\"role\":\"user\",\"content\":\"Hello there\"}],\"ignore_eos\":true,\"max_tokens\":" + maxTokens + "}");
    }

    static void assertServed(String model) {
        Switchboard.Reply reply = chat(model, 5);
        assertEquals(200, reply.status(), reply::toString);
        assertEquals(model, reply.header("x-switchboard-model"));
        assertEquals(5, reply.json().getJsonObject("usage").getInt("completion_tokens"));
    }

    static List<JsonObject> events(String model) {
        return admin("GET", "/admin/engines/events?model=" + model, (String) null).json().getJsonArray("data")
                .getValuesAs(JsonObject.class);
    }

    @Test
    void threeModelsThatCannotAllFitCauseExactlyTheRightEvictions() {
        String small = Engines.small("evict-16", false);
        String medium = Engines.medium("evict-40", 40);
        String large = Engines.large("evict-70");

        assertServed(small);
        assertServed(medium);
        assertEquals("READY", Engines.state(small));
        assertEquals("READY", Engines.state(medium));
        assertEquals(56.0, Engines.reservedGib());

        assertServed(large); // 70 GiB: both others must go (70 + 16 > 80)
        assertEquals("READY", Engines.state(large));
        Engines.awaitState(small, "COLD", Duration.ofSeconds(10));
        Engines.awaitState(medium, "COLD", Duration.ofSeconds(10));
        assertEquals(70.0, Engines.reservedGib());

        assertServed(small); // 16 GiB: only the 70 GiB model is in the way
        Engines.awaitState(large, "COLD", Duration.ofSeconds(10));
        assertEquals("READY", Engines.state(small));
        assertEquals(16.0, Engines.reservedGib());
        assertEquals(1, Engines.engine(medium).getInt("loads"), "the 40 GiB model was not touched again");
        assertEquals(2, Engines.engine(small).getInt("loads"));

        Engines.eventually(Duration.ofSeconds(5), () -> events(large).stream().anyMatch(e -> e.getString("to_state")
                .equals("DRAINING") && e.getString("reason").equals("evicted for " + small)), () -> events(large).toString());
    }

    @Test
    void fiftyConcurrentRequestsForAColdModelCauseOneLoadAndAllSucceed() throws Exception {
        String cold = Engines.small("burst", false);
        List<CompletableFuture<Switchboard.Reply>> calls = new ArrayList<>();
        for (int i = 0; i < 50; i++) calls.add(CompletableFuture.supplyAsync(() -> chat(cold, 5)));

        for (CompletableFuture<Switchboard.Reply> call : calls) {
            Switchboard.Reply reply = call.get();
            assertEquals(200, reply.status(), reply::toString);
        }

        assertEquals(1, Engines.engine(cold).getInt("loads"));
        Engines.eventually(Duration.ofSeconds(5), () -> events(cold).stream().anyMatch(e -> e.getString("to_state")
                .equals("READY")), () -> events(cold).toString());
        assertEquals(1, events(cold).stream().filter(e -> e.getString("to_state").equals("LOADING")).count());
    }

    /** Behaviour, not a time: the resident model answers while the other is still loading. */
    @Test
    void aResidentModelKeepsAnsweringWhileAnotherModelLoads() {
        String resident = Engines.small("resident", false);
        String slow = Engines.model("slow-load", 40, "Qwen/Qwen2.5-32B-Instruct", "fp8", false, false,
                "--sim-load-seconds", "40"); // about 4 s here
        assertServed(resident);
        List<Long> outside = timeRequests(resident, 10);

        CompletableFuture<Switchboard.Reply> loading = CompletableFuture.supplyAsync(() -> chat(slow, 5));
        Engines.awaitState(slow, "LOADING", Duration.ofSeconds(10));
        List<Long> during = timeRequests(resident, 10);

        assertEquals("LOADING", Engines.state(slow), "all ten answers came while the other model was still loading");
        assertEquals(200, loading.join().status());
        System.out.printf("resident model latency, median ms: outside a swap %d, during a swap %d%n",
                median(outside), median(during));
    }

    private static List<Long> timeRequests(String model, int count) {
        List<Long> millis = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            long start = System.nanoTime();
            assertEquals(200, chat(model, 3).status());
            millis.add((System.nanoTime() - start) / 1_000_000);
        }
        return millis;
    }

    private static long median(List<Long> values) {
        return values.stream().sorted().toList().get(values.size() / 2);
    }

    @Test
    void aPinnedModelIsNeverEvicted() {
        String pinned = Engines.model("pinned", 16, "Qwen/Qwen2.5-7B-Instruct", null, true, false);
        String medium = Engines.medium("beside-pinned", 40);
        String other = Engines.medium("needs-room", 36);
        assertEquals(202, admin("POST", "/admin/engines/" + pinned + "/load", (String) null).status());
        Engines.awaitState(pinned, "READY", Duration.ofSeconds(20));

        assertServed(medium); // 16 + 40
        assertServed(other);  // 36 more: the 40 GiB model goes, the pinned one stays

        assertEquals("READY", Engines.state(pinned));
        Engines.awaitState(medium, "COLD", Duration.ofSeconds(10));

        String huge = Engines.large("blocked-by-pin");
        Switchboard.Reply refused = chat(huge, 5); // 70 GiB can never fit beside the pinned 16
        assertEquals(503, refused.status(), refused::toString);
        assertEquals("model_cannot_fit", refused.error().getString("code"));
        assertEquals("READY", Engines.state(pinned));
    }

    @Test
    void aModelLargerThanTheGpuGetsAClearErrorAtOnce() {
        String giant = Engines.model("giant", 100, "meta-llama/Llama-3.1-405B-Instruct", "fp8", false, false);

        Switchboard.Reply reply = chat(giant, 5);

        assertEquals(503, reply.status(), reply::toString);
        assertEquals("model_too_large", reply.error().getString("code"));
        assertTrue(reply.error().getString("message").contains("100.0 GiB"), reply::toString);
        assertEquals("COLD", Engines.state(giant), "nothing was started");
    }

    @Test
    void aLoadThatFailsGives503WithTheEnginesReason() {
        String broken = Engines.model("oom", 16, "Qwen/Qwen2.5-7B-Instruct", null, false, false, "--sim-fail-start", "oom");

        Switchboard.Reply reply = chat(broken, 5);

        assertEquals(503, reply.status(), reply::toString);
        assertNotNull(reply.header("Retry-After"));
        assertTrue(reply.error().getString("message").contains("CUDA out of memory"), reply::toString);
        assertEquals("FAILED", Engines.state(broken));
        assertTrue(Engines.engine(broken).getString("last_error").contains("CUDA out of memory"));
        Engines.eventually(Duration.ofSeconds(5), () -> !events(broken).isEmpty()
                && events(broken).get(0).getString("to_state").equals("FAILED"), () -> events(broken).toString());
        JsonObject failed = events(broken).get(0);
        assertEquals("FAILED", failed.getString("to_state"));
        assertTrue(failed.getString("detail").contains("Engine core initialization failed"), failed::toString);
    }

    /** A request written by hand on a socket that the test closes when it wants: the client leaving. */
    static Socket sendAndKeepWaiting(String model, boolean stream, int maxTokens, String requestId) throws Exception {
        String body = "{\"model\":\"" + model + "\",\"stream\":" + stream + ",\"max_tokens\":" + maxTokens
                + ",\"ignore_eos\":true,\"messages\":[{\"role\":\"user\",\"content\":\"wait for me\"}]}";
        URI base = URI.create(Switchboard.BASE_URL);
        Socket socket = new Socket(base.getHost(), base.getPort());
        socket.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                + apiKey + "\r\nx-request-id: " + requestId + "\r\nContent-Type: application/json\r\nContent-Length: "
                + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body).getBytes(StandardCharsets.UTF_8));
        socket.getOutputStream().flush();
        return socket;
    }

    @Test
    void waitersWhoseClientsLeaveGiveTheirPlaceUpWhileTheModelLoads() throws Exception {
        String model = Engines.model("slow-load", 16, "Qwen/Qwen2.5-7B-Instruct", null, false, false,
                "--sim-load-seconds", "300"); // 30 s here
        String streamed = Switchboard.unique("leaving-stream");
        String whole = Switchboard.unique("leaving-whole");
        Path log = Engines.TARGET.resolve("liberty/wlp/usr/servers/switchboard-it/logs/messages.log");
        long logBefore = Files.size(log);
        try (Socket stream = sendAndKeepWaiting(model, true, 5, streamed);
             Socket nonStreamed = sendAndKeepWaiting(model, false, 5, whole)) {
            Engines.eventually(Duration.ofSeconds(10), () -> Engines.engine(model) != null
                    && Engines.engine(model).getInt("waiters") == 2, () -> "two waiters: " + Engines.engine(model));
            TenantAuthenticationIT.sleep(1500); // long enough to be checked on at least once
        } // both clients give up

        Engines.eventually(Duration.ofSeconds(5), () -> Engines.engine(model).getInt("waiters") == 0,
                () -> "the waiters left the queue: " + Engines.engine(model));
        assertEquals("LOADING", Engines.state(model), "the load goes on for whoever asks next");
        for (String requestId : List.of(streamed, whole)) {
            Switchboard.Reply outcome = admin("GET", "/admin/requests/" + requestId, (String) null);
            assertEquals(499, outcome.json().getInt("status"), outcome::toString);
            assertFalse(logSince(log, logBefore).contains("Request " + requestId + " failed"),
                    "a client that left is no server error");
        }
    }

    @Test
    void aNonStreamedRequestWhoseClientLeavesGivesItsLeaseBack() throws Exception {
        String model = Engines.small("leaving", false);
        assertServed(model);
        String requestId = Switchboard.unique("leaving-generation");
        try (Socket socket = sendAndKeepWaiting(model, false, 3000, requestId)) { // a minute of generation
            Engines.eventually(Duration.ofSeconds(5), () -> Engines.engine(model).getInt("leases") == 1,
                    () -> "generating: " + Engines.engine(model));
            TenantAuthenticationIT.sleep(1500);
        }
        Engines.eventually(Duration.ofSeconds(5), () -> Engines.engine(model).getInt("leases") == 0,
                () -> "the lease came back: " + Engines.engine(model));
        assertEquals(499, admin("GET", "/admin/requests/" + requestId, (String) null).json().getInt("status"));
        assertServed(model);
    }

    @Test
    void aLoadThatTakesLongerThanTheLoadTimeoutFailsWithThatReason() {
        // the IT server's load timeout is 15 s (pom.xml); this engine would need 60 s to start
        String slow = Engines.model("too-slow", 16, "Qwen/Qwen2.5-7B-Instruct", null, false, false,
                "--sim-load-seconds", "600");

        CompletableFuture<Switchboard.Reply> asking = CompletableFuture.supplyAsync(() -> chat(slow, 5));
        Engines.eventually(Duration.ofSeconds(10), () -> Engines.engine(slow) != null && Engines.engine(slow).containsKey("pid")
                && !Switchboard.isNull(Engines.engine(slow), "pid"), () -> "starting: " + Engines.engine(slow));
        ProcessHandle engine = ProcessHandle.of(Engines.engine(slow).getJsonNumber("pid").longValue()).orElseThrow();

        Switchboard.Reply reply = asking.join();

        assertEquals(503, reply.status(), reply::toString);
        assertTrue(reply.error().getString("message").contains("not healthy within 15 s"), reply::toString);
        assertEquals("FAILED", Engines.state(slow));
        Engines.eventually(Duration.ofSeconds(10), () -> !engine.isAlive(), () -> "the engine that was too slow is stopped");
    }

    @Test
    void killMinus9MidStreamGivesTheClientAnErrorEventAndTheNextRequestReloads() throws Exception {
        String model = Engines.small("crashing", false);
        List<String> data = dataLinesOfAStreamWhoseEngineIsKilled(model, "/v1/chat/completions", "{\"model\":\"" + model
                + "\",\"stream\":true,\"max_tokens\":3000,\"ignore_eos\":true,\"messages\":[{\"role\":\"user\",\"content\":\"go on\"}]}");

        String error = data.stream().filter(l -> l.contains("\"error\"")).findFirst().orElse(null);
        assertNotNull(error, () -> "an error event: " + data.subList(Math.max(0, data.size() - 3), data.size()));
        assertEquals("data: [DONE]", data.get(data.size() - 1));
        Engines.awaitState(model, "FAILED", Duration.ofSeconds(10));

        assertServed(model); // reloaded on demand
        assertEquals(1, Engines.engine(model).getInt("crashes"));
        assertEquals(2, Engines.engine(model).getInt("loads"));
    }

    /** The SDKs' Responses stream readers check the order of events: the gateway's error event is numbered next. */
    @Test
    void killMinus9MidResponsesStreamEndsItWithAnErrorEventNumberedAfterTheLastOne() throws Exception {
        String model = Engines.small("crashing-responses", false);
        List<JsonObject> events = dataLinesOfAStreamWhoseEngineIsKilled(model, "/v1/responses", "{\"model\":\"" + model
                + "\",\"stream\":true,\"max_output_tokens\":3000,\"ignore_eos\":true,\"store\":false,\"input\":\"go on\"}").stream()
                .map(line -> jakarta.json.Json.createReader(new java.io.StringReader(line.substring(6))).readObject()).toList();

        JsonObject error = events.get(events.size() - 1);
        assertEquals("error", error.getString("type"), error::toString);
        for (int i = 0; i < events.size(); i++) {
            assertEquals(i, events.get(i).getInt("sequence_number"), () -> "numbered from 0, one by one: " + error);
        }
    }

    /** A stream's {@code data:} lines, its engine killed with -9 after the third. */
    private static List<String> dataLinesOfAStreamWhoseEngineIsKilled(String model, String path, String body) throws Exception {
        assertServed(model);
        long pid = Engines.engine(model).getJsonNumber("pid").longValue();
        HttpRequest stream = HttpRequest.newBuilder(URI.create(Switchboard.BASE_URL + path))
                .header("Authorization", "Bearer " + apiKey)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        HttpResponse<Stream<String>> response = HttpClient.newHttpClient().send(stream, HttpResponse.BodyHandlers.ofLines());
        assertEquals(200, response.statusCode());
        List<String> data = new ArrayList<>();
        var lines = response.body().filter(l -> l.startsWith("data: ")).iterator();
        while (data.size() < 3) data.add(lines.next());
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        while (lines.hasNext()) data.add(lines.next());
        return data;
    }

    @Test
    void anEngineWhoseRequestsKeepFailingIsTakenOutAndRestarted() throws Exception {
        String flaky = Engines.small("flaky", false);
        assertServed(flaky);
        int port = Engines.engine(flaky).getInt("port");
        HttpResponse<String> fault = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port + "/sim/fault"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"action\":\"error_rate\",\"value\":1}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, fault.statusCode()); // from now on the engine answers every generation with 500

        for (int i = 0; i < 5; i++) {
            Switchboard.Reply failed = chat(flaky, 5);
            assertEquals(502, failed.status(), failed::toString);
            assertEquals("engine_error", failed.error().getString("code"));
        }

        Engines.awaitState(flaky, "FAILED", Duration.ofSeconds(10)); // the breaker opened
        assertServed(flaky); // a fresh engine, without the fault
        assertEquals(2, Engines.engine(flaky).getInt("loads"));
    }

    @Test
    void anIdleSleepingModelWakesForItsNextRequest() {
        String sleepy = Engines.small("sleepy", true);
        assertServed(sleepy);

        assertEquals(202, admin("POST", "/admin/engines/" + sleepy + "/sleep", (String) null).status());
        Engines.awaitState(sleepy, "SLEEPING", Duration.ofSeconds(10));
        assertEquals(0.5, Engines.reservedGib(), "a sleeping engine keeps only a residue on the GPU");

        assertServed(sleepy); // never sent to the sleeping engine: it would crash (the simulator does, as vLLM)
        assertEquals("READY", Engines.state(sleepy));
        Engines.eventually(Duration.ofSeconds(5), () -> events(sleepy).stream()
                .anyMatch(e -> e.getString("reason").equals("wake")), () -> events(sleepy).toString());
        assertEquals(0, Engines.engine(sleepy).getInt("crashes"));
    }

    @Test
    void aSleepingEngineThatDiesWhileWakingIsStartedAfreshForTheWaitingRequest() throws Exception {
        String fragile = Engines.small("dies-waking", true);
        assertServed(fragile);
        JsonObject asleep = Engines.engine(fragile);
        assertEquals(202, admin("POST", "/admin/engines/" + fragile + "/sleep", (String) null).status());
        Engines.awaitState(fragile, "SLEEPING", Duration.ofSeconds(10));
        HttpResponse<String> fault = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + asleep.getInt("port") + "/sim/fault"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"action\":\"crash_on_wake\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, fault.statusCode(), fault::body); // its next /wake_up kills it, as a failed CUDA wake would

        assertServed(fragile); // by a fresh engine, not a 503 for everyone who waited for the wake-up
        JsonObject fresh = Engines.engine(fragile);
        assertEquals("READY", fresh.getString("state"));
        assertEquals(1, fresh.getInt("crashes"));
        assertNotEquals(asleep.getJsonNumber("pid").longValue(), fresh.getJsonNumber("pid").longValue());
        Engines.eventually(Duration.ofSeconds(5), () -> events(fragile).stream()
                .anyMatch(e -> e.getString("reason").equals("restart")), () -> events(fragile).toString());
    }

    @Test
    void theVllmLauncherStartsVllmServeWithTheRightCommandLine() throws Exception {
        // engine "vllm" runs SWITCHBOARD_VLLM_COMMAND, which the IT server points at the simulator jar
        String model = Engines.model("vllm-cli", "vllm", 16, "Qwen/Qwen2.5-7B-Instruct", null, false, true,
                "--enforce-eager", "--sim-time-scale", "0.1", "--sim-gpu-dir", Engines.TARGET.resolve("it-sim-gpus").toString());

        assertServed(model);

        String log = Files.readString(Engines.ENGINE_LOGS.resolve(model + ".log"));
        int port = Engines.engine(model).getInt("port");
        for (String arg : List.of("'model_tag': 'Qwen/Qwen2.5-7B-Instruct'", "'host': '127.0.0.1'", "'port': " + port,
                "'served_model_name': ['" + model + "']", "'gpu_memory_utilization': 0.2", "'max_model_len': 4096",
                "'max_num_seqs': 256", "'enable_sleep_mode': True", "'enforce_eager': True")) {
            assertTrue(log.contains(arg), () -> arg + " in " + log.lines().filter(l -> l.contains("non-default")).toList());
        }
        // VLLM_SERVER_DEV_MODE=1 was set: sleep works
        assertEquals(202, admin("POST", "/admin/engines/" + model + "/sleep", (String) null).status());
        Engines.awaitState(model, "SLEEPING", Duration.ofSeconds(10));
        assertServed(model);
    }

    @Test
    void adminLoadAndUnloadDriveTheEngine() {
        String model = Engines.small("admin-driven", false);
        assertEquals(202, admin("POST", "/admin/engines/" + model + "/load", (String) null).status());
        Engines.awaitState(model, "READY", Duration.ofSeconds(20));
        JsonObject engine = Engines.engine(model);
        assertEquals(16.0, engine.getJsonNumber("reserved_gib").doubleValue());
        assertEquals(0, engine.getInt("gpu"));
        assertFalse(Switchboard.isNull(engine, "port"));

        assertEquals(202, admin("POST", "/admin/engines/" + model + "/unload", (String) null).status());
        Engines.awaitState(model, "COLD", Duration.ofSeconds(20));
        assertEquals(0.0, Engines.reservedGib());
        assertEquals(404, admin("POST", "/admin/engines/no-such-model/load", (String) null).status());
    }

    @Test
    void adminEngineCommandsThatCannotBeDoneAreClientErrorsAndNoServerError() throws Exception {
        String withoutSleep = Engines.small("no-sleep", false);
        String sleeper = Engines.small("sleeper", true);
        assertEquals(202, admin("POST", "/admin/engines/" + withoutSleep + "/load", (String) null).status());
        Engines.awaitState(withoutSleep, "READY", Duration.ofSeconds(20));
        Path log = Engines.TARGET.resolve("liberty/wlp/usr/servers/switchboard-it/logs/messages.log");
        long logBefore = Files.size(log);

        Switchboard.Reply unknown = admin("POST", "/admin/engines/no-such-model/unload", (String) null);
        assertEquals(404, unknown.status(), unknown::toString);
        assertEquals("model_not_found", unknown.error().getString("code"));
        Switchboard.Reply notSleepable = admin("POST", "/admin/engines/" + withoutSleep + "/sleep", (String) null);
        assertEquals(400, notSleepable.status(), notSleepable::toString);
        assertEquals("model", notSleepable.error().getString("param"));
        Switchboard.Reply notRunning = admin("POST", "/admin/engines/" + sleeper + "/sleep", (String) null);
        assertEquals(409, notRunning.status(), notRunning::toString);
        assertEquals("engine_not_running", notRunning.error().getString("code"));

        // an admin's mistake is not the server's: nothing in the server's log says error. The load below
        // logs its transition after the refusals, so once that line is there, theirs would be too.
        assertEquals(202, admin("POST", "/admin/engines/" + sleeper + "/load", (String) null).status());
        Engines.eventually(Duration.ofSeconds(20), () -> logSince(log, logBefore).contains("Engine " + sleeper + ": "),
                () -> "no transition of " + sleeper + " logged");
        String logged = logSince(log, logBefore);
        assertFalse(logged.contains("WLTC0017E") || logged.contains("RolledbackException"), logged);
    }

    private static String logSince(Path log, long offset) {
        try (RandomAccessFile file = new RandomAccessFile(log.toFile(), "r")) {
            file.seek(offset);
            byte[] tail = new byte[(int) (file.length() - offset)];
            file.readFully(tail);
            return new String(tail, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
