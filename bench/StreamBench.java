import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;

/**
 * {@code ./switchboard bench streams}: N concurrent token streams of M tokens each, straight to the
 * instant simulator and through Switchboard, alternating for each N in one run, the load from one
 * NIO selector thread (as lean as the other benchmark's client). Per stream: the time to first token
 * and the largest gap between two chunks; across streams p50, p99 and max of both, chunks relayed per
 * second, completed and failed streams, and the CPU each process used (Switchboard, simulator, this
 * client) per chunk. {@code -Dstreams=64,256,512,1024 -Dtokens=1024} change the sizes.
 */
public class StreamBench {

    public static void main(String[] args) throws Exception {
        String gateway = args[0];
        String direct = args[1];
        String adminToken = args[2];
        long serverPid = Long.parseLong(args[3]);
        long enginePid = Long.parseLong(args[4]);
        int tokens = Integer.getInteger("tokens", 1024);
        int[] sizes = Arrays.stream(System.getProperty("streams", "64,256,512,1024").split(","))
                .mapToInt(s -> Integer.parseInt(s.trim())).toArray();

        GatewayBench.gateway = gateway;
        GatewayBench.direct = direct;
        GatewayBench.adminToken = adminToken;
        GatewayBench.setUp();
        String body = "{\"model\":\"bench-remote\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"Tell me a long story\"}],\"max_tokens\":" + tokens + ",\"ignore_eos\":true}";
        Processes processes = new Processes(serverPid, enginePid);

        // The start of a stream (a new connection, Liberty's request path, auth, the lease, the engine's headers)
        // is compiled late: C2 still compiled 2,800 methods in 6 s after 24 bursts of 256 starts (31% of the
        // gateway's CPU), 500 in 6 s after 150 bursts of 512; the gateway's added first-token p99 for a burst of
        // 512 starts fell from about +150 ms to none. Bursts of short streams first, as a gateway that has run a
        // while; -DwarmBursts=0 measures a cold one.
        int bursts = Integer.getInteger("warmBursts", 120);
        int burst = Integer.getInteger("warmStreams", 512);
        System.out.printf("%n== warm-up: %d bursts of %d two-token streams, then 64 streams of %d tokens twice, through Switchboard ==%n",
                bursts, burst, tokens);
        String shortBody = body.replace("\"max_tokens\":" + tokens, "\"max_tokens\":2");
        for (int i = 0; i < bursts; i++) new Run(gateway, GatewayBench.key, shortBody, burst).go();
        for (int i = 0; i < 2; i++) new Run(gateway, GatewayBench.key, body, 64).go();

        System.out.printf("%n== %d-token streams, straight to the engine and through Switchboard, alternating ==%n", tokens);
        System.out.println("(TTFT and largest gap between chunks per stream: p50 / p99 / max, ms; CPU per chunk in µs)");
        for (int streams : sizes) {
            for (String side : List.of("direct", "gateway")) {
                Run run = new Run(side.equals("direct") ? direct : gateway, GatewayBench.key, body, streams);
                long[] before = processes.cpuNanos();
                run.go();
                long[] used = processes.since(before);
                double chunks = Math.max(1, run.chunks);
                System.out.printf("%-7s %5d streams: %d done, %d failed, wall %.2f s, %.0f chunks/s | TTFT %s | gap %s"
                                + " | CPU/chunk: switchboard %.1f, engine %.1f, client %.1f%n",
                        side, streams, run.completed, run.failed, run.wallNanos / 1e9, run.chunks / (run.wallNanos / 1e9),
                        triple(run.ttft), triple(run.maxGap),
                        used[0] / 1e3 / chunks, used[1] / 1e3 / chunks, used[2] / 1e3 / chunks);
                for (String failure : run.failures) System.out.println("    failed: " + failure);
            }
        }
    }

    static String triple(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        if (sorted.length == 0) return "-";
        return String.format("%.1f / %.1f / %.1f", at(sorted, 50) / 1e6, at(sorted, 99) / 1e6, sorted[sorted.length - 1] / 1e6);
    }

