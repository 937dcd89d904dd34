package io.switchboard.it;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.StringReader;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.switchboard.it.Switchboard.admin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Billing: every request's usage row in PostgreSQL (priced with the price in force, exact to the
 * pico-unit), refusals and cancellations included; the reports built from the rollups agree with the rows;
 * a tenant's key sees its own usage only.
 */
class UsageAccountingIT {

    static String priced;
    static String unpriced;
    static JsonObject key;
    static String apiKey;
    static long tenantId;

    @BeforeAll
    static void setUp() {
        Engines.reset();
        priced = Engines.model("billed", 16, "Qwen/Qwen2.5-7B-Instruct", null, false, false, "--sim-tpot-ms", "20");
        unpriced = Engines.small("unpriced", false);
        // per million tokens: 0.15 in, 0.075 cached in, 0.60 out
        Switchboard.Reply price = admin("POST", "/admin/models/" + priced + "/prices", Json.createObjectBuilder()
                .add("valid_from", "2020-01-01T00:00:00Z").add("input_per_mtok", 0.15)
                .add("cached_input_per_mtok", 0.075).add("output_per_mtok", 0.60).build());
        assertEquals(201, price.status(), price::toString);
        key = Tenants.named("billing").allowedModels(priced, unpriced).createWithKey();
        apiKey = key.getString("key");
        tenantId = key.getJsonNumber("tenant_id").longValue();
    }

    static Switchboard.Reply chat(String apiKey, String model, boolean stream, int maxTokens) {
        return Switchboard.tenant("POST", "/v1/chat/completions", apiKey, "{\"model\":\"" + model + "\",\"stream\":"
                + stream + ",\"max_tokens\":" + maxTokens + ",\"ignore_eos\":true,\"seed\":7,"
                + "\"messages\":[{\"role\":\"user\",\"content\":\"What does a gateway bill?\"}]}");
    }

    static Connection db() throws SQLException {
        return DriverManager.getConnection(System.getProperty("switchboard.it.db-url"),
                System.getProperty("switchboard.it.db-user"), System.getProperty("switchboard.it.db-password"));
    }

    /** The usage row of a request, once the writer has written it (it batches every 200 ms). */
    static Map<String, Object> row(String requestId) {
        Map<String, Object> found = new HashMap<>();
        Engines.eventually(Duration.ofSeconds(10), () -> {
            try (Connection db = db(); PreparedStatement query = db.prepareStatement(
                    "SELECT * FROM usage_record WHERE request_id = ?")) {
                query.setString(1, requestId);
                try (ResultSet rows = query.executeQuery()) {
                    if (!rows.next()) return false;
                    for (int i = 1; i <= rows.getMetaData().getColumnCount(); i++) {
                        found.put(rows.getMetaData().getColumnName(i), rows.getObject(i));
                    }
                    assertFalse(rows.next(), "one row per request id");
                    return true;
                }
            } catch (SQLException e) {
                throw new IllegalStateException(e);
            }
        }, () -> "no usage row for " + requestId);
        return found;
    }

    static long number(Map<String, Object> row, String column) {
        return ((Number) row.get(column)).longValue();
    }

