package io.switchboard.simulator;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * vLLM's OpenAI-compatible HTTP API (HTTP/1.1) over the JDK's HTTP server: the routes vLLM serves,
 * its error shapes (FastAPI's {@code {"detail": ...}} for unknown routes, the
 * OpenAI shape for API errors, Anthropic's on {@code /v1/messages}, {@code {"error": "Unauthorized"}} for a
 * missing key), the routes a generative or a pooling model registers (the Responses and Messages APIs through a
 * {@link ChatBridge}, embeddings through {@link Embeddings}), the dev-mode
 * sleep endpoints and runtime LoRA endpoints behind their environment variables, and
 * {@code POST /sim/fault} for tests.
 *
 * <p>Past 400 lines on purpose: it is the one routing table of vLLM's server, each route a short handler
 * that parses, calls {@link Engine} or {@link Simulator} and writes vLLM's shape; splitting it by route
 * would scatter the shared request and error plumbing that keeps those shapes alike.
 */
final class HttpApi {

    private static final Logger LOG = Logger.getLogger("vllm.entrypoints.openai.api_server");
    static final String VERSION = "0.12.0"; // the release whose shapes the simulator serves (docs/api-surface.md)

    private final Engine engine;
    private final Simulator simulator;
    private final List<String> apiKeys;
    private final boolean devMode;
    private final boolean runtimeLora;
    private HttpServer server;
    private ExecutorService executor;

    HttpApi(Engine engine, Simulator simulator, List<String> apiKeys, boolean devMode, boolean runtimeLora) {
        this.engine = engine;
        this.simulator = simulator;
        this.apiKeys = apiKeys;
        this.devMode = devMode;
        this.runtimeLora = runtimeLora;
    }

    void start(String host, int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress(host == null ? "0.0.0.0" : host, port), 4096);
        // requests wait in the engine, not in the executor: a thread per in-flight request, reused
        executor = new ThreadPoolExecutor(8, Integer.MAX_VALUE, 30, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
            Thread thread = new Thread(r, "api-server");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    void stop() {
        if (server != null) server.stop(0);
        if (executor != null) executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        // no try-with-resources: it would close the exchange before the catch blocks answer
        boolean cut = false;
        try {
            engine.blockIfHung();
            route(exchange);
        } catch (ApiError error) {
            boolean anthropic = exchange.getRequestURI().getPath().startsWith("/v1/messages") && !error.type.equals("Bad Request");
            sendJson(exchange, error.status, anthropic ? error.anthropicBody() : error.body());
        } catch (Json.ParseException error) {
            sendJson(exchange, 400, ApiError.badRequest(null, error.getMessage()).body());
        } catch (Completion.StreamCut streamCut) {
            cut = true;
            throw streamCut; // the server closes the connection without ending the chunked body
        } catch (IOException clientGone) {
            // nothing to answer
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException bug) {
            LOG.severe("Error in API server: " + bug);
            sendJson(exchange, 500, new ApiError(500, "InternalServerError", null, "Internal server error").body());
        } finally {
            if (!cut) exchange.close();
        }
    }

    private void route(HttpExchange exchange) throws IOException, InterruptedException {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getPath();
        if (path.startsWith("/v1") && !authorized(exchange)) {
            sendJson(exchange, 401, Json.obj("error", "Unauthorized"));
            return;
        }
        switch (path) {
            case "/health", "/ping" -> {
                if (!method.equals("GET") && !(path.equals("/ping") && method.equals("POST"))) {
                    methodNotAllowed(exchange);
                    return;
                }
                send(exchange, 200, "application/json", new byte[0]);
            }
            case "/version" -> ifGet(exchange, () -> sendJson(exchange, 200, Json.obj("version", VERSION)));
            case "/metrics" -> ifGet(exchange, () -> send(exchange, 200, "text/plain; version=0.0.4; charset=utf-8",
                    metrics().getBytes(StandardCharsets.UTF_8)));
            case "/v1/models" -> ifGet(exchange, () -> sendJson(exchange, 200, models()));
            // a pooling model serves embeddings only, a generative one everything but: the other routes are not registered
            case "/v1/chat/completions", "/v1/completions", "/v1/responses", "/v1/messages" -> {
                if (engine.pooling()) notFound(exchange); else generate(exchange, path);
            }
            case "/v1/messages/count_tokens" -> {
                if (engine.pooling()) notFound(exchange); else ifPost(exchange, () -> countTokens(exchange));
            }
            case "/v1/embeddings" -> {
                if (!engine.pooling()) notFound(exchange); else ifPost(exchange, () -> embed(exchange));
            }
            case "/tokenize" -> ifPost(exchange, () -> tokenize(exchange));
            case "/detokenize" -> ifPost(exchange, () -> detokenize(exchange));
            case "/sleep", "/wake_up", "/is_sleeping" -> {
                if (!devMode) {
                    notFound(exchange);
                } else if (path.equals("/is_sleeping")) {
                    ifGet(exchange, () -> sendJson(exchange, 200,
                            Json.obj("is_sleeping", engine.sleepState != Engine.SleepState.AWAKE)));
                } else if (path.equals("/sleep")) {
                    ifPost(exchange, () -> sleep(exchange));
                } else {
                    ifPost(exchange, () -> wakeUp(exchange));
                }
            }
            case "/v1/load_lora_adapter", "/v1/unload_lora_adapter" -> {
                if (!runtimeLora) {
                    notFound(exchange);
                } else {
                    ifPost(exchange, () -> lora(exchange, path.equals("/v1/load_lora_adapter")));
                }
            }
            case "/sim/fault" -> ifPost(exchange, () -> fault(exchange));
            default -> {
                if (path.startsWith("/v1/responses/") && !engine.pooling()) {
                    storedResponse(exchange, path);
                } else {
                    notFound(exchange);
                }
            }
        }
    }

    private interface Action {
        void run() throws IOException, InterruptedException;
    }

    private void ifGet(HttpExchange exchange, Action action) throws IOException, InterruptedException {
        if (exchange.getRequestMethod().equals("GET")) action.run(); else methodNotAllowed(exchange);
    }

    private void ifPost(HttpExchange exchange, Action action) throws IOException, InterruptedException {
        if (exchange.getRequestMethod().equals("POST")) action.run(); else methodNotAllowed(exchange);
    }

    private boolean authorized(HttpExchange exchange) {
        if (apiKeys.isEmpty() || exchange.getRequestMethod().equals("OPTIONS")) return true;
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null || header.length() < 7 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) return false;
        return apiKeys.contains(header.substring(7).trim());
    }

