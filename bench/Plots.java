import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * The benchmarks' plots, as PNG files (XChart, drawn headless): latency by percentile for several runs on one chart
 * (a log scale of the tail: p50 to p99.9), and one run's throughput and p99 latency second by second.
 */
final class Plots {

    private static final double[] PERCENTILES = {50, 60, 70, 80, 90, 95, 97, 98, 99, 99.5, 99.9, 100};

    private Plots() {
    }

    /** Latency (ms) at each percentile, one line per run; the x axis is the percentile's "nines" (log of 1/(1-p)). */
    static void latencyPercentiles(List<LoadResult> results, Path file) throws IOException {
        // (a tick-label function that names the percentiles made XChart search for distinct labels without end)
        XYChart chart = new XYChartBuilder().width(900).height(500).title("Latency by percentile")
                .xAxisTitle("nines: p90 at 1, p99 at 2, p99.9 at 3, max at 3.5").yAxisTitle("ms").build();
        style(chart);
        for (LoadResult result : results) {
            long[] sorted = result.latencies();
            if (sorted.length == 0) continue;
            List<Double> x = new ArrayList<>();
            List<Double> y = new ArrayList<>();
            for (double p : PERCENTILES) {
                x.add(p >= 100 ? 3.5 : Math.log10(100 / (100 - p)));
                y.add(LoadResult.percentile(sorted, p));
            }
            chart.addSeries(result.workload().name(), x, y).setMarker(SeriesMarkers.CIRCLE);
        }
        save(chart, file);
    }

    /** Requests answered and their p99 latency, per second of the run. */
    static void overTime(LoadResult result, Path file) throws IOException {
        TreeMap<Long, List<Long>> bySecond = new TreeMap<>();
        for (LoadResult.Sample sample : result.succeeded()) {
            long second = (sample.intendedNanos() + sample.latencyNanos()) / 1_000_000_000L;
            bySecond.computeIfAbsent(second, s -> new ArrayList<>()).add(sample.latencyNanos());
        }
        XYChart chart = new XYChartBuilder().width(900).height(500).title(result.workload().name() + ": each second")
                .xAxisTitle("second of the run").yAxisTitle("requests/s; p99 ms x 100").build();
        style(chart);
        List<Double> x = new ArrayList<>();
        List<Double> rate = new ArrayList<>();
        List<Double> p99 = new ArrayList<>();
        for (var entry : bySecond.entrySet()) {
            long[] sorted = entry.getValue().stream().mapToLong(Long::longValue).sorted().toArray();
            x.add((double) entry.getKey());
            rate.add((double) sorted.length);
            p99.add(LoadResult.percentile(sorted, 99) * 100);
        }
        if (x.isEmpty()) {
            x.add(0.0);
            rate.add(0.0);
            p99.add(0.0);
        }
        chart.addSeries("answered per second", x, rate).setMarker(SeriesMarkers.NONE);
        chart.addSeries("p99 latency (ms x 100)", x, p99).setMarker(SeriesMarkers.NONE);
        save(chart, file);
    }

    private static void style(XYChart chart) {
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        chart.getStyler().setPlotGridLinesVisible(true);
    }

    private static void save(XYChart chart, Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
