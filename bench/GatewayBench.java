import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Switchboard's gateway benchmark (run by {@code ./switchboard bench}; JDK only, run as a source
 * file). Open-loop load at a fixed rate, latency measured from each request's intended send time
 * so that a stall is not hidden (no coordinated omission). All targets are on 127.0.0.1.
 *
 * <pre>java bench/GatewayBench.java GATEWAY_URL DIRECT_ENGINE_URL ADMIN_TOKEN SERVER_PID</pre>
 */
public class GatewayBench {

    // run with -Djava.util.concurrent.ForkJoinPool.common.parallelism=2: on 2 cores the default (1)
    // makes every async completion start a thread (liberty-recipe.md 12.5), which would measure the client
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .executor(java.util.concurrent.Executors.newFixedThreadPool(4, runnable -> {
                Thread thread = new Thread(runnable, "bench-http");
                thread.setDaemon(true); // the benchmark ends when main does
                return thread;
            }))
            .connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * At most this many requests in flight (so at most this many connections), as with wrk2's -c or
     * an SDK's connection pool: without a bound, a stall made the JDK client open hundreds of new
     * connections, and the connection storm, not the relay, was what the figures showed.
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
        String chat = "{\"model\":\"bench-remote\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello there\"}],"
                + "\"max_tokens\":8,\"ignore_eos\":true}";
        String stream = "{\"model\":\"bench-remote\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"Hello there\"}],\"max_tokens\":16,\"ignore_eos\":true}";

        System.out.println("warming up (JIT) for 70 s ...");
        closedLoop(gateway + "/v1/chat/completions", chat, 16, 40); // closed loop: a cold JIT must not overflow the queue
        closedLoop(gateway + "/v1/models", null, 16, 15);
        openLoop(gateway, "/v1/chat/completions", chat, rate, 15);

        System.out.printf("%n== non-streamed chat completion, open loop at %d requests/s for %d s ==%n", rate, seconds);
        // alternating blocks, so that whatever else the machine does meanwhile weighs on both sides alike
        int rounds = 3;
        long[][] directBlocks = new long[rounds][];
        long[][] gatewayBlocks = new long[rounds][];
        RssSampler rss = new RssSampler(serverPid);
        rss.start();
        for (int round = 0; round < rounds; round++) {
            directBlocks[round] = openLoop(direct, "/v1/chat/completions", chat, rate, seconds / rounds);
            gatewayBlocks[round] = openLoop(gateway, "/v1/chat/completions", chat, rate, seconds / rounds);
        }
        rss.stopSampling();
        long[] directLatency = concat(directBlocks);
        long[] gatewayLatency = concat(gatewayBlocks);
        report("engine directly", directLatency);
        report("through Switchboard", gatewayLatency);
        System.out.printf("added latency: p50 %.2f ms, p99 %.2f ms%n",
                (pct(gatewayLatency, 50) - pct(directLatency, 50)) / 1e6, (pct(gatewayLatency, 99) - pct(directLatency, 99)) / 1e6);
        System.out.printf("Switchboard resident memory under that load: max %d MiB%n", rss.maxKib / 1024);

        int streamRate = Math.max(50, rate / 5);
        System.out.printf("%n== streamed chat completion (16 tokens), time to first token, open loop at %d streams/s ==%n", streamRate);
        long[][] directTtftBlocks = new long[rounds][];
        long[][] gatewayTtftBlocks = new long[rounds][];
        for (int round = 0; round < rounds; round++) {
            directTtftBlocks[round] = openLoopStreams(direct, stream, streamRate, seconds / rounds);
            gatewayTtftBlocks[round] = openLoopStreams(gateway, stream, streamRate, seconds / rounds);
        }
        long[] directTtft = concat(directTtftBlocks);
        long[] gatewayTtft = concat(gatewayTtftBlocks);
        report("engine directly, TTFT", directTtft);
        report("through Switchboard, TTFT", gatewayTtft);
        System.out.printf("added time to first token: p50 %.2f ms, p99 %.2f ms%n",
                (pct(gatewayTtft, 50) - pct(directTtft, 50)) / 1e6, (pct(gatewayTtft, 99) - pct(directTtft, 99)) / 1e6);

        System.out.printf("%n== saturation, closed loop, 64 connections, %d s ==%n", seconds);
        double saturated = closedLoop(gateway + "/v1/chat/completions", chat, 64, seconds);
        System.out.printf("through Switchboard: %.0f requests/s%n", saturated);

        System.out.printf("%n== GET /v1/models (issue 2) ==%n");
        double models = closedLoop(gateway + "/v1/models", null, 64, seconds);
        System.out.printf("closed loop, 64 connections: %.0f requests/s%n", models);
        long[] modelLatency = openLoop(gateway, "/v1/models", null, 5000, seconds);
        report("open loop at 5000 requests/s", modelLatency);
        wrk(gateway + "/v1/models", seconds);

        System.out.printf("%n== cold request: time to first token vs the engine's ready time ==%n");
        coldStart();
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

