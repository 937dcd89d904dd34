import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Switchboard's gateway benchmark (run by {@code ./switchboard bench}; JDK only, run as a source
 * file). Open-loop load at a fixed rate, latency measured from each request's intended send time
 * so that a stall is not hidden (no coordinated omission). All targets are on 127.0.0.1. The load
 * itself comes from {@link RawLoad}, a client as lean as wrk; the JDK HTTP client only sets up.
 *
 * <pre>java bench/GatewayBench.java GATEWAY_URL DIRECT_ENGINE_URL ADMIN_TOKEN SERVER_PID</pre>
 *
 * <p>A little past 400 lines: the other benches share its set-up, cold-start and figure helpers; the load
 * client ({@link RawLoad}) and the server's step timings ({@link Stages}) have their own files.
 */
public class GatewayBench {

    /** For set-up and the cold start only (a few requests). */
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .executor(java.util.concurrent.Executors.newFixedThreadPool(4, runnable -> {
                Thread thread = new Thread(runnable, "bench-http");
                thread.setDaemon(true); // the benchmark ends when main does
                return thread;
            }))
            .connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * Kept-alive connections per load, so at most this many requests in flight, as with wrk2's -c
     * or an SDK's connection pool (unbounded, a stall made a client open hundreds of connections,
     * and the connection storm, not the relay, was what the figures showed).
     */
    static final int CONNECTIONS = Integer.getInteger("connections", 64);

    static String gateway;
    static String direct;
    static String adminToken;
    static long serverPid;
    static String key;

    public static void main(String[] args) throws Exception {
        gateway = args[0];
        direct = args[1];
        adminToken = args[2];
        serverPid = Long.parseLong(args[3]);
        int seconds = Integer.parseInt(System.getProperty("seconds", "15"));
        int rate = Integer.parseInt(System.getProperty("rate", "1000"));

        setUp();
        if (Boolean.getBoolean("swapsOnly")) { // -DswapsOnly=true: the cold start and the wake-up alone
            coldStart();
            wakeFromSleep();
            return;
        }
        String chat = "{\"model\":\"bench-remote\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello there\"}],"
                + "\"max_tokens\":8,\"ignore_eos\":true}";
        String stream = "{\"model\":\"bench-remote\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"Hello there\"}],\"max_tokens\":16,\"ignore_eos\":true}";

        RawLoad gatewayChat = new RawLoad(gateway, "POST", "/v1/chat/completions", chat, false, CONNECTIONS);
        RawLoad directChat = new RawLoad(direct, "POST", "/v1/chat/completions", chat, false, CONNECTIONS);
        RawLoad gatewayModels = new RawLoad(gateway, "GET", "/v1/models", null, false, CONNECTIONS);
        warmUp(chat);
        new RawLoad(gateway, "GET", "/v1/models", null, false, 16).closedLoop(15);
        gatewayChat.openLoop(rate, 15);

        System.out.printf("%n== non-streamed chat completion, open loop at %d requests/s for %d s ==%n", rate, seconds);
        // alternating blocks, so that whatever else the machine does meanwhile weighs on both sides alike
        int rounds = 3;
        long[][] directBlocks = new long[rounds][];
        long[][] gatewayBlocks = new long[rounds][];
        RssSampler rss = new RssSampler(serverPid);
        rss.start();
        for (int round = 0; round < rounds; round++) {
            directBlocks[round] = directChat.openLoop(rate, seconds / rounds);
            gatewayBlocks[round] = gatewayChat.openLoop(rate, seconds / rounds);
        }
        rss.stopSampling();
        long[] directLatency = concat(directBlocks);
        long[] gatewayLatency = concat(gatewayBlocks);
        report("engine directly", directLatency, directChat);
        report("through Switchboard", gatewayLatency, gatewayChat);
        System.out.printf("added latency: p50 %.2f ms, p99 %.2f ms%n",
                (pct(gatewayLatency, 50) - pct(directLatency, 50)) / 1e6, (pct(gatewayLatency, 99) - pct(directLatency, 99)) / 1e6);
        System.out.printf("Switchboard resident memory under that load: max %d MiB%n", rss.maxKib / 1024);

        int streamRate = Math.max(50, rate / 5);
        System.out.printf("%n== streamed chat completion (16 tokens), time to first token, open loop at %d streams/s ==%n", streamRate);
        RawLoad gatewayStreams = new RawLoad(gateway, "POST", "/v1/chat/completions", stream, true, CONNECTIONS);
        RawLoad directStreams = new RawLoad(direct, "POST", "/v1/chat/completions", stream, true, CONNECTIONS);
        gatewayStreams.openLoop(streamRate, 5); // the streaming path has its own code to compile
        long[][] directTtftBlocks = new long[rounds][];
        long[][] gatewayTtftBlocks = new long[rounds][];
        for (int round = 0; round < rounds; round++) {
            directTtftBlocks[round] = directStreams.openLoop(streamRate, seconds / rounds);
            gatewayTtftBlocks[round] = gatewayStreams.openLoop(streamRate, seconds / rounds);
        }
        long[] directTtft = concat(directTtftBlocks);
        long[] gatewayTtft = concat(gatewayTtftBlocks);
        report("engine directly, TTFT", directTtft, directStreams);
        report("through Switchboard, TTFT", gatewayTtft, gatewayStreams);
        System.out.printf("added time to first token: p50 %.2f ms, p99 %.2f ms%n",
                (pct(gatewayTtft, 50) - pct(directTtft, 50)) / 1e6, (pct(gatewayTtft, 99) - pct(directTtft, 99)) / 1e6);

        System.out.printf("%n== saturation, closed loop, %d connections, %d s ==%n", CONNECTIONS, seconds);
        System.out.printf("through Switchboard: %.0f requests/s %s%n", gatewayChat.closedLoop(seconds), gatewayChat.errors());

        System.out.printf("%n== GET /v1/models (issue 2) ==%n");
        System.out.printf("closed loop, %d connections: %.0f requests/s %s%n", CONNECTIONS, gatewayModels.closedLoop(seconds), gatewayModels.errors());
        report("open loop at 5000 requests/s", gatewayModels.openLoop(5000, seconds), gatewayModels);
        wrk(gateway + "/v1/models", seconds);

        System.out.printf("%n== cold request: time to first token vs the engine's ready time ==%n");
        coldStart();
        wakeFromSleep();
    }

    /**
     * Closed-loop relays in 10 s blocks until the server's JIT has settled (a block no more than 5 %
     * faster than the one before, after at least 60 s; at most 240 s): on two shared cores the
     * compilers were still busy after 100 s of load, and a cold server overflows an open loop.
     */
    static void warmUp(String chat) throws Exception {
        System.out.print("warming up (JIT), relayed requests/s per 10 s:");
        RawLoad warm = new RawLoad(gateway, "POST", "/v1/chat/completions", chat, false, 16);
        double previous = 0;
        for (int block = 1; block <= 24; block++) {
            double rate = warm.closedLoop(10);
            System.out.printf(" %.0f", rate);
            System.out.flush();
            if (block >= 6 && rate < previous * 1.05) break;
            previous = rate;
        }
        System.out.println();
    }

    /**
     * The same closed loop with wrk when it is installed (apt-get install wrk): a load client in C
     * takes far less of the two cores than this JVM's client does, so the server's own ceiling shows.
     */
    static void wrk(String url, int seconds) throws Exception {
        ProcessBuilder command = new ProcessBuilder("timeout", String.valueOf(seconds + 20), "wrk", "-t2", "-c64", "-d" + seconds + "s", "--latency",
                "-H", "Authorization: Bearer " + key, url).redirectErrorStream(true);
        Process wrk;
        try {
            wrk = command.start();
        } catch (java.io.IOException notInstalled) {
            System.out.println("(wrk is not installed: no wrk figures)");
            return;
        }
        String output = new String(wrk.getInputStream().readAllBytes()); // `timeout` ends it, whatever happens
        wrk.waitFor();
        for (String line : output.split("\n")) {
            String trimmed = line.trim();
            if (trimmed.startsWith("Requests/sec") || trimmed.matches("(50|90|99)%.*") || trimmed.startsWith("Non-2xx")) {
                System.out.println("wrk, 64 connections: " + trimmed);
            }
        }
    }

    // ---- set-up through the admin API ----

    /** What ./switchboard passes every benchmark: the gateway, the engine directly, the admin token, the server's pid. */
    static void arguments(String[] args) {
        gateway = args[0];
        direct = args[1];
        adminToken = args[2];
        serverPid = Long.parseLong(args[3]);
    }

    static void setUp() throws Exception {
        String tenant = admin("POST", "/admin/tenants", "{\"name\":\"bench-" + System.nanoTime() + "\"}");
        String tenantId = field(tenant, "id");
        key = field(admin("POST", "/admin/tenants/" + tenantId + "/keys", "{\"name\":\"bench\"}"), "key");
        admin("POST", "/admin/models", "{\"name\":\"bench-remote\",\"engine\":\"remote\",\"url\":\"" + direct
                + "\",\"model_id\":\"meta-llama/Llama-3.1-8B-Instruct\",\"gpu_memory_gib\":20,\"max_model_len\":110000,"
                + "\"extra_args\":[\"--max-num-seqs\",\"1024\"]}"); // as the engine was started: the gateway's cap per model
        admin("PATCH", "/admin/models/bench-remote", "{\"url\":\"" + direct + "\",\"enabled\":true,\"max_model_len\":110000,"
                + "\"extra_args\":[\"--max-num-seqs\",\"1024\"]}"); // a bench database from an earlier run keeps the model
        admin("POST", "/admin/models", "{\"name\":\"bench-cold\",\"engine\":\"sim\",\"model_id\":\"Qwen/Qwen2.5-7B-Instruct\","
                + "\"gpu_memory_gib\":16,\"max_model_len\":4096}");
        admin("PATCH", "/admin/models/bench-cold", "{\"enabled\":true}");
        Thread.sleep(1500); // the catalog snapshot refreshes every second
        int status = -1;
        for (int i = 0; i < 100 && status != 200; i++) {
            status = HTTP.send(post(gateway, "/v1/chat/completions",
                    "{\"model\":\"bench-remote\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":1}"),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status != 200) Thread.sleep(200);
        }
        if (status != 200) throw new IllegalStateException("the gateway does not serve bench-remote: " + status);
    }

    static String admin(String method, String path, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(gateway + path))
                .header("Authorization", "Bearer " + adminToken).header("Content-Type", "application/json")
                .method(method, HttpRequest.BodyPublishers.ofString(body)).build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString()).body();
    }

    static String field(String json, String name) {
        Matcher m = Pattern.compile("\"" + name + "\":\"?([^\",}]+)").matcher(json);
        if (!m.find()) throw new IllegalStateException("no " + name + " in " + json);
        return m.group(1);
    }

    static HttpRequest post(String base, String path, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json");
        return (body == null ? b.GET() : b.POST(HttpRequest.BodyPublishers.ofString(body))).build();
    }

    /** Records the moment the first {@code data:} line arrives, then drains the rest. */
    static final class FirstData implements Flow.Subscriber<String> {
        private final Runnable onFirst;
        private final AtomicBoolean seen = new AtomicBoolean();

        FirstData(Runnable onFirst) {
            this.onFirst = onFirst;
        }

        public void onSubscribe(Flow.Subscription s) {
            s.request(Long.MAX_VALUE);
        }

        public void onNext(String line) {
            if (line.startsWith("data:") && seen.compareAndSet(false, true)) onFirst.run();
        }

        public void onError(Throwable t) {
        }

        public void onComplete() {
        }
    }

    // ---- cold start ----

    static void coldStart() throws Exception {
        admin("POST", "/admin/engines/bench-cold/unload", "");
        for (int i = 0; i < 100 && !admin("GET", "/admin/engines", "").matches("(?s).*\"model\":\"bench-cold\",[^}]*\"state\":\"(COLD|FAILED)\".*")
                && admin("GET", "/admin/engines", "").contains("bench-cold"); i++) {
            Thread.sleep(100);
        }
        Thread.sleep(3000); // the GPU gives an evicted engine's memory back a little later
        List<Long> overheads = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            AtomicLong firstData = new AtomicLong();
            Instant sent = Instant.now();
            FirstData first = new FirstData(() -> firstData.set(System.currentTimeMillis()));
            HTTP.send(post(gateway, "/v1/chat/completions", "{\"model\":\"bench-cold\",\"stream\":true,\"max_tokens\":4,"
                    + "\"messages\":[{\"role\":\"user\",\"content\":\"cold\"}]}"), HttpResponse.BodyHandlers.fromLineSubscriber(first));
            Thread.sleep(1500); // engine events are written every half second
            String events = admin("GET", "/admin/engines/events?model=bench-cold&limit=5", "");
            Matcher ready = Pattern.compile("\"at\":\"([^\"]+)\"[^}]*\"to_state\":\"READY\"").matcher(events);
            long readyAt = -1;
            while (ready.find()) {
                long at = Instant.parse(ready.group(1)).toEpochMilli();
                if (at >= sent.toEpochMilli()) readyAt = at; // this request's load
            }
            if (readyAt < 0) {
                System.out.println("no READY event after the request: " + events);
                return;
            }
            long overhead = firstData.get() - readyAt;
            overheads.add(overhead);
            System.out.printf("cold request %d: first token %d ms after sending, %d ms after the engine became ready%n",
                    round + 1, firstData.get() - sent.toEpochMilli(), overhead);
            admin("POST", "/admin/engines/bench-cold/unload", "");
            Thread.sleep(4000);
        }
    }

    /**
     * Issue 17's "a request for a sleeping model gets its first token within the model's wake time + 50 ms when
     * no other load is in progress": a sleep-enabled model is put to sleep, then asked for; the first token's time
     * from sending, less the wake-up's own duration (its engine event), is what Switchboard added.
     */
    static void wakeFromSleep() throws Exception {
        System.out.printf("%n== request for a sleeping model: time to first token vs the wake-up's duration ==%n");
        admin("POST", "/admin/models", "{\"name\":\"bench-sleepy\",\"engine\":\"sim\",\"model_id\":\"Qwen/Qwen2.5-7B-Instruct\","
                + "\"gpu_memory_gib\":16,\"max_model_len\":4096,\"sleep_enabled\":true}");
        admin("PATCH", "/admin/models/bench-sleepy", "{\"enabled\":true,\"sleep_enabled\":true}");
        Thread.sleep(1500); // the catalog snapshot refreshes every second
        String wake = "{\"model\":\"bench-sleepy\",\"stream\":true,\"max_tokens\":4,\"messages\":[{\"role\":\"user\",\"content\":\"wake\"}]}";
        HTTP.send(post(gateway, "/v1/chat/completions", wake), HttpResponse.BodyHandlers.discarding()); // loaded once
        List<Long> added = new ArrayList<>();
        for (int round = 0; round < 5; round++) {
            admin("POST", "/admin/engines/bench-sleepy/sleep", "");
            for (int i = 0; i < 100 && !admin("GET", "/admin/engines", "")
                    .matches("(?s).*\"model\":\"bench-sleepy\",[^}]*\"state\":\"SLEEPING\".*"); i++) {
                Thread.sleep(100);
            }
            Thread.sleep(500);
            AtomicLong firstData = new AtomicLong();
            long sent = System.currentTimeMillis();
            HTTP.send(post(gateway, "/v1/chat/completions", wake),
                    HttpResponse.BodyHandlers.fromLineSubscriber(new FirstData(() -> firstData.set(System.currentTimeMillis()))));
            Thread.sleep(1500); // engine events are written every half second
            String events = admin("GET", "/admin/engines/events?model=bench-sleepy&limit=5", "");
            Matcher woke = Pattern.compile("\\{[^}]*\"to_state\":\"READY\"[^}]*\\}").matcher(events);
            long wakeMillis = -1;
            while (woke.find()) {
                Matcher at = Pattern.compile("\"at\":\"([^\"]+)\"").matcher(woke.group());
                Matcher duration = Pattern.compile("\"duration_ms\":(\\d+)").matcher(woke.group());
                if (woke.group().contains("\"reason\":\"woke\"") && at.find() && duration.find()
                        && Instant.parse(at.group(1)).toEpochMilli() >= sent) {
                    wakeMillis = Long.parseLong(duration.group(1));
                }
            }
            if (wakeMillis < 0 || firstData.get() == 0) {
                System.out.println("no wake-up seen after the request: " + events);
                return;
            }
            long ttft = firstData.get() - sent;
            added.add(ttft - wakeMillis);
            System.out.printf("sleeping model %d: first token %d ms after sending, the wake-up took %d ms: %d ms added%n",
                    round + 1, ttft, wakeMillis, ttft - wakeMillis);
        }
        added.sort(null);
        System.out.printf("added to the wake-up: median %d ms, most %d ms (bar: 50 ms)%n", added.get(added.size() / 2),
                added.get(added.size() - 1));
    }

    // ---- figures ----

    /**
     * Open loops at {@code rate} on two loads in alternating blocks ({@code rounds} each, together
     * {@code seconds} per load), so whatever else the machine does meanwhile weighs on both alike; answers
     * {first's latencies, second's}.
     */
    static long[][] alternate(RawLoad first, RawLoad second, int rate, int seconds, int rounds) throws Exception {
        long[][][] blocks = alternateRounds(first, second, rate, seconds, rounds);
        return new long[][] {concat(blocks[0]), concat(blocks[1])};
    }

    /** {@link #alternate}, block by block: {first's blocks, second's}, in the order they ran. */
    static long[][][] alternateRounds(RawLoad first, RawLoad second, int rate, int seconds, int rounds) throws Exception {
        long[][] a = new long[rounds][];
        long[][] b = new long[rounds][];
        for (int round = 0; round < rounds; round++) {
            a[round] = first.openLoop(rate, Math.max(1, seconds / rounds));
            b[round] = second.openLoop(rate, Math.max(1, seconds / rounds));
        }
        return new long[][][] {a, b};
    }

    /**
     * Each round's p99 of both loads and their difference, and the median of those differences: one stalled
     * block moves the pooled p99 by its stall, the median of the rounds' differences by little.
     */
    static void roundsReport(String firstName, long[][] first, String secondName, long[][] second) {
        double[] added = new double[first.length];
        StringBuilder line = new StringBuilder("p99 by round (" + firstName + " / " + secondName + ", ms):");
        for (int r = 0; r < first.length; r++) {
            double a = pct(first[r], 99) / 1e6;
            double b = pct(second[r], 99) / 1e6;
            added[r] = b - a;
            line.append(String.format(" %.2f/%.2f", a, b));
        }
        double[] sorted = added.clone();
        Arrays.sort(sorted);
        double median = sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
        System.out.println(line);
        System.out.printf("p99 added, median over the %d rounds: %.3f ms (rounds from %.3f to %.3f ms)%n", added.length,
                median, sorted[0], sorted[sorted.length - 1]);
    }

    static long[] concat(long[][] blocks) {
        return Arrays.stream(blocks).flatMapToLong(Arrays::stream).toArray();
    }

    static double pct(long[] values, double p) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[(int) Math.min(sorted.length - 1, Math.floor(p / 100.0 * sorted.length))];
    }

    static void report(String what, long[] latency, RawLoad load) {
        System.out.printf("%-28s p50 %7.2f ms   p90 %7.2f ms   p99 %7.2f ms   max %7.2f ms   (%d requests) %s%n", what,
                pct(latency, 50) / 1e6, pct(latency, 90) / 1e6, pct(latency, 99) / 1e6, pct(latency, 100) / 1e6, latency.length,
                load.errors());
    }

    static byte[] concat(byte[] first, byte[] second) {
        byte[] both = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, both, first.length, second.length);
        return both;
    }

    /** Samples a process's resident memory every 200 ms. */
    static final class RssSampler extends Thread {
        private final long pid;
        volatile long maxKib;
        private volatile boolean running = true;

        RssSampler(long pid) {
            this.pid = pid;
            setDaemon(true);
        }

        public void run() {
            while (running) {
                try {
                    for (String line : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc/" + pid + "/status"))) {
                        if (line.startsWith("VmRSS:")) maxKib = Math.max(maxKib, Long.parseLong(line.replaceAll("\\D", "")));
                    }
                    Thread.sleep(200);
                } catch (Exception e) {
                    return;
                }
            }
        }

        void stopSampling() {
            running = false;
        }
    }
}
