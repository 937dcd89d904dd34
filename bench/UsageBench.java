import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The usage path's benchmark ({@code ./switchboard bench usage}): how many usage rows a second the ledger
 * writes while the gateway serves at saturation, how many the usage path itself sustains beside that load
 * ({@link LedgerAlone}; {@code -Dledger=false} leaves it out), what the usage path adds at 1,000 requests/s (the
 * gateway with accounting against the engine directly), and how fast the monthly billing report, an
 * invoice and the all-tenants report answer over 10 million usage rows (made once by a SQL generator in the
 * bench database, in June 2026, and kept for later runs). JDK only; psql for the generator.
 */
public class UsageBench {

    static final int GENERATED_ROWS = Integer.getInteger("rows", 10_000_000);
    static final String GENERATED_MONTH = "2026-06";

    public static void main(String[] args) throws Exception {
        GatewayBench.arguments(args);
        int seconds = Integer.parseInt(System.getProperty("seconds", "15"));
        GatewayBench.setUp();
        String chat = "{\"model\":\"bench-remote\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello there\"}],"
                + "\"max_tokens\":8,\"ignore_eos\":true}";
        RawLoad gatewayChat = new RawLoad(GatewayBench.gateway, "POST", "/v1/chat/completions",
                chat, false, GatewayBench.CONNECTIONS);
        RawLoad directChat = new RawLoad(GatewayBench.direct, "POST", "/v1/chat/completions",
                chat, false, GatewayBench.CONNECTIONS);
        System.out.println("warming up (closed loop, 30 s)");
        gatewayChat.closedLoop(30);

        System.out.printf("%n== usage rows written while serving at saturation (closed loop, %d connections, %d s) ==%n",
                GatewayBench.CONNECTIONS, seconds);
        double recordedBefore = metric("switchboard_usage_rows_recorded_total");
        double writtenBefore = metric("switchboard_usage_rows_written_total");
        long started = System.nanoTime();
        double served = gatewayChat.closedLoop(seconds);
        Thread.sleep(1_000); // the last batch
        double elapsed = (System.nanoTime() - started) / 1e9;
        double recorded = metric("switchboard_usage_rows_recorded_total") - recordedBefore;
        double written = metric("switchboard_usage_rows_written_total") - writtenBefore;
        System.out.printf("served %.0f requests/s; usage rows recorded %.0f, written %.0f (%.0f rows/s), "
                + "journal depth after %.0f %s%n", served, recorded, written, written / elapsed,
                metric("switchboard_usage_journal_depth"), gatewayChat.errors());
        System.out.printf("batches: %.0f, mean %.0f rows; commit time mean %.2f ms, max %.2f ms%n",
                metric("switchboard_usage_batch_size_count"),
                metric("switchboard_usage_batch_size_sum") / Math.max(1, metric("switchboard_usage_batch_size_count")),
                1000 * metric("switchboard_usage_batch_commit_seconds_sum") / Math.max(1, metric("switchboard_usage_batch_commit_seconds_count")),
                1000 * metric("switchboard_usage_batch_commit_seconds_max"));

        if (Boolean.parseBoolean(System.getProperty("ledger", "true"))) {
            System.out.printf("%n== the usage path alone (journal + batched inserts, driven by this process) while the gateway "
                    + "serves at saturation, %d s each ==%n", seconds);
            LedgerAlone.measure(gatewayChat, seconds, 5_000);
            LedgerAlone.measure(gatewayChat, seconds, 0);
        }

        System.out.printf("%n== added latency with accounting on, open loop at 1000 requests/s, %d s ==%n", seconds);
        var stagesBefore = Stages.read();
        long[][] both = GatewayBench.alternate(directChat, gatewayChat, 1000, seconds, 3);
        var stagesAfter = Stages.read();
        long[] directLatency = both[0];
        long[] gatewayLatency = both[1];
        GatewayBench.report("engine directly", directLatency, directChat);
        GatewayBench.report("through Switchboard", gatewayLatency, gatewayChat);
        System.out.printf("added latency: p50 %.2f ms, p99 %.2f ms%n",
                (GatewayBench.pct(gatewayLatency, 50) - GatewayBench.pct(directLatency, 50)) / 1e6,
                (GatewayBench.pct(gatewayLatency, 99) - GatewayBench.pct(directLatency, 99)) / 1e6);
        // the whole gateway above; the usage path's own part, where it runs (aim: at most 0.3 ms at p99)
        System.out.println("the usage row as the server timed it (aim: p99 at most 0.3 ms), "
                + Stages.between(stagesBefore, stagesAfter, "record"));

        if (!Boolean.parseBoolean(System.getProperty("reports", "true"))) return;
        System.out.printf("%n== reports over %,d usage rows (%s) ==%n", GENERATED_ROWS, GENERATED_MONTH);
        generateRows();
        String from = GENERATED_MONTH + "-01";
        String to = GENERATED_MONTH + "-30";
        String tenant = GatewayBench.field(psqlValue("SELECT min(id) FROM tenant WHERE name LIKE 'bench10m-%'"), "v");
        time("monthly billing report, one tenant, by day", "/admin/reports/billing?tenant=" + tenant + "&from=" + from + "&to=" + to);
        time("monthly billing report, one tenant, by model", "/admin/reports/billing?group_by=model&tenant=" + tenant + "&from=" + from + "&to=" + to);
        time("invoice, one tenant", "/admin/reports/invoice?tenant=" + tenant + "&month=" + GENERATED_MONTH);
        time("invoice as PDF, one tenant", "/admin/reports/invoice?format=pdf&tenant=" + tenant + "&month=" + GENERATED_MONTH);
        time("monthly billing report, all tenants, by month", "/admin/reports/billing?group_by=month&from=" + from + "&to=" + to);
        time("monthly billing report, all tenants, by day, CSV", "/admin/reports/billing?format=csv&from=" + from + "&to=" + to);
    }

