package io.switchboard.engines.control;

import io.switchboard.engines.entity.EngineState;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Replays the Azure LLM inference traces (bench/traces: code and conversation, November 2023; "Splitwise",
 * ISCA 2024) onto catalogs that do not fit on one GPU at once, with each eviction policy and swap scheduler,
 * through Switchboard's own model manager on virtual time ({@link ReplayGpu}); reports loads, wake-ups,
 * evictions, GPU-seconds spent loading, waits (all requests, by model size), the time to first token of the
 * requests that waited, failures, and the loads against {@link SwapLowerBound} at each run's own longest wait.
 * {@code ./switchboard bench swaps} runs it and writes docs/benchmarks/swaps.md.
 */
public final class SwapReplay {

    /** One traced request, placed on a model of the catalog (an index into its models). */
    public record Request(double at, int model, int promptTokens, int outputTokens) {
    }

    /** A trace line: seconds from the traces' start, the tokens, and which service it came from. */
    record TraceLine(double at, int contextTokens, int generatedTokens, boolean code) {
    }

    /** A catalog that does not fit at once, the GPU and host memory it runs on, and its requests. */
    record Catalog(String name, List<ReplayGpu.Model> models, long gpuBytes, long hostBytes, List<Request> requests) {
    }

    /** What one run did. */
    record Outcome(String catalog, String policy, String scheduler, Duration deferral, long loads, long wakes,
                   long evictions, double loadingSeconds, double[] waits, int[] modelOf, boolean[] failed,
                   double[] coldTtft, long lowerBound, Catalog from) {

        long swaps() {
            return loads + wakes;
        }

        /** The longest wait of a request that was served (what the lower bound is taken at). */
        double maxWait() {
            double longest = 0;
            for (int i = 0; i < waits.length; i++) if (!failed[i]) longest = Math.max(longest, waits[i]);
            return longest;
        }

        long failures() {
            long n = 0;
            for (boolean f : failed) if (f) n++;
            return n;
        }
    }

    private static final boolean DEBUG = Boolean.getBoolean("replay.debug");

    private SwapReplay() {
    }

    static List<TraceLine> readTraces(Path dir) throws IOException {
        List<TraceLine> lines = new ArrayList<>();
        DateTimeFormatter format = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss[.SSSSSSS]");
        List<LocalDateTime> stamps = new ArrayList<>();
        List<int[]> tokens = new ArrayList<>();
        for (String service : List.of("code", "conv")) {
            List<String> rows = Files.readAllLines(dir.resolve("azure-llm-2023-" + service + ".csv"));
            for (String row : rows.subList(1, rows.size())) {
                String[] cells = row.split(",");
                if (cells.length < 3) continue;
                stamps.add(LocalDateTime.parse(cells[0].trim(), format));
                tokens.add(new int[]{Integer.parseInt(cells[1].trim()), Integer.parseInt(cells[2].trim()),
                        service.equals("code") ? 1 : 0});
            }
        }
        LocalDateTime start = stamps.stream().min(Comparator.naturalOrder()).orElseThrow();
        for (int i = 0; i < stamps.size(); i++) {
            double at = Duration.between(start, stamps.get(i)).toNanos() / 1e9;
            int[] t = tokens.get(i);
            lines.add(new TraceLine(at, t[0], Math.max(1, t[1]), t[2] == 1));
        }
        lines.sort(Comparator.comparingDouble(TraceLine::at));
        return lines;
    }

    /**
     * The seed article's three models on one 80 GiB GPU, no two of which fit together: the code service to
     * a 32B code model, conversations of 2,048 context tokens or more to a 70B model (FP8), the rest to an 8B.
     */
    /** Both traces' requests on the three-model catalog, in arrival order: what {@code bench swaps-live} sends to a running server. */
    public static List<Request> threeModelRequests(Path traces) throws IOException {
        return threeModels(readTraces(traces), true).requests();
    }

