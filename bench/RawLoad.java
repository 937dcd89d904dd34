import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A lean HTTP/1.1 load client in the manner of wrk2: requests are pre-encoded bytes sent on
 * kept-alive connections, and one thread does all the I/O through a selector; the caller's
 * thread only paces (it queues each send at its intended time and wakes the I/O thread). The JDK
 * HttpClient took about a millisecond of CPU per request here (1.1 cores at 1,000 requests/s),
 * which on two shared cores queued every request behind the load client itself.
 */
final class RawLoad {
    private final InetSocketAddress address;
    private final byte[][] requests; // one per key: connection n sends the (n mod keys)-th
    private int connectionsMade;
    private final boolean untilFirstData; // streams: latency until the first "data:" line
    private final int connections;
    private final Queue<long[]> due = new ConcurrentLinkedQueue<>(); // {index, intended nanos}, from the pacer
    private final Map<String, AtomicLong> errors = new ConcurrentHashMap<>();
    private final AtomicLong answered = new AtomicLong();
    // owned by the I/O thread
    private final ArrayDeque<KeptConnection> idle = new ArrayDeque<>();
    private final ArrayDeque<long[]> backlog = new ArrayDeque<>(); // due while every connection was busy
    private Selector selector;
    private long[] latency;
    private long closedLoopEnd; // closed loop: each answer sends the next request until then
    private long[] closedLatency = new long[0]; // closed loop: each answer's latency, in order
    private int closedAnswers;
    private volatile boolean running;

    RawLoad(String baseUrl, String method, String path, String body, boolean untilFirstData, int connections) {
        this(baseUrl, method, path, body, untilFirstData, connections, List.of(GatewayBench.key));
    }

    /** Connection n sends with the (n mod keys)-th key: a load spread over tenants. */
    RawLoad(String baseUrl, String method, String path, String body, boolean untilFirstData, int connections,
            List<String> keys) {
        URI uri = URI.create(baseUrl);
        address = new InetSocketAddress(uri.getHost(), uri.getPort());
        byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        requests = new byte[keys.size()][];
        for (int k = 0; k < keys.size(); k++) {
            String head = method + " " + path + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                    + "\r\nAuthorization: Bearer " + keys.get(k) + "\r\nAccept: */*\r\n"
                    + (body == null ? "" : "Content-Type: application/json\r\nContent-Length: " + content.length + "\r\n") + "\r\n";
            requests[k] = GatewayBench.concat(head.getBytes(StandardCharsets.US_ASCII), content);
        }
        this.untilFirstData = untilFirstData;
        this.connections = connections;
    }

    /** Open loop: {@code rate} sends per second for {@code seconds}; answers each latency (ns) from its intended send time. */
    long[] openLoop(int rate, int seconds) throws Exception {
        int total = rate * seconds;
        Thread io = start(new long[total], 0);
        long start = System.nanoTime() + 20_000_000;
        for (int i = 0; i < total; i++) {
            long intended = start + (long) i * 1_000_000_000L / rate;
            long wait = intended - System.nanoTime();
            if (wait > 0) LockSupport.parkNanos(wait);
            due.add(new long[] {i, intended});
            selector.wakeup();
        }
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (answered.get() < total && System.nanoTime() < deadline) Thread.sleep(5);
        if (answered.get() < total) count("no answer within 60 s", total - answered.get());
        stop(io);
        return latency;
    }

    /** Closed loop: every connection sends back to back for {@code seconds}; answers requests/s. */
    double closedLoop(int seconds) throws Exception {
        closedLatency = new long[Math.max(1, seconds) * 50_000]; // far above this machine's rate
        closedAnswers = 0;
        Thread io = start(new long[0], System.nanoTime() + seconds * 1_000_000_000L);
        for (int c = 0; c < connections; c++) due.add(new long[] {-1, System.nanoTime()});
        selector.wakeup();
        Thread.sleep(seconds * 1000L);
        double rate = answered.get() / (double) seconds;
        Thread.sleep(2000); // the last answers come in
        stop(io);
        return rate;
    }