    @Test
    void streamedAndNonStreamedRequestsForTheSameTokensHaveOneRowEachAndCostTheSame() {
        // the same prompt once before: both measured requests then find it in the engine's prefix cache alike
        assertEquals(200, chat(apiKey, priced, false, 9).status());
        Switchboard.Reply whole = chat(apiKey, priced, false, 9);
        Switchboard.Reply streamed = chat(apiKey, priced, true, 9);
        assertEquals(200, whole.status(), whole::toString);
        assertEquals(200, streamed.status(), streamed::toString);
        assertNotEquals(whole.header("x-request-id"), streamed.header("x-request-id"));

        Map<String, Object> a = row(whole.header("x-request-id"));
        Map<String, Object> b = row(streamed.header("x-request-id"));
        JsonObject usage = whole.json().getJsonObject("usage");
        assertEquals(usage.getInt("prompt_tokens"), number(a, "prompt_tokens"));
        assertEquals(9, number(a, "completion_tokens"));
        assertEquals(number(a, "prompt_tokens"), number(b, "prompt_tokens"));
        assertEquals(9, number(b, "completion_tokens"));
        assertEquals("ok", a.get("outcome"));
        assertEquals(true, b.get("stream"));
        assertEquals(priced, a.get("served_model"));
        assertEquals(tenantId, number(a, "tenant_id"));
        assertEquals(key.getJsonNumber("id").longValue(), number(a, "key_id"));
        // 0.15, 0.075 (cached) and 0.60 per million tokens are 150,000, 75,000 and 600,000 micro-units: a token costs
        // that many picos. The engine's prefix cache may serve the second request's prompt in part: those tokens are
        // billed at the cached price, as the engine reported them.
        for (Map<String, Object> row : List.of(a, b)) {
            long cached = number(row, "cached_tokens");
            long expected = (number(row, "prompt_tokens") - cached) * 150_000 + cached * 75_000 + 9 * 600_000L;
            assertEquals(expected, number(row, "cost_picos"), row::toString);
        }
        assertTrue(number(a, "cached_tokens") > 0, "the same prompt again: the engine served part of it from its prefix cache");
        assertEquals(number(a, "cached_tokens"), number(b, "cached_tokens"));
        assertEquals(number(a, "cost_picos"), number(b, "cost_picos"), "the same tokens streamed and not cost the same");
        assertEquals(150_000L, number(a, "input_micros_per_mtok"));
        assertEquals(600_000L, number(a, "output_micros_per_mtok"));
        assertNotNull(a.get("price_id"));
    }

    @Test
    void aModelWithoutAPriceIsBilledAsUnpricedNeverAsZero() {
        JsonObject created = Tenants.named("unpriced").allowedModels(unpriced).createWithKey();
        Switchboard.Reply reply = chat(created.getString("key"), unpriced, false, 3);
        assertEquals(200, reply.status(), reply::toString);
        Map<String, Object> row = row(reply.header("x-request-id"));
        assertNull(row.get("price_id"));
        assertNull(row.get("cost_picos"));

        JsonObject report = billing("group_by=model&tenant=" + created.getJsonNumber("tenant_id").longValue());
        assertEquals(1, report.getJsonArray("data").size(), report::toString);
        JsonObject line = report.getJsonArray("data").getJsonObject(0);
        assertEquals(unpriced, line.getString("model"));
        assertEquals("unpriced", line.getString("pricing"));
        assertEquals(1, line.getInt("unpriced_requests"));
        assertTrue(line.isNull("cost") && line.isNull("cost_micros"), "no cost, not a cost of 0: " + line);
        // in the CSV too: an empty cost cell, which a spreadsheet does not read as 0 spent
        String csv = admin("GET", "/admin/reports/billing?format=csv&group_by=model&tenant="
                + created.getJsonNumber("tenant_id").longValue(), (String) null).body();
        List<String> header = List.of(csv.lines().findFirst().orElseThrow().split(","));
        List<String> cells = List.of(csv.lines().skip(1).findFirst().orElseThrow().split(",", -1));
        assertEquals("", cells.get(header.indexOf("cost")), csv);
        assertEquals("unpriced", cells.get(header.indexOf("pricing")), csv);
    }

    @Test
    void refusalsOfAKnownTenantHaveRowsToo() throws Exception {
        JsonObject refused = Tenants.named("refused").allowedModels(priced).createWithKey();
        String tenantKey = refused.getString("key");
        Switchboard.Reply unknown = chat(tenantKey, "no-such-model", false, 3);
        assertEquals(404, unknown.status(), unknown::toString);
        Map<String, Object> row = row(unknown.header("x-request-id"));
        assertEquals("rejected", row.get("outcome"));
        assertEquals(404, number(row, "http_status"));
        assertEquals("no-such-model", row.get("requested_model"));
        assertNull(row.get("served_model"));

        long tenant = refused.getJsonNumber("tenant_id").longValue();
        assertEquals(200, admin("DELETE", "/admin/tenants/" + tenant + "/keys/" + refused.getJsonNumber("id").longValue(),
                (String) null).status());
        Switchboard.Reply revoked = chat(tenantKey, priced, false, 3);
        assertEquals(401, revoked.status(), revoked::toString);
        Map<String, Object> refusal = row(revoked.header("x-request-id"));
        assertEquals(tenant, number(refusal, "tenant_id"));
        assertEquals(401, number(refusal, "http_status"));
    }

