import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.locks.LockSupport;

/**
 * The load generator: one workload (closed loop at a fixed concurrency, an open loop at an arrival rate, or a
 * trace's own arrival times, sped up) against one base URL, every request a chat completion whose prompt and output
 * lengths come from a distribution or a trace, streamed or not, spread over many keys; bounded by a duration and a
 * request count, reproducible from its seed, for 127.0.0.1 only. One NIO selector thread sends and reads, as lean
 * as the other benchmarks' client (the JDK HTTP client took a core of its own at 1,000 requests/s).
 *
 * <p>Each request's figures are kept ({@link LoadResult.Sample}): latency from its intended send time (so an open loop's
 * queueing counts), time to first {@code data:} event and the largest gap between two reads that brought events
 * (streams), status and the kind of error. {@link LoadResult} reports p50, p90, p99 and max, throughput and errors by
 * kind, and writes them as CSV and markdown; {@link Plots} draws them.
 *
 * <p>Used as a library by the benchmarks ({@code ./switchboard bench load} runs one workload from system
 * properties: see {@link #main}).
 */
public class LoadGenerator {

    /** How long prompts and answers are: {@code fixed:N}, {@code uniform:A-B}, {@code lognormal:MEDIAN,SIGMA}. */
    interface Lengths {
        int next(SplittableRandom random);

        static Lengths parse(String spec) {
            String[] kind = spec.split(":", 2);
            return switch (kind[0]) {
                case "fixed" -> {
                    int n = Integer.parseInt(kind[1]);
                    yield random -> n;
                }
                case "uniform" -> {
                    String[] bounds = kind[1].split("-");
                    int low = Integer.parseInt(bounds[0]);
                    int high = Integer.parseInt(bounds[1]);
                    yield random -> low + random.nextInt(high - low + 1);
                }
                case "lognormal" -> {
                    String[] params = kind[1].split(",");
                    double median = Double.parseDouble(params[0]);
                    double sigma = Double.parseDouble(params[1]);
                    yield random -> (int) Math.max(1, Math.min(1_000_000, Math.round(median * Math.exp(sigma * gaussian(random)))));
                }
                default -> throw new IllegalArgumentException("lengths are fixed:N, uniform:A-B or lognormal:MEDIAN,SIGMA, not " + spec);
            };
        }

        private static double gaussian(SplittableRandom random) { // Box-Muller: SplittableRandom has no nextGaussian on 17
            return Math.sqrt(-2 * Math.log(1 - random.nextDouble())) * Math.cos(2 * Math.PI * random.nextDouble());
        }
    }

    /** One request to send: when (nanoseconds after the start; -1 in a closed loop), with what key and lengths, for which model (null: the workload's). */
    record Planned(long atNanos, int key, int promptTokens, int outputTokens, String model) {
        Planned(long atNanos, int key, int promptTokens, int outputTokens) {
            this(atNanos, key, promptTokens, outputTokens, null);
        }
    }

    /** What a workload is: its requests in order, and how they are paced. */
    record Workload(String name, String model, boolean stream, List<String> keys, List<Planned> requests,
                    int concurrency, boolean closedLoop, long maxNanos) {

        /** {@code concurrency} connections sending back to back until {@code seconds} or {@code count} requests. */
        static Workload closed(String name, String model, boolean stream, List<String> keys, int concurrency, int seconds,
                               int count, Lengths prompt, Lengths output, long seed) {
            SplittableRandom random = new SplittableRandom(seed);
            List<Planned> requests = new ArrayList<>();
            for (int i = 0; i < count; i++) requests.add(new Planned(-1, i % keys.size(), prompt.next(random), output.next(random)));
            return new Workload(name, model, stream, keys, requests, concurrency, true, seconds * 1_000_000_000L);
        }

        /** Poisson arrivals at {@code rate} per second for {@code seconds}, on at most {@code connections} at once. */
        static Workload open(String name, String model, boolean stream, List<String> keys, double rate, int seconds,
                             int connections, Lengths prompt, Lengths output, long seed) {
            SplittableRandom random = new SplittableRandom(seed);
            List<Planned> requests = new ArrayList<>();
            long limit = seconds * 1_000_000_000L;
            double at = 0;
            for (int i = 0; ; i++) {
                at += -Math.log(1 - random.nextDouble()) / rate * 1e9;
                if (at >= limit) break;
                requests.add(new Planned((long) at, random.nextInt(keys.size()), prompt.next(random), output.next(random)));
            }
            return new Workload(name, model, stream, keys, requests, connections, false, limit + 60_000_000_000L);
        }

        /**
         * A trace's requests (TIMESTAMP, ContextTokens, GeneratedTokens, as the Azure LLM traces give them), the first
         * {@code count} from {@code skip}, their gaps divided by {@code speedup}.
         */
        static Workload trace(String name, String model, boolean stream, List<String> keys, Path csv, int skip, int count,
                              double speedup, int connections, int maxOutput) throws IOException {
            List<String> lines = Files.readAllLines(csv);
            DateTimeFormatter format = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSS");
            List<Planned> requests = new ArrayList<>();
            long first = -1;
            for (int i = 1 + skip; i < lines.size() && requests.size() < count; i++) {
                String[] fields = lines.get(i).split(",");
                LocalDateTime time = LocalDateTime.parse(fields[0].trim(), format);
                long nanos = time.toLocalDate().toEpochDay() * 86_400_000_000_000L + time.toLocalTime().toNanoOfDay();
                if (first < 0) first = nanos;
                requests.add(new Planned((long) ((nanos - first) / speedup), requests.size() % keys.size(),
                        Integer.parseInt(fields[1].trim()), Math.min(maxOutput, Math.max(1, Integer.parseInt(fields[2].trim())))));
            }
            long last = requests.isEmpty() ? 0 : requests.get(requests.size() - 1).atNanos();
            return new Workload(name, model, stream, keys, requests, connections, false, last + 120_000_000_000L);
        }
    }

