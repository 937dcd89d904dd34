package io.switchboard.simulator;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code java -jar vllm-sim.jar serve MODEL [flags]}: a stand-in for the {@code vllm} executable
 * with the same command line and HTTP API (see {@code serve --help}), and
 * {@code java -jar vllm-sim.jar smi --query-gpu=... --format=csv,...} in place of nvidia-smi for
 * the simulated GPUs.
 */
public final class VllmSimulator {

    private VllmSimulator() {
    }

    public static void main(String[] argv) throws Exception {
        // latency matters more than packet count for token streams
        System.setProperty("sun.net.httpserver.nodelay", "true");
        // vLLM's server keeps every client connection alive; the JDK's closes one after its answer once 200 are
        // idle, so a gateway or a load client with more connections than that reconnected for every request
        System.setProperty("sun.net.httpserver.maxIdleConnections", "4096");
        List<String> args = new ArrayList<>(Arrays.asList(argv));
        if (args.isEmpty() || args.get(0).equals("-h") || args.get(0).equals("--help")) {
            System.out.println("usage: vllm {serve,smi} ...\n\n  serve MODEL [flags]   start an OpenAI-compatible server "
                    + "(serve --help)\n  smi --query-gpu=index,memory.total,memory.used --format=csv,noheader,nounits");
            System.exit(args.isEmpty() ? 2 : 0);
        }
        String command = args.remove(0);
        switch (command) {
            case "serve" -> serve(args);
            case "smi" -> System.exit(smi(args));
            default -> {
                System.err.println("usage: vllm {serve,smi} ...");
                System.err.println("vllm: error: argument subparser: invalid choice: '" + command + "' (choose from 'serve', 'smi')");
                System.exit(2);
            }
        }
    }

    private static void serve(List<String> args) throws Exception {
        if (args.contains("-h") || args.contains("--help")) {
            System.out.print(ServeArgs.usage());
            return;
        }
        ServeArgs parsed;
        try {
            parsed = ServeArgs.parse(args);
        } catch (ServeArgs.UsageException e) {
            System.err.println("usage: vllm serve [model_tag] [options]");
            System.err.println("vllm serve: error: " + e.getMessage());
            System.exit(2);
            return;
        }
        int status = new Simulator(parsed).serve();
        if (status >= 0) System.exit(status);
        // serving: the HTTP server's threads keep the process alive until SIGTERM
        Thread.currentThread().join();
    }

    /** nvidia-smi's {@code --query-gpu} for the simulated GPUs (memory in MiB). */
    static int smi(List<String> args) {
        String query = null;
        String format = "csv";
        Path root = GpuLedger.defaultRoot();
        double gib = 80;
        int count = 8;
        double release = 2;
        for (String arg : args) {
            if (arg.startsWith("--query-gpu=")) query = arg.substring(12);
            else if (arg.startsWith("--format=")) format = arg.substring(9);
            else if (arg.startsWith("--sim-gpu-dir=")) root = Path.of(arg.substring(14));
            else if (arg.startsWith("--sim-gpu-memory-gib=")) gib = Double.parseDouble(arg.substring(21));
            else if (arg.startsWith("--sim-gpu-count=")) count = Integer.parseInt(arg.substring(16));
            else if (arg.startsWith("--sim-release-seconds=")) release = Double.parseDouble(arg.substring(22));
            else {
                System.err.println("Invalid combination of input arguments: " + arg);
                return 2;
            }
        }
        if (query == null) {
            System.err.println("smi: only --query-gpu is simulated");
            return 2;
        }
        List<String> fields = List.of(query.split(","));
        boolean header = !format.contains("noheader");
        boolean units = !format.contains("nounits");
        GpuLedger ledger = new GpuLedger(root, gib, count, release);
        if (header) {
            List<String> names = new ArrayList<>();
            for (String field : fields) names.add(field + (units && field.startsWith("memory.") ? " [MiB]" : ""));
            System.out.println(String.join(", ", names));
        }
        for (GpuLedger.GpuState gpu : ledger.states()) {
            List<String> values = new ArrayList<>();
            for (String field : fields) {
                String value = switch (field.trim()) {
                    case "index" -> String.valueOf(gpu.index());
                    case "name" -> "Simulated GPU " + String.format(Locale.ROOT, "%.0fGB", gib);
                    case "memory.total" -> mib(gpu.totalBytes(), units);
                    case "memory.used" -> mib(gpu.usedBytes(), units);
                    case "memory.free" -> mib(gpu.freeBytes(), units);
                    default -> null;
                };
                if (value == null) {
                    System.err.println("Field \"" + field + "\" is not a valid field to query.");
                    return 2;
                }
                values.add(value);
            }
            System.out.println(String.join(", ", values));
        }
        return 0;
    }

    private static String mib(long bytes, boolean units) {
        return (bytes / (1024 * 1024)) + (units ? " MiB" : "");
    }
}