    static long at(long[] sorted, double p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100 * sorted.length) - 1)];
    }

    /** CPU time of the server, the engine and this client, in nanoseconds (from /proc for the other two). */
    static final class Processes {
        private final long serverPid;
        private final long enginePid;

        Processes(long serverPid, long enginePid) {
            this.serverPid = serverPid;
            this.enginePid = enginePid;
        }

        long[] cpuNanos() {
            return new long[]{proc(serverPid), proc(enginePid),
                    ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime()};
        }

        long[] since(long[] before) {
            long[] now = cpuNanos();
            return new long[]{now[0] - before[0], now[1] - before[1], now[2] - before[2]};
        }

        private static long proc(long pid) {
            try {
                String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime + stime, at 100 Hz
                return ticks * 10_000_000L;
            } catch (IOException | RuntimeException e) {
                return 0;
            }
        }
    }

    /** N streams at once, each on its own connection; done when every stream ended or two minutes passed. */
    static final class Run {
        private final InetSocketAddress address;
        private final byte[] request;
        private final int streams;
        final long[] ttft;
        final long[] maxGap;
        long chunks;
        int completed;
        int failed;
        long wallNanos;
        final java.util.List<String> failures = new java.util.ArrayList<>();

        Run(String base, String key, String body, int streams) {
            URI uri = URI.create(base);
            address = new InetSocketAddress(uri.getHost(), uri.getPort());
            byte[] content = body.getBytes(StandardCharsets.UTF_8);
            request = GatewayBench.concat(("POST /v1/chat/completions HTTP/1.1\r\nHost: " + uri.getHost() + "\r\n"
                    + "Authorization: Bearer " + key + "\r\nContent-Type: application/json\r\nConnection: close\r\n"
                    + "Content-Length: " + content.length + "\r\n\r\n").getBytes(StandardCharsets.UTF_8), content);
            this.streams = streams;
            ttft = new long[streams];
            maxGap = new long[streams];
        }

        void go() throws IOException {
            try (Selector selector = Selector.open()) {
                Stream[] all = new Stream[streams];
                long start = System.nanoTime();
                for (int i = 0; i < streams; i++) {
                    SocketChannel channel = SocketChannel.open();
                    channel.configureBlocking(false);
                    channel.connect(address);
                    all[i] = new Stream(channel);
                    channel.register(selector, SelectionKey.OP_CONNECT, all[i]);
                }
                int open = streams;
                long deadline = start + 120_000_000_000L;
                ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
                while (open > 0 && System.nanoTime() < deadline) {
                    selector.select(1000);
                    long now = System.nanoTime();
                    for (Iterator<SelectionKey> keys = selector.selectedKeys().iterator(); keys.hasNext(); ) {
                        SelectionKey key = keys.next();
                        keys.remove();
                        Stream stream = (Stream) key.attachment();
                        try {
                            if (key.isConnectable()) {
                                stream.channel.finishConnect();
                                stream.sentNanos = System.nanoTime();
                                stream.channel.write(ByteBuffer.wrap(request)); // a few hundred bytes: the socket takes them
                                key.interestOps(SelectionKey.OP_READ);
                            } else if (key.isReadable()) {
                                buffer.clear();
                                int n = stream.channel.read(buffer);
                                if (n < 0) {
                                    stream.end();
                                    key.cancel();
                                    open--;
                                } else {
                                    stream.read(buffer, n, now);
                                }
                            }
                        } catch (IOException e) {
                            stream.failed = true;
                            stream.why = e.toString();
                            stream.end();
                            key.cancel();
                            open--;
                        }
                    }
                }
                wallNanos = System.nanoTime() - start;
                for (int i = 0; i < streams; i++) {
                    Stream s = all[i];
                    if (s.channel.isOpen()) s.channel.close();
                    chunks += s.events;
                    if (s.done && !s.failed && s.status200) {
                        completed++;
                    } else {
                        failed++;
                        if (failures.size() < 3) failures.add((s.why != null ? s.why : "status 200: " + s.status200 + ", [DONE]: "
                                + s.done) + ", " + s.events + " events, last bytes: " + s.tail());
                    }
                    ttft[i] = s.firstNanos == 0 ? wallNanos : s.firstNanos - s.sentNanos;
                    maxGap[i] = s.maxGap;
                }
            }
        }
    }

    /** One stream's bytes as they arrive: counts "data:" events, notes when each read brought some. */
    static final class Stream {
        final SocketChannel channel;
        long sentNanos;
        long firstNanos;
        long lastNanos;
        long maxGap;
        long events;
        boolean done;
        boolean failed;
        boolean status200;
        String why;
        private final byte[] last = new byte[200];
        private long received;
        private int matched; // how much of "data:" the last bytes matched
        private int doneMatched;
        private int statusBytes;
        private final byte[] statusLine = new byte[12];

        Stream(SocketChannel channel) {
            this.channel = channel;
        }

        void read(ByteBuffer buffer, int n, long now) {
            long before = events;
            for (int i = 0; i < n; i++) {
                byte b = buffer.get(i);
                last[(int) (received++ % last.length)] = b;
                if (statusBytes < statusLine.length) {
                    statusLine[statusBytes++] = b;
                    if (statusBytes == statusLine.length) status200 = new String(statusLine, StandardCharsets.US_ASCII).endsWith(" 200");
                }
                matched = b == "data:".charAt(matched) ? matched + 1 : b == 'd' ? 1 : 0;
                if (matched == 5) {
                    events++;
                    matched = 0;
                }
                doneMatched = b == "[DONE]".charAt(doneMatched) ? doneMatched + 1 : b == '[' ? 1 : 0;
                if (doneMatched == 6) {
                    done = true;
                    doneMatched = 0;
                }
            }
            if (events > before) {
                if (firstNanos == 0) firstNanos = now;
                else maxGap = Math.max(maxGap, now - lastNanos);
                lastNanos = now;
            }
        }

        String tail() {
            StringBuilder text = new StringBuilder();
            for (long i = Math.max(0, received - last.length); i < received; i++) text.append((char) last[(int) (i % last.length)]);
            return text.toString().replace("\n", "\\n").replace("\r", "\\r");
        }

        void end() {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
