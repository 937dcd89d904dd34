package io.switchboard.simulator;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code vllm serve MODEL [flags]}, parsed the way vLLM's argparse does: {@code --flag value} or
 * {@code --flag=value}, {@code --enable-x}/{@code --no-enable-x} booleans, unambiguous prefixes,
 * and on any mistake argparse's message on stderr and exit status 2. Flags named {@code --sim-*}
 * are the simulator's own.
 */
final class ServeArgs {

    enum Kind { INT, FLOAT, STRING, BOOL, LIST, LENGTH, ANY }

    record Flag(String name, Kind kind, String defaultValue, String help) {
    }

    /** Thrown for a command line vLLM would refuse; the message is argparse's. */
    static final class UsageException extends RuntimeException {
        UsageException(String message) {
            super(message, null, false, false);
        }
    }

    static final List<Flag> FLAGS = List.of(
            // vLLM's flags that a model manager passes
            new Flag("--host", Kind.STRING, null, "Host name to bind; default all IPv4 interfaces"),
            new Flag("--port", Kind.INT, "8000", "Port"),
            new Flag("--served-model-name", Kind.LIST, null, "Names the API accepts; the first is reported"),
            new Flag("--gpu-memory-utilization", Kind.FLOAT, "0.9", "Fraction of total GPU memory for this instance"),
            new Flag("--kv-cache-memory-bytes", Kind.INT, null, "KV cache size per GPU in bytes (overrides the fraction)"),
            new Flag("--max-model-len", Kind.LENGTH, null, "Context length; accepts 1k (1000), 1K (1024), auto"),
            new Flag("--max-num-seqs", Kind.INT, "256", "Maximum sequences running at once"),
            new Flag("--max-num-batched-tokens", Kind.INT, "8192", "Token budget per engine step"),
            new Flag("--quantization", Kind.STRING, null, "Weight quantization (fp8, awq, gptq, ...)"),
            new Flag("-q", Kind.STRING, null, "Alias of --quantization"),
            new Flag("--dtype", Kind.STRING, "auto", "auto, half, float16, bfloat16, float, float32"),
            new Flag("--kv-cache-dtype", Kind.STRING, "auto", "KV cache storage type (auto, fp8, ...)"),
            new Flag("--tensor-parallel-size", Kind.INT, "1", "GPUs per model replica"),
            new Flag("-tp", Kind.INT, null, "Alias of --tensor-parallel-size"),
            new Flag("--enable-sleep-mode", Kind.BOOL, "false", "Allow /sleep and /wake_up (needs VLLM_SERVER_DEV_MODE=1)"),
            new Flag("--enable-lora", Kind.BOOL, "false", "Enable LoRA adapters"),
            new Flag("--max-loras", Kind.INT, "1", "Distinct adapters in one batch"),
            new Flag("--max-lora-rank", Kind.INT, "16", "Largest adapter rank"),
            new Flag("--max-cpu-loras", Kind.INT, null, "Adapters kept in the CPU cache (>= --max-loras)"),
            new Flag("--lora-modules", Kind.LIST, null, "Adapters at start-up: name=path or JSON"),
            new Flag("--api-key", Kind.LIST, null, "Bearer keys protecting /v1 (env VLLM_API_KEY)"),
            new Flag("--enable-log-requests", Kind.BOOL, "false", "Log each request"),
            new Flag("--disable-log-stats", Kind.BOOL, "false", "Stop engine stats (and /metrics gauges)"),
            new Flag("--disable-log-requests", Kind.BOOL, "false", "Deprecated inverse of --enable-log-requests"),
            new Flag("--generation-config", Kind.STRING, "auto", "auto, vllm or a folder"),
            new Flag("--enforce-eager", Kind.BOOL, "false", "Skip CUDA graph capture (faster start)"),
            new Flag("--seed", Kind.INT, "0", "Default sampling seed"),
            new Flag("--trust-remote-code", Kind.BOOL, "false", "Accepted"),
            new Flag("--enable-prefix-caching", Kind.BOOL, "true", "Accepted"),
            new Flag("--enable-request-id-headers", Kind.BOOL, "false", "Echo X-Request-Id"),
            new Flag("--enable-force-include-usage", Kind.BOOL, "false", "Usage chunk in every stream"),
            new Flag("--disable-uvicorn-access-log", Kind.BOOL, "false", "Accepted"),
            new Flag("--uvicorn-log-level", Kind.STRING, "info", "Accepted"),
            new Flag("--max-logprobs", Kind.INT, "20", "Most top_logprobs a request may ask for"),
            new Flag("--enable-auto-tool-choice", Kind.BOOL, "false", "Let the model decide to call tools (tool_choice auto)"),
            new Flag("--tool-call-parser", Kind.STRING, null, "How tool calls are read from the output (hermes, llama3_json, ...)"),
            new Flag("--enable-prompt-tokens-details", Kind.BOOL, "false", "Report cached prompt tokens in usage"),
            new Flag("--runner", Kind.STRING, "auto", "auto, generate or pooling (an embedding model)"),
            new Flag("--convert", Kind.STRING, "auto", "auto, none or embed (serve a generative checkpoint as embeddings)"),
            new Flag("--hf-overrides", Kind.STRING, null, "JSON over the model's config, e.g. {\"is_matryoshka\": true}"),
            new Flag("--download-dir", Kind.STRING, null, "Accepted"),
            new Flag("--tokenizer", Kind.STRING, null, "Accepted"),
            new Flag("--revision", Kind.STRING, null, "Accepted"),
            new Flag("--load-format", Kind.STRING, "auto", "Accepted"),
            new Flag("--swap-space", Kind.FLOAT, "4", "Accepted"),
            new Flag("--block-size", Kind.INT, "16", "KV cache block size in tokens"),
            // the simulator's own
            new Flag("--sim-time-scale", Kind.FLOAT, "1", "Multiplies every simulated duration; 0 makes them instant"),
            new Flag("--sim-gpu-dir", Kind.STRING, null, "Folder of the GPU ledger shared by simulators "
                    + "(default $TMPDIR/vllm-sim-gpus)"),
            new Flag("--sim-gpu-memory-gib", Kind.FLOAT, "80", "Size of each simulated GPU"),
            new Flag("--sim-gpu-count", Kind.INT, "8", "Number of simulated GPUs"),
            new Flag("--sim-weights-gib", Kind.FLOAT, null, "Model weights; default from the name: 7b -> 14 GiB bf16, "
                    + "halved for fp8/int8, quartered for awq/gptq/int4"),
            new Flag("--sim-overhead-gib", Kind.FLOAT, "1", "Activations and CUDA graphs inside the budget"),
            new Flag("--sim-load-seconds", Kind.FLOAT, null, "Start-up time; default 8 s at 14 GiB of weights to 62 s at "
                    + "70 GiB (the seed article), power law between"),
            new Flag("--sim-release-seconds", Kind.FLOAT, "2", "GPU memory stays taken this long after the process exits"),
            new Flag("--sim-ttft-ms", Kind.FLOAT, "20", "Time to first token for an empty prompt on an idle engine"),
            new Flag("--sim-prefill-ms-per-token", Kind.FLOAT, "0.1", "Added to the time to first token per prompt token"),
            new Flag("--sim-tpot-ms", Kind.FLOAT, null, "Time per output token with one sequence running; default "
                    + "10 ms + 0.5 ms per GiB of weights"),
            new Flag("--sim-batch-slowdown", Kind.FLOAT, "0.03", "Each further running sequence slows every token by "
                    + "this fraction (continuous batching: throughput still rises with concurrency)"),
            new Flag("--sim-wake-seconds-per-gib", Kind.FLOAT, "0.047", "Wake-up time (3 s for 64 GiB)"),
            new Flag("--sim-mode", Kind.STRING, "random", "random (words from a corpus, seeded) or echo"),
            new Flag("--sim-mean-output-tokens", Kind.INT, "120", "Mean natural answer length before EOS"),
            new Flag("--sim-fail-start", Kind.STRING, null, "Fail at start-up: oom or error"),
            new Flag("--sim-start-delay-seconds", Kind.FLOAT, "0", "Extra start-up time (slow start)"),
            new Flag("--sim-error-rate", Kind.FLOAT, "0", "Share of generation requests answered 500"),
            new Flag("--sim-cut-stream-after", Kind.INT, null, "Cut every stream after this many tokens"),
            new Flag("--sim-crash-after-seconds", Kind.FLOAT, null, "Crash this long after becoming ready")
    );

