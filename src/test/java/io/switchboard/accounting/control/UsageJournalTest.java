package io.switchboard.accounting.control;

import io.switchboard.accounting.entity.UsageRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The local journal: what is appended survives the process, and what is written to the database is deleted. */
class UsageJournalTest {

    @TempDir
    Path dir;

    static UsageRecord row(String id) {
        return new UsageRecord(id, "client-" + id, 7, 11L, "alice", "/v1/chat/completions", "auto", "chat-8b", "r1",
                null, UsageRecord.Outcome.OK, 200, true, "length", 120, 20, 9, false, 3, 41, 95,
                Instant.parse("2026-12-01T10:15:30.123456Z"), Instant.parse("2026-12-01T10:15:30.218901Z"), 5L,
                150_000L, 75_000L, 600_000L, 21_900_000L, null);
    }

    @Test
    void aRowReadsBackExactlyAsItWasAppended() {
        UsageRecord row = row("req_1");
        assertEquals(row, UsageJournal.decode(UsageJournal.encode(row)));
        UsageRecord sparse = new UsageRecord("req_2", null, 7, null, null, "/v1/completions", null, null, null, null,
                UsageRecord.Outcome.REJECTED, 401, false, null, 0, 0, 0, false, 0, null, 1,
                Instant.parse("2026-12-01T00:00:00Z"), Instant.parse("2026-12-01T00:00:00.001Z"), null, null, null,
                null, null, "The API key provided has been revoked.");
        assertEquals(sparse, UsageJournal.decode(UsageJournal.encode(sparse)));
    }

    @Test
    void anyTextAClientSendsSurvivesTheLineFormat() {
        String hostile = "a \"quoted\" \\ back\\slash\nnew line\ttab \u0001 \u2028 é 漢字 🎉";
        UsageRecord row = new UsageRecord("req_3", hostile, 7, 1L, hostile, "/v1/chat/completions", hostile, null, null,
                null, UsageRecord.Outcome.REJECTED, 404, false, null, 0, 0, 0, false, 0, null, 1,
                Instant.parse("2026-12-01T00:00:00Z"), Instant.parse("2026-12-01T00:00:01Z"), null, null, null, null,
                null, hostile);
        String line = UsageJournal.encode(row);
        assertTrue(line.indexOf('\n') < 0, "one line: " + line);
        assertEquals(row, UsageJournal.decode(line));
    }

    @Test
    void whatAnEarlierProcessLeftIsReplayedAndATornLastLineIsSkipped() throws IOException {
        UsageJournal first = new UsageJournal(dir);
        first.append(row("req_a"));
        first.append(row("req_b"));
        // the process is killed: nothing closed, nothing written; a write was cut off mid-line
        Path segment = onlyFile();
        Files.writeString(segment, "{\"request_id\":\"req_c\",\"ten", StandardCharsets.UTF_8, StandardOpenOption.APPEND);

        UsageJournal second = new UsageJournal(dir);
        assertTrue(second.hasLeftovers());
        assertEquals(java.util.Optional.of(segment), second.leftover());
        assertEquals(java.util.Optional.empty(), second.spilled());
        assertEquals(List.of("req_a", "req_b"), UsageJournal.read(segment).stream().map(UsageRecord::requestId).toList());
        assertEquals(2, second.depth(), "the earlier process's rows count in the depth until replayed");
        second.replayed(segment);
        assertTrue(Files.notExists(segment));
        assertEquals(0, second.depth());
    }

    @Test
    void aProcessStartedInTheSameMillisecondAsTheLastOneStillOpensItsOwnSegment() throws IOException {
        long now = System.currentTimeMillis();
        for (long millis = now; millis < now + 3_000; millis++) { // as if the earlier process opened these just now
            Files.createFile(dir.resolve(String.format("usage-%d-%06d.journal", millis, 0)));
        }
        UsageJournal journal = new UsageJournal(dir);
        journal.append(row("req_a"));
        assertEquals(3_001, files().size(), "the earlier files and this process's own segment");
    }

    @Test
    void aClosedSegmentIsDeletedOnceAllItsRowsAreInTheDatabase() throws IOException {
        UsageJournal journal = new UsageJournal(dir);
        UsageJournal.Entry a = journal.append(row("req_a"));
        UsageJournal.Entry b = journal.append(row("req_b"));
        journal.rotateIfDue(0, Long.MAX_VALUE);
        assertEquals(2, files().size(), "the closed segment and the new one");
        journal.written(List.of(a));
        assertEquals(2, files().size(), "one row is not written yet");
        assertEquals(1, journal.depth());
        journal.written(List.of(b));
        assertEquals(1, files().size(), "only the new segment is left");
        assertEquals(0, journal.depth());
    }

    @Test
    void aSegmentWithRowsOnDiskOnlyIsReplayedFromTheFileNotDeleted() throws IOException {
        UsageJournal journal = new UsageJournal(dir);
        UsageJournal.Entry kept = journal.append(row("req_kept"));
        UsageJournal.Entry spilled = journal.append(row("req_spilled"));
        spilled.segment().markSpilled();
        journal.rotateIfDue(0, Long.MAX_VALUE); // by age, as any segment (at once, an outage would make a file a flush)
        journal.written(List.of(kept));
        assertEquals(java.util.Optional.empty(), journal.leftover());
        Path replay = journal.spilled().orElseThrow();
        assertEquals(2, UsageJournal.read(replay).size());
    }

    @Test
    void aRowSetAsideIsKeptInTheJournalsFormatAndIsNotReplayedOnItsOwn() throws IOException {
        UsageJournal journal = new UsageJournal(dir);
        String line = UsageJournal.encode(row("req_refused"));
        journal.setAside(line);
        Path aside = dir.resolve(UsageJournal.SET_ASIDE);
        assertEquals(List.of(line), Files.readAllLines(aside, StandardCharsets.UTF_8));
        assertNotEquals(java.util.Optional.of(aside), new UsageJournal(dir).leftover(), "not replayed until renamed");
        Path renamed = dir.resolve("usage-0-refused.journal");
        Files.move(aside, renamed);
        assertEquals(java.util.Optional.of(renamed), new UsageJournal(dir).leftover());
    }

    @Test
    void aLineCutInsideACharacterIsSkippedAloneNotTheWholeFile() throws IOException {
        UsageJournal first = new UsageJournal(dir);
        first.append(row("req_a"));
        Path segment = onlyFile();
        byte[] torn = "{\"request_id\":\"req_b\",\"end_user\":\"Jos\u00e9".getBytes(StandardCharsets.UTF_8);
        Files.write(segment, java.util.Arrays.copyOf(torn, torn.length - 1), StandardOpenOption.APPEND); // half of the é
        assertEquals(List.of("req_a"), UsageJournal.read(segment).stream().map(UsageRecord::requestId).toList());
    }

    private Path onlyFile() throws IOException {
        List<Path> files = files();
        assertEquals(1, files.size());
        return files.get(0);
    }

    private List<Path> files() throws IOException {
        try (Stream<Path> list = Files.list(dir)) {
            return list.sorted().toList();
        }
    }
}
