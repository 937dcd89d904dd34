package io.switchboard.simulator;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code vllm serve} process: checks and takes its share of the simulated GPUs, "loads" the
 * model (start-up time grows with the weights), logs what vLLM logs in vLLM's order, then serves
 * until SIGTERM. It also carries the process-level behaviours: sleep and wake against the GPU
 * ledger, and dying on a fault the way an engine dies.
 */
final class Simulator {

    private static final DateTimeFormatter LOG_TIME = DateTimeFormatter.ofPattern("MM-dd HH:mm:ss", Locale.ROOT);
    private static final double SLEEP_RESIDUE_GIB = 0.5;

    private final ServeArgs args;
    private final ModelProfile profile;
    private final GpuLedger ledger;
    private final List<Integer> gpus = new ArrayList<>();
    private final PrintStream log = System.out;
    private long reservedBytesPerGpu;
    private Engine engine;
    private HttpApi api;

    Simulator(ServeArgs args) {
        this.args = args;
        this.profile = new ModelProfile(args);
        Path root = args.string("--sim-gpu-dir") == null ? GpuLedger.defaultRoot() : Path.of(args.string("--sim-gpu-dir"));
        this.ledger = new GpuLedger(root, args.number("--sim-gpu-memory-gib"), args.integer("--sim-gpu-count"),
                args.number("--sim-release-seconds"));
    }

    void info(String source, String message) {
        log.println("INFO " + LocalDateTime.now().format(LOG_TIME) + " [" + source + "] " + message);
        log.flush();
    }

    private void error(String source, String message) {
        log.println("ERROR " + LocalDateTime.now().format(LOG_TIME) + " [" + source + "] " + message);
        log.flush();
    }

