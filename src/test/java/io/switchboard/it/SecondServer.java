package io.switchboard.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Another Switchboard server on the same PostgreSQL, started by a test as its own OS process: a copy of the
 * integration-test server's directory (the same application and settings) on other ports, with its own
 * usage journal and simulated GPUs. {@code server run} execs the JVM, so the process is Switchboard itself:
 * {@link #kill9()} is a real {@code kill -9} (its engines, which it would have stopped, are killed with it).
 */
final class SecondServer implements AutoCloseable {

    private static final Path WLP = Path.of(System.getProperty("arquillian.wlp.home", "target/liberty/wlp"));
    private static final String IT_SERVER = System.getProperty("arquillian.server.name", "switchboard-it");
    private static final Set<String> NOT_COPIED = Set.of("logs", "workarea", "tranlog", "usage-journal");

    final String name;
    final int port;
    private final Path directory;
    private Process process;

    SecondServer(String name, int port) {
        this.name = name;
        this.port = port;
        this.directory = WLP.resolve("usr/servers").resolve(name);
        copyItServer();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    /** Starts it with these settings over the IT server's, and waits until it is ready. */
    SecondServer start(Map<String, String> settings) {
        writeServerEnv(settings);
        try {
            process = new ProcessBuilder(WLP.resolve("bin/server").toString(), "run", name)
                    .redirectErrorStream(true)
                    .redirectOutput(directory.resolve("console-" + System.currentTimeMillis() + ".log").toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) throw new AssertionError(name + " exited at start-up with " + process.exitValue());
            try {
                HttpResponse<String> ready = http.send(HttpRequest.newBuilder(URI.create(baseUrl() + "/health/ready"))
                        .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
                if (ready.statusCode() == 200) return this;
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            sleep(500);
        }
        throw new AssertionError(name + " was not ready within 180 s; see " + directory.resolve("logs"));
    }

    /** kill -9 of the server and of the engines it started (a killed JVM stops none of them). */
    void kill9() {
        List<ProcessHandle> engines = new ArrayList<>(process.descendants().toList());
        process.destroyForcibly(); // SIGKILL
        engines.forEach(ProcessHandle::destroyForcibly);
        waitFor(process.toHandle());
        engines.forEach(SecondServer::waitFor);
    }

    /** A clean stop (SIGTERM): Liberty stops its engines and flushes what it holds. */
    @Override
    public void close() {
        if (process == null || !process.isAlive()) return;
        List<ProcessHandle> engines = new ArrayList<>(process.descendants().toList());
        process.destroy();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        engines.forEach(ProcessHandle::destroyForcibly); // any it did not stop
    }

    private void copyItServer() {
        Path source = WLP.resolve("usr/servers").resolve(IT_SERVER);
        try {
            if (Files.exists(directory)) {
                try (Stream<Path> old = Files.walk(directory)) {
                    old.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
                }
            }
            try (Stream<Path> files = Files.walk(source)) {
                for (Path file : (Iterable<Path>) files::iterator) {
                    Path relative = source.relativize(file);
                    if (relative.getNameCount() > 0 && NOT_COPIED.contains(relative.getName(0).toString())) continue;
                    Path target = directory.resolve(relative.toString());
                    if (Files.isDirectory(file)) Files.createDirectories(target);
                    else Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("Could not copy the IT server to " + directory, e);
        }
    }

    private void writeServerEnv(Map<String, String> settings) {
        Path itEnv = WLP.resolve("usr/servers").resolve(IT_SERVER).resolve("server.env");
        Map<String, String> env = new LinkedHashMap<>();
        try {
            for (String line : Files.readAllLines(itEnv)) {
                int equals = line.indexOf('=');
                if (!line.startsWith("#") && equals > 0) env.put(line.substring(0, equals), line.substring(equals + 1));
            }
            env.put("SWITCHBOARD_HTTP_PORT", String.valueOf(port));
            env.put("SWITCHBOARD_HTTPS_PORT", String.valueOf(port + 363));
            env.put("SWITCHBOARD_SIM_GPU_DIR", directory.resolve("sim-gpus").toString());
            env.putAll(settings);
            StringBuilder text = new StringBuilder();
            env.forEach((key, value) -> text.append(key).append('=').append(value).append('\n'));
            Files.writeString(directory.resolve("server.env"), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void waitFor(ProcessHandle handle) {
        try {
            handle.onExit().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("process " + handle.pid() + " did not exit", e);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