    /** Runs the workload against {@code baseUrl}; returns every request's figures (unsent ones as errors). */
    public static LoadResult run(String baseUrl, Workload workload) throws IOException {
        return new Runner(baseUrl, workload).run();
    }

    // ---- the client ----

    private static final class Runner {
        private final InetSocketAddress address;
        private final String host;
        private final Workload workload;
        private final LoadResult.Sample[] samples;
        private final ArrayDeque<KeptConnection> idle = new ArrayDeque<>();
        private final ArrayDeque<Integer> backlog = new ArrayDeque<>();
        private Selector selector;
        private long startNanos;
        private int next; // the next planned request not yet due
        private int finished;
        private int reconnects;

        Runner(String baseUrl, Workload workload) {
            URI uri = URI.create(baseUrl);
            if (!uri.getHost().equals("127.0.0.1") && !uri.getHost().equals("localhost")) {
                throw new IllegalArgumentException("load stays on 127.0.0.1, not " + uri.getHost());
            }
            this.address = new InetSocketAddress(uri.getHost(), uri.getPort());
            this.host = uri.getHost() + ":" + uri.getPort();
            this.workload = workload;
            this.samples = new LoadResult.Sample[workload.requests().size()];
        }

        LoadResult run() throws IOException {
            selector = Selector.open();
            try {
                for (int c = 0; c < workload.concurrency(); c++) idle.add(connect());
                startNanos = System.nanoTime() + 20_000_000;
                long deadline = startNanos + workload.maxNanos() + (workload.closedLoop() ? 30_000_000_000L : 0);
                ByteBuffer buffer = ByteBuffer.allocateDirect(256 * 1024);
                while (finished < samples.length && System.nanoTime() < deadline) {
                    long now = System.nanoTime();
                    if (workload.closedLoop()) {
                        if (now - startNanos >= workload.maxNanos()) { // time is up: no more sends, the ones in flight finish
                            if (finished == next || now - startNanos >= workload.maxNanos() + 30_000_000_000L) break;
                        } else {
                            while (next < samples.length && !idle.isEmpty()) send(idle.poll(), next++, now);
                        }
                    } else {
                        while (next < samples.length && startNanos + workload.requests().get(next).atNanos() <= now) backlog.add(next++);
                        while (!backlog.isEmpty() && !idle.isEmpty()) {
                            int index = backlog.poll();
                            send(idle.poll(), index, startNanos + workload.requests().get(index).atNanos());
                        }
                    }
                    long wait = next < samples.length && !workload.closedLoop()
                            ? startNanos + workload.requests().get(next).atNanos() - System.nanoTime() : 100_000_000;
                    if (wait > 50_000) selector.select(Math.max(1, Math.min(100, wait / 1_000_000)));
                    else selector.selectNow();
                    for (Iterator<SelectionKey> keys = selector.selectedKeys().iterator(); keys.hasNext(); ) {
                        SelectionKey selected = keys.next();
                        keys.remove();
                        read((KeptConnection) selected.attachment(), buffer);
                    }
                }
                long wall = Math.min(System.nanoTime() - startNanos, workload.closedLoop() ? workload.maxNanos() : Long.MAX_VALUE);
                List<LoadResult.Sample> done = new ArrayList<>();
                for (int i = 0; i < samples.length; i++) {
                    if (samples[i] != null) {
                        done.add(samples[i]);
                    } else if (i < next || !workload.closedLoop()) { // sent and never answered, or never sent in time
                        Planned p = workload.requests().get(i);
                        done.add(new LoadResult.Sample(i, p.key(), p.promptTokens(), p.outputTokens(), 0, 0, wall, 0, 0, 0,
                                i < next ? "no answer in time" : "not sent in time"));
                    }
                }
                if (reconnects > 0) System.out.printf("(%d requests resent on a new connection: the server had closed theirs)%n", reconnects);
                return new LoadResult(workload, done, wall);
            } finally {
                for (SelectionKey registered : selector.keys()) registered.channel().close();
                selector.close();
            }
        }

