/**
 * What the server timed of its own steps ({@code GET /admin/stages}: route, admit, record, settle), read before
 * and after a bench's measured phase, so that a figure covers that phase alone (docs/benchmarks.md, "What a
 * step adds").
 */
final class Stages {

    /** The server's cumulative stage histograms now ({@code GET /admin/stages}): stage -> {bound ns -> count}. */
    static java.util.Map<String, java.util.TreeMap<Long, Long>> read() throws Exception {
        String json = GatewayBench.admin("GET", "/admin/stages", "");
        java.util.Map<String, java.util.TreeMap<Long, Long>> all = new java.util.HashMap<>();
        java.util.regex.Matcher stage = java.util.regex.Pattern.compile("\"([a-z]+)\":\\[((?:\\[[0-9]+,[0-9]+\\],?)*)\\]").matcher(json);
        while (stage.find()) {
            java.util.TreeMap<Long, Long> buckets = new java.util.TreeMap<>();
            java.util.regex.Matcher bucket = java.util.regex.Pattern.compile("\\[([0-9]+),([0-9]+)\\]").matcher(stage.group(2));
            while (bucket.find()) buckets.put(Long.parseLong(bucket.group(1)), Long.parseLong(bucket.group(2)));
            all.put(stage.group(1), buckets);
        }
        return all;
    }

    /** Adds what the stages counted between two readings to {@code into}: phases of one load, apart from another's. */
    static void addPhase(java.util.Map<String, java.util.TreeMap<Long, Long>> into,
                         java.util.Map<String, java.util.TreeMap<Long, Long>> before,
                         java.util.Map<String, java.util.TreeMap<Long, Long>> after) {
        after.forEach((stage, buckets) -> buckets.forEach((bound, count) -> {
            long d = count - before.getOrDefault(stage, new java.util.TreeMap<>()).getOrDefault(bound, 0L);
            if (d > 0) into.computeIfAbsent(stage, k -> new java.util.TreeMap<>()).merge(bound, d, Long::sum);
        }));
    }

    /** One stage's p50, p99, p99.9 and max between two {@link #read()} readings: the measured phase alone. */
    static String between(java.util.Map<String, java.util.TreeMap<Long, Long>> before,
                               java.util.Map<String, java.util.TreeMap<Long, Long>> after, String stage) {
        double[] q = quantiles(before, after, stage, 0.5, 0.99, 0.999, 1.0);
        if (q == null) return stage + ": no observations";
        return String.format("%s in the measured phase: p50 %.1f µs, p99 %.1f µs, p99.9 %.1f µs, max %.1f µs "
                + "(%.0f observations; bucket bounds, at most 12.5%% above)", stage, q[0], q[1], q[2], q[3], q[4]);
    }

    /** The stage's quantiles in µs between two readings, then the number of observations; null when none. */
    static double[] quantiles(java.util.Map<String, java.util.TreeMap<Long, Long>> before,
                                   java.util.Map<String, java.util.TreeMap<Long, Long>> after, String stage, double... quantiles) {
        java.util.TreeMap<Long, Long> phase = new java.util.TreeMap<>();
        after.getOrDefault(stage, new java.util.TreeMap<>()).forEach((bound, count) -> {
            long d = count - before.getOrDefault(stage, new java.util.TreeMap<>()).getOrDefault(bound, 0L);
            if (d > 0) phase.put(bound, d);
        });
        long total = phase.values().stream().mapToLong(Long::longValue).sum();
        if (total == 0) return null;
        double[] at = new double[quantiles.length + 1];
        for (int q = 0; q < quantiles.length; q++) {
            long rank = (long) Math.ceil(quantiles[q] * total);
            long seen = 0;
            for (var bucket : phase.entrySet()) {
                seen += bucket.getValue();
                if (seen >= rank) {
                    at[q] = bucket.getKey() / 1e3;
                    break;
                }
            }
        }
        at[quantiles.length] = total;
        return at;
    }
}
