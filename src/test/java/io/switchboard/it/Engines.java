package io.switchboard.it;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.BooleanSupplier;

import static io.switchboard.it.Switchboard.admin;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Catalog models and their engines in the IT server, through the admin API. The IT server runs
 * simulated engines at time scale 0.1 on one simulated 80 GiB GPU (pom.xml).
 */
final class Engines {

    /** Where the IT server's engines write their logs, and the pids seen, for the after-shutdown check. */
    static final Path TARGET = Path.of(System.getProperty("switchboard.it.sim-jar", "target/switchboard-vllm-sim.jar"))
            .toAbsolutePath().getParent();
    static final Path ENGINE_LOGS = TARGET.resolve("liberty/wlp/usr/servers/switchboard-it/logs/engines");
    static final Path PIDS = TARGET.resolve("it-engine-pids.txt");
    /** Every catalog model the tests created, for the after-shutdown check of the engine events. */
    static final Path MODELS = TARGET.resolve("it-models.txt");

    private Engines() {
    }

    /** A new catalog model; {@code modelId} decides the simulated weights, extra args go to the engine. */
    static String model(String stem, int gib, String modelId, String quantization, boolean pinned, boolean sleep,
                        String... extraArgs) {
        return model(stem, "sim", gib, modelId, quantization, pinned, sleep, extraArgs);
    }

    static String model(String stem, String engine, int gib, String modelId, String quantization, boolean pinned,
                        boolean sleep, String... extraArgs) {
        String name = Switchboard.unique(stem);
        JsonArrayBuilder args = Json.createArrayBuilder();
        for (String arg : extraArgs) args.add(arg);
        JsonObjectBuilder body = Json.createObjectBuilder().add("name", name).add("engine", engine).add("model_id", modelId)
                .add("gpu_memory_gib", gib).add("max_model_len", 4096).add("pinned", pinned).add("sleep_enabled", sleep)
                .add("extra_args", args);
        if (quantization != null) body.add("quantization", quantization);
        Switchboard.Reply created = admin("POST", "/admin/models", body.build());
        assertEquals(201, created.status(), created::toString);
        append(MODELS, name);
        return name;
    }

    /** An embedding model (a pooling model: task embed), small. */
    static String embedding(String stem) {
        return embedding(stem, "BAAI/bge-m3");
    }

    /** An embedding model of these weights ({@code Qwen/Qwen3-Embedding-0.6B} is a Matryoshka model). */
    static String embedding(String stem, String modelId) {
        String name = Switchboard.unique(stem);
        JsonObject body = Json.createObjectBuilder().add("name", name).add("engine", "sim").add("model_id", modelId)
                .add("gpu_memory_gib", 4).add("max_model_len", 8192).add("task", "embed").build();
        Switchboard.Reply created = admin("POST", "/admin/models", body);
        assertEquals(201, created.status(), created::toString);
        append(MODELS, name);
        return name;
    }

    /** Models of these sizes load in about a second here. */
    static String small(String stem, boolean sleep) {
        return model(stem, 16, "Qwen/Qwen2.5-7B-Instruct", null, false, sleep);
    }

    static String medium(String stem, int gib) {
        return model(stem, gib, "Qwen/Qwen2.5-32B-Instruct", "fp8", false, false, "--sim-load-seconds", "10");
    }

    static String large(String stem) {
        return model(stem, 70, "meta-llama/Llama-3.3-70B-Instruct", "fp8", false, false, "--sim-load-seconds", "10");
    }

    static JsonObject list() {
        Switchboard.Reply reply = admin("GET", "/admin/engines", (String) null);
        assertEquals(200, reply.status(), reply::toString);
        return reply.json();
    }

    /** The engine of {@code model}, or null when it never had one. */
    static JsonObject engine(String model) {
        for (JsonObject engine : list().getJsonArray("data").getValuesAs(JsonObject.class)) {
            if (engine.getString("model").equals(model)) {
                rememberPid(engine);
                return engine;
            }
        }
        return null;
    }

    static String state(String model) {
        JsonObject engine = engine(model);
        return engine == null ? "COLD" : engine.getString("state");
    }

    static double reservedGib() {
        return list().getJsonArray("gpus").getJsonObject(0).getJsonNumber("reserved_gib").doubleValue();
    }

    static void awaitState(String model, String state, Duration within) {
        eventually(within, () -> state.equals(state(model)), () -> model + " is " + state(model) + ", not " + state);
    }

    /** A clean GPU for the next test: every catalog model disabled, every engine stopped. */
    static void reset() {
        for (JsonObject model : admin("GET", "/admin/models", (String) null).json().getJsonArray("data")
                .getValuesAs(JsonObject.class)) {
            if (model.getBoolean("enabled")) admin("POST", "/admin/models/" + model.getString("name") + "/disable", (String) null);
        }
        for (JsonObject engine : list().getJsonArray("data").getValuesAs(JsonObject.class)) {
            rememberPid(engine);
            String state = engine.getString("state");
            if (!state.equals("COLD") && !state.equals("FAILED") && !state.equals("STOPPING")) {
                admin("POST", "/admin/engines/" + engine.getString("model") + "/unload", (String) null);
            }
        }
        eventually(Duration.ofSeconds(30), () -> list().getJsonArray("data").getValuesAs(JsonObject.class).stream()
                .allMatch(e -> List.of("COLD", "FAILED").contains(e.getString("state"))), () -> list().toString());
    }

    static void eventually(Duration within, BooleanSupplier condition, java.util.function.Supplier<String> message) {
        Instant deadline = Instant.now().plus(within);
        while (Instant.now().isBefore(deadline)) {
            if (condition.getAsBoolean()) return;
            TenantAuthenticationIT.sleep(100);
        }
        assertTrue(condition.getAsBoolean(), message);
    }

    private static void rememberPid(JsonObject engine) {
        if (engine.containsKey("pid") && !Switchboard.isNull(engine, "pid")) {
            append(PIDS, String.valueOf(engine.getJsonNumber("pid").longValue()));
        }
    }

    private static void append(Path file, String line) {
        try {
            Files.writeString(file, line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
