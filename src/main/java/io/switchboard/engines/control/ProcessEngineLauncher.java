package io.switchboard.engines.control;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Starts {@code <command> serve MODEL --host H --port P --served-model-name NAME
 * --gpu-memory-utilization F --max-model-len L --max-num-seqs S [--quantization Q]
 * [--enable-sleep-mode] EXTRA...} as a child process with {@code CUDA_VISIBLE_DEVICES} set to its
 * GPU and {@code VLLM_SERVER_DEV_MODE=1} when sleep is used. The command is {@code vllm} on a GPU
 * host; tests point it at the simulator.
 */
public class ProcessEngineLauncher implements EngineLauncher {

    private final List<String> command;

    public ProcessEngineLauncher(List<String> command) {
        this.command = List.copyOf(command);
    }

    /** The full command line for a launch, as it will be executed. */
    public List<String> commandLine(LaunchRequest request) {
        List<String> line = new ArrayList<>(command);
        line.addAll(List.of("serve", request.model().modelId(),
                "--host", request.host(),
                "--port", String.valueOf(request.port()),
                "--served-model-name", request.model().name(),
                "--gpu-memory-utilization", String.format(Locale.ROOT, "%.4f", request.gpuMemoryUtilization()),
                "--max-model-len", String.valueOf(request.model().maxModelLen()),
                "--max-num-seqs", String.valueOf(request.maxNumSeqs())));
        if (request.model().quantization() != null) line.addAll(List.of("--quantization", request.model().quantization()));
        if (request.sleepMode()) line.add("--enable-sleep-mode");
        line.addAll(request.model().extraArgs());
        line.addAll(taskArguments(request.model()));
        line.addAll(extraArguments(request));
        return line;
    }

    /**
     * What the model's task needs, unless the catalog's extra arguments say otherwise: an embedding model runs as a
     * pooling model; a generative one reports cached prompt tokens (billed apart) and, where its family has a known
     * tool-call parser, lets the model call tools on its own ({@code tool_choice} auto, the SDKs' default with tools).
     */
    static List<String> taskArguments(io.switchboard.catalog.entity.ModelSpec model) {
        List<String> extra = model.extraArgs();
        List<String> line = new ArrayList<>();
        if (model.embeds()) {
            if (!extra.contains("--runner")) line.addAll(List.of("--runner", "pooling"));
            return line;
        }
        if (!extra.contains("--enable-prompt-tokens-details")) line.add("--enable-prompt-tokens-details");
        String parser = toolCallParser(model.modelId());
        if (parser != null && !extra.contains("--tool-call-parser")) {
            line.addAll(List.of("--enable-auto-tool-choice", "--tool-call-parser", parser));
        }
        return line;
    }

    /** vLLM's tool-call parser for a model family, from its id; null where none is known. */
    static String toolCallParser(String modelId) {
        String id = modelId.toLowerCase(Locale.ROOT);
        if (id.contains("qwen3-coder")) return "qwen3_coder";
        if (id.contains("qwen") || id.contains("hermes")) return "hermes";
        if (id.contains("llama-3") || id.contains("llama3")) return "llama3_json";
        if (id.contains("mistral") || id.contains("mixtral")) return "mistral";
        if (id.contains("gpt-oss")) return "openai";
        return null;
    }

    /** Arguments a subclass adds after the catalog's (the simulator's own settings). */
    protected List<String> extraArguments(LaunchRequest request) {
        return List.of();
    }

    protected Map<String, String> environment(LaunchRequest request) {
        return request.sleepMode()
                ? Map.of("CUDA_VISIBLE_DEVICES", String.valueOf(request.gpu()), "VLLM_SERVER_DEV_MODE", "1")
                : Map.of("CUDA_VISIBLE_DEVICES", String.valueOf(request.gpu()));
    }

    @Override
    public EngineProcess launch(LaunchRequest request) throws IOException {
        Files.createDirectories(request.logFile().getParent());
        ProcessBuilder builder = new ProcessBuilder(commandLine(request))
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(request.logFile().toFile()));
        builder.environment().remove("VLLM_PORT"); // vLLM reads it as an internal port
        builder.environment().putAll(environment(request));
        Process process = builder.start();
        return new ChildProcess(process, URI.create("http://" + request.host() + ":" + request.port()), request.logFile());
    }

    /** An engine that is a child process of this server. */
    static final class ChildProcess implements EngineProcess {
        private final Process process;
        private final URI baseUri;
        private final Path logFile;

        ChildProcess(Process process, URI baseUri, Path logFile) {
            this.process = process;
            this.baseUri = baseUri;
            this.logFile = logFile;
        }

        @Override
        public URI baseUri() {
            return baseUri;
        }

        @Override
        public OptionalLong pid() {
            return OptionalLong.of(process.pid());
        }

        @Override
        public boolean isAlive() {
            return process.isAlive();
        }

        @Override
        public CompletableFuture<Integer> onExit() {
            return process.onExit().thenApply(Process::exitValue);
        }

        @Override
        public void stop(Duration grace) {
            List<ProcessHandle> children = process.descendants().toList(); // vLLM's EngineCore workers
            process.destroy();
            try {
                if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
                    process.destroyForcibly();
                    process.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
            }
            children.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        }

        @Override
        public String logTail(int lines) {
            return tail(logFile, lines);
        }
    }

    /** The last {@code lines} lines of a file, reading at most its last 64 KiB. */
    static String tail(Path file, int lines) {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            long start = Math.max(0, raf.length() - 65536);
            raf.seek(start);
            byte[] bytes = new byte[(int) (raf.length() - start)];
            raf.readFully(bytes);
            String[] all = new String(bytes, StandardCharsets.UTF_8).split("\n");
            int from = Math.max(0, all.length - lines);
            return String.join("\n", java.util.Arrays.copyOfRange(all, from, all.length)).strip();
        } catch (IOException e) {
            return "";
        }
    }
}