    String errors() {
        return errors.isEmpty() ? "" : errors.toString();
    }

    /** The last closed loop's latencies (ns), each from its send to its answer. */
    long[] closedLoopLatencies() {
        return Arrays.copyOf(closedLatency, closedAnswers);
    }

    private Thread start(long[] latency, long closedLoopEnd) throws IOException {
        this.latency = latency;
        this.closedLoopEnd = closedLoopEnd;
        answered.set(0);
        errors.clear();
        selector = Selector.open();
        for (int c = 0; c < connections; c++) idle.add(connect()); // fresh ones: the server may have closed idle ones
        running = true;
        Thread io = new Thread(this::ioLoop, "raw-load-io");
        io.setDaemon(true);
        io.start();
        return io;
    }

    private void stop(Thread io) throws Exception {
        running = false;
        selector.wakeup();
        io.join();
        for (SelectionKey registered : selector.keys()) registered.channel().close();
        selector.close();
        idle.clear();
        backlog.clear();
        due.clear();
    }

    private KeptConnection connect() throws IOException {
        SocketChannel channel = SocketChannel.open(address);
        channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
        channel.configureBlocking(false);
        KeptConnection connection = new KeptConnection(channel, requests[connectionsMade++ % requests.length]);
        channel.register(selector, SelectionKey.OP_READ, connection);
        return connection;
    }

    private void ioLoop() {
        ByteBuffer buffer = ByteBuffer.allocateDirect(64 * 1024);
        try {
            while (running) {
                selector.select(100);
                for (long[] next; (next = due.poll()) != null; ) backlog.add(next);
                for (Iterator<SelectionKey> keys = selector.selectedKeys().iterator(); keys.hasNext(); ) {
                    SelectionKey selected = keys.next();
                    keys.remove();
                    read((KeptConnection) selected.attachment(), buffer);
                }
                while (!backlog.isEmpty() && !idle.isEmpty()) {
                    long[] next = backlog.poll();
                    send(idle.poll(), (int) next[0], next[1]);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void read(KeptConnection connection, ByteBuffer buffer) throws IOException {
        int read = connection.read(buffer);
        if (read < 0) {
            connection.channel.close();
            idle.remove(connection);
            if (connection.busy && connection.answer.status == 0) { // closed by the server before it saw this request: again, on a new one
                backlog.addFirst(new long[] {connection.index, connection.intended});
            } else if (connection.busy) {
                count("connection closed mid-answer", 1);
                answer(connection.index, System.nanoTime() - connection.intended);
            }
            idle.add(connect());
            return;
        }
        buffer.flip();
        if (connection.answer.feed(buffer, System.nanoTime())) { // one answer in flight per connection: nothing else in the buffer
            long now = System.nanoTime();
            connection.busy = false;
            if (connection.answer.status != 200) count("HTTP " + connection.answer.status, 1);
            answer(connection.index, (connection.answer.firstEvent > 0 ? connection.answer.firstEvent : now) - connection.intended);
            if (connection.index < 0 && now < closedLoopEnd) {
                send(connection, -1, now);
            } else {
                idle.add(connection);
            }
        }
    }

    private void send(KeptConnection connection, int index, long intended) throws IOException {
        connection.begin(index, intended, untilFirstData);
        ByteBuffer buffer = ByteBuffer.wrap(connection.request);
        while (buffer.hasRemaining()) {
            if (connection.channel.write(buffer) == 0) Thread.onSpinWait(); // a few hundred bytes: the socket takes them
        }
    }

    private void answer(int index, long nanos) {
        if (index >= 0) latency[index] = nanos;
        else if (closedAnswers < closedLatency.length) closedLatency[closedAnswers++] = nanos;
        answered.incrementAndGet();
    }

    private void count(String error, long n) {
        errors.computeIfAbsent(error, e -> new AtomicLong()).addAndGet(n);
    }

}
