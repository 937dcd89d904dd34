package io.switchboard.simulator;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a gateway sees under load: continuous batching, a waiting queue, and aborts on disconnect. */
class SimulatorLoadIT {

    @TempDir
    Path gpus;

    private static final String LONG_ANSWER = "{\"messages\":[{\"role\":\"user\",\"content\":\"go\"}],"
            + "\"max_tokens\":%d,\"ignore_eos\":true%s}";

    @Test
    void throughputAt32ConcurrentRequestsIsSeveralTimesThatAtOne() throws Exception {
        try (SimulatorProcess sim = SimulatorProcess.start(gpus, "meta-llama/Llama-3.1-8B-Instruct",
                "--gpu-memory-utilization", "0.5", "--max-model-len", "4096", "--sim-time-scale", "0.2",
                "--max-num-seqs", "64").awaitReady(Duration.ofSeconds(20))) {
            sim.post("/v1/chat/completions", LONG_ANSWER.formatted(5, "")); // warm up
            double alone = tokensPerSecond(sim, 1, 4);
            double batched = tokensPerSecond(sim, 32, 1);
            assertTrue(batched > 4 * alone, "1 at a time: " + alone + " tokens/s; 32 at once: " + batched + " tokens/s");
        }
    }

    /** Output tokens per second for {@code rounds} rounds of {@code concurrency} requests of 40 tokens each. */
    private static double tokensPerSecond(SimulatorProcess sim, int concurrency, int rounds) throws Exception {
        ExecutorService clients = Executors.newFixedThreadPool(concurrency);
        try {
            Instant start = Instant.now();
            for (int round = 0; round < rounds; round++) {
                List<CompletableFuture<Integer>> calls = new ArrayList<>();
                for (int i = 0; i < concurrency; i++) {
                    calls.add(CompletableFuture.supplyAsync(() ->
                            sim.post("/v1/chat/completions", LONG_ANSWER.formatted(40, "")).statusCode(), clients));
                }
                for (CompletableFuture<Integer> call : calls) assertEquals(200, call.get());
            }
            double seconds = Duration.between(start, Instant.now()).toNanos() / 1e9;
            return 40.0 * concurrency * rounds / seconds;
        } finally {
            clients.shutdownNow();
        }
    }

    @Test
    void requestsBeyondMaxNumSeqsWaitAndShowAsWaiting() throws Exception {
        try (SimulatorProcess sim = SimulatorProcess.start(gpus, "meta-llama/Llama-3.1-8B-Instruct",
                "--gpu-memory-utilization", "0.5", "--max-model-len", "4096", "--sim-time-scale", "1", "--sim-load-seconds", "0",
                "--max-num-seqs", "2").awaitReady(Duration.ofSeconds(30))) {
            ExecutorService clients = Executors.newFixedThreadPool(5);
            try {
                List<CompletableFuture<Integer>> calls = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    calls.add(CompletableFuture.supplyAsync(() ->
                            sim.post("/v1/chat/completions", LONG_ANSWER.formatted(60, "")).statusCode(), clients));
                }
                eventually(() -> sim.metric("vllm:num_requests_waiting{") == 3);
                assertEquals(2.0, sim.metric("vllm:num_requests_running{"));
                assertTrue(sim.metric("vllm:kv_cache_usage_perc{") > 0);
                for (CompletableFuture<Integer> call : calls) assertEquals(200, call.get());
                assertEquals(0.0, sim.metric("vllm:num_requests_waiting{"));
                assertEquals(0.0, sim.metric("vllm:num_requests_running{"));
            } finally {
                clients.shutdownNow();
            }
        }
    }

    @Test
    void aClientThatDisconnectsAbortsItsRequest() throws Exception {
        try (SimulatorProcess sim = SimulatorProcess.start(gpus, "meta-llama/Llama-3.1-8B-Instruct",
                "--gpu-memory-utilization", "0.5", "--max-model-len", "4096", "--sim-time-scale", "1", "--sim-load-seconds", "0")
                .awaitReady(Duration.ofSeconds(30))) {
            String body = LONG_ANSWER.formatted(2000, ",\"stream\":true");
            try (Socket socket = new Socket("127.0.0.1", sim.port)) {
                OutputStream out = socket.getOutputStream();
                out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                        + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + body)
                        .getBytes(StandardCharsets.UTF_8));
                out.flush();
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
                int dataLines = 0;
                while (dataLines < 3) {
                    String line = in.readLine();
                    if (line != null && line.startsWith("data: ")) dataLines++;
                }
                assertEquals(1.0, sim.metric("vllm:num_requests_running{"));
            } // the client goes away mid-stream

            eventually(() -> sim.metric("vllm:num_requests_running{") == 0);
            assertEquals(1.0, sim.metric("vllm:request_success_total{engine=\"0\",model_name=\"meta-llama/Llama-3.1-8B-Instruct\",finished_reason=\"abort\"}"));
        }
    }

    static void eventually(BooleanSupplier condition) {
        Instant deadline = Instant.now().plusSeconds(10);
        while (Instant.now().isBefore(deadline)) {
            if (condition.getAsBoolean()) return;
            SimulatorProcess.sleep(50);
        }
        assertTrue(condition.getAsBoolean(), "not true within 10 s");
    }
}