    // ---- generation ----

    /**
     * The Responses store is off (vLLM's default): nothing was stored, so a stored response is not found; a
     * DELETE is not routed at all.
     */
    private void storedResponse(HttpExchange exchange, String path) throws IOException {
        String rest = path.substring("/v1/responses/".length());
        boolean cancel = rest.endsWith("/cancel");
        String id = cancel ? rest.substring(0, rest.length() - "/cancel".length()) : rest;
        if (id.isEmpty() || id.contains("/") || !exchange.getRequestMethod().equals(cancel ? "POST" : "GET")) {
            if (id.contains("/") || id.isEmpty()) notFound(exchange); else methodNotAllowed(exchange);
            return;
        }
        throw new ApiError(404, "invalid_request_error", "response_id", "Response with id '" + id + "' not found.");
    }

    private void countTokens(HttpExchange exchange) throws IOException {
        MessagesApi bridge = new MessagesApi(jsonBody(exchange), true);
        sendJson(exchange, 200, MessagesApi.countTokens(new GenerationRequest(true, bridge.chatBody(), engine)));
    }

    private void embed(HttpExchange exchange) throws IOException, InterruptedException {
        Object body = jsonBody(exchange);
        Engine.Ticket ticket = new Engine.Ticket(null);
        if (!engine.admit(ticket)) return;
        String reason = "abort";
        try {
            Map<String, Object> answer = Embeddings.embed(body, engine, requestId(exchange));
            reason = "stop";
            sendJson(exchange, 200, answer);
        } finally {
            engine.finish(ticket);
            engine.metrics.finished(reason);
            engine.metrics.e2eLatency.observe((System.nanoTime() - ticket.arrivedNanos) / 1e9);
        }
    }