    @Test
    void aStreamTheClientCancelsIsBilledForWhatItGenerated() throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(Switchboard.BASE_URL + "/v1/chat/completions"))
                .header("Authorization", "Bearer " + apiKey).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"" + priced + "\",\"stream\":true,"
                        + "\"max_tokens\":3000,\"ignore_eos\":true,\"messages\":[{\"role\":\"user\",\"content\":"
                        + "\"Write a long story about billing.\"}]}"))
                .build();
        HttpClient client = HttpClient.newHttpClient();
        HttpResponse<InputStream> response = client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        String requestId = response.headers().firstValue("x-request-id").orElseThrow();
        int contentChunks = 0;
        try (InputStream body = response.body()) {
            StringBuilder seen = new StringBuilder();
            while (contentChunks < 10) {
                int b = body.read();
                assertTrue(b >= 0, "the stream ended before it was cancelled: " + seen);
                seen.append((char) b);
                if (seen.toString().endsWith("\n\n")) {
                    if (seen.indexOf("\"content\":\"") >= 0 && seen.indexOf("\"content\":\"\"") < 0) contentChunks++;
                    seen.setLength(0);
                }
            }
        } // closing the body mid-stream cancels it

        Map<String, Object> row = row(requestId);
        assertEquals("cancelled", row.get("outcome"));
        assertEquals(true, row.get("tokens_estimated"));
        long generated = number(row, "completion_tokens");
        assertTrue(generated >= contentChunks && generated < 3000, "billed " + generated + " after " + contentChunks + " read");
        assertTrue(number(row, "prompt_tokens") > 0);
        assertEquals(number(row, "prompt_tokens") * 150_000 + generated * 600_000L, number(row, "cost_picos"));
    }

    @Test
    void reportTotalsEqualTheSumsOverTheRowsAndTheCsvParses() throws Exception {
        JsonObject tenantKey = Tenants.named("report").allowedModels(priced).createWithKey();
        long tenant = tenantKey.getJsonNumber("tenant_id").longValue();
        String lastId = null;
        for (int i = 0; i < 5; i++) {
            Switchboard.Reply reply = chat(tenantKey.getString("key"), priced, i % 2 == 0, 3 + i);
            assertEquals(200, reply.status(), reply::toString);
            lastId = reply.header("x-request-id");
        }
        row(lastId); // written

        long rowsRequests, rowsPrompt, rowsCompletion;
        BigInteger rowsPicos;
        try (Connection db = db(); PreparedStatement sums = db.prepareStatement("SELECT count(*), sum(prompt_tokens), "
                + "sum(completion_tokens), sum(cost_picos) FROM usage_record WHERE tenant_id = ?")) {
            sums.setLong(1, tenant);
            try (ResultSet result = sums.executeQuery()) {
                result.next();
                rowsRequests = result.getLong(1);
                rowsPrompt = result.getLong(2);
                rowsCompletion = result.getLong(3);
                rowsPicos = result.getBigDecimal(4).toBigIntegerExact();
            }
        }
        assertEquals(5, rowsRequests);

        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        JsonObject report = billing("tenant=" + tenant + "&from=" + today.minusDays(1) + "&to=" + today.plusDays(1));
        JsonObject total = report.getJsonObject("total");
        assertEquals(rowsRequests, total.getJsonNumber("requests").longValue());
        assertEquals(rowsPrompt, total.getJsonNumber("prompt_tokens").longValue());
        assertEquals(rowsCompletion, total.getJsonNumber("completion_tokens").longValue());
        assertEquals(rowsPicos, total.getJsonNumber("cost_picos").bigIntegerValue());
        assertEquals("USD", report.getString("currency"));

        Switchboard.Reply csv = admin("GET", "/admin/reports/billing?format=csv&group_by=model&tenant=" + tenant, (String) null);
        assertEquals(200, csv.status(), csv::toString);
        assertTrue(csv.header("content-type").startsWith("text/csv"), csv.header("content-type"));
        List<CSVRecord> records;
        try (CSVParser parser = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get()
                .parse(new StringReader(csv.body()))) {
            records = parser.getRecords();
        }
        assertEquals(1, records.size(), csv::body);
        CSVRecord line = records.get(0);
        assertEquals(priced, line.get("model"));
        assertEquals(rowsRequests, Long.parseLong(line.get("requests")));
        // the amount is a decimal with a dot: the exact picos rounded half up to micro-units
        long micros = rowsPicos.add(BigInteger.valueOf(500_000)).divide(BigInteger.valueOf(1_000_000)).longValueExact();
        assertEquals(new java.math.BigDecimal(micros).movePointLeft(6), new java.math.BigDecimal(line.get("cost")));
    }

    @Test
    void everyReportLineEqualsTheSumsOverItsRowsByDayMonthModelKeyAndUser() throws Exception {
        JsonObject first = Tenants.named("lines").allowedModels(priced, unpriced).createWithKey();
        long tenant = first.getJsonNumber("tenant_id").longValue();
        String second = admin("POST", "/admin/tenants/" + tenant + "/keys", "{\"name\":\"second\"}").json().getString("key");
        String[] keys = {first.getString("key"), second};
        String[] users = {"alice", "bob", null};
        String[] models = {priced, unpriced, "no-such-model"}; // priced, unpriced, refused (404)
        String lastId = null;
        for (int i = 0; i < 12; i++) {
            String user = users[i % 3];
            Switchboard.Reply reply = Switchboard.tenant("POST", "/v1/chat/completions", keys[i % 2], "{\"model\":\""
                    + models[(i / 2) % 3] + "\",\"stream\":" + (i % 4 == 0) + ",\"max_tokens\":" + (2 + i)
                    + ",\"ignore_eos\":true" + (user == null ? "" : ",\"user\":\"" + user + "\"")
                    + ",\"messages\":[{\"role\":\"user\",\"content\":\"line " + i + "\"}]}");
            lastId = reply.header("x-request-id");
        }
        row(lastId); // written
        LocalDate today = LocalDate.now(ZoneOffset.UTC);
        Map<String, String> groupOfRow = Map.of(
                "day", "to_char((started_at AT TIME ZONE 'UTC')::date, 'YYYY-MM-DD')",
                "month", "to_char((started_at AT TIME ZONE 'UTC')::date, 'YYYY-MM')",
                "model", "coalesce(served_model, requested_model, '-')",
                "key", "coalesce(key_id, 0)::text",
                "user", "coalesce(end_user, '')");
        for (var groupBy : groupOfRow.entrySet()) {
            Map<String, List<Long>> fromRows = new HashMap<>();
            try (Connection db = db(); PreparedStatement sums = db.prepareStatement("SELECT " + groupBy.getValue()
                    + ", count(*), count(*) FILTER (WHERE http_status >= 400), sum(prompt_tokens), sum(cached_tokens), "
                    + "sum(completion_tokens), coalesce(sum(cost_picos), 0) FROM usage_record WHERE tenant_id = ? GROUP BY 1")) {
                sums.setLong(1, tenant);
                try (ResultSet result = sums.executeQuery()) {
                    while (result.next()) {
                        fromRows.put(result.getString(1), List.of(result.getLong(2), result.getLong(3), result.getLong(4),
                                result.getLong(5), result.getLong(6), result.getLong(7)));
                    }
                }
            }
            JsonObject report = billing("group_by=" + groupBy.getKey() + "&tenant=" + tenant + "&from=" + today.minusDays(1)
                    + "&to=" + today.plusDays(1));
            Map<String, List<Long>> fromReport = new HashMap<>();
            for (JsonObject line : report.getJsonArray("data").getValuesAs(JsonObject.class)) {
                fromReport.put(line.getString(groupBy.getKey()), List.of(line.getJsonNumber("requests").longValue(),
                        line.getJsonNumber("errors").longValue(), line.getJsonNumber("prompt_tokens").longValue(),
                        line.getJsonNumber("cached_tokens").longValue(), line.getJsonNumber("completion_tokens").longValue(),
                        line.isNull("cost_picos") ? 0 : line.getJsonNumber("cost_picos").longValue()));
            }
            assertEquals(fromRows, fromReport, "group_by=" + groupBy.getKey() + ": " + report);
        }
        assertEquals(3, rowCount(tenant, "count(DISTINCT coalesce(served_model, requested_model, '-'))"), "three models");
        assertEquals(3, rowCount(tenant, "count(DISTINCT coalesce(end_user, ''))"), "two users and none");
        // a refused request is its end user's too (an end user's 429s show in their own line)
        assertEquals(2, rowCount(tenant, "count(*) FILTER (WHERE requested_model = 'no-such-model' AND end_user = 'bob')"));
    }

    private static long rowCount(long tenant, String aggregate) throws SQLException {
        try (Connection db = db(); PreparedStatement count = db.prepareStatement(
                "SELECT " + aggregate + " FROM usage_record WHERE tenant_id = ?")) {
            count.setLong(1, tenant);
            try (ResultSet result = count.executeQuery()) {
                result.next();
                return result.getLong(1);
            }
        }
    }

    @Test
    void aTenantsKeySeesItsOwnUsageOnly() {
        JsonObject mine = Tenants.named("mine").allowedModels(priced).createWithKey();
        JsonObject theirs = Tenants.named("theirs").allowedModels(priced).createWithKey();
        row(chat(mine.getString("key"), priced, false, 2).header("x-request-id"));
        row(chat(theirs.getString("key"), priced, false, 2).header("x-request-id"));
        row(chat(theirs.getString("key"), priced, false, 2).header("x-request-id"));

        // a tenant parameter is no way into another tenant's usage: the key decides
        Switchboard.Reply usage = Switchboard.tenant("GET", "/v1/usage?group_by=model&tenant="
                + theirs.getJsonNumber("tenant_id").longValue(), mine.getString("key"), null);
        assertEquals(200, usage.status(), usage::toString);
        assertEquals(1, usage.json().getJsonObject("total").getInt("requests"), usage::toString);
        assertFalse(usage.body().contains("tenant_id"), usage::toString);

        Switchboard.Reply badDate = Switchboard.tenant("GET", "/v1/usage?from=yesterday", mine.getString("key"), null);
        assertEquals(400, badDate.status(), badDate::toString);
        assertEquals("from", badDate.error().getString("param"));
    }

    @Test
    void theInvoiceIsExactToTheMicroUnitAcrossAPriceChangeAndItsPdfHoldsTheTotal() throws Exception {
        String model = Engines.small("invoiced", false);
        assertEquals(201, admin("POST", "/admin/models/" + model + "/prices", Json.createObjectBuilder()
                .add("valid_from", "2020-01-01T00:00:00Z").add("input_per_mtok", 0.333333)
                .add("output_per_mtok", 1.777777).build()).status());
        JsonObject tenantKey = Tenants.named("invoiced").allowedModels(model).createWithKey();
        long tenant = tenantKey.getJsonNumber("tenant_id").longValue();
        for (int i = 0; i < 3; i++) assertEquals(200, chat(tenantKey.getString("key"), model, i == 1, 5 + i).status());
        // the price changes in the middle of the month: from two seconds from now on
        java.time.Instant change = java.time.Instant.now().plusSeconds(2);
        assertEquals(201, admin("POST", "/admin/models/" + model + "/prices", Json.createObjectBuilder()
                .add("valid_from", change.toString()).add("input_per_mtok", 0.5).add("cached_input_per_mtok", 0.25)
                .add("output_per_mtok", 2.123457).build()).status());
        Thread.sleep(Math.max(0, java.time.Duration.between(java.time.Instant.now(), change).toMillis()) + 1_200);
        String last = null;
        for (int i = 0; i < 4; i++) {
            Switchboard.Reply reply = chat(tenantKey.getString("key"), model, i % 2 == 0, 3 + i);
            assertEquals(200, reply.status(), reply::toString);
            last = reply.header("x-request-id");
        }
        row(last);

        // what the invoice must say, from the rows: per price, tokens times unit price rounded once
        Map<Long, long[]> byPrice = new java.util.TreeMap<>();
        try (Connection db = db(); PreparedStatement sums = db.prepareStatement("SELECT r.price_id, sum(r.prompt_tokens - "
                + "r.cached_tokens), sum(r.cached_tokens), sum(r.completion_tokens), min(p.input_micros_per_mtok), "
                + "min(coalesce(p.cached_input_micros_per_mtok, p.input_micros_per_mtok)), min(p.output_micros_per_mtok) "
                + "FROM usage_record r JOIN model_price p ON p.id = r.price_id WHERE r.tenant_id = ? GROUP BY r.price_id")) {
            sums.setLong(1, tenant);
            try (ResultSet rows = sums.executeQuery()) {
                while (rows.next()) {
                    byPrice.put(rows.getLong(1), new long[]{rows.getLong(2), rows.getLong(3), rows.getLong(4),
                            rows.getLong(5), rows.getLong(6), rows.getLong(7)});
                }
            }
        }
        assertEquals(2, byPrice.size(), "two price periods in the month");
        long expectedTotal = 0;
        for (long[] p : byPrice.values()) expectedTotal += roundedMicros(p[0], p[3]) + roundedMicros(p[1], p[4]) + roundedMicros(p[2], p[5]);

        String month = java.time.YearMonth.now(ZoneOffset.UTC).toString();
        Switchboard.Reply invoice = admin("GET", "/admin/reports/invoice?tenant=" + tenant + "&month=" + month, (String) null);
        assertEquals(200, invoice.status(), invoice::toString);
        JsonObject json = invoice.json();
        assertEquals(2, json.getJsonArray("lines").size(), json::toString);
        long linesTotal = 0;
        for (var value : json.getJsonArray("lines")) {
            JsonObject line = value.asJsonObject();
            long[] p = byPrice.get(line.getJsonNumber("price_id").longValue());
            assertEquals(p[0], line.getJsonNumber("input_tokens").longValue());
            assertEquals(p[2], line.getJsonNumber("output_tokens").longValue());
            long amount = roundedMicros(p[0], p[3]) + roundedMicros(p[1], p[4]) + roundedMicros(p[2], p[5]);
            assertEquals(amount, line.getJsonNumber("amount_micros").longValue(), line::toString);
            linesTotal += amount;
        }
        assertEquals(expectedTotal, linesTotal);
        assertEquals(expectedTotal, json.getJsonNumber("total_micros").longValue());
        assertEquals(expectedTotal, json.getJsonArray("subtotals").getJsonObject(0).getJsonNumber("amount_micros").longValue());

        HttpResponse<byte[]> pdf = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(Switchboard.BASE_URL
                        + "/admin/reports/invoice?format=pdf&tenant=" + tenant + "&month=" + month))
                .header("Authorization", "Bearer " + Switchboard.ADMIN_TOKEN).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, pdf.statusCode());
        assertEquals("application/pdf", pdf.headers().firstValue("content-type").orElse(""));
        String text;
        try (com.lowagie.text.pdf.PdfReader reader = new com.lowagie.text.pdf.PdfReader(pdf.body())) {
            text = new com.lowagie.text.pdf.parser.PdfTextExtractor(reader).getTextFromPage(1);
        }
        assertTrue(text.contains("Total: " + new java.math.BigDecimal(expectedTotal).movePointLeft(6).setScale(6).toPlainString()
                + " USD"), text);
        assertTrue(text.contains(model), text);

        Switchboard.Reply csv = admin("GET", "/admin/reports/invoice?format=csv&tenant=" + tenant + "&month=" + month, (String) null);
        try (CSVParser parser = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get()
                .parse(new StringReader(csv.body()))) {
            List<CSVRecord> records = parser.getRecords();
            CSVRecord total = records.get(records.size() - 1);
            assertEquals("total", total.get("row_type"));
            assertEquals(new java.math.BigDecimal(expectedTotal).movePointLeft(6), new java.math.BigDecimal(total.get("amount")));
        }
        assertEquals(400, admin("GET", "/admin/reports/invoice?tenant=" + tenant + "&month=December", (String) null).status());
        assertEquals(404, admin("GET", "/admin/reports/invoice?tenant=999999999&month=" + month, (String) null).status());
    }

    @Test
    void theFocusExportIsACsvWithFocusColumnsAndTheMonthsCost() throws Exception {
        String month = java.time.YearMonth.now(ZoneOffset.UTC).toString();
        row(chat(apiKey, priced, false, 4).header("x-request-id"));
        Switchboard.Reply focus = admin("GET", "/admin/reports/focus?month=" + month, (String) null);
        assertEquals(200, focus.status(), focus::toString);
        try (CSVParser parser = CSVFormat.RFC4180.builder().setHeader().setSkipHeaderRecord(true).get()
                .parse(new StringReader(focus.body()))) {
            assertTrue(parser.getHeaderNames().containsAll(List.of("BilledCost", "BillingAccountId", "BillingCurrency",
                    "ChargePeriodStart", "ChargePeriodEnd", "ConsumedQuantity", "ConsumedUnit", "ListUnitPrice",
                    "PricingUnit", "ResourceId", "ServiceName", "SkuId")), parser.getHeaderNames()::toString);
            List<CSVRecord> mine = parser.getRecords().stream()
                    .filter(r -> r.get("BillingAccountId").equals(String.valueOf(tenantId)) && r.get("SkuId").equals(priced + ":output"))
                    .toList();
            assertFalse(mine.isEmpty(), focus::body);
            for (CSVRecord record : mine) {
                java.math.BigDecimal tokens = new java.math.BigDecimal(record.get("ConsumedQuantity"));
                java.math.BigDecimal expected = tokens.multiply(new java.math.BigDecimal("0.60"))
                        .movePointLeft(6).setScale(6, java.math.RoundingMode.HALF_UP);
                assertEquals(0, expected.compareTo(new java.math.BigDecimal(record.get("BilledCost"))), record::toString);
                assertTrue(record.get("ChargePeriodStart").endsWith("T00:00:00Z"), record::toString);
            }
        }
    }

    static long roundedMicros(long tokens, long microsPerMtok) {
        return BigInteger.valueOf(tokens).multiply(BigInteger.valueOf(microsPerMtok)).add(BigInteger.valueOf(500_000))
                .divide(BigInteger.valueOf(1_000_000)).longValueExact();
    }

    @Test
    void monthlyPartitionsAreMadeAheadAndOldOnesDroppedPastRetention() throws Exception {
        try (Connection db = db(); java.sql.Statement sql = db.createStatement()) {
            sql.execute("SELECT usage_partitions_ensure(3)");
            java.time.YearMonth now = java.time.YearMonth.now(ZoneOffset.UTC);
            for (int ahead = 0; ahead <= 3; ahead++) {
                String name = "usage_record_" + now.plusMonths(ahead).toString().replace('-', '_');
                try (ResultSet exists = sql.executeQuery("SELECT to_regclass('" + name + "') IS NOT NULL")) {
                    exists.next();
                    assertTrue(exists.getBoolean(1), name + " exists");
                }
            }
            // an old month past retention goes, its rollups stay
            sql.execute("CREATE TABLE IF NOT EXISTS usage_record_2001_01 PARTITION OF usage_record "
                    + "FOR VALUES FROM ('2001-01-01T00:00:00Z') TO ('2001-02-01T00:00:00Z')");
            try (ResultSet dropped = sql.executeQuery("SELECT usage_partitions_drop_before(DATE '2001-03-01')")) {
                dropped.next();
                assertTrue(dropped.getInt(1) >= 1);
            }
            try (ResultSet gone = sql.executeQuery("SELECT to_regclass('usage_record_2001_01') IS NULL")) {
                gone.next();
                assertTrue(gone.getBoolean(1));
            }
        }
    }

    static JsonObject billing(String query) {
        Switchboard.Reply reply = admin("GET", "/admin/reports/billing?" + query, (String) null);
        assertEquals(200, reply.status(), reply::toString);
        return reply.json();
    }
}