        private KeptConnection connect() throws IOException {
            SocketChannel channel = SocketChannel.open(address);
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            channel.configureBlocking(false);
            KeptConnection connection = new KeptConnection(channel, null);
            connection.key = channel.register(selector, SelectionKey.OP_READ, connection);
            return connection;
        }

        private void send(KeptConnection connection, int index, long intended) throws IOException {
            Planned planned = workload.requests().get(index);
            connection.begin(index, intended, workload.stream());
            ByteBuffer request = ByteBuffer.wrap(Bodies.request(host, workload, planned));
            connection.channel.write(request);
            if (request.hasRemaining()) {
                connection.pending = request; // a long prompt: the rest when the socket takes it
                connection.key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
            }
        }

        private void read(KeptConnection connection, ByteBuffer buffer) throws IOException {
            if (connection.key.isValid() && connection.key.isWritable() && connection.pending != null) {
                connection.channel.write(connection.pending);
                if (!connection.pending.hasRemaining()) {
                    connection.pending = null;
                    connection.key.interestOps(SelectionKey.OP_READ);
                }
            }
            if (!connection.key.isValid() || !connection.key.isReadable()) return;
            int read = connection.read(buffer);
            long now = System.nanoTime();
            if (read < 0) {
                connection.channel.close();
                idle.remove(connection);
                if (connection.busy && connection.answer.status == 0 && !connection.resent) {
                    // the server closed a kept-alive connection before it read this request: once more, on a new one
                    KeptConnection fresh = connect();
                    fresh.resent = true;
                    reconnects++;
                    send(fresh, connection.index, connection.intended);
                    return;
                }
                if (connection.busy) finish(connection, now, connection.answer.status == 0 ? "closed before an answer" : "closed mid-answer");
                if (next < samples.length || !backlog.isEmpty()) idle.add(connect());
                return;
            }
            buffer.flip();
            if (connection.answer.feed(buffer, now)) finish(connection, now, null);
        }

        private void finish(KeptConnection connection, long now, String failure) {
            HttpAnswer answer = connection.answer;
            Planned planned = workload.requests().get(connection.index);
            String error = failure != null ? failure : answer.status != 200 ? "HTTP " + answer.status
                    : workload.stream() && !answer.done ? "stream without [DONE]" : null;
            samples[connection.index] = new LoadResult.Sample(connection.index, planned.key(), planned.promptTokens(), planned.outputTokens(),
                    connection.intended - startNanos, answer.status, now - connection.intended,
                    answer.firstEvent > 0 ? answer.firstEvent - connection.intended : 0, answer.maxGap, answer.events, error);
            connection.busy = false;
            connection.resent = false;
            finished++;
            if (failure == null) idle.add(connection);
        }
    }

    /** Request bytes: a chat completion with a prompt of about the planned tokens (one word a token, as the simulator counts). */
    static final class Bodies {
        private static final String[] WORDS = ("the gateway routes each request to a model and the model answers with tokens "
                + "that stream back through the relay while quotas and usage are counted").split(" ");
        private static final Map<Integer, String> PROMPTS = new java.util.concurrent.ConcurrentHashMap<>();

        static byte[] request(String host, Workload workload, Planned planned) {
            String prompt = PROMPTS.computeIfAbsent(planned.promptTokens(), Bodies::prompt);
            String model = planned.model() != null ? planned.model() : workload.model();
            String body = "{\"model\":\"" + model + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt
                    + "\"}],\"max_tokens\":" + planned.outputTokens() + ",\"ignore_eos\":true"
                    + (workload.stream() ? ",\"stream\":true" : "") + "}";
            byte[] content = body.getBytes(StandardCharsets.UTF_8);
            String head = "POST /v1/chat/completions HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: Bearer "
                    + workload.keys().get(planned.key()) + "\r\nContent-Type: application/json\r\nAccept: */*\r\nContent-Length: "
                    + content.length + "\r\n\r\n";
            byte[] bytes = Arrays.copyOf(head.getBytes(StandardCharsets.US_ASCII), head.length() + content.length);
            System.arraycopy(content, 0, bytes, head.length(), content.length);
            return bytes;
        }