    static Catalog threeModels(List<TraceLine> trace, boolean sleeps) {
        List<ReplayGpu.Model> models = List.of(new ReplayGpu.Model("chat-8b", 15, 24, sleeps),
                new ReplayGpu.Model("code-32b", 61, 70, sleeps), new ReplayGpu.Model("chat-70b-fp8", 65, 76, sleeps));
        List<Request> requests = new ArrayList<>();
        for (TraceLine line : trace) {
            int model = line.code() ? 1 : line.contextTokens() >= 2048 ? 2 : 0;
            requests.add(new Request(line.at(), model, line.contextTokens(), line.generatedTokens()));
        }
        return new Catalog(sleeps ? "three models, sleep tier" : "three models", models, 80 * ReplayGpu.GIB,
                sleeps ? 512 * ReplayGpu.GIB : 0, requests);
    }

    /**
     * Ten models on one 80 GiB GPU with the sleep tier (512 GiB of host memory), each request of both traces
     * given a model by a Zipf law (s = 1) over a fixed popularity order, from a seed. {@code tight}: each
     * model reserves its weights and the KV cache for 32 sequences of 2,048 tokens (the traces' median
     * contexts are 1,020 and 1,469 tokens) instead of 256 of 8,192, at most a third of the GPU (vLLM's own
     * default would take 90% of the GPU for any model).
     */
    static Catalog tenModels(List<TraceLine> trace, boolean tight, long seed) {
        // name, weights GiB, KV KiB per token (the simulator's fit: 128 KiB at 8B, about 320 KiB at 70B)
        Object[][] table = {
                {"llama-3.1-8b", 15.0, 128}, {"llama-3.3-70b-fp8", 65.0, 328}, {"qwen-2.5-7b", 14.2, 120},
                {"qwen-2.5-32b-fp8", 30.0, 240}, {"llama-3.2-3b", 6.0, 82}, {"mistral-nemo-12b", 22.8, 154},
                {"phi-4-14b", 27.3, 164}, {"llama-3.2-1b", 2.3, 49}, {"mixtral-8x7b-awq", 22.0, 240},
                {"qwen-2.5-32b-awq", 15.0, 240}};
        List<ReplayGpu.Model> models = new ArrayList<>();
        for (Object[] row : table) {
            double weights = (double) row[1];
            double kvGibPerToken = (int) row[2] / 1024.0 / 1024.0;
            double kv = tight ? 32 * 2048 * kvGibPerToken : Math.min(256 * 8192 * kvGibPerToken, 80.0 / 3);
            // 1 GiB for activations and the CUDA context; tight, no model takes more than what leaves the nine
            // others room for their residues while they sleep (half a GiB each)
            int reservation = (int) Math.min(tight ? 75 : 78, Math.ceil(weights + kv + 1));
            models.add(new ReplayGpu.Model((String) row[0], weights, reservation, true));
        }
        double[] cumulative = new double[models.size()];
        double sum = 0;
        for (int rank = 0; rank < models.size(); rank++) cumulative[rank] = sum += 1.0 / (rank + 1);
        Random random = new Random(seed);
        List<Request> requests = new ArrayList<>();
        for (TraceLine line : trace) {
            double draw = random.nextDouble() * sum;
            int model = 0;
            while (cumulative[model] < draw) model++;
            requests.add(new Request(line.at(), model, line.contextTokens(), line.generatedTokens()));
        }
        return new Catalog(tight ? "ten models, tight KV" : "ten models", models, 80 * ReplayGpu.GIB, 512 * ReplayGpu.GIB, requests);
    }