    /** Five calls; the first may compile code, so median and max of the last four. */
    static void time(String what, String path) throws Exception {
        long[] nanos = new long[5];
        int bytes = 0;
        for (int i = 0; i < nanos.length; i++) {
            long start = System.nanoTime();
            HttpResponse<byte[]> response = GatewayBench.HTTP.send(HttpRequest.newBuilder(URI.create(GatewayBench.gateway + path))
                    .header("Authorization", "Bearer " + GatewayBench.adminToken).build(), HttpResponse.BodyHandlers.ofByteArray());
            nanos[i] = System.nanoTime() - start;
            if (response.statusCode() != 200) throw new IllegalStateException(path + ": " + response.statusCode()
                    + " " + new String(response.body(), StandardCharsets.UTF_8));
            bytes = response.body().length;
        }
        long[] warm = Arrays.copyOfRange(nanos, 1, nanos.length);
        Arrays.sort(warm);
        System.out.printf("%-50s first %6.1f ms, then median %6.1f ms, max %6.1f ms (%,d bytes)%n", what, nanos[0] / 1e6,
                warm[warm.length / 2] / 1e6, warm[warm.length - 1] / 1e6, bytes);
    }

    /**
     * 10 million rows in June 2026 for 100 generated tenants, 1,000 keys, 5 models and 50 end users, with
     * their daily rollups; once (a later run finds them and skips this).
     */
    static void generateRows() throws Exception {
        String have = psqlValue("SELECT count(*) FROM usage_record WHERE started_at >= '2026-06-01T00:00:00Z' "
                + "AND started_at < '2026-07-01T00:00:00Z' AND request_id LIKE 'gen_%'");
        if (Long.parseLong(GatewayBench.field(have, "v")) >= GENERATED_ROWS) {
            System.out.println("(the generated rows are there from an earlier run)");
            return;
        }
        System.out.printf("generating %,d usage rows and their rollups (once; a few minutes)%n", GENERATED_ROWS);
        long start = System.nanoTime();
        psql("""
                DELETE FROM usage_daily WHERE day >= DATE '2026-06-01' AND day < DATE '2026-07-01'
                    AND tenant_id IN (SELECT id FROM tenant WHERE name LIKE 'bench10m-%');
                DROP TABLE IF EXISTS usage_record_2026_06;
                CREATE TABLE usage_record_2026_06 PARTITION OF usage_record
                    FOR VALUES FROM ('2026-06-01T00:00:00Z') TO ('2026-07-01T00:00:00Z');
                INSERT INTO tenant (name) SELECT 'bench10m-' || lpad(g::text, 3, '0') FROM generate_series(0, 99) g
                    ON CONFLICT (name) DO NOTHING;
                INSERT INTO model_price (model, valid_from, input_micros_per_mtok, cached_input_micros_per_mtok,
                                         output_micros_per_mtok)
                    VALUES ('bench-remote', '2020-01-01T00:00:00Z', 150000, 75000, 600000) ON CONFLICT DO NOTHING;
                SET synchronous_commit = off;
                CREATE TEMP TABLE gen_tenants AS
                    SELECT row_number() OVER (ORDER BY id) - 1 AS n, id FROM tenant WHERE name LIKE 'bench10m-%';
                INSERT INTO usage_record (request_id, tenant_id, key_id, end_user, endpoint, requested_model, served_model,
                    outcome, http_status, stream, prompt_tokens, cached_tokens, completion_tokens, queue_ms, ttft_ms,
                    latency_ms, started_at, finished_at, price_id, input_micros_per_mtok, cached_micros_per_mtok,
                    output_micros_per_mtok, cost_picos)
                SELECT 'gen_' || g, t.id, 1000000 + g % 1000, 'user-' || (g % 50), '/v1/chat/completions', 'auto',
                       'gen-model-' || ((g / 7) % 5), CASE WHEN g % 97 = 0 THEN 'error' ELSE 'ok' END,
                       CASE WHEN g % 97 = 0 THEN 502 ELSE 200 END, g % 2 = 0, 100 + g % 400, g % 50, 20 + g % 200,
                       0, 15, 120, timestamptz '2026-06-01T00:00:00Z' + (g * (2592000.0 / $ROWS)) * interval '1 second',
                       timestamptz '2026-06-01T00:00:00Z' + (g * (2592000.0 / $ROWS) + 0.12) * interval '1 second',
                       p.id, 150000, 75000, 600000,
                       (100 + g % 400 - g % 50) * 150000::bigint + (g % 50) * 75000::bigint + (20 + g % 200) * 600000::bigint
                FROM generate_series(0, $ROWS - 1) g
                JOIN gen_tenants t ON t.n = g % 100
                CROSS JOIN (SELECT id FROM model_price WHERE model = 'bench-remote' ORDER BY valid_from LIMIT 1) p;
                INSERT INTO usage_daily (day, tenant_id, key_id, model, end_user, price_id, requests, errors, prompt_tokens,
                    cached_tokens, completion_tokens, cost_picos, unpriced_requests)
                SELECT (started_at AT TIME ZONE 'UTC')::date, tenant_id, key_id, served_model, end_user, price_id,
                       count(*), count(*) FILTER (WHERE http_status >= 400), sum(prompt_tokens), sum(cached_tokens),
                       sum(completion_tokens), sum(cost_picos), 0
                FROM usage_record_2026_06 WHERE request_id LIKE 'gen_%'
                GROUP BY 1, 2, 3, 4, 5, 6;
                ANALYZE usage_record_2026_06;
                ANALYZE usage_daily;
                """.replace("$ROWS", String.valueOf(GENERATED_ROWS)));
        System.out.printf("generated in %.0f s; rollup rows: %s%n", (System.nanoTime() - start) / 1e9,
                GatewayBench.field(psqlValue("SELECT count(*) FROM usage_daily WHERE day >= DATE '2026-06-01' AND day < DATE '2026-07-01'"), "v"));
    }

