package io.switchboard.simulator;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A real simulator process started from the packaged jar ({@code java -jar switchboard-vllm-sim.jar
 * serve ...}), its output captured to a file, stopped (SIGTERM, then SIGKILL) when closed.
 */
final class SimulatorProcess implements AutoCloseable {

    static final Path JAR = Path.of(System.getProperty("switchboard.it.sim-jar", "target/switchboard-vllm-sim.jar"));
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    final Process process;
    final int port;
    final Path log;

    private SimulatorProcess(Process process, int port, Path log) {
        this.process = process;
        this.port = port;
        this.log = log;
    }

    /** Starts {@code serve MODEL args...} on a free port with a private GPU ledger folder. */
    static SimulatorProcess start(Path gpuDir, Map<String, String> env, String model, String... args) {
        int port = freePort();
        List<String> command = new ArrayList<>(List.of(javaBin(), "-Xmx128m", "-XX:TieredStopAtLevel=1",
                "-jar", JAR.toString(), "serve", model, "--port", String.valueOf(port),
                "--sim-gpu-dir", gpuDir.toString()));
        command.addAll(List.of(args));
        try {
            Path log = Files.createTempFile("vllm-sim-", ".log");
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().putAll(env);
            return new SimulatorProcess(builder.start(), port, log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static SimulatorProcess start(Path gpuDir, String model, String... args) {
        return start(gpuDir, Map.of(), model, args);
    }

    /** Runs the jar to completion (for commands that exit) and answers its exit status and output. */
    static Result run(Path gpuDir, List<String> args) {
        List<String> command = new ArrayList<>(List.of(javaBin(), "-Xmx128m", "-jar", JAR.toString()));
        command.addAll(args);
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes());
            return new Result(process.waitFor(), output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    record Result(int status, String output) {
    }

    /** Used GPU memory in MiB per simulated GPU, as {@code smi} reports it. */
    static List<Long> usedMib(Path gpuDir) {
        Result smi = run(gpuDir, List.of("smi", "--query-gpu=index,memory.total,memory.used",
                "--format=csv,noheader,nounits", "--sim-gpu-dir=" + gpuDir));
        List<Long> used = new ArrayList<>();
        for (String line : smi.output().strip().split("\n")) used.add(Long.parseLong(line.split(", ")[2].trim()));
        return used;
    }

    SimulatorProcess awaitReady(Duration within) {
        Instant deadline = Instant.now().plus(within);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) throw new AssertionError("simulator exited " + process.exitValue() + ":\n" + log());
            try {
                if (get("/health").statusCode() == 200) return this;
            } catch (UncheckedIOException notYet) {
                // connection refused while loading
            }
            sleep(50);
        }
        throw new AssertionError("simulator not ready within " + within + ":\n" + log());
    }

    int awaitExit(Duration within) {
        try {
            if (!process.waitFor(within.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                throw new AssertionError("simulator still running after " + within + ":\n" + log());
            }
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).GET().build());
    }

    HttpResponse<String> post(String path, String json) {
        return send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The value of a metric line such as {@code vllm:num_requests_running{...}}, matched by its start. */
    double metric(String nameAndLabels) {
        for (String line : get("/metrics").body().split("\n")) {
            if (line.startsWith(nameAndLabels)) return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        }
        throw new AssertionError("no metric " + nameAndLabels);
    }

    boolean refusesConnections() {
        try (Socket ignored = new Socket("127.0.0.1", port)) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) process.destroyForcibly().waitFor();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String javaBin() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