    /** Replays the catalog's requests with one policy and scheduler; the clock runs until the last request has ended. */
    static Outcome run(Catalog catalog, String policy, String scheduler, Duration deferral) throws InterruptedException {
        ReplayGpu gpu = new ReplayGpu(catalog.models(), catalog.gpuBytes(), catalog.hostBytes(), policy, scheduler, deferral);
        int n = catalog.requests().size();
        double[] waits = new double[n];
        boolean[] failed = new boolean[n];
        double[] ttft = new double[n];
        int[] modelOf = new int[n];
        Map<String, ReplayBatch> batches = new HashMap<>();
        for (int i = 0; i < n; i++) {
            Request request = catalog.requests().get(i);
            ReplayGpu.Model model = catalog.models().get(request.model());
            int index = i;
            modelOf[i] = request.model();
            Instant arrival = ReplayGpu.T0.plus(ReplayGpu.seconds(request.at()));
            gpu.time.at(arrival, () -> {
                CompletableFuture<Lease> lease = gpu.manager.leases().acquire(gpu.spec(model.name()), gpu.manager.settings.maxWait());
                lease.whenComplete((granted, error) -> {
                    if (error != null) {
                        failed[index] = true; // it waited until it was refused: that wait counts
                        waits[index] = Duration.between(arrival, gpu.time.now()).toNanos() / 1e9;
                        if (DEBUG) System.err.println(gpu.time.now() + " " + model.name() + " failed: " + error);
                        return;
                    }
                    Instant now = gpu.time.now();
                    waits[index] = Duration.between(arrival, now).toNanos() / 1e9;
                    ttft[index] = waits[index] + model.prefillSeconds(request.promptTokens());
                    ReplayBatch batch = batches.computeIfAbsent(model.name(), m -> new ReplayBatch(gpu.time, model.tpotSeconds()));
                    gpu.time.at(now.plus(ReplayGpu.seconds(model.prefillSeconds(request.promptTokens()))),
                            () -> batch.join(request.outputTokens(), () -> granted.release(true)));
                });
            });
        }
        double last = catalog.requests().get(n - 1).at();
        gpu.time.runUntil(ReplayGpu.T0.plus(ReplayGpu.seconds(last + 900)));
        gpu.time.shutdown();
        if (DEBUG) gpu.events.forEach(e -> System.err.println(e));
        if (DEBUG) gpu.manager.view().engines().forEach(e -> System.err.println("END " + e));

        long loads = 0, wakes = 0;
        double loading = 0;
        Map<String, Instant> loadingSince = new HashMap<>();
        for (ReplayGpu.Event event : gpu.events) {
            if (event.to() == EngineState.LOADING && event.from() != EngineState.LOADING) {
                if (event.from() == EngineState.SLEEPING) wakes++; else loads++;
                loadingSince.put(event.model(), event.at());
            } else if (event.from() == EngineState.LOADING && event.to() != EngineState.LOADING) {
                Instant since = loadingSince.remove(event.model());
                if (since != null) loading += Duration.between(since, event.at()).toNanos() / 1e9;
            }
        }
        double longest = 0;
        for (int i = 0; i < n; i++) if (!failed[i]) longest = Math.max(longest, waits[i]);
        long[] sizes = catalog.models().stream().mapToLong(m -> m.reservationGib() * ReplayGpu.GIB).toArray();
        List<SwapLowerBound.Request> sequence = catalog.requests().stream()
                .map(r -> new SwapLowerBound.Request(r.at(), r.model())).toList();
        long bound = SwapLowerBound.loads(sequence, sizes, catalog.gpuBytes(), longest);
        double[] cold = new double[n];
        int coldCount = 0;
        for (int i = 0; i < n; i++) if (!failed[i] && waits[i] > 0.001) cold[coldCount++] = ttft[i];
        return new Outcome(catalog.name(), policy, scheduler, deferral, loads, wakes, gpu.evictions, loading, waits, modelOf,
                failed, Arrays.copyOf(cold, coldCount), bound, catalog);
    }