    static void psql(String sql) throws Exception {
        Process psql = new ProcessBuilder("psql", "-q", "-h", "127.0.0.1", "-U", "switchboard_bench", "-d",
                "switchboard_bench", "-v", "ON_ERROR_STOP=1").redirectErrorStream(true).start();
        psql.getOutputStream().write(sql.getBytes(StandardCharsets.UTF_8));
        psql.getOutputStream().close();
        String output = new String(psql.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (psql.waitFor() != 0) throw new IllegalStateException("psql failed: " + output);
    }

    /** One value as {@code {"v":...}} so that {@link GatewayBench#field} reads it. */
    static String psqlValue(String sql) throws Exception {
        Process psql = new ProcessBuilder("psql", "-qtA", "-h", "127.0.0.1", "-U", "switchboard_bench", "-d",
                "switchboard_bench", "-c", sql).redirectErrorStream(true).start();
        String output = new String(psql.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (psql.waitFor() != 0) throw new IllegalStateException("psql failed: " + output);
        return "{\"v\":" + output + "}";
    }

    /** A Prometheus value from /metrics, the sum over the label sets that hold {@code label} ({@code when="ahead"}). */
    static double metric(String name, String label) throws Exception {
        String text = GatewayBench.HTTP.send(HttpRequest.newBuilder(URI.create(GatewayBench.gateway + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        double sum = 0;
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "\\{([^}]*)\\} ([0-9.eE+-]+)$").matcher(text);
        while (m.find()) if (m.group(1).contains(label)) sum += Double.parseDouble(m.group(2));
        return sum;
    }

    /** A Prometheus value from /metrics (the sum over its label sets); 0 when absent. */
    static double metric(String name) throws Exception {
        String text = GatewayBench.HTTP.send(HttpRequest.newBuilder(URI.create(GatewayBench.gateway + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        double sum = 0;
        Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*\\})? ([0-9.eE+-]+)$").matcher(text);
        while (m.find()) sum += Double.parseDouble(m.group(2));
        return sum;
    }
}
