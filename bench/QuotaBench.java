import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What quotas cost ({@code ./switchboard bench quotas}): at 1,000 requests/s, 100 tenants with every limit set
 * (high enough that nothing is refused) against the same load by one tenant without limits, alternating, so
 * the difference is admission and settlement; then at saturation (closed loops, alternating rounds), 64
 * connections of one limited tenant against 64 connections over 64 limited tenants (a hot row would make the
 * first slower), with admission's own p99 for each. {@code -Dadmission=false} or {@code -Dhotrow=false} leave a
 * part out. JDK only.
 */
public class QuotaBench {

    public static void main(String[] args) throws Exception {
        GatewayBench.arguments(args);
        int seconds = Integer.parseInt(System.getProperty("seconds", "30"));
        int rounds = Integer.parseInt(System.getProperty("rounds", "6"));
        boolean admission = Boolean.parseBoolean(System.getProperty("admission", "true")); // -Dadmission=false: the hot row part alone
        GatewayBench.setUp(); // the bench tenant: no limits
        String unlimitedKey = GatewayBench.key;
        List<String> limitedKeys = new ArrayList<>();
        for (int t = 0; t < 100; t++) {
            // -Dlimits=false: the same 100 tenants without limits, to tell what limits cost from what many tenants do
            boolean limits = Boolean.parseBoolean(System.getProperty("limits", "true"));
            String tenant = GatewayBench.admin("POST", "/admin/tenants", "{\"name\":\"bench-quota-" + System.nanoTime()
                    + (limits ? "" : "\"}") + (!limits ? "" : "\",\"rpm_limit\":1000000,\"tpm_limit\":1000000000,\"max_concurrency\":1000,"
                    + "\"daily_token_budget\":1000000000000,\"monthly_token_budget\":1000000000000,"
                    + "\"monthly_spend_limit\":1000000}"));
            String id = GatewayBench.field(tenant, "id");
            limitedKeys.add(GatewayBench.field(GatewayBench.admin("POST", "/admin/tenants/" + id + "/keys", "{\"name\":\"bench\"}"), "key"));
        }
        Thread.sleep(1_500);
        String chat = "{\"model\":\"bench-remote\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello there\"}],"
                + "\"max_tokens\":8,\"ignore_eos\":true}";
        int connections = 100;
        RawLoad unlimited = new RawLoad(GatewayBench.gateway, "POST", "/v1/chat/completions",
                chat, false, connections, List.of(unlimitedKey));
        RawLoad limited = new RawLoad(GatewayBench.gateway, "POST", "/v1/chat/completions",
                chat, false, connections, limitedKeys);
        System.out.println("warming up (closed loop, 30 s each)");
        unlimited.closedLoop(30);
        limited.closedLoop(30);
        if (admission) admission(unlimited, limited, seconds, rounds);
        if (Boolean.parseBoolean(System.getProperty("hotrow", "true"))) hotRow(chat, limitedKeys, seconds, rounds);
    }