    static double percentile(double[] values, double p) {
        if (values.length == 0) return 0;
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100 * sorted.length) - 1 < 0 ? 0
                : (int) Math.ceil(p / 100 * sorted.length) - 1)];
    }

    static double mean(double[] values) {
        return Arrays.stream(values).average().orElse(0);
    }

    /** The waits of the requests whose model passes {@code which} (a failed request's until it was refused). */
    static double[] waitsOf(Outcome outcome, Function<ReplayGpu.Model, Boolean> which) {
        List<Double> chosen = new ArrayList<>();
        for (int i = 0; i < outcome.waits().length; i++) {
            if (which.apply(outcome.from().models().get(outcome.modelOf()[i]))) chosen.add(outcome.waits()[i]);
        }
        return chosen.stream().mapToDouble(Double::doubleValue).toArray();
    }

    static double waitedShare(double[] waits) {
        return waits.length == 0 ? 0 : Arrays.stream(waits).filter(w -> w > 0.001).count() / (double) waits.length;
    }

    private static final List<String> POLICIES = List.of("lru", "greedy-dual", "delayed-hits");
    private static final List<String> SCHEDULERS = List.of("on-idle", "cost");
    private static final Duration BOUND = Duration.ofSeconds(240);
    /** No bound at all: the lifecycle as it was before the swap scheduler (a load waited for busy models to go idle). */
    private static final Duration UNBOUNDED = Duration.ofDays(1);

    /** {@code SwapReplay <traces folder> <report.md>}: every catalog, policy and scheduler; the report and its plot. */
    public static void main(String[] args) throws Exception {
        Path traces = Path.of(args.length > 0 ? args[0] : "bench/traces");
        Path report = Path.of(args.length > 1 ? args[1] : "target/swaps.md");
        List<TraceLine> trace = readTraces(traces);
        String window = System.getProperty("replay.minutes", ""); // "FROM,TO": only those minutes of the traces
        if (!window.isEmpty()) {
            double from = Double.parseDouble(window.split(",")[0]) * 60, to = Double.parseDouble(window.split(",")[1]) * 60;
            trace = trace.stream().filter(t -> t.at() >= from && t.at() < to)
                    .map(t -> new TraceLine(t.at() - from, t.contextTokens(), t.generatedTokens(), t.code())).toList();
        }
        List<TraceLine> code = trace.stream().filter(TraceLine::code).toList();
        List<TraceLine> conv = trace.stream().filter(t -> !t.code()).toList();
        List<Catalog> catalogs = List.of(threeModels(trace, false), threeModels(trace, true), tenModels(trace, false, 42),
                tenModels(trace, true, 42), rename(tenModels(code, true, 42), "ten models, tight KV, code trace only"),
                rename(tenModels(conv, true, 42), "ten models, tight KV, conversation trace only"));
        List<Outcome> outcomes = new ArrayList<>();
        for (Catalog catalog : catalogs) {
            outcomes.add(run(catalog, "lru", "on-idle", UNBOUNDED));
            for (String policy : POLICIES) {
                for (String scheduler : SCHEDULERS) outcomes.add(run(catalog, policy, scheduler, BOUND));
            }
            System.out.println("replayed " + catalog.name() + " (" + catalog.requests().size() + " requests)");
        }
        List<Outcome> sweep = new ArrayList<>();
        for (long seconds : List.of(10, 30, 60, 120, 240)) {
            sweep.add(run(catalogs.get(1), "delayed-hits", "on-idle", Duration.ofSeconds(seconds)));
            sweep.add(run(catalogs.get(1), "delayed-hits", "cost", Duration.ofSeconds(seconds)));
        }
        Files.createDirectories(report.toAbsolutePath().getParent());
        Files.writeString(report, SwapReport.markdown(catalogs, outcomes, sweep, report.getFileName().toString().replace(".md", "")));
        SwapReport.plot(catalogs, outcomes, report.resolveSibling(report.getFileName().toString().replace(".md", "-mean-wait.png")));
        System.out.println(SwapReport.summary(outcomes));
        System.out.println("wrote " + report);
    }

    private static Catalog rename(Catalog catalog, String name) {
        return new Catalog(name, catalog.models(), catalog.gpuBytes(), catalog.hostBytes(), catalog.requests());
    }
}