    /** Starts the server; answers the exit status when start-up fails, or -1 once serving. */
    int serve() throws Exception {
        double scale = args.number("--sim-time-scale");
        info("api_server.py:1839", "vLLM API server version " + HttpApi.VERSION + " (simulated by Switchboard's vllm-sim)");
        info("utils.py:233", "non-default args: " + pythonDict(args.nonDefault));
        if (System.getenv("VLLM_ALLOW_RUNTIME_LORA_UPDATING") != null && runtimeLora()) {
            log.println("WARNING " + LocalDateTime.now().format(LOG_TIME)
                    + " [api_server.py:1230] LoRA dynamic loading & unloading is enabled in the API server. "
                    + "This should ONLY be used for local development!");
        }
        int port = args.integer("--port");
        String host = args.string("--host");
        // vLLM binds before loading so that a taken port fails fast
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress(host == null ? "0.0.0.0" : host, port));
        } catch (IOException e) {
            error("api_server.py:1900", "OSError: [Errno 98] error while attempting to bind on address ('"
                    + (host == null ? "0.0.0.0" : host) + "', " + port + "): address already in use");
            return 1;
        }
        int tensorParallel = args.integer("--tensor-parallel-size");
        if (!chooseGpus(tensorParallel)) return 1;

        long total = ledger.totalBytes();
        double utilization = args.number("--gpu-memory-utilization");
        long weightsPerGpu = (long) (profile.weightsGib * ModelProfile.GIB / tensorParallel);
        long overhead = (long) (args.number("--sim-overhead-gib") * ModelProfile.GIB);
        long requested = (long) (utilization * total);
        reservedBytesPerGpu = args.has("--kv-cache-memory-bytes")
                ? weightsPerGpu + overhead + args.longValue("--kv-cache-memory-bytes") : requested;
        for (int gpu : gpus) {
            Optional<Long> refused = ledger.reserve(gpu, reservedBytesPerGpu, reservedBytesPerGpu, args.model);
            if (refused.isPresent()) {
                for (int taken : gpus) if (taken < gpu) ledger.release(taken);
                error("core.py:708", String.format(Locale.ROOT, "ValueError: Free memory on device cuda:%d (%.2f/%.2f GiB) on "
                        + "startup is less than desired GPU memory utilization (%.2f, %.2f GiB). Decrease GPU memory "
                        + "utilization or reduce GPU memory used by other processes.", gpu, refused.get() / ModelProfile.GIB,
                        total / ModelProfile.GIB, utilization, reservedBytesPerGpu / ModelProfile.GIB));
                return 1;
            }
        }
        Runtime.getRuntime().addShutdownHook(new Thread(this::shutdown, "shutdown"));

        double loadSeconds = profile.loadSeconds + args.number("--sim-start-delay-seconds");
        info("gpu_model_runner.py:2602", "Starting to load model " + args.model + "...");
        String failStart = args.string("--sim-fail-start");
        Engine.pause(loadSeconds * 1000 * scale * (failStart == null ? 1 : 0.5));
        if ("oom".equals(failStart)) {
            error("core.py:718", "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 1.50 GiB. GPU 0 has a "
                    + "total capacity of " + String.format(Locale.ROOT, "%.2f", total / ModelProfile.GIB) + " GiB of which 0 bytes is free.");
            error("core.py:720", "RuntimeError: Engine core initialization failed. See root cause above. Failed core proc(s): {}");
            return 1;
        }
        if ("error".equals(failStart)) {
            error("core.py:720", "RuntimeError: Engine core initialization failed. See root cause above. Failed core proc(s): {}");
            return 1;
        }
        info("gpu_model_runner.py:2653", String.format(Locale.ROOT, "Model loading took %.4f GiB and %.6f seconds",
                weightsPerGpu / ModelProfile.GIB, loadSeconds * scale));

        long kvBytes = reservedBytesPerGpu - weightsPerGpu - overhead;
        info("gpu_worker.py:298", String.format(Locale.ROOT, "Memory profiling takes 0.52 seconds. Total GPU memory: "
                + "%.2f GiB, gpu_memory_utilization %.2f -> budget %.2f GiB; model weights %.2fGiB; non_torch_memory 0.12GiB; "
                + "PyTorch activation peak memory %.2fGiB; the rest of the memory reserved for KV Cache is %.2fGiB.",
                total / ModelProfile.GIB, utilization, reservedBytesPerGpu / ModelProfile.GIB, weightsPerGpu / ModelProfile.GIB,
                overhead / ModelProfile.GIB - 0.12, Math.max(kvBytes, 0) / ModelProfile.GIB));
        if (kvBytes <= 0) {
            error("core.py:718", "ValueError: No available memory for the cache blocks. Try increasing "
                    + "`gpu_memory_utilization` when initializing the engine.");
            return 1;
        }
        int blockSize = args.integer("--block-size");
        long kvTokens = (long) (kvBytes * tensorParallel / profile.kvBytesPerToken) / blockSize * blockSize;
        long maxModelLen = args.has("--max-model-len") ? args.longValue("--max-model-len") : 8192;
        if (maxModelLen == -1) maxModelLen = Math.min(kvTokens, 131072);
        if (kvTokens < maxModelLen) {
            error("core.py:718", String.format(Locale.ROOT, "ValueError: To serve at least one request with the models's max seq "
                    + "len (%d), (%.2f GiB KV cache is needed, which is larger than the available KV cache memory (%.2f GiB). "
                    + "Based on the available memory, the estimated maximum model length is %d. Try increasing "
                    + "`gpu_memory_utilization` or decreasing `max_model_len` when initializing the engine.", maxModelLen,
                    maxModelLen * profile.kvBytesPerToken / tensorParallel / ModelProfile.GIB, kvBytes / ModelProfile.GIB, kvTokens));
            return 1;
        }
        info("kv_cache_utils.py:1087", String.format(Locale.ROOT, "GPU KV cache size: %,d tokens", kvTokens));
        info("kv_cache_utils.py:1091", String.format(Locale.ROOT, "Maximum concurrency for %,d tokens per request: %.2fx",
                maxModelLen, (double) kvTokens / maxModelLen));
        if (!args.flag("--enforce-eager")) info("gpu_model_runner.py:3480", "Graph capturing finished in 3 secs, took 0.45 GiB");

        engine = new Engine(args, profile, (int) maxModelLen, kvTokens);
        for (String module : args.list("--lora-modules")) {
            if (!loadStaticAdapter(module)) return 1;
        }
        rehearse();
        info("api_server.py:1734", "Supported_tasks: ['generate']");
        info("api_server.py:1878", "Starting vLLM API server 0 on http://" + (host == null ? "0.0.0.0" : host) + ":" + port);
        api = new HttpApi(engine, this, apiKeys(), devMode(), runtimeLora());
        api.start(host, port);
        log.println("INFO:     Started server process [" + ProcessHandle.current().pid() + "]");
        log.println("INFO:     Waiting for application startup.");
        log.println("INFO:     Application startup complete.");
        log.flush();
        Double crashAfter = args.optionalNumber("--sim-crash-after-seconds");
        if (crashAfter != null) {
            Thread crasher = new Thread(() -> {
                try {
                    Engine.pause(crashAfter * 1000 * scale);
                } catch (InterruptedException e) {
                    return;
                }
                crash("RuntimeError: EngineCore encountered a fatal error (--sim-crash-after-seconds)");
            }, "crash-timer");
            crasher.setDaemon(true);
            crasher.start();
        }
        return -1;
    }

    /**
     * vLLM runs its model before it serves (profiling, graph capture), so its first request is no
     * slower than the rest. The simulator rehearses for the same reason: a streamed and a whole chat
     * completion against a throwaway engine on a private port, so that the first real request does not
     * also pay for this JVM's class loading and interpreter (15 ms of its first token, measured).
     */
    private void rehearse() {
        HttpApi rehearsal = new HttpApi(new Engine(args, profile, engine.maxModelLen, engine.kvCapacityTokens), this,
                List.of(), false, false);
        try {
            rehearsal.start("127.0.0.1", 0);
            for (boolean stream : new boolean[] {false, true}) {
                String body = "{\"model\":\"" + engine.modelName() + "\",\"max_tokens\":2,\"stream\":" + stream
                        + ",\"messages\":[{\"role\":\"user\",\"content\":\"rehearsal\"}]}";
                try (Socket socket = new Socket("127.0.0.1", rehearsal.port())) {
                    socket.setSoTimeout(10_000);
                    byte[] content = body.getBytes(StandardCharsets.UTF_8);
                    socket.getOutputStream().write(("POST /v1/chat/completions HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                            + "Content-Type: application/json\r\nContent-Length: " + content.length + "\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    socket.getOutputStream().write(content);
                    socket.getInputStream().readAllBytes();
                }
            }
        } catch (IOException | RuntimeException rehearsalOnly) {
            // a failed rehearsal (fault injection, say) changes nothing for the real engine
        } finally {
            rehearsal.stop();
        }
    }

    private boolean chooseGpus(int tensorParallel) {
        String visible = System.getenv("CUDA_VISIBLE_DEVICES");
        List<Integer> candidates = new ArrayList<>();
        if (visible == null || visible.isBlank()) {
            for (int i = 0; i < ledger.gpuCount(); i++) candidates.add(i);
        } else {
            for (String part : visible.split(",")) {
                try {
                    int index = Integer.parseInt(part.trim());
                    if (index >= 0 && index < ledger.gpuCount()) candidates.add(index);
                } catch (NumberFormatException e) {
                    // vLLM ignores GPU UUIDs it cannot map; so do we
                }
            }
        }
        if (candidates.size() < tensorParallel) {
            error("core.py:708", "RuntimeError: tensor_parallel_size (" + tensorParallel + ") is larger than the number of "
                    + "visible GPUs (" + candidates.size() + ")");
            return false;
        }
        gpus.addAll(candidates.subList(0, tensorParallel));
        return true;
    }

    private boolean loadStaticAdapter(String module) {
        String name;
        String path;
        String base = null;
        if (module.trim().startsWith("{")) {
            try {
                @SuppressWarnings("unchecked")
                Map<String, Object> spec = (Map<String, Object>) Json.parse(module);
                name = (String) spec.get("name");
                path = (String) spec.get("path");
                base = spec.get("base_model_name") instanceof String s ? s : null;
            } catch (RuntimeException e) {
                error("api_server.py:1900", "ValueError: invalid --lora-modules entry: " + module);
                return false;
            }
        } else {
            int eq = module.indexOf('=');
            if (eq <= 0) {
                error("api_server.py:1900", "ValueError: --lora-modules expects name=path or JSON, got " + module);
                return false;
            }
            name = module.substring(0, eq);
            path = module.substring(eq + 1);
        }
        try {
            loadAdapter(name, path, base);
            return true;
        } catch (ApiError e) {
            error("api_server.py:1900", "ValueError: " + e.getMessage());
            return false;
        }
    }

    /** Registers an adapter after checking it as the engine would: LoRA enabled, files there, rank allowed. */
    void loadAdapter(String name, String path, String baseModelName) {
        if (!args.flag("--enable-lora")) {
            throw ApiError.badRequest(null, "LoRA is not enabled. Use --enable-lora to enable LoRA.");
        }
        Path folder = Path.of(path);
        if (!Files.exists(folder)) {
            throw ApiError.notFound(null, "No adapter found for " + path);
        }
        Path config = folder.resolve("adapter_config.json");
        if (Files.isRegularFile(config)) {
            try {
                Matcher rank = Pattern.compile("\"r\"\\s*:\\s*(\\d+)").matcher(Files.readString(config));
                if (rank.find() && Integer.parseInt(rank.group(1)) > args.integer("--max-lora-rank")) {
                    throw ApiError.badRequest(null, "LoRA rank " + rank.group(1) + " is greater than max_lora_rank "
                            + args.integer("--max-lora-rank") + ".");
                }
            } catch (IOException e) {
                throw ApiError.badRequest(null, "Loading lora " + name + " failed: " + e.getMessage());
            }
        }
        engine.adapters.put(name, new Engine.Adapter(name, path, baseModelName));
        info("serving_models.py:215", "Loaded new LoRA adapter: name '" + name + "', path '" + path + "'");
    }

    /** Level 1 parks the weights in host memory, level 2 drops them; either gives the GPU back but a residue. */
    synchronized void sleep(int level) throws InterruptedException {
        if (engine.sleepState != Engine.SleepState.AWAKE || level == 0) return;
        Engine.pause(profile.weightsGib * args.number("--sim-wake-seconds-per-gib") * 1000 * engine.timeScale);
        long residue = (long) (SLEEP_RESIDUE_GIB * ModelProfile.GIB);
        long hostBytes = level == 1 ? (long) (profile.weightsGib * ModelProfile.GIB / gpus.size()) : 0;
        for (int gpu : gpus) ledger.resize(gpu, Math.min(residue, reservedBytesPerGpu), hostBytes);
        engine.sleepState = level == 1 ? Engine.SleepState.LEVEL_1 : Engine.SleepState.LEVEL_2;
        info("gpu_worker.py:117", String.format(Locale.ROOT, "Sleep mode freed %.2f GiB memory, %.2f GiB memory is still in use.",
                (reservedBytesPerGpu - residue) / ModelProfile.GIB, SLEEP_RESIDUE_GIB));
    }

    /** Takes the GPU memory back (an engine that cannot is out of memory and dies) and reloads the weights. */
    synchronized void wakeUp() throws InterruptedException {
        Engine.SleepState state = engine.sleepState;
        if (state == Engine.SleepState.AWAKE) return;
        if (engine.crashOnWake) crash("RuntimeError: EngineCore encountered a fatal error while waking up (fault injection)");
        for (int gpu : gpus) {
            if (!ledger.resize(gpu, reservedBytesPerGpu, 0)) {
                crash("torch.OutOfMemoryError: CUDA out of memory while waking up: another process took the memory");
            }
        }
        Engine.pause(profile.weightsGib * args.number("--sim-wake-seconds-per-gib") * 1000 * engine.timeScale);
        engine.weightsDiscarded = state == Engine.SleepState.LEVEL_2;
        engine.sleepState = Engine.SleepState.AWAKE;
        info("api_server.py:1012", "Wake up engine");
    }

    /** The engine dies now, as after a CUDA fault: no clean shutdown, the GPU ledger sees a dead owner. */
    void crash(String reason) {
        error("core.py:1010", reason);
        error("async_llm.py:480", "AsyncLLM output_handler failed. EngineDeadError: EngineCore encountered an issue.");
        log.flush();
        Runtime.getRuntime().halt(1);
    }

    /** Crashes right after the current answer has left. */
    void crashSoon(String reason) {
        Thread thread = new Thread(() -> {
            try {
                Thread.sleep(50);
            } catch (InterruptedException ignored) {
                // crash anyway
            }
            crash(reason);
        }, "crash");
        thread.start();
    }

    private void shutdown() {
        log.println("INFO:     Shutting down");
        if (api != null) api.stop();
        for (int gpu : gpus) ledger.release(gpu);
        log.println("INFO:     Application shutdown complete.");
        log.println("INFO:     Finished server process [" + ProcessHandle.current().pid() + "]");
        log.flush();
    }

    private List<String> apiKeys() {
        List<String> keys = args.list("--api-key");
        if (keys.isEmpty() && System.getenv("VLLM_API_KEY") != null && !System.getenv("VLLM_API_KEY").isEmpty()) {
            return List.of(System.getenv("VLLM_API_KEY"));
        }
        return keys;
    }

    private static boolean devMode() {
        return "1".equals(System.getenv("VLLM_SERVER_DEV_MODE"));
    }

    private static boolean runtimeLora() {
        String value = System.getenv("VLLM_ALLOW_RUNTIME_LORA_UPDATING");
        return value != null && (value.equals("1") || value.equalsIgnoreCase("true"));
    }

    /** Python's repr of the parsed args, as vLLM logs them. */
    private static String pythonDict(Map<String, Object> values) {
        StringBuilder out = new StringBuilder("{");
        values.forEach((key, value) -> {
            if (out.length() > 1) out.append(", ");
            out.append('\'').append(key).append("': ").append(python(value));
        });
        return out.append('}').toString();
    }

    private static String python(Object value) {
        if (value instanceof String s) return "'" + s + "'";
        if (value instanceof Boolean b) return b ? "True" : "False";
        if (value instanceof List<?> list) {
            List<String> items = new ArrayList<>();
            for (Object item : list) items.add(python(item));
            return "[" + String.join(", ", items) + "]";
        }
        return String.valueOf(value);
    }
}