        private static String prompt(int tokens) {
            StringBuilder text = new StringBuilder(tokens * 6);
            for (int i = 0; i < Math.max(1, tokens - 8); i++) text.append(i == 0 ? "" : " ").append(WORDS[i % WORDS.length]);
            return text.toString(); // the chat template and the role add a few tokens
        }
    }

    /**
     * A key each of {@code count} new tenants, through the admin API; with {@code limits}, every limit set high enough
     * that nothing is refused, so that admission and settlement do all their work ("everything on").
     */
    static List<String> tenantKeys(int count, boolean limits) throws Exception {
        List<String> keys = new ArrayList<>();
        for (int t = 0; t < count; t++) {
            String tenant = GatewayBench.admin("POST", "/admin/tenants", "{\"name\":\"bench-load-" + System.nanoTime() + "\""
                    + (limits ? ",\"rpm_limit\":1000000,\"tpm_limit\":1000000000,\"max_concurrency\":1000,"
                    + "\"daily_token_budget\":1000000000000,\"monthly_token_budget\":1000000000000,\"monthly_spend_limit\":1000000" : "")
                    + "}");
            String id = GatewayBench.field(tenant, "id");
            keys.add(GatewayBench.field(GatewayBench.admin("POST", "/admin/tenants/" + id + "/keys", "{\"name\":\"bench\"}"), "key"));
        }
        Thread.sleep(1_500); // the key cache and the catalog snapshot
        return keys;
    }

    /**
     * {@code ./switchboard bench load}: one workload from system properties against the gateway ({@code -Dtarget=engine}:
     * against the simulator directly); CSV, markdown and plots.
     */
    public static void main(String[] args) throws Exception {
        GatewayBench.arguments(args);
        GatewayBench.setUp();
        int tenants = Integer.getInteger("tenants", 100);
        List<String> keys = tenants <= 1 ? List.of(GatewayBench.key)
                : tenantKeys(tenants, Boolean.parseBoolean(System.getProperty("limits", "true")));
        String mode = System.getProperty("mode", "open");
        boolean stream = Boolean.parseBoolean(System.getProperty("stream", "false"));
        long seed = Long.getLong("seed", 42);
        int seconds = Integer.getInteger("seconds", 15);
        Lengths prompt = Lengths.parse(System.getProperty("prompt", "fixed:100"));
        Lengths output = Lengths.parse(System.getProperty("output", "fixed:8"));
        int connections = Integer.getInteger("connections", 64);
        Workload workload = switch (mode) {
            case "closed" -> Workload.closed("closed, " + connections + " connections", "bench-remote", stream, keys, connections,
                    seconds, Integer.getInteger("count", 200_000), prompt, output, seed);
            case "trace" -> Workload.trace("trace " + System.getProperty("trace"), "bench-remote", stream, keys,
                    Path.of(System.getProperty("trace")), Integer.getInteger("skip", 0), Integer.getInteger("count", 2000),
                    Double.parseDouble(System.getProperty("speedup", "1")), connections, Integer.getInteger("max-output", 512));
            default -> Workload.open("open, " + System.getProperty("rate", "1000") + "/s", "bench-remote", stream, keys,
                    Double.parseDouble(System.getProperty("rate", "1000")), seconds, connections, prompt, output, seed);
        };
        if (Boolean.parseBoolean(System.getProperty("warmup", "true"))) {
            GatewayBench.warmUp("{\"model\":\"bench-remote\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello there\"}],"
                    + "\"max_tokens\":8,\"ignore_eos\":true}");
        }
        Path out = Path.of(System.getProperty("out", "target/bench/load"));
        System.out.printf("%d requests planned (%s, stream %s, seed %d, %d keys)%n", workload.requests().size(), mode, stream, seed, keys.size());
        // -Dtarget=engine: the same workload straight to the simulator, for the same CSV without Switchboard
        boolean engine = "engine".equals(System.getProperty("target", "gateway"));
        LoadResult result = run(engine ? GatewayBench.direct : GatewayBench.gateway, workload);
        result.writeCsv(out.resolve("requests.csv"));
        String summary = LoadResult.markdownHeader() + "\n" + result.markdownRow() + "\n";
        Files.writeString(out.resolve("summary.md"), summary);
        Plots.latencyPercentiles(List.of(result), out.resolve("latency.png"));
        Plots.overTime(result, out.resolve("over-time.png"));
        System.out.println(summary);
        System.out.println("written: " + out.resolve("requests.csv") + ", summary.md, latency.png, over-time.png");
    }
}
