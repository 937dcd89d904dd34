import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Every request's figures of one run of the load generator, summarised: percentiles, throughput, errors by kind, CSV. */
record LoadResult(LoadGenerator.Workload workload, List<LoadResult.Sample> samples, long wallNanos) {

    /** One request's figures; nanoseconds, 0 where they do not apply. */
    record Sample(int index, int key, int promptTokens, int outputTokens, long intendedNanos, int status,
                  long latencyNanos, long ttftNanos, long maxGapNanos, int events, String error) {
    }

    List<Sample> succeeded() {
        return samples.stream().filter(s -> s.error() == null).toList();
    }

    /** Answers per second that came within the run's time (a closed loop's last ones, drained after it, do not count). */
    double throughput() {
        return succeeded().stream().filter(s -> s.intendedNanos() + s.latencyNanos() <= wallNanos).count() / (wallNanos / 1e9);
    }

    Map<String, Integer> errors() {
        Map<String, Integer> kinds = new TreeMap<>();
        for (Sample s : samples) if (s.error() != null) kinds.merge(s.error(), 1, Integer::sum);
        return kinds;
    }

    long[] latencies() {
        return succeeded().stream().mapToLong(Sample::latencyNanos).sorted().toArray();
    }

    long[] ttfts() {
        return succeeded().stream().filter(s -> s.ttftNanos() > 0).mapToLong(Sample::ttftNanos).sorted().toArray();
    }

    long[] gaps() {
        return succeeded().stream().filter(s -> s.events() > 1).mapToLong(Sample::maxGapNanos).sorted().toArray();
    }

    static double percentile(long[] sorted, double p) {
        if (sorted.length == 0) return Double.NaN;
        return sorted[Math.min(sorted.length - 1, Math.max(0, (int) Math.ceil(p / 100 * sorted.length) - 1))] / 1e6;
    }

    /** p50 / p90 / p99 / max in ms. */
    static String quartet(long[] sorted) {
        if (sorted.length == 0) return "- | - | - | -";
        return String.format(Locale.ROOT, "%.2f | %.2f | %.2f | %.2f", percentile(sorted, 50), percentile(sorted, 90),
                percentile(sorted, 99), sorted[sorted.length - 1] / 1e6);
    }

    /** A markdown table row: workload, requests, throughput, latency, TTFT, gap quartets, errors. */
    String markdownRow() {
        return String.format(Locale.ROOT, "| %s | %d | %.0f | %s | %s | %s | %s |", workload.name(), samples.size(), throughput(),
                quartet(latencies()), workload.stream() ? quartet(ttfts()) : "- | - | - | -",
                workload.stream() ? quartet(gaps()) : "- | - | - | -", errors().isEmpty() ? "0" : errors().toString());
    }

    static String markdownHeader() {
        return "| workload | requests | req/s | latency p50 | p90 | p99 | max | TTFT p50 | p90 | p99 | max | chunk gap p50 | p90 | p99 | max | errors |\n"
                + "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|";
    }

    void writeCsv(Path file) throws IOException {
        StringBuilder csv = new StringBuilder("index,key,prompt_tokens,output_tokens,intended_ms,status,latency_ms,ttft_ms,max_gap_ms,events,error\n");
        for (Sample s : samples) {
            csv.append(String.format(Locale.ROOT, "%d,%d,%d,%d,%.3f,%d,%.3f,%.3f,%.3f,%d,%s%n", s.index(), s.key(), s.promptTokens(),
                    s.outputTokens(), s.intendedNanos() / 1e6, s.status(), s.latencyNanos() / 1e6, s.ttftNanos() / 1e6,
                    s.maxGapNanos() / 1e6, s.events(), s.error() == null ? "" : s.error()));
        }
        Files.createDirectories(file.getParent());
        Files.writeString(file, csv);
    }
}
