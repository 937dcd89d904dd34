import jakarta.json.Json;
import jakarta.json.JsonObject;

import java.io.StringReader;
import java.net.http.HttpResponse;
import java.util.List;

/**
 * {@code ./switchboard bench surface}: the API beyond chat against chat itself (issue 16's figures).
 * <ol>
 *   <li>Time to first token of a streamed chat completion, a streamed Responses call and a streamed Messages call,
 *   each straight to the instant simulator and through Switchboard, in alternating blocks, open loop at
 *   {@code -Dstream-rate} streams/s (default 200): the added TTFT per endpoint, which should be no larger for
 *   Responses and Messages than for chat. A Responses follow-up turn ({@code previous_response_id}, stored) is
 *   measured too: through Switchboard it finds the earlier turn (in memory, else PostgreSQL) and keeps its own
 *   ({@code -Dfollow-up-store=false}: keeps nothing). {@code -Donly=follow-up} measures only the endpoints whose name
 *   contains it.</li>
 *   <li>Saturation at {@code -Dconnections} (default 64) connections, closed loop through Switchboard: a short chat
 *   completion against an embedding of a short string on a pooling engine (the engine's own saturation beside
 *   each): embeddings should reach at least 80% of chat's rate.</li>
 * </ol>
 * Everything on: key authentication, quotas, usage rows, routing by a concrete name.
 */
public class SurfaceBench {

    public static void main(String[] args) throws Exception {
        GatewayBench.arguments(args);
        String embedEngine = args[5];
        StreamBench.Processes chatCpu = new StreamBench.Processes(GatewayBench.serverPid, Long.parseLong(args[4]));
        StreamBench.Processes embedCpu = new StreamBench.Processes(GatewayBench.serverPid, Long.parseLong(args[6]));
        boolean ttft = !"saturation".equals(System.getProperty("part"));
        int seconds = Integer.getInteger("seconds", 12);
        int streamRate = Integer.getInteger("stream-rate", 200);
        int connections = GatewayBench.CONNECTIONS;
        GatewayBench.setUp();
        GatewayBench.admin("POST", "/admin/models", "{\"name\":\"bench-embed\",\"engine\":\"remote\",\"url\":\"" + embedEngine
                + "\",\"model_id\":\"BAAI/bge-m3\",\"gpu_memory_gib\":4,\"max_model_len\":8192,\"task\":\"embed\","
                + "\"extra_args\":[\"--max-num-seqs\",\"1024\"]}");
        GatewayBench.admin("PATCH", "/admin/models/bench-embed", "{\"url\":\"" + embedEngine + "\",\"enabled\":true}");
        Thread.sleep(1500); // the catalog snapshot refreshes every second

        String chat = "{\"model\":\"bench-remote\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":"
                + "\"Hello there\"}],\"max_tokens\":16,\"ignore_eos\":true}";
        String responses = "{\"model\":\"bench-remote\",\"stream\":true,\"input\":\"Hello there\",\"max_output_tokens\":16,"
                + "\"store\":false}";
        String messages = "{\"model\":\"bench-remote\",\"stream\":true,\"max_tokens\":16,\"messages\":[{\"role\":\"user\","
                + "\"content\":\"Hello there\"}]}";
        String[] followUp = followUp();
        // {name, path, the body through Switchboard, the body straight to the engine}
        List<String[]> streams = List.of(new String[]{"chat", "/v1/chat/completions", chat, chat},
                new String[]{"responses", "/v1/responses", responses, responses},
                new String[]{"responses follow-up", "/v1/responses", followUp[0], followUp[1]},
                new String[]{"messages", "/v1/messages", messages, messages})
                .stream().filter(s -> s[0].contains(System.getProperty("only", ""))).toList(); // -Donly=follow-up: one, to profile

        String shortChat = "{\"model\":\"bench-remote\",\"messages\":[{\"role\":\"user\",\"content\":\"Hello there\"}],"
                + "\"max_tokens\":8,\"ignore_eos\":true}";
        String embedding = "{\"model\":\"bench-embed\",\"input\":\"Hello there, a sentence to embed\"}";
        GatewayBench.warmUp(shortChat);
        for (String[] stream : ttft ? streams : List.<String[]>of()) { // each path has code of its own to compile
            new RawLoad(GatewayBench.gateway, "POST", stream[1], stream[2], true, connections).openLoop(streamRate, 5);
            new RawLoad(GatewayBench.direct, "POST", stream[1], stream[3], true, connections).openLoop(streamRate, 2);
        }
        new RawLoad(GatewayBench.gateway, "POST", "/v1/embeddings", embedding, false, connections).closedLoop(10);

        if (ttft) System.out.printf("%n== time to first event, open loop at %d streams/s, %d s per side and endpoint ==%n", streamRate, seconds);
        int rounds = 3;
        for (String[] stream : ttft ? streams : List.<String[]>of()) {
            RawLoad direct = new RawLoad(GatewayBench.direct, "POST", stream[1], stream[3], true, connections);
            RawLoad gateway = new RawLoad(GatewayBench.gateway, "POST", stream[1], stream[2], true, connections);
            long[][] directBlocks = new long[rounds][];
            long[][] gatewayBlocks = new long[rounds][];
            long[] gatewayCpu = new long[3];
            for (int round = 0; round < rounds; round++) {
                directBlocks[round] = direct.openLoop(streamRate, seconds / rounds);
                long[] before = chatCpu.cpuNanos();
                gatewayBlocks[round] = gateway.openLoop(streamRate, seconds / rounds);
                long[] used = chatCpu.since(before);
                for (int i = 0; i < 3; i++) gatewayCpu[i] += used[i];
            }
            long[] directTtft = GatewayBench.concat(directBlocks);
            long[] gatewayTtft = GatewayBench.concat(gatewayBlocks);
            GatewayBench.report(stream[0] + ", engine directly", directTtft, direct);
            GatewayBench.report(stream[0] + ", through Switchboard", gatewayTtft, gateway);
            System.out.printf("%s through Switchboard, CPU per stream in µs (Switchboard / engine / client): %s%n", stream[0],
                    cpu(perRequest(gatewayCpu, gatewayTtft.length)));
            System.out.printf("%s: added time to first token p50 %.2f ms, p99 %.2f ms%n", stream[0],
                    (GatewayBench.pct(gatewayTtft, 50) - GatewayBench.pct(directTtft, 50)) / 1e6,
                    (GatewayBench.pct(gatewayTtft, 99) - GatewayBench.pct(directTtft, 99)) / 1e6);
        }

        System.out.printf("%n== saturation, closed loop, %d connections, %d s each ==%n", connections, seconds);
        RawLoad chatLoad = new RawLoad(GatewayBench.gateway, "POST", "/v1/chat/completions", shortChat, false, connections);
        RawLoad embedLoad = new RawLoad(GatewayBench.gateway, "POST", "/v1/embeddings", embedding, false, connections);
        RawLoad chatEngine = new RawLoad(GatewayBench.direct, "POST", "/v1/chat/completions", shortChat, false, connections);
        RawLoad embedEngineLoad = new RawLoad(embedEngine, "POST", "/v1/embeddings", embedding, false, connections);
        double chatRate = 0;
        double embedRate = 0;
        double[] chatPerRequest = null;
        double[] embedPerRequest = null;
        for (int round = 0; round < 2; round++) { // alternating, the better of two for each
            long[] before = chatCpu.cpuNanos();
            double rate = chatLoad.closedLoop(seconds / 2);
            if (rate > chatRate) {
                chatRate = rate;
                chatPerRequest = perRequest(chatCpu.since(before), rate * (seconds / 2));
            }
            before = embedCpu.cpuNanos();
            rate = embedLoad.closedLoop(seconds / 2);
            if (rate > embedRate) {
                embedRate = rate;
                embedPerRequest = perRequest(embedCpu.since(before), rate * (seconds / 2));
            }
        }
        System.out.println("(CPU per request in µs: Switchboard, the engine, this client)");
        System.out.printf("chat completions through Switchboard: %.0f requests/s %s, CPU %s (the engine alone: %.0f requests/s)%n",
                chatRate, chatLoad.errors(), cpu(chatPerRequest), chatEngine.closedLoop(seconds / 2));
        System.out.printf("embeddings through Switchboard: %.0f requests/s %s, CPU %s (the engine alone: %.0f requests/s)%n",
                embedRate, embedLoad.errors(), cpu(embedPerRequest), embedEngineLoad.closedLoop(seconds / 2));
        System.out.printf("embeddings reach %.0f%% of chat's saturation through Switchboard; Switchboard's own CPU per "
                + "embedding is %.0f%% of its CPU per chat completion%n", 100 * embedRate / chatRate,
                100 * embedPerRequest[0] / chatPerRequest[0]);
    }

