package io.switchboard.simulator;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;

/** The engine's Prometheus metrics under vLLM's names, labels and buckets. */
final class Metrics {

    static final double[] TTFT_BUCKETS = {0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5,
            7.5, 10, 20, 40, 80, 160, 640, 2560};
    static final double[] ITL_BUCKETS = {0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0,
            7.5, 10.0, 20.0, 40.0, 80.0};
    static final double[] REQUEST_BUCKETS = {0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60, 120, 240,
            480, 960, 1920, 7680};

    static final class Histogram {
        private final double[] bounds;
        private final LongAdder[] counts;
        private final DoubleAdder sum = new DoubleAdder();
        private final LongAdder count = new LongAdder();

        Histogram(double[] bounds) {
            this.bounds = bounds;
            this.counts = new LongAdder[bounds.length];
            for (int i = 0; i < bounds.length; i++) counts[i] = new LongAdder();
        }

        void observe(double seconds) {
            for (int i = 0; i < bounds.length; i++) {
                if (seconds <= bounds[i]) {
                    counts[i].increment();
                    break;
                }
            }
            sum.add(seconds);
            count.increment();
        }
    }

    private final String labels;
    final LongAdder promptTokens = new LongAdder();
    final LongAdder generationTokens = new LongAdder();
    final Map<String, LongAdder> finished = new LinkedHashMap<>();
    final Histogram timeToFirstToken = new Histogram(TTFT_BUCKETS);
    final Histogram interTokenLatency = new Histogram(ITL_BUCKETS);
    final Histogram e2eLatency = new Histogram(REQUEST_BUCKETS);
    final Histogram queueTime = new Histogram(REQUEST_BUCKETS);
    final AtomicLong preemptions = new AtomicLong();

    Metrics(String modelName) {
        this.labels = "engine=\"0\",model_name=\"" + modelName.replace("\"", "\\\"") + "\"";
        for (String reason : new String[]{"stop", "length", "abort", "error"}) finished.put(reason, new LongAdder());
    }

    void finished(String reason) {
        finished.get(reason).increment();
    }

    String render(DoubleSupplier running, DoubleSupplier waiting, DoubleSupplier kvUsage, String sleepState,
                  Map<String, String> cacheConfig, String loraInfoLabels) {
        StringBuilder out = new StringBuilder(8192);
        gauge(out, "vllm:num_requests_running", "Number of requests in model execution batches.", running.getAsDouble());
        gauge(out, "vllm:num_requests_waiting", "Number of requests waiting to be processed.", waiting.getAsDouble());
        gauge(out, "vllm:kv_cache_usage_perc", "KV-cache usage. 1 means 100 percent usage.", kvUsage.getAsDouble());
        counter(out, "vllm:num_preemptions", "Cumulative number of preemption from the engine.", preemptions.get());
        counter(out, "vllm:prompt_tokens", "Number of prefill tokens processed.", promptTokens.sum());
        counter(out, "vllm:generation_tokens", "Number of generation tokens processed.", generationTokens.sum());
        out.append("# HELP vllm:request_success_total Count of successfully processed requests.\n")
                .append("# TYPE vllm:request_success_total counter\n");
        finished.forEach((reason, count) -> out.append("vllm:request_success_total{").append(labels)
                .append(",finished_reason=\"").append(reason).append("\"} ").append(count.sum()).append(".0\n"));
        histogram(out, "vllm:time_to_first_token_seconds", "Histogram of time to first token in seconds.", timeToFirstToken);
        histogram(out, "vllm:inter_token_latency_seconds", "Histogram of inter-token latency in seconds.", interTokenLatency);
        histogram(out, "vllm:e2e_request_latency_seconds", "Histogram of e2e request latency in seconds.", e2eLatency);
        histogram(out, "vllm:request_queue_time_seconds", "Histogram of time spent in WAITING phase for request.", queueTime);
        out.append("# HELP vllm:engine_sleep_state Engine sleep state; awake = 0 means engine is sleeping; "
                + "awake = 1 means engine is awake; weights_offloaded = 1 means sleep level 1; discard_all = 1 means sleep level 2.\n")
                .append("# TYPE vllm:engine_sleep_state gauge\n");
        for (String state : new String[]{"awake", "weights_offloaded", "discard_all"}) {
            out.append("vllm:engine_sleep_state{").append(labels).append(",sleep_state=\"").append(state).append("\"} ")
                    .append(state.equals(sleepState) ? "1.0" : "0.0").append('\n');
        }
        out.append("# HELP vllm:cache_config_info Information of the LLMEngine CacheConfig\n# TYPE vllm:cache_config_info gauge\n")
                .append("vllm:cache_config_info{engine=\"0\"");
        cacheConfig.forEach((key, value) -> out.append(',').append(key).append("=\"").append(value).append('"'));
        out.append("} 1.0\n");
        if (loraInfoLabels != null) {
            out.append("# HELP vllm:lora_requests_info Running stats on lora requests.\n# TYPE vllm:lora_requests_info gauge\n")
                    .append("vllm:lora_requests_info{").append(loraInfoLabels).append("} ")
                    .append(System.currentTimeMillis() / 1000.0).append('\n');
        }
        return out.toString();
    }

    private void gauge(StringBuilder out, String name, String help, double value) {
        out.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name).append(" gauge\n")
                .append(name).append('{').append(labels).append("} ").append(value).append('\n');
    }

    private void counter(StringBuilder out, String name, String help, long value) {
        out.append("# HELP ").append(name).append("_total ").append(help).append("\n# TYPE ").append(name)
                .append("_total counter\n").append(name).append("_total{").append(labels).append("} ")
                .append(value).append(".0\n");
    }

    private void histogram(StringBuilder out, String name, String help, Histogram h) {
        out.append("# HELP ").append(name).append(' ').append(help).append("\n# TYPE ").append(name).append(" histogram\n");
        long cumulative = 0;
        for (int i = 0; i < h.bounds.length; i++) {
            cumulative += h.counts[i].sum();
            out.append(name).append("_bucket{").append(labels).append(",le=\"").append(h.bounds[i]).append("\"} ")
                    .append(cumulative).append(".0\n");
        }
        out.append(name).append("_bucket{").append(labels).append(",le=\"+Inf\"} ").append(h.count.sum()).append(".0\n");
        out.append(name).append("_count{").append(labels).append("} ").append(h.count.sum()).append(".0\n");
        out.append(name).append("_sum{").append(labels).append("} ").append(h.sum.sum()).append('\n');
    }
}
