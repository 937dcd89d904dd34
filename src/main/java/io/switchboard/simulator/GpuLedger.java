package io.switchboard.simulator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The simulated GPUs' memory, shared by every simulator process on the host: one folder per GPU,
 * one file per process holding its reservation. Reads and changes happen under an exclusive
 * file lock, so concurrent starts cannot both take the last free bytes. Like a real GPU, memory
 * is given back a little after its process ended ({@code releaseSeconds}), also after
 * {@code kill -9}: a reservation whose process is gone is timed from when it was first seen dead.
 * The delay is the owner's ({@code --sim-release-seconds}), stored with its reservation.
 */
final class GpuLedger {

    record Reservation(long pid, String startedAt, String model, long bytes, long hostBytes, String endedAt,
                       double releaseSeconds) {
    }

    record GpuState(int index, long totalBytes, long usedBytes) {
        long freeBytes() {
            return totalBytes - usedBytes;
        }
    }

    private final Path root;
    private final long totalBytes;
    private final int gpuCount;
    private final double releaseSeconds;

    GpuLedger(Path root, double totalGib, int gpuCount, double releaseSeconds) {
        this.root = root;
        this.totalBytes = (long) (totalGib * ModelProfile.GIB);
        this.gpuCount = gpuCount;
        this.releaseSeconds = releaseSeconds;
    }

    static Path defaultRoot() {
        return Path.of(System.getProperty("java.io.tmpdir"), "vllm-sim-gpus");
    }

    long totalBytes() {
        return totalBytes;
    }

    int gpuCount() {
        return gpuCount;
    }

    /** Current use of every GPU, as nvidia-smi would report it. */
    List<GpuState> states() {
        List<GpuState> states = new ArrayList<>();
        for (int gpu = 0; gpu < gpuCount; gpu++) {
            int index = gpu;
            states.add(locked(index, () -> new GpuState(index, totalBytes, used(index))));
        }
        return states;
    }

    /**
     * Takes {@code bytes} on {@code gpu} for this process if at least {@code required} bytes are
     * free; answers the free bytes seen, or empty when it reserved.
     */
    Optional<Long> reserve(int gpu, long required, long bytes, String model) {
        return locked(gpu, () -> {
            long free = totalBytes - used(gpu);
            if (free < required) return Optional.of(free);
            write(gpu, new Reservation(ProcessHandle.current().pid(), startedAt(ProcessHandle.current()), model, bytes, 0, null,
                    releaseSeconds));
            return Optional.empty();
        });
    }

    /** Changes this process's reservation (sleep gives memory back; wake takes it again if free). */
    boolean resize(int gpu, long bytes, long hostBytes) {
        return locked(gpu, () -> {
            Reservation mine = read(file(gpu, ProcessHandle.current().pid()));
            if (mine == null) return false;
            long othersUsed = used(gpu) - mine.bytes();
            if (bytes > mine.bytes() && totalBytes - othersUsed < bytes) return false;
            write(gpu, new Reservation(mine.pid(), mine.startedAt(), mine.model(), bytes, hostBytes, null, mine.releaseSeconds()));
            return true;
        });
    }

    /** Marks this process's memory as being released (it is freed {@code releaseSeconds} from now). */
    void release(int gpu) {
        locked(gpu, () -> {
            Reservation mine = read(file(gpu, ProcessHandle.current().pid()));
            if (mine != null && mine.endedAt() == null) {
                write(gpu, new Reservation(mine.pid(), mine.startedAt(), mine.model(), mine.bytes(), 0, Instant.now().toString(),
                        mine.releaseSeconds()));
            }
            return null;
        });
    }

    /** Sum of reservations that still hold memory; forgets those released long enough ago. Call under the lock. */
    private long used(int gpu) {
        long used = 0;
        Instant now = Instant.now();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(folder(gpu), "*.json")) {
            for (Path file : files) {
                Reservation reservation = read(file);
                if (reservation == null) continue;
                String endedAt = reservation.endedAt();
                if (endedAt == null && !alive(reservation)) {
                    endedAt = now.toString(); // first seen dead now: kill -9 or a crash
                    write(gpu, new Reservation(reservation.pid(), reservation.startedAt(), reservation.model(),
                            reservation.bytes(), 0, endedAt, reservation.releaseSeconds()));
                }
                if (endedAt != null && !Instant.parse(endedAt).plusMillis((long) (reservation.releaseSeconds() * 1000)).isAfter(now)) {
                    Files.deleteIfExists(file);
                    continue;
                }
                used += reservation.bytes();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return used;
    }

    private static boolean alive(Reservation reservation) {
        return ProcessHandle.of(reservation.pid())
                .filter(ProcessHandle::isAlive)
                .map(process -> startedAt(process).equals(reservation.startedAt())) // a reused pid is another process
                .orElse(false);
    }

    private static String startedAt(ProcessHandle process) {
        return process.info().startInstant().map(Instant::toString).orElse("unknown");
    }

    private interface Action<T> {
        T run() throws IOException;
    }

    private <T> T locked(int gpu, Action<T> action) {
        try {
            Files.createDirectories(folder(gpu));
            try (FileChannel lockFile = FileChannel.open(folder(gpu).resolve(".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = lockFile.lock()) {
                return action.run();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("GPU ledger " + folder(gpu) + ": " + e.getMessage(), e);
        }
    }

    private Path folder(int gpu) {
        return root.resolve("gpu" + gpu);
    }

    private Path file(int gpu, long pid) {
        return folder(gpu).resolve(pid + ".json");
    }

    private void write(int gpu, Reservation r) throws IOException {
        String json = Json.write(Json.obj("pid", r.pid(), "started_at", r.startedAt(), "model", r.model(),
                "bytes", r.bytes(), "host_bytes", r.hostBytes(), "ended_at", r.endedAt(), "release_seconds", r.releaseSeconds()));
        Path target = file(gpu, r.pid());
        Path temp = target.resolveSibling(r.pid() + ".tmp");
        Files.writeString(temp, json, StandardCharsets.UTF_8);
        Files.move(temp, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    @SuppressWarnings("unchecked")
    private static Reservation read(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return null;
        }
        try {
            Map<String, Object> m = (Map<String, Object>) Json.parse(text);
            Object ended = m.get("ended_at");
            return new Reservation(((Number) m.get("pid")).longValue(), (String) m.get("started_at"),
                    (String) m.get("model"), ((Number) m.get("bytes")).longValue(),
                    ((Number) m.get("host_bytes")).longValue(), ended instanceof String s ? s : null,
                    ((Number) m.get("release_seconds")).doubleValue());
        } catch (RuntimeException e) {
            return null; // a torn or foreign file holds nothing
        }
    }
}
