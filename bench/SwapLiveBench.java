import io.switchboard.engines.control.SwapReplay;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ./switchboard bench swaps-live}: a window of the Azure traces (bench/traces) replayed through a running
 * Switchboard onto the seed's three models as simulator processes (an 8B, a 32B code and a 70B FP8 model, no two of
 * which fit on the simulated 80 GiB GPU; the sleep tier on), with time compressed: the simulator's durations are
 * scaled by {@code scale} and the trace's gaps divided by 1/scale, and the server's lifecycle times (minimum
 * residency, the swap deferral bound, the longest wait) are scaled the same way by ./switchboard, so the ratios
 * between loads, wake-ups, decode and arrivals stay those of the real hour. What the virtual-time replay
 * ({@code bench swaps}) cannot show: the real relay, the processes and their HTTP, the clock. Reports, in trace
 * seconds: loads and wake-ups, each model's time to first token (its wait plus its prefill), failures by kind.
 */
public class SwapLiveBench {

    static final String[] MODELS = {"live-8b", "live-32b", "live-70b"};

    public static void main(String[] args) throws Exception {
        GatewayBench.arguments(args);
        GatewayBench.setUp();
        double scale = Double.parseDouble(System.getProperty("scale", "0.1"));
        double fromMinute = Double.parseDouble(System.getProperty("from", "0"));
        double minutes = Double.parseDouble(System.getProperty("minutes", "10"));
        addModel(MODELS[0], "meta-llama/Llama-3.1-8B-Instruct", 24);
        addModel(MODELS[1], "Qwen/Qwen2.5-Coder-32B-Instruct", 70);
        addModel(MODELS[2], "meta-llama/Llama-3.3-70B-Instruct-FP8", 76);
        Thread.sleep(1500); // the catalog snapshot

        List<LoadGenerator.Planned> planned = new ArrayList<>();
        int[] perModel = new int[3];
        for (SwapReplay.Request request : SwapReplay.threeModelRequests(Path.of("bench/traces"))) { // the replay's own mapping
            if (request.at() < fromMinute * 60 || request.at() >= (fromMinute + minutes) * 60) continue;
            perModel[request.model()]++;
            long at = (long) ((request.at() - fromMinute * 60) * scale * 1e9);
            planned.add(new LoadGenerator.Planned(at, 0, request.promptTokens(), Math.min(1024, request.outputTokens()),
                    MODELS[request.model()]));
        }
        long last = planned.get(planned.size() - 1).atNanos();
        boolean stream = Boolean.parseBoolean(System.getProperty("stream", "true"));
        var workload = new LoadGenerator.Workload("trace window", MODELS[0], stream, List.of(GatewayBench.key), planned,
                Integer.getInteger("connections", 768), false, last + (long) (400 * scale * 1e9) + 30_000_000_000L);
        System.out.printf("%d requests from minute %.0f to %.0f of the traces (8B %d, 32B %d, 70B %d), time scaled by %.2f: %.0f s%n",
                planned.size(), fromMinute, fromMinute + minutes, perModel[0], perModel[1], perModel[2], scale, last / 1e9);
        Instant started = Instant.now();
        LoadResult result = LoadGenerator.run(GatewayBench.gateway, workload);
        Thread.sleep(1500); // engine events are written every half second

        int loads = 0, wakes = 0;
        for (String model : MODELS) {
            String events = GatewayBench.admin("GET", "/admin/engines/events?model=" + model + "&since=" + started + "&limit=1000", "");
            Matcher event = Pattern.compile("\\{[^{}]*\\}").matcher(events);
            while (event.find()) {
                Matcher from = Pattern.compile("\"from_state\":\"(\\w+)\"").matcher(event.group());
                if (!event.group().contains("\"to_state\":\"LOADING\"") || !from.find()) continue;
                if (from.group(1).equals("SLEEPING")) wakes++; else if (!from.group(1).equals("LOADING")) loads++;
            }
        }
        List<LoadResult.Sample> samples = result.samples();
        System.out.printf(Locale.ROOT, "loads %d, wake-ups %d; served %d, failed %d %s%n", loads, wakes,
                samples.stream().filter(s -> s.error() == null).count(), samples.stream().filter(s -> s.error() != null).count(),
                result.errors());
        for (int model = 0; model < 3; model++) {
            String name = MODELS[model];
            double[] ttft = samples.stream().filter(s -> s.error() == null && planned.get(s.index()).model().equals(name))
                    .mapToDouble(s -> (stream ? s.ttftNanos() : s.latencyNanos()) / 1e9 / scale).sorted().toArray();
            System.out.printf(Locale.ROOT, "%-9s %5d served: " + (stream ? "time to first token" : "latency") + " (trace seconds) mean %6.1f p50 %6.1f p99 %6.1f max %6.1f%n",
                    name, ttft.length, Arrays.stream(ttft).average().orElse(0), pct(ttft, 50), pct(ttft, 99),
                    ttft.length == 0 ? 0 : ttft[ttft.length - 1]);
        }
        double[] all = samples.stream().filter(s -> s.error() == null)
                .mapToDouble(s -> (stream ? s.ttftNanos() : s.latencyNanos()) / 1e9 / scale).sorted().toArray();
        System.out.printf(Locale.ROOT, "all       %5d served: mean %6.1f p50 %6.1f p99 %6.1f (trace seconds)%n", all.length,
                Arrays.stream(all).average().orElse(0), pct(all, 50), pct(all, 99));
        for (String model : MODELS) GatewayBench.admin("POST", "/admin/engines/" + model + "/unload", "");
    }

    static void addModel(String name, String modelId, int gib) throws Exception {
        String spec = "\"model_id\":\"" + modelId + "\",\"gpu_memory_gib\":" + gib + ",\"max_model_len\":16384,\"sleep_enabled\":true";
        GatewayBench.admin("POST", "/admin/models", "{\"name\":\"" + name + "\",\"engine\":\"sim\"," + spec + "}");
        GatewayBench.admin("PATCH", "/admin/models/" + name, "{\"enabled\":true," + spec + "}");
    }

    static double pct(double[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[Math.max(0, (int) Math.ceil(p / 100 * sorted.length) - 1)];
    }

}