    static void admission(RawLoad unlimited, RawLoad limited, int seconds, int rounds) throws Exception {
        // one round at the measured rate first, not counted: the first blocks after the saturating warm-up were
        // slow for either load (p99 18-22 ms against 4-6 ms, while no timed step took more than 5 ms)
        GatewayBench.alternate(unlimited, limited, 1000, 2 * Math.max(1, seconds / rounds), 2);

        System.out.printf("%n== admission with every limit set, 100 tenants, open loop at 1000 requests/s, %d s each in %d rounds ==%n", seconds, rounds);
        // -Dswap=true: the 100 tenants first in each round, to tell a load's own cost from its place in the round
        boolean swap = Boolean.parseBoolean(System.getProperty("swap", "false"));
        var stagesBefore = Stages.read();
        long[][][] blocks = swap ? GatewayBench.alternateRounds(limited, unlimited, 1000, seconds, rounds)
                : GatewayBench.alternateRounds(unlimited, limited, 1000, seconds, rounds);
        var stagesAfter = Stages.read();
        long[][] aBlocks = blocks[swap ? 1 : 0];
        long[][] bBlocks = blocks[swap ? 0 : 1];
        long[] a = GatewayBench.concat(aBlocks);
        long[] b = GatewayBench.concat(bBlocks);
        GatewayBench.report("one tenant, no limits", a, unlimited);
        GatewayBench.report("100 tenants, every limit", b, limited);
        System.out.printf("admission adds: p50 %.3f ms, p99 %.3f ms%n",
                (GatewayBench.pct(b, 50) - GatewayBench.pct(a, 50)) / 1e6, (GatewayBench.pct(b, 99) - GatewayBench.pct(a, 99)) / 1e6);
        GatewayBench.roundsReport("no limits", aBlocks, "every limit", bBlocks);
        // only callers with limits are timed: these are the 100 tenants' requests (aim: together at most 0.3 ms at p99)
        System.out.println("as the server timed them, " + Stages.between(stagesBefore, stagesAfter, "admit"));
        System.out.println("as the server timed them, " + Stages.between(stagesBefore, stagesAfter, "settle"));
        System.out.println("both loads, " + Stages.between(stagesBefore, stagesAfter, "record"));
        for (String m : new String[] {"rpm", "tpm", "concurrency", "daily_tokens", "monthly_tokens", "monthly_spend"}) {
            System.out.printf("  on the request path, %s: %.0f (of them into an empty share: %.0f)%n", m,
                    UsageBench.metric("switchboard_quota_leases_total", "metric=\"" + m + "\""),
                    UsageBench.metric("switchboard_quota_leases_fresh_total", "metric=\"" + m + "\""));
        }
        System.out.printf("quota slices leased on a request's path %.0f, ahead of their window %.0f; renewals %.0f, mean %.1f ms, max %.1f ms%n",
                UsageBench.metric("switchboard_quota_leases_total", "when=\"request\""), UsageBench.metric("switchboard_quota_leases_total", "when=\"ahead\""),
                UsageBench.metric("switchboard_quota_renewal_seconds_count"),
                1000 * UsageBench.metric("switchboard_quota_renewal_seconds_sum") / Math.max(1, UsageBench.metric("switchboard_quota_renewal_seconds_count")),
                1000 * UsageBench.metric("switchboard_quota_renewal_seconds_max"));
    }

    static void hotRow(String chat, List<String> limitedKeys, int seconds, int rounds) throws Exception {
        System.out.printf("%n== hot row? at saturation (closed loop), 64 connections of one limited tenant vs 64 connections "
                + "over 64 limited tenants, alternating, %d rounds of %d s each ==%n", rounds, Math.max(1, seconds / rounds));
        RawLoad oneTenant = new RawLoad(GatewayBench.gateway, "POST", "/v1/chat/completions",
                chat, false, 64, List.of(limitedKeys.get(0)));
        RawLoad manyTenants = new RawLoad(GatewayBench.gateway, "POST", "/v1/chat/completions",
                chat, false, 64, limitedKeys.subList(0, 64));
        long[][] x = new long[rounds][];
        long[][] y = new long[rounds][];
        double[] rates = new double[2];
        var oneStages = new java.util.HashMap<String, java.util.TreeMap<Long, Long>>();
        var manyStages = new java.util.HashMap<String, java.util.TreeMap<Long, Long>>();
        for (int round = 0; round < rounds; round++) {
            var before = Stages.read();
            rates[0] += oneTenant.closedLoop(Math.max(1, seconds / rounds)) / rounds;
            x[round] = oneTenant.closedLoopLatencies();
            var between = Stages.read();
            rates[1] += manyTenants.closedLoop(Math.max(1, seconds / rounds)) / rounds;
            y[round] = manyTenants.closedLoopLatencies();
            Stages.addPhase(oneStages, before, between);
            Stages.addPhase(manyStages, between, Stages.read());
        }
        GatewayBench.report("one tenant, 64 connections", GatewayBench.concat(x), oneTenant);
        GatewayBench.report("64 tenants, 64 connections", GatewayBench.concat(y), manyTenants);
        System.out.printf("served %.0f and %.0f requests/s%n", rates[0], rates[1]);
        GatewayBench.roundsReport("64 tenants", y, "one tenant", x);
        double[] ratios = new double[rounds];
        for (int r = 0; r < rounds; r++) ratios[r] = GatewayBench.pct(x[r], 99) / GatewayBench.pct(y[r], 99);
        Arrays.sort(ratios);
        System.out.printf("p99 one tenant / p99 64 tenants: %.2f pooled, median of the rounds %.2f (aim: at most 1.5)%n",
                GatewayBench.pct(GatewayBench.concat(x), 99) / GatewayBench.pct(GatewayBench.concat(y), 99),
                rounds % 2 == 1 ? ratios[rounds / 2] : (ratios[rounds / 2 - 1] + ratios[rounds / 2]) / 2);
        System.out.println("one tenant, as the server timed it, " + Stages.between(Map.of(), oneStages, "admit"));
        System.out.println("64 tenants, as the server timed it, " + Stages.between(Map.of(), manyStages, "admit"));
    }
}
