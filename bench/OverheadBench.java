import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code ./switchboard bench overhead} (issue 17, part 2): what Switchboard adds with everything on: 100 tenants
 * with every limit set (admission and settlement), their keys authenticated, routing by an alias ({@code bench},
 * a default rule to the engine's model), a usage row for every request. The same workload goes straight to the
 * instant simulator and through Switchboard, in alternating blocks, in one run:
 * <ul>
 *   <li>{@code open}: Poisson arrivals at 250, 1,000 and 2,000 requests/s ({@code -Drates=}), non-streamed chat
 *   completions with prompts of about 100 tokens and 8 output tokens: latency p50/p90/p99/max each side and what
 *   Switchboard adds;</li>
 *   <li>{@code closed}: 1, 16, 64 and 256 connections back to back ({@code -Dconcurrency=}): throughput each side;</li>
 *   <li>{@code streams}: 512 concurrent streams of 256 tokens ({@code -Dstreams=}): time to first event and the
 *   largest gap between chunks, each side;</li>
 *   <li>{@code large}: prompts of about 100,000 tokens (447 KB of JSON) at 16 and 64 connections
 *   ({@code -Dlarge-concurrency=}), closed loop: latency and throughput each side, and Switchboard's CPU per
 *   request (it reads, checks and estimates the whole body before it relays it).</li>
 * </ul>
 * {@code -Dparts=open,closed,streams,large}, {@code -Dseconds=} per block. Writes {@code target/bench/overhead/summary.md}
 * and a latency plot per rate; prints the same.
 */
public class OverheadBench {

    public static void main(String[] args) throws Exception {
        GatewayBench.arguments(args);
        GatewayBench.setUp();
        int seconds = Integer.getInteger("seconds", 9);
        List<String> parts = List.of(System.getProperty("parts", "open,closed,streams,large").split(","));
        // -Dlimits=false, -Dalias=false, -Dtenants=1: one part of "everything" off, to tell what each costs
        boolean limits = Boolean.parseBoolean(System.getProperty("limits", "true"));
        int tenants = Integer.getInteger("tenants", 100);
        List<String> keys = tenants <= 1 ? List.of(GatewayBench.key) : LoadGenerator.tenantKeys(tenants, limits);
        String model = Boolean.parseBoolean(System.getProperty("alias", "true")) ? "bench" : "bench-remote";
        StreamBench.Processes cpu = new StreamBench.Processes(GatewayBench.serverPid, Long.parseLong(args[4]));
        GatewayBench.admin("POST", "/admin/routes", "{\"name\":\"bench-default\",\"alias\":\"bench\",\"is_default\":true,"
                + "\"target_model\":\"bench-remote\"}"); // a database from an earlier run has it already: 409, fine
        Thread.sleep(1_500); // rules reach the server by NOTIFY; the key cache fills on first use
        Path out = Path.of(System.getProperty("out", "target/bench/overhead"));
        Files.createDirectories(out);
        StringBuilder report = new StringBuilder("# Overhead with everything on\n\n100 tenants with every limit set, keys "
                + "authenticated, routing by an alias, a usage row per request; the instant simulator directly against the same "
                + "load through Switchboard, alternating blocks of " + seconds / 3 + " s.\n");
        LoadGenerator.Lengths prompt = LoadGenerator.Lengths.parse("lognormal:100,0.5");
        LoadGenerator.Lengths output = LoadGenerator.Lengths.parse("fixed:8");
        GatewayBench.warmUp("{\"model\":\"bench\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello there\"}],"
                + "\"max_tokens\":8,\"ignore_eos\":true}");
        // every tenant's first requests lease their quota slices: once, before anything is measured
        LoadGenerator.run(GatewayBench.gateway, LoadGenerator.Workload.open("tenants' first requests", model, false, keys,
                200, 5, 64, prompt, output, 1));

        if (parts.contains("open")) {
            report.append("\n## Open loop: latency (ms)\n\n").append(LoadResult.markdownHeader()).append('\n');
            StringBuilder added = new StringBuilder("\n| offered req/s | added p50 | added p99 |\n|---|---|---|\n");
            // what each of Switchboard's own steps took in the server, per rate (GET /admin/stages, RequestStages)
            StringBuilder steps = new StringBuilder("\n## Switchboard's own steps, timed in the server (p99 µs; bucket bounds)\n\n"
                    + "| offered req/s | route (alias) | admit | record (usage row) | settle |\n|---|---|---|---|---|\n");
            for (String rate : System.getProperty("rates", "250,1000,2000").split(",")) {
                double perSecond = Double.parseDouble(rate);
                List<LoadResult.Sample> direct = new ArrayList<>();
                List<LoadResult.Sample> gateway = new ArrayList<>();
                LoadResult lastDirect = null;
                LoadResult lastGateway = null;
                var stagesBefore = Stages.read();
                for (int round = 0; round < 3; round++) {
                    lastDirect = LoadGenerator.run(GatewayBench.direct, LoadGenerator.Workload.open("direct, " + rate + "/s",
                            "bench-remote", false, keys, perSecond, seconds / 3, 256, prompt, output, 10 + round));
                    lastGateway = LoadGenerator.run(GatewayBench.gateway, LoadGenerator.Workload.open("Switchboard, " + rate + "/s",
                            model, false, keys, perSecond, seconds / 3, 256, prompt, output, 10 + round));
                    direct.addAll(lastDirect.samples());
                    gateway.addAll(lastGateway.samples());
                }
                var stagesAfter = Stages.read();
                steps.append("| ").append(rate);
                for (String stage : List.of("route", "admit", "record", "settle")) {
                    double[] q = Stages.quantiles(stagesBefore, stagesAfter, stage, 0.99);
                    steps.append(q == null ? " | -" : String.format(Locale.ROOT, " | %.0f", q[0]));
                }
                steps.append(" |\n");
                StringBuilder leases = new StringBuilder("   quota slices leased on the request path so far:");
                for (String m : new String[] {"rpm", "tpm", "concurrency", "daily_tokens", "monthly_tokens", "monthly_spend"}) {
                    leases.append(' ').append(m).append(' ').append(String.format(Locale.ROOT, "%.0f",
                            UsageBench.metric("switchboard_quota_leases_total", "metric=\"" + m + "\"")));
                }
                System.out.println(rate + "/s:" + leases);
                LoadResult d = new LoadResult(lastDirect.workload(), direct, lastDirect.wallNanos() * 3);
                LoadResult g = new LoadResult(lastGateway.workload(), gateway, lastGateway.wallNanos() * 3);
                report.append(d.markdownRow()).append('\n').append(g.markdownRow()).append('\n');
                added.append(String.format(Locale.ROOT, "| %s | %.2f | %.2f |%n", rate,
                        LoadResult.percentile(g.latencies(), 50) - LoadResult.percentile(d.latencies(), 50),
                        LoadResult.percentile(g.latencies(), 99) - LoadResult.percentile(d.latencies(), 99)));
                Plots.latencyPercentiles(List.of(d, g), out.resolve("latency-" + rate + ".png"));
                System.out.print(report.substring(report.lastIndexOf("\n", report.length() - 2) + 1));
            }
            report.append(added).append(steps);
            System.out.print(steps);
        }

        if (parts.contains("closed")) {
            report.append("\n## Closed loop: saturation (requests/s)\n\n| connections | direct | Switchboard | CPU µs per request through Switchboard: Switchboard / engine / client | errors |\n|---|---|---|---|---|\n");
            for (String connections : System.getProperty("concurrency", "1,16,64,256").split(",")) {
                int c = Integer.parseInt(connections);
                LoadResult d = LoadGenerator.run(GatewayBench.direct, LoadGenerator.Workload.closed("direct", "bench-remote",
                        false, keys, c, seconds, 200_000, prompt, output, 20));
                long[] before = cpu.cpuNanos();
                LoadResult g = LoadGenerator.run(GatewayBench.gateway, LoadGenerator.Workload.closed("Switchboard", model,
                        false, keys, c, seconds, 200_000, prompt, output, 20));
                long[] used = cpu.since(before);
                double requests = Math.max(1, g.samples().size());
                String row = String.format(Locale.ROOT, "| %d | %.0f | %.0f | %.0f / %.0f / %.0f | %s |%n", c, d.throughput(),
                        g.throughput(), used[0] / 1e3 / requests, used[1] / 1e3 / requests, used[2] / 1e3 / requests, g.errors());
                report.append(row);
                System.out.print(row);
            }
        }

        if (parts.contains("streams")) {
            int streams = Integer.getInteger("streams", 512);
            report.append("\n## ").append(streams).append(" concurrent streams of 256 tokens (ms)\n\n")
                    .append(LoadResult.markdownHeader()).append('\n');
            LoadGenerator.Lengths tokens = LoadGenerator.Lengths.parse("fixed:256");
            for (String side : List.of("direct", "Switchboard")) {
                boolean direct = side.equals("direct");
                LoadResult r = LoadGenerator.run(direct ? GatewayBench.direct : GatewayBench.gateway,
                        LoadGenerator.Workload.closed(side + ", " + streams + " streams", direct ? "bench-remote" : model, true,
                                keys, streams, 120, streams, prompt, tokens, 30));
                report.append(r.markdownRow()).append('\n');
                System.out.println(r.markdownRow());
            }
        }
        if (parts.contains("large")) {
            report.append("\n## Prompts of 100,000 tokens, closed loop (ms)\n\n").append(LoadResult.markdownHeader()).append('\n');
            StringBuilder cpuRows = new StringBuilder("\n| connections | CPU µs per request through Switchboard: Switchboard / engine / client |\n|---|---|\n");
            // 79,000 of the load generator's words are 100,267 tokens to the simulator's tokenizer, 447 KB of JSON
            LoadGenerator.Lengths huge = LoadGenerator.Lengths.parse("fixed:79000");
            for (String connections : System.getProperty("large-concurrency", "16,64").split(",")) {
                int c = Integer.parseInt(connections);
                LoadResult d = LoadGenerator.run(GatewayBench.direct, LoadGenerator.Workload.closed("direct, 100K-token prompts, " + c
                        + " connections", "bench-remote", false, keys, c, seconds, 20_000, huge, output, 40));
                long[] before = cpu.cpuNanos();
                LoadResult g = LoadGenerator.run(GatewayBench.gateway, LoadGenerator.Workload.closed("Switchboard, 100K-token prompts, "
                        + c + " connections", model, false, keys, c, seconds, 20_000, huge, output, 40));
                long[] used = cpu.since(before);
                double requests = Math.max(1, g.samples().size());
                report.append(d.markdownRow()).append('\n').append(g.markdownRow()).append('\n');
                cpuRows.append(String.format(Locale.ROOT, "| %d | %.0f / %.0f / %.0f |%n", c, used[0] / 1e3 / requests,
                        used[1] / 1e3 / requests, used[2] / 1e3 / requests));
                System.out.println(d.markdownRow());
                System.out.println(g.markdownRow());
            }
            report.append(cpuRows);
            System.out.print(cpuRows);
        }
        Files.writeString(out.resolve("summary.md"), report);
        System.out.println("\nwritten: " + out.resolve("summary.md"));
    }
}