    static void setUp() throws Exception {
        String tenant = admin("POST", "/admin/tenants", "{\"name\":\"bench-" + System.nanoTime() + "\"}");
        String tenantId = field(tenant, "id");
        key = field(admin("POST", "/admin/tenants/" + tenantId + "/keys", "{\"name\":\"bench\"}"), "key");
        admin("POST", "/admin/models", "{\"name\":\"bench-remote\",\"engine\":\"remote\",\"url\":\"" + direct
                + "\",\"model_id\":\"meta-llama/Llama-3.1-8B-Instruct\",\"gpu_memory_gib\":20,\"max_model_len\":4096}");
        admin("PATCH", "/admin/models/bench-remote", "{\"url\":\"" + direct + "\",\"enabled\":true}");
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

    // ---- load ----

    /** One request of an open-loop run: its index and the moment it was meant to leave (ns). */
    interface Send {
        CompletableFuture<?> send(int index, long intendedNanos);
    }

    /**
     * Calls {@code send} at {@code rate}/s for {@code seconds}, on schedule whatever the answers do;
     * waits for all. Keeps no reference to the calls: a growing live set would make the load
     * client's own GC pauses (100+ ms, measured) part of every latency figure.
     */
    static void paced(int rate, int seconds, Send send) throws InterruptedException {
        int total = rate * seconds;
        CountDownLatch answered = new CountDownLatch(total);
        Semaphore connections = new Semaphore(CONNECTIONS);
        long start = System.nanoTime() + 50_000_000;
        for (int i = 0; i < total; i++) {
            long intended = start + (long) i * 1_000_000_000L / rate;
            long wait = intended - System.nanoTime();
            if (wait > 0) LockSupport.parkNanos(wait);
            connections.acquireUninterruptibly(); // a late answer delays the next send; its latency still counts from `intended`
            send.send(i, intended).whenComplete((ignored, failure) -> {
                connections.release();
                answered.countDown();
            });
        }
        answered.await();
    }

    /** Sends at {@code rate}/s for {@code seconds}; answers each latency from the intended send time, in ns. */
    static long[] openLoop(String base, String path, String body, int rate, int seconds) throws InterruptedException {
        long[] latency = new long[rate * seconds];
        java.util.Map<String, AtomicLong> errors = new java.util.concurrent.ConcurrentHashMap<>();
        paced(rate, seconds, (index, intended) -> HTTP.sendAsync(post(base, path, body), HttpResponse.BodyHandlers.discarding())
                .whenComplete((response, failure) -> {
                    latency[index] = System.nanoTime() - intended;
                    String error = failure != null ? failure.getClass().getSimpleName()
                            : response.statusCode() != 200 ? "HTTP " + response.statusCode() : null;
                    if (error != null) errors.computeIfAbsent(error, e -> new AtomicLong()).incrementAndGet();
                }));
        if (!errors.isEmpty()) System.out.printf("  (of %d requests, failed: %s)%n", latency.length, errors);
        return latency;
    }

    /** Streams at {@code rate}/s; answers the time from intended send to the first data line, in ns. */
    static long[] openLoopStreams(String base, String body, int rate, int seconds) throws InterruptedException {
        long[] ttft = new long[rate * seconds];
        paced(rate, seconds, (index, intended) -> HTTP.sendAsync(post(base, "/v1/chat/completions", body),
                HttpResponse.BodyHandlers.fromLineSubscriber(new FirstData(() -> ttft[index] = System.nanoTime() - intended))));
        return ttft;
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

    /** {@code connections} clients each sending back to back for {@code seconds}; answers requests/s. */
    static double closedLoop(String url, String body, int connections, int seconds) throws Exception {
        AtomicLong done = new AtomicLong();
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        List<CompletableFuture<Void>> loops = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            CompletableFuture<Void> loop = new CompletableFuture<>();
            loops.add(loop);
            next(url, body, end, done, loop);
        }
        long start = System.nanoTime();
        CompletableFuture.allOf(loops.toArray(CompletableFuture[]::new)).join();
        return done.get() / ((System.nanoTime() - start) / 1e9);
    }

    static void next(String url, String body, long end, AtomicLong done, CompletableFuture<Void> loop) {
        if (System.nanoTime() >= end) {
            loop.complete(null);
            return;
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + key)
                .header("Content-Type", "application/json");
        HTTP.sendAsync((body == null ? b.GET() : b.POST(HttpRequest.BodyPublishers.ofString(body))).build(),
                HttpResponse.BodyHandlers.discarding()).whenComplete((r, t) -> {
            if (t == null && r.statusCode() == 200) done.incrementAndGet();
            next(url, body, end, done, loop);
        });
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

    // ---- figures ----

    static long[] concat(long[][] blocks) {
        return Arrays.stream(blocks).flatMapToLong(Arrays::stream).toArray();
    }

    static double pct(long[] values, double p) {
        long[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[(int) Math.min(sorted.length - 1, Math.floor(p / 100.0 * sorted.length))];
    }

    static void report(String what, long[] latency) {
        System.out.printf("%-28s p50 %7.2f ms   p90 %7.2f ms   p99 %7.2f ms   max %7.2f ms   (%d requests)%n", what,
                pct(latency, 50) / 1e6, pct(latency, 90) / 1e6, pct(latency, 99) / 1e6, pct(latency, 100) / 1e6, latency.length);
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