    /**
     * A second turn of a conversation: through Switchboard by {@code previous_response_id} with {@code store}
     * (OpenAI's default), so each request reads the stored turn from PostgreSQL and keeps its own answer; straight
     * to the engine (which keeps nothing) with the same conversation written out as its input.
     */
    static String[] followUp() throws Exception {
        String first = GatewayBench.HTTP.send(GatewayBench.post(GatewayBench.gateway, "/v1/responses",
                "{\"model\":\"bench-remote\",\"input\":\"Hello there\",\"max_output_tokens\":16}"),
                HttpResponse.BodyHandlers.ofString()).body();
        JsonObject response = Json.createReader(new StringReader(first)).readObject();
        String viaGateway = "{\"model\":\"bench-remote\",\"stream\":true,\"previous_response_id\":\""
                + response.getString("id") + "\",\"input\":\"And then?\",\"max_output_tokens\":16"
                + (Boolean.parseBoolean(System.getProperty("follow-up-store", "true")) ? "" : ",\"store\":false") + "}";
        var conversation = Json.createArrayBuilder().add(Json.createObjectBuilder().add("role", "user").add("content", "Hello there"));
        response.getJsonArray("output").forEach(conversation::add);
        conversation.add(Json.createObjectBuilder().add("role", "user").add("content", "And then?"));
        String direct = Json.createObjectBuilder().add("model", "bench-remote").add("stream", true).add("input", conversation)
                .add("max_output_tokens", 16).add("store", false).build().toString();
        return new String[]{viaGateway, direct};
    }

    static double[] perRequest(long[] cpuNanos, double requests) {
        return new double[]{cpuNanos[0] / 1e3 / requests, cpuNanos[1] / 1e3 / requests, cpuNanos[2] / 1e3 / requests};
    }

    static String cpu(double[] perRequest) {
        return String.format("%.0f / %.0f / %.0f", perRequest[0], perRequest[1], perRequest[2]);
    }
}