    private void generate(HttpExchange exchange, String path) throws IOException, InterruptedException {
        if (!exchange.getRequestMethod().equals("POST")) {
            methodNotAllowed(exchange);
            return;
        }
        Object body = jsonBody(exchange);
        boolean chat = !path.equals("/v1/completions");
        ChatBridge bridge = switch (path) {
            case "/v1/responses" -> new ResponsesApi(body, engine);
            case "/v1/messages" -> new MessagesApi(body, false);
            default -> null;
        };
        GenerationRequest request = new GenerationRequest(chat, bridge == null ? body : bridge.chatBody(), engine);
        if (engine.sleepState != Engine.SleepState.AWAKE) {
            simulator.crash("RuntimeError: CUDA error: an illegal memory access was encountered "
                    + "(a generation request reached an engine that is asleep)");
        }
        if (engine.failThisRequest()) {
            engine.metrics.finished("error");
            throw new ApiError(500, "InternalServerError", null, "EngineCore encountered an issue. See stack trace for the root cause.");
        }
        String requestId = requestId(exchange);
        Engine.Ticket ticket = new Engine.Ticket(request.lora);
        if (request.stream) {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            echoRequestId(exchange, requestId);
            exchange.sendResponseHeaders(200, 0);
        }
        if (!engine.admit(ticket)) return;
        engine.metrics.queueTime.observe((ticket.admittedNanos - ticket.arrivedNanos) / 1e9);
        Completion completion = new Completion(request, engine, ticket, requestId);
        String reason = "abort";
        try {
            if (request.stream) {
                OutputStream out = exchange.getResponseBody();
                Completion.EventSink frames = text -> {
                    out.write(text.getBytes(StandardCharsets.UTF_8));
                    out.flush();
                };
                completion.stream(bridge != null ? bridge.events(frames, request) : data -> frames.send("data: " + data + "\n\n"));
            } else {
                Map<String, Object> answer = bridge != null ? bridge.answer(completion.complete(), request) : completion.complete();
                echoRequestId(exchange, requestId);
                sendJson(exchange, 200, answer);
            }
            reason = completion.finishedReason();
        } finally {
            engine.finish(ticket);
            engine.metrics.finished(reason);
            engine.metrics.e2eLatency.observe((System.nanoTime() - ticket.arrivedNanos) / 1e9);
            if (reason.equals("abort") && engine.args.flag("--enable-log-requests")) {
                LOG.info("Aborted request " + requestId + ".");
            }
        }
    }

    private static String requestId(HttpExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst("X-Request-Id");
        if (header != null && !header.isBlank()) return header.trim();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        return HexFormat.of().toHexDigits(random.nextLong()) + HexFormat.of().toHexDigits(random.nextLong());
    }

    private void echoRequestId(HttpExchange exchange, String requestId) {
        if (engine.args.flag("--enable-request-id-headers")) exchange.getResponseHeaders().set("X-Request-Id", requestId);
    }

    private Map<String, Object> models() {
        long now = System.currentTimeMillis() / 1000;
        List<Object> data = new ArrayList<>();
        for (String name : engine.servedNames) {
            data.add(card(name, engine.args.model, Json.NULL, engine.maxModelLen, now));
        }
        for (Engine.Adapter adapter : engine.adapters.values()) {
            String parent = adapter.baseModelName() != null && engine.servedNames.contains(adapter.baseModelName())
                    ? adapter.baseModelName() : engine.modelName();
            data.add(card(adapter.name(), adapter.path(), parent, Json.NULL, now));
        }
        return Json.obj("object", "list", "data", data);
    }

    private static Map<String, Object> card(String id, String root, Object parent, Object maxModelLen, long now) {
        return Json.obj("id", id, "object", "model", "created", now, "owned_by", "vllm", "root", root, "parent", parent,
                "max_model_len", maxModelLen, "permission", List.of(Json.obj("id", "modelperm-" + id.hashCode(),
                        "object", "model_permission", "created", now, "allow_create_engine", false,
                        "allow_sampling", true, "allow_logprobs", true, "allow_search_indices", false,
                        "allow_view", true, "allow_fine_tuning", false, "organization", "*", "group", Json.NULL,
                        "is_blocking", false)));
    }

    // ---- tokenizer ----

    @SuppressWarnings("unchecked")
    private void tokenize(HttpExchange exchange) throws IOException {
        Object parsed = jsonBody(exchange);
        if (!(parsed instanceof Map<?, ?>)) throw ApiError.badRequest(null, "Input should be a valid dictionary");
        Map<String, Object> body = (Map<String, Object>) parsed;
        checkModel(body);
        List<Integer> tokens;
        if (body.get("prompt") instanceof String prompt) {
            tokens = Tokenizer.encode(prompt);
        } else if (body.containsKey("messages")) {
            GenerationRequest chat = new GenerationRequest(true, Json.obj("messages", body.get("messages"),
                    "max_tokens", 1), engine);
            tokens = Tokenizer.encode(chat.prompts.get(0));
        } else {
            throw ApiError.badRequest("prompt", "Field required");
        }
        List<Object> strings = null;
        if (Boolean.TRUE.equals(body.get("return_token_strs"))) {
            strings = new ArrayList<>();
            for (int token : tokens) strings.add(Tokenizer.decode(List.of(token)));
        }
        sendJson(exchange, 200, Json.obj("count", tokens.size(), "max_model_len", engine.maxModelLen,
                "tokens", new ArrayList<Object>(tokens), "token_strs", strings == null ? Json.NULL : strings));
    }