    private static final Map<String, String> ALIASES = Map.of("-q", "--quantization", "-tp", "--tensor-parallel-size");

    final String model;
    private final Map<String, Object> values = new LinkedHashMap<>();
    /** The flags given, in vLLM's "non-default args" log form. */
    final Map<String, Object> nonDefault = new LinkedHashMap<>();

    private ServeArgs(String model) {
        this.model = model;
    }

    static ServeArgs parse(List<String> args) {
        String model = null;
        List<String[]> given = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (!arg.startsWith("-") || arg.equals("-")) {
                if (model != null) throw new UsageException("unrecognized arguments: " + arg);
                model = arg;
                continue;
            }
            String name = arg;
            String inline = null;
            int eq = arg.indexOf('=');
            if (eq > 0) {
                name = arg.substring(0, eq);
                inline = arg.substring(eq + 1);
            }
            boolean negated = false;
            Flag flag = find(name);
            if (flag == null && name.startsWith("--no-")) {
                Flag positive = find("--" + name.substring(5));
                if (positive != null && positive.kind() == Kind.BOOL) {
                    flag = positive;
                    negated = true;
                }
            }
            if (flag == null) throw new UsageException("unrecognized arguments: " + arg);
            if (flag.kind() == Kind.BOOL) {
                if (inline != null) throw new UsageException("argument " + flag.name() + ": ignored explicit argument '" + inline + "'");
                given.add(new String[]{flag.name(), negated ? "false" : "true"});
            } else if (flag.kind() == Kind.LIST) {
                List<String> items = new ArrayList<>();
                if (inline != null) items.add(inline);
                while (i + 1 < args.size() && !args.get(i + 1).startsWith("--")) items.add(args.get(++i));
                if (items.isEmpty()) throw new UsageException("argument " + flag.name() + ": expected at least one argument");
                given.add(new String[]{flag.name(), String.join("\u0000", items)});
            } else {
                String value = inline;
                if (value == null) {
                    if (i + 1 >= args.size() || (args.get(i + 1).startsWith("--"))) {
                        throw new UsageException("argument " + flag.name() + ": expected one argument");
                    }
                    value = args.get(++i);
                }
                given.add(new String[]{flag.name(), value});
            }
        }
        if (model == null) throw new UsageException("the following arguments are required: model_tag");
        ServeArgs parsed = new ServeArgs(model);
        parsed.nonDefault.put("model_tag", model);
        for (Flag flag : FLAGS) {
            if (flag.defaultValue() != null) parsed.values.put(canonical(flag.name()), convert(flag, flag.defaultValue()));
        }
        for (String[] pair : given) {
            Flag flag = find(pair[0]);
            String key = canonical(flag.name());
            Object value = convert(flag, pair[1]);
            parsed.values.put(key, value);
            parsed.nonDefault.put(key.substring(2).replace('-', '_'),
                    key.equals("--api-key") ? List.of("<redacted>") : value);
        }
        parsed.validate();
        return parsed;
    }

    /** Exact name, alias, or an unambiguous prefix (argparse's allow_abbrev). */
    private static Flag find(String name) {
        Flag prefixMatch = null;
        int matches = 0;
        for (Flag flag : FLAGS) {
            if (flag.name().equals(name)) return flag;
            if (name.startsWith("--") && name.length() > 3 && flag.name().startsWith(name)) {
                prefixMatch = flag;
                matches++;
            }
        }
        if (matches > 1) throw new UsageException("ambiguous option: " + name);
        return matches == 1 ? prefixMatch : null;
    }

    private static String canonical(String name) {
        return ALIASES.getOrDefault(name, name);
    }

    private static Object convert(Flag flag, String text) {
        try {
            switch (flag.kind()) {
                case INT: return Long.parseLong(text.trim());
                case FLOAT: {
                    double value = Double.parseDouble(text.trim());
                    if (Double.isNaN(value) || Double.isInfinite(value)) throw new NumberFormatException();
                    return value;
                }
                case BOOL: return Boolean.parseBoolean(text);
                case LIST: return List.of(text.split("\u0000"));
                case LENGTH: return parseLength(text);
                default: return text;
            }
        } catch (NumberFormatException e) {
            String type = flag.kind() == Kind.INT ? "int" : flag.kind() == Kind.FLOAT ? "float" : "human-readable int";
            throw new UsageException("argument " + flag.name() + ": invalid " + type + " value: '" + text + "'");
        }
    }

    /** vLLM's human-readable ints: {@code 1k} = 1000, {@code 1K} = 1024, {@code 25.6k}, {@code auto} = -1. */
    static long parseLength(String text) {
        String t = text.trim();
        if (t.equals("auto") || t.equals("-1")) return -1;
        if (t.isEmpty()) throw new NumberFormatException();
        char unit = t.charAt(t.length() - 1);
        long multiplier = switch (unit) {
            case 'k' -> 1_000L;
            case 'm' -> 1_000_000L;
            case 'g' -> 1_000_000_000L;
            case 'K' -> 1L << 10;
            case 'M' -> 1L << 20;
            case 'G' -> 1L << 30;
            default -> 1L;
        };
        String number = multiplier == 1 ? t : t.substring(0, t.length() - 1);
        double value = Double.parseDouble(number) * multiplier;
        if (value <= 0 || value != Math.floor(value)) throw new NumberFormatException();
        return (long) value;
    }

    private void validate() {
        double utilization = number("--gpu-memory-utilization");
        if (utilization <= 0 || utilization > 1) {
            throw new UsageException("argument --gpu-memory-utilization: must be in (0, 1], got " + utilization);
        }
        int port = integer("--port");
        if (port < 0 || port > 65535) throw new UsageException("argument --port: invalid port " + port);
        if (integer("--max-num-seqs") < 1) throw new UsageException("argument --max-num-seqs: must be >= 1");
        if (!List.of("auto", "generate", "pooling", "draft").contains(string("--runner"))) {
            throw new UsageException("argument --runner: invalid choice: '" + string("--runner")
                    + "' (choose from 'auto', 'draft', 'generate', 'pooling')");
        }
        if (!List.of("auto", "none", "embed", "classify", "reward").contains(string("--convert"))) {
            throw new UsageException("argument --convert: invalid choice: '" + string("--convert")
                    + "' (choose from 'auto', 'classify', 'embed', 'none', 'reward')");
        }
        if (integer("--tensor-parallel-size") < 1) throw new UsageException("argument --tensor-parallel-size: must be >= 1");
        if (integer("--max-loras") < 1) throw new UsageException("argument --max-loras: must be >= 1");
        int rank = integer("--max-lora-rank");
        if (!List.of(1, 8, 16, 32, 64, 128, 256, 320, 512).contains(rank)) {
            throw new UsageException("argument --max-lora-rank: invalid choice: " + rank
                    + " (choose from 1, 8, 16, 32, 64, 128, 256, 320, 512)");
        }
        if (values.containsKey("--max-cpu-loras") && integer("--max-cpu-loras") < integer("--max-loras")) {
            throw new UsageException("argument --max-cpu-loras: must be >= max_loras");
        }
        String dtype = string("--dtype");
        if (!List.of("auto", "half", "float16", "bfloat16", "float", "float32").contains(dtype)) {
            throw new UsageException("argument --dtype: invalid choice: '" + dtype
                    + "' (choose from 'auto', 'half', 'float16', 'bfloat16', 'float', 'float32')");
        }
        String mode = string("--sim-mode");
        if (!mode.equals("random") && !mode.equals("echo")) {
            throw new UsageException("argument --sim-mode: invalid choice: '" + mode + "' (choose from 'random', 'echo')");
        }
        if (number("--sim-time-scale") < 0) throw new UsageException("argument --sim-time-scale: must be >= 0");
        if (number("--sim-error-rate") < 0 || number("--sim-error-rate") > 1) {
            throw new UsageException("argument --sim-error-rate: must be in [0, 1]");
        }
        String failStart = string("--sim-fail-start");
        if (failStart != null && !failStart.equals("oom") && !failStart.equals("error")) {
            throw new UsageException("argument --sim-fail-start: invalid choice: '" + failStart + "' (choose from 'oom', 'error')");
        }
        if (number("--sim-gpu-memory-gib") <= 0) throw new UsageException("argument --sim-gpu-memory-gib: must be > 0");
    }

    boolean has(String flag) {
        return values.containsKey(flag);
    }

    int integer(String flag) {
        Object value = values.get(flag);
        if (value == null) throw new IllegalStateException(flag + " has no value");
        long n = ((Number) value).longValue();
        if (n > Integer.MAX_VALUE || n < Integer.MIN_VALUE) throw new UsageException("argument " + flag + ": value out of range");
        return (int) n;
    }

    long longValue(String flag) {
        return ((Number) values.get(flag)).longValue();
    }

    double number(String flag) {
        return ((Number) values.get(flag)).doubleValue();
    }

    Double optionalNumber(String flag) {
        Object value = values.get(flag);
        return value == null ? null : ((Number) value).doubleValue();
    }

    String string(String flag) {
        Object value = values.get(flag);
        return value == null ? null : value.toString();
    }

    boolean flag(String flag) {
        return Boolean.TRUE.equals(values.get(flag));
    }

    @SuppressWarnings("unchecked")
    List<String> list(String flag) {
        Object value = values.get(flag);
        return value == null ? List.of() : (List<String>) value;
    }

    static String usage() {
        StringBuilder out = new StringBuilder("usage: vllm serve [model_tag] [options]\n\n"
                + "vLLM simulator (Switchboard): stands in for `vllm serve` with the same command line and HTTP API.\n\n"
                + "positional arguments:\n  model_tag             Hugging Face id or path of the model\n\noptions:\n");
        for (Flag flag : FLAGS) {
            String name = flag.kind() == Kind.BOOL ? flag.name() + ", --no-" + flag.name().substring(2)
                    : flag.name() + " " + flag.name().replaceAll("^-+", "").toUpperCase(Locale.ROOT).replace('-', '_');
            out.append(String.format("  %-42s %s%s%n", name, flag.help(),
                    flag.defaultValue() == null ? "" : " (default: " + flag.defaultValue() + ")"));
        }
        out.append("\nEnvironment: VLLM_SERVER_DEV_MODE=1 (sleep endpoints), VLLM_ALLOW_RUNTIME_LORA_UPDATING=1 (LoRA\n"
                + "load/unload), VLLM_API_KEY, CUDA_VISIBLE_DEVICES (which simulated GPUs to use).\n"
                + "Simulator-only endpoint: POST /sim/fault {\"action\": \"crash\"|\"hang\"|\"crash_on_wake\"|\"error_rate\"|\n"
                + "  \"cut_streams_after\"|\"stream_errors_after\"|\"clear\", \"value\": n}\n");
        return out.toString();
    }
}
