package io.switchboard.accounting.control;

import io.switchboard.accounting.entity.UsageRecord;
import io.switchboard.gateway.control.Jsonp;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;

import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * The local append-only journal that makes a usage row survive what the database write cannot wait for:
 * every row is appended (one {@code write}, one JSON line) before the request's last bytes go to its
 * client, so a {@code kill -9} right after loses nothing (the kernel has the bytes); the writer fsyncs
 * in groups (each flush), which bounds what a power loss can take. A segment is deleted once all its rows
 * are in PostgreSQL; segments left by an earlier process, or whose rows the writer could not keep in
 * memory during an outage, are replayed from disk (idempotently: the request id is the row's key).
 */
public final class UsageJournal {

    private static final Logger LOG = Logger.getLogger(UsageJournal.class.getName());
    private static final String SUFFIX = ".journal";
    /** Rows PostgreSQL refused, in the journal's line format: renamed to end in .journal, they replay at the next start. */
    static final String SET_ASIDE = "set-aside-rows.jsonl";

    /** A segment file and how many of its rows are appended and written to the database. */
    public static final class Segment {
        final Path path;
        final FileChannel channel;
        final long openedNanos = System.nanoTime();
        final AtomicLong appended = new AtomicLong();
        final AtomicLong written = new AtomicLong();
        volatile boolean closed;
        volatile boolean spilled; // some of its rows are on disk only: replay the file

        Segment(Path path, FileChannel channel) {
            this.path = path;
            this.channel = channel;
        }

        void markSpilled() {
            spilled = true;
        }
    }

    /** A row as appended (its line is also what the database writer sends), with the segment that holds it. */
    public record Entry(UsageRecord record, String line, Segment segment) {
    }

    private final Path directory;
    private final ReentrantLock appending = new ReentrantLock();
    private final List<Segment> closed = new ArrayList<>(); // guarded by this
    private final List<Path> leftovers;
    private final java.util.Map<Path, Long> leftoverRows = new java.util.HashMap<>(); // guarded by this
    private volatile Segment current;
    private long sequence;

    public UsageJournal(Path directory) {
        this.directory = directory;
        try {
            Files.createDirectories(directory);
            try (Stream<Path> files = Files.list(directory)) {
                leftovers = new ArrayList<>(files.filter(f -> f.getFileName().toString().endsWith(SUFFIX)).sorted().toList());
            }
            for (Path file : leftovers) leftoverRows.put(file, lineCount(file)); // counted in the depth until replayed
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot use the usage journal directory " + directory, e);
        }
        current = open();
    }

    public Path directory() {
        return directory;
    }

    /** Appends the row: when this returns, a kill of the process cannot lose it. */
    public Entry append(UsageRecord record) {
        String text = encode(record);
        byte[] line = (text + "\n").getBytes(StandardCharsets.UTF_8);
        appending.lock();
        try {
            Segment segment = current;
            ByteBuffer buffer = ByteBuffer.wrap(line);
            while (buffer.hasRemaining()) segment.channel.write(buffer);
            segment.appended.incrementAndGet();
            return new Entry(record, text, segment);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot append to the usage journal " + current.path, e);
        } finally {
            appending.unlock();
        }
    }

    /** Forces what was appended to the disk (the group fsync). */
    public void sync() {
        try {
            current.channel.force(false);
        } catch (IOException e) {
            LOG.warning("Could not fsync the usage journal: " + e.getMessage());
        }
    }

    /** Starts a new segment when the current one is older than maxAge or larger than maxBytes (or spilled). */
    public void rotateIfDue(long maxAgeNanos, long maxBytes) {
        Segment segment = current;
        long size;
        try {
            size = segment.channel.size();
        } catch (IOException e) {
            size = Long.MAX_VALUE;
        }
        // a spilled segment too by size and age only: at once, a long outage would make a file every flush
        boolean due = size >= maxBytes || (System.nanoTime() - segment.openedNanos >= maxAgeNanos && size > 0);
        if (!due) return;
        appending.lock();
        try {
            current = open();
        } finally {
            appending.unlock();
        }
        try {
            segment.channel.force(false);
            segment.channel.close();
        } catch (IOException e) {
            LOG.warning("Could not close usage journal segment " + segment.path + ": " + e.getMessage());
        }
        synchronized (this) {
            segment.closed = true;
            closed.add(segment);
        }
        deleteWritten();
    }

    /** These rows are in PostgreSQL. */
    public void written(List<Entry> entries) {
        for (Entry entry : entries) if (entry.segment != null) entry.segment.written.incrementAndGet();
        deleteWritten();
    }

    /**
     * The oldest file an earlier process left, if any: its rows are older than any this process made. Files are
     * replayed one at a time (this, then {@link #spilled}), each followed by {@link #replayed}.
     */
    public synchronized java.util.Optional<Path> leftover() {
        return leftovers.stream().findFirst();
    }

    /** A closed segment with rows that were never kept in memory (an outage outgrew the memory), if any. */
    public synchronized java.util.Optional<Path> spilled() {
        return closed.stream().filter(segment -> segment.spilled).map(segment -> segment.path).findFirst();
    }

    /**
     * Keeps a row that PostgreSQL refuses (a value no column takes) out of the way of every row behind it,
     * on disk, fsynced, in the journal's format: an operator who has fixed the cause renames the file to end
     * in {@code .journal} and the next start replays it. Never deleted by Switchboard.
     */
    public synchronized void setAside(String line) {
        try (FileChannel file = FileChannel.open(directory.resolve(SET_ASIDE), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
            ByteBuffer buffer = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
            while (buffer.hasRemaining()) file.write(buffer);
            file.force(false);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot set a refused usage row aside in " + directory.resolve(SET_ASIDE), e);
        }
    }

    /** A file that cannot be read: renamed so it is not replayed again (an operator may mend it); answers the new path. */
    public synchronized Path unreadable(Path file) {
        Path kept = file.resolveSibling(file.getFileName() + ".unreadable");
        try {
            Files.move(file, kept);
        } catch (IOException e) {
            LOG.warning("Could not rename " + file + ": " + e.getMessage());
        }
        leftovers.remove(file);
        leftoverRows.remove(file);
        closed.removeIf(segment -> segment.path.equals(file));
        return kept;
    }

    public synchronized void replayed(Path file) {
        leftovers.remove(file);
        leftoverRows.remove(file);
        closed.removeIf(segment -> segment.path.equals(file));
        delete(file);
    }

    /** Rows appended and not yet known to be in the database (the journal's depth). */
    public synchronized long depth() {
        long depth = current.appended.get() - current.written.get();
        for (Segment segment : closed) depth += segment.appended.get() - segment.written.get();
        for (long rows : leftoverRows.values()) depth += rows;
        return depth;
    }

    public boolean hasLeftovers() {
        synchronized (this) {
            return !leftovers.isEmpty();
        }
    }

    /** The rows of a journal file; a line torn by a crash mid-write is skipped with a warning. */
    public static List<UsageRecord> read(Path file) {
        return readLines(file).stream().map(UsageJournal::decode).toList();
    }

    /** The whole lines of a journal file (each checked to read back as a row); a torn one is skipped with a warning. */
    public static List<String> readLines(Path file) {
        List<String> records = new ArrayList<>();
        try {
            // lenient decoding: a line cut mid-character reads as U+FFFD, fails to decode below and is skipped alone
            for (String line : new String(Files.readAllBytes(file), StandardCharsets.UTF_8).split("\n")) {
                if (line.isBlank()) continue;
                try {
                    decode(line);
                    records.add(line);
                } catch (RuntimeException torn) {
                    LOG.warning("Skipped an unreadable line in usage journal " + file + ": " + torn.getMessage());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read usage journal " + file, e);
        }
        return records;
    }

    /** Whole lines (a torn last line has no newline yet), counted without decoding. */
    private static long lineCount(Path file) {
        long lines = 0;
        byte[] buffer = new byte[1 << 16];
        try (java.io.InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                for (int i = 0; i < n; i++) if (buffer[i] == '\n') lines++;
            }
        } catch (IOException e) {
            return 0; // unreadable now; its replay says why
        }
        return lines;
    }

    private synchronized void deleteWritten() {
        closed.removeIf(segment -> {
            if (segment.spilled || segment.written.get() < segment.appended.get()) return false;
            delete(segment.path);
            return true;
        });
    }

    private Segment open() {
        while (true) {
            Path path = directory.resolve(String.format("usage-%d-%06d%s", System.currentTimeMillis(), sequence++, SUFFIX));
            try {
                return new Segment(path, FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                        StandardOpenOption.APPEND));
            } catch (java.nio.file.FileAlreadyExistsException taken) {
                // an earlier process opened a segment in the same millisecond (a restart at once): the next number
            } catch (IOException e) {
                throw new UncheckedIOException("Cannot create usage journal segment " + path, e);
            }
        }
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warning("Could not delete usage journal segment " + file + ": " + e.getMessage());
        }
    }

    // ---- the line format: one JSON object per row ----

    /**
     * The row as one JSON line, written by hand: it runs on every request before its last bytes, and
     * JSON-P's builder (a map per row) cost several times as much. Read back with JSON-P ({@link #decode}).
     */
    static String encode(UsageRecord r) {
        StringBuilder json = new StringBuilder(512).append('{');
        text(json, "request_id", r.requestId());
        number(json, "tenant_id", r.tenantId());
        text(json, "endpoint", r.endpoint());
        text(json, "outcome", r.outcome().wireName());
        number(json, "http_status", (long) r.httpStatus());
        json.append(",\"stream\":").append(r.stream());
        number(json, "prompt_tokens", (long) r.promptTokens());
        number(json, "cached_tokens", (long) r.cachedTokens());
        number(json, "completion_tokens", (long) r.completionTokens());
        json.append(",\"tokens_estimated\":").append(r.tokensEstimated());
        number(json, "queue_ms", (long) r.queueMillis());
        number(json, "latency_ms", (long) r.latencyMillis());
        number(json, "started_at", micros(r.startedAt()));
        number(json, "finished_at", micros(r.finishedAt()));
        text(json, "client_request_id", r.clientRequestId());
        number(json, "key_id", r.keyId());
        text(json, "end_user", r.endUser());
        text(json, "requested_model", r.requestedModel());
        text(json, "served_model", r.servedModel());
        text(json, "route", r.route());
        text(json, "fallback_reason", r.fallbackReason());
        text(json, "finish_reason", r.finishReason());
        number(json, "ttft_ms", r.timeToFirstTokenMillis() == null ? null : r.timeToFirstTokenMillis().longValue());
        number(json, "price_id", r.priceId());
        number(json, "input_micros_per_mtok", r.inputMicrosPerMtok());
        number(json, "cached_micros_per_mtok", r.cachedMicrosPerMtok());
        number(json, "output_micros_per_mtok", r.outputMicrosPerMtok());
        number(json, "cost_picos", r.costPicos());
        text(json, "error", r.error());
        return json.append('}').toString();
    }

    static UsageRecord decode(String line) {
        JsonObject j;
        try (JsonReader reader = Jsonp.reader(new StringReader(line))) {
            j = reader.readObject();
        }
        Long ttft = optionalLong(j, "ttft_ms");
        return new UsageRecord(j.getString("request_id"), optionalText(j, "client_request_id"),
                j.getJsonNumber("tenant_id").longValueExact(), optionalLong(j, "key_id"), optionalText(j, "end_user"),
                j.getString("endpoint"), optionalText(j, "requested_model"), optionalText(j, "served_model"),
                optionalText(j, "route"), optionalText(j, "fallback_reason"),
                UsageRecord.Outcome.fromWireName(j.getString("outcome")), j.getInt("http_status"),
                j.getBoolean("stream"), optionalText(j, "finish_reason"), j.getInt("prompt_tokens"),
                j.getInt("cached_tokens"), j.getInt("completion_tokens"), j.getBoolean("tokens_estimated"),
                j.getInt("queue_ms"), ttft == null ? null : ttft.intValue(), j.getInt("latency_ms"),
                instant(j.getJsonNumber("started_at").longValueExact()),
                instant(j.getJsonNumber("finished_at").longValueExact()), optionalLong(j, "price_id"),
                optionalLong(j, "input_micros_per_mtok"), optionalLong(j, "cached_micros_per_mtok"),
                optionalLong(j, "output_micros_per_mtok"), optionalLong(j, "cost_picos"), optionalText(j, "error"));
    }

    static long micros(Instant at) {
        return Math.addExact(Math.multiplyExact(at.getEpochSecond(), 1_000_000L), at.getNano() / 1_000);
    }

    static Instant instant(long micros) {
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L), Math.floorMod(micros, 1_000_000L) * 1_000L);
    }

    private static void text(StringBuilder json, String name, String value) {
        if (value == null) return;
        separator(json).append('"').append(name).append("\":\"");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) json.append(String.format("\\u%04x", (int) c));
                    else json.append(c);
                }
            }
        }
        json.append('"');
    }

    private static void number(StringBuilder json, String name, Long value) {
        if (value != null) separator(json).append('"').append(name).append("\":").append(value.longValue());
    }

    private static StringBuilder separator(StringBuilder json) {
        return json.length() > 1 ? json.append(',') : json;
    }

    private static String optionalText(JsonObject json, String name) {
        JsonValue value = json.get(name);
        return value == null || value == JsonValue.NULL ? null : json.getString(name);
    }

    private static Long optionalLong(JsonObject json, String name) {
        JsonValue value = json.get(name);
        return value instanceof JsonNumber number ? number.longValueExact() : null;
    }
}