    @SuppressWarnings("unchecked")
    private void detokenize(HttpExchange exchange) throws IOException {
        Object parsed = jsonBody(exchange);
        if (!(parsed instanceof Map<?, ?>)) throw ApiError.badRequest(null, "Input should be a valid dictionary");
        Map<String, Object> body = (Map<String, Object>) parsed;
        checkModel(body);
        if (!(body.get("tokens") instanceof List<?> list)) throw ApiError.badRequest("tokens", "Field required");
        List<Integer> tokens = new ArrayList<>();
        for (Object token : list) {
            if (!(token instanceof BigDecimal d) || d.scale() > 0) throw ApiError.badRequest("tokens", "Input should be a valid integer");
            tokens.add(d.intValue());
        }
        try {
            sendJson(exchange, 200, Json.obj("prompt", Tokenizer.decode(tokens)));
        } catch (IllegalArgumentException e) {
            throw ApiError.badRequest("tokens", e.getMessage());
        }
    }

    private void checkModel(Map<String, Object> body) {
        Object model = body.get("model");
        if (model instanceof String name && !engine.servedNames.contains(name) && !engine.adapters.containsKey(name)) {
            throw ApiError.notFound("model", "The model `" + name + "` does not exist.");
        }
    }

    // ---- sleep mode, as vLLM serves it with VLLM_SERVER_DEV_MODE=1 ----

    private void sleep(HttpExchange exchange) throws IOException, InterruptedException {
        Map<String, String> query = query(exchange.getRequestURI());
        int level;
        try {
            level = Integer.parseInt(query.getOrDefault("level", "1"));
        } catch (NumberFormatException e) {
            throw ApiError.badRequest("level", "level must be an integer");
        }
        if (level < 0 || level > 2) throw ApiError.badRequest("level", "level must be 0, 1 or 2");
        if (!engine.args.flag("--enable-sleep-mode")) {
            throw new ApiError(500, "InternalServerError", null,
                    "Sleep mode is not enabled. Start the server with --enable-sleep-mode.");
        }
        if (engine.running() > 0) {
            // vLLM answered 200 and then died (seen in vLLM): the gateway must drain first
            send(exchange, 200, "application/json", new byte[0]);
            exchange.close();
            simulator.crashSoon("RuntimeError: sleep was requested while " + engine.running() + " requests were running");
            return;
        }
        simulator.sleep(level);
        send(exchange, 200, "application/json", new byte[0]);
    }

    private void wakeUp(HttpExchange exchange) throws IOException, InterruptedException {
        simulator.wakeUp();
        send(exchange, 200, "application/json", new byte[0]);
    }

    // ---- LoRA: runtime adapters, with VLLM_ALLOW_RUNTIME_LORA_UPDATING=1 ----

    @SuppressWarnings("unchecked")
    private void lora(HttpExchange exchange, boolean load) throws IOException {
        Object parsed = jsonBody(exchange);
        if (!(parsed instanceof Map<?, ?>)) throw ApiError.badRequest(null, "Input should be a valid dictionary");
        Map<String, Object> body = (Map<String, Object>) parsed;
        String name = body.get("lora_name") instanceof String s ? s : null;
        if (load) {
            String path = body.get("lora_path") instanceof String s ? s : null;
            if (name == null || name.isEmpty() || path == null || path.isEmpty()) {
                throw new ApiError(400, "InvalidUserInput", null, "Both 'lora_name' and 'lora_path' must be provided.");
            }
            synchronized (engine.adapters) {
                if (engine.adapters.containsKey(name) && !Boolean.TRUE.equals(body.get("load_inplace"))) {
                    throw new ApiError(400, "InvalidUserInput", null, "The lora adapter '" + name
                            + "' has already been loaded. If you want to load the adapter in place, set 'load_inplace' to True.");
                }
                simulator.loadAdapter(name, path, null);
            }
            send(exchange, 200, "text/plain; charset=utf-8",
                    ("Success: LoRA adapter '" + name + "' added successfully.").getBytes(StandardCharsets.UTF_8));
        } else {
            if (name == null || name.isEmpty()) throw new ApiError(400, "InvalidUserInput", null, "'lora_name' must be provided.");
            synchronized (engine.adapters) {
                if (engine.adapters.remove(name) == null) {
                    throw ApiError.notFound(null, "The lora adapter '" + name + "' cannot be found.");
                }
            }
            send(exchange, 200, "text/plain; charset=utf-8",
                    ("Success: LoRA adapter '" + name + "' removed successfully.").getBytes(StandardCharsets.UTF_8));
        }
    }

