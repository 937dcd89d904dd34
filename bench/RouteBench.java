import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What routing costs end to end ({@code ./switchboard bench routing}, after the JMH figures): 200 rules on the
 * alias {@code bench-route}, every one of them checked (none matches until the default at the end), against
 * the same requests naming the model itself, alternating at 1,000 requests/s against the instant simulator.
 * The difference is routing: the classifier, the GPU-aware look at the engines, and the rewrite of the
 * body's model field. JDK only.
 */
public class RouteBench {

    public static void main(String[] args) throws Exception {
        GatewayBench.arguments(args);
        int seconds = Integer.parseInt(System.getProperty("seconds", "15"));
        GatewayBench.setUp();
        removeEarlierRules();
        for (int i = 0; i < 199; i++) {
            String condition = switch (i % 5) {
                case 0 -> "\"code_languages\":[\"rust\"]";
                case 1 -> "\"min_messages\":" + (20 + i);
                case 2 -> "\"quality\":\"high\"";
                case 3 -> "\"keyword_pattern\":\"(?i)\\\\bkubernetes" + i + "\\\\b\"";
                default -> "\"max_prompt_tokens\":5";
            };
            GatewayBench.admin("POST", "/admin/routes", "{\"alias\":\"bench-route\",\"priority\":" + i + "," + condition
                    + ",\"target_model\":\"bench-remote\",\"alternatives\":[\"bench-cold\"]}");
        }
        GatewayBench.admin("POST", "/admin/routes", "{\"alias\":\"bench-route\",\"is_default\":true,"
                + "\"target_model\":\"bench-remote\",\"alternatives\":[\"bench-cold\"]}");
        String listing = GatewayBench.admin("GET", "/admin/routes", "");
        System.out.println("rules on bench-route: " + count(listing) + "; version in force " + GatewayBench.field(listing, "version_in_force"));
        String body = "{\"model\":\"%s\",\"messages\":[{\"role\":\"system\",\"content\":\"You are a helpful assistant.\"},"
                + "{\"role\":\"user\",\"content\":\"What is the capital of France? Keep it short.\"}],\"max_tokens\":8,\"ignore_eos\":true}";
        int connections = 100;
        RawLoad named = new RawLoad(GatewayBench.gateway, "POST", "/v1/chat/completions",
                String.format(body, "bench-remote"), false, connections, List.of(GatewayBench.key));
        RawLoad routed = new RawLoad(GatewayBench.gateway, "POST", "/v1/chat/completions",
                String.format(body, "bench-route"), false, connections, List.of(GatewayBench.key));
        System.out.println("warming up (closed loop, 30 s each)");
        named.closedLoop(30);
        routed.closedLoop(30);
        System.out.printf("%n== routing through 200 rules vs the model's own name, open loop at 1000 requests/s, %d s ==%n", seconds);
        var stagesBefore = Stages.read();
        long[][] both = GatewayBench.alternate(named, routed, 1000, seconds, 3);
        var stagesAfter = Stages.read();
        GatewayBench.report("model name (no rules)", both[0], named);
        GatewayBench.report("alias, 200 rules", both[1], routed);
        System.out.printf("routing adds: p50 %.3f ms, p99 %.3f ms (aim: p99 at most 0.2 ms)%n",
                (GatewayBench.pct(both[1], 50) - GatewayBench.pct(both[0], 50)) / 1e6,
                (GatewayBench.pct(both[1], 99) - GatewayBench.pct(both[0], 99)) / 1e6);
        System.out.println("routing as the server timed it (aim: p99 at most 0.2 ms), "
                + Stages.between(stagesBefore, stagesAfter, "route"));
    }

    private static void removeEarlierRules() throws Exception {
        Matcher rule = Pattern.compile("\"id\":(\\d+),[^}]*?\"alias\":\"bench-route\"").matcher(GatewayBench.admin("GET", "/admin/routes", ""));
        while (rule.find()) GatewayBench.admin("DELETE", "/admin/routes/" + rule.group(1), "");
    }

    private static int count(String listing) {
        Matcher rule = Pattern.compile("\"alias\":\"bench-route\"").matcher(listing);
        int n = 0;
        while (rule.find()) n++;
        return n;
    }
}