    // ---- faults ----

    @SuppressWarnings("unchecked")
    private void fault(HttpExchange exchange) throws IOException {
        Object parsed = jsonBody(exchange);
        if (!(parsed instanceof Map<?, ?> map) || !(map.get("action") instanceof String action)) {
            throw ApiError.badRequest("action", "Field required");
        }
        Object value = ((Map<String, Object>) map).get("value");
        switch (action) {
            case "crash" -> {
                sendJson(exchange, 200, Json.obj("status", "crashing"));
                exchange.close();
                simulator.crashSoon("RuntimeError: EngineCore encountered a fatal error (fault injection)");
            }
            case "hang" -> {
                sendJson(exchange, 200, Json.obj("status", "hanging"));
                engine.hung = true;
            }
            case "crash_on_wake" -> {
                engine.crashOnWake = true;
                sendJson(exchange, 200, Json.obj("status", "ok"));
            }
            case "error_rate" -> {
                if (!(value instanceof BigDecimal rate) || rate.doubleValue() < 0 || rate.doubleValue() > 1) {
                    throw ApiError.badRequest("value", "value must be a number in [0, 1]");
                }
                engine.errorRate = rate.doubleValue();
                sendJson(exchange, 200, Json.obj("status", "ok"));
            }
            case "cut_streams_after" -> {
                if (!(value instanceof BigDecimal tokens) || tokens.intValue() < 1) {
                    throw ApiError.badRequest("value", "value must be a positive integer");
                }
                engine.cutStreamsAfter = tokens.intValue();
                sendJson(exchange, 200, Json.obj("status", "ok"));
            }
            case "stream_errors_after" -> {
                if (!(value instanceof BigDecimal tokens) || tokens.intValue() < 1) {
                    throw ApiError.badRequest("value", "value must be a positive integer");
                }
                engine.streamErrorsAfter = tokens.intValue();
                sendJson(exchange, 200, Json.obj("status", "ok"));
            }
            case "clear" -> {
                engine.errorRate = 0;
                engine.cutStreamsAfter = null;
                engine.streamErrorsAfter = null;
                sendJson(exchange, 200, Json.obj("status", "ok"));
            }
            default -> throw ApiError.badRequest("action", "unknown action '" + action
                    + "' (crash, hang, crash_on_wake, error_rate, cut_streams_after, stream_errors_after, clear)");
        }
    }

    // ---- plumbing ----

    private String metrics() {
        Map<String, String> cacheConfig = new LinkedHashMap<>();
        cacheConfig.put("block_size", String.valueOf(engine.args.integer("--block-size")));
        cacheConfig.put("cache_dtype", engine.args.string("--kv-cache-dtype"));
        cacheConfig.put("gpu_memory_utilization", String.valueOf(engine.args.number("--gpu-memory-utilization")));
        cacheConfig.put("num_gpu_blocks", String.valueOf(engine.kvCapacityTokens / engine.args.integer("--block-size")));
        cacheConfig.put("enable_prefix_caching", String.valueOf(engine.args.flag("--enable-prefix-caching")));
        boolean stats = !engine.args.flag("--disable-log-stats");
        return engine.metrics.render(() -> stats ? engine.running() : 0, () -> stats ? engine.waiting() : 0,
                () -> stats ? engine.kvUsage() : 0, engine.sleepState.metricName, cacheConfig, engine.loraInfoLabels());
    }

    private static Object jsonBody(HttpExchange exchange) throws IOException {
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        if (type == null || !type.toLowerCase().startsWith("application/json")) {
            throw new ApiError(400, "Bad Request", null, "Unsupported Media Type: Only 'application/json' is allowed");
        }
        try (InputStream in = exchange.getRequestBody()) {
            return Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    private static Map<String, String> query(URI uri) {
        Map<String, String> query = new LinkedHashMap<>();
        if (uri.getRawQuery() == null) return query;
        for (String pair : uri.getRawQuery().split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) query.put(pair.substring(0, eq), java.net.URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
        }
        return query;
    }

    private static void notFound(HttpExchange exchange) throws IOException {
        sendJson(exchange, 404, Json.obj("detail", "Not Found"));
    }

    private static void methodNotAllowed(HttpExchange exchange) throws IOException {
        sendJson(exchange, 405, Json.obj("detail", "Method Not Allowed"));
    }

    static void sendJson(HttpExchange exchange, int status, Map<String, Object> body) throws IOException {
        send(exchange, status, "application/json", Json.write(body).getBytes(StandardCharsets.UTF_8));
    }

    static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        Headers headers = exchange.getResponseHeaders();
        headers.set("Content-Type", type);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
