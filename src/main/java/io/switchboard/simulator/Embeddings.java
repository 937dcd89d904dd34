package io.switchboard.simulator;

import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * {@code POST /v1/embeddings} of a pooling model, as vLLM answers it: {@code input} as a string, strings, a
 * token array or token arrays; {@code encoding_format} float or base64 (float32, little-endian as on x86);
 * {@code dimensions} only for a Matryoshka model ({@code --hf-overrides '{"is_matryoshka": true}'}, or one
 * known to be); an input over the context length is a 400. A text's vector is the same on every call (seeded by
 * its tokens) and normalised, so that similar requests are comparable in tests; it means nothing else.
 */
final class Embeddings {

    private Embeddings() {
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> embed(Object parsed, Engine engine, String requestId) throws InterruptedException {
        if (!(parsed instanceof Map<?, ?>)) throw ApiError.badRequest(null, "Input should be a valid dictionary");
        Map<String, Object> body = (Map<String, Object>) parsed;
        Object model = body.get("model");
        if (model instanceof String name && !engine.servedNames.contains(name)) {
            throw ApiError.notFound("model", "The model `" + name + "` does not exist.");
        }
        List<List<Integer>> inputs = inputs(body.get("input"));
        Object format = body.getOrDefault("encoding_format", "float");
        if (!"float".equals(format) && !"base64".equals(format)) {
            throw ApiError.badRequest("encoding_format", "Input should be 'float' or 'base64'");
        }
        int size = dimension(engine);
        Object dimensions = body.get("dimensions");
        if (dimensions != null && dimensions != Json.NULL) {
            if (!(dimensions instanceof BigDecimal d) || d.scale() > 0) throw ApiError.badRequest("dimensions", "Input should be a valid integer");
            if (!matryoshka(engine)) {
                throw ApiError.badRequest("dimensions", "Model \"" + engine.modelName() + "\" does not support matryoshka "
                        + "representation, changing output dimensions will lead to poor results.");
            }
            if (d.intValue() < 1 || d.intValue() > size) {
                throw ApiError.badRequest("dimensions", "Dimensions must be greater than 0 and less than or equal to " + size);
            }
            size = d.intValue();
        }
        int tokens = 0;
        for (List<Integer> input : inputs) {
            if (input.size() > engine.maxModelLen) {
                throw ApiError.badRequest("input", "This model's maximum context length is " + engine.maxModelLen
                        + " tokens. However, you requested " + input.size() + " tokens in the input for embedding "
                        + "generation. Please reduce the length of the input.");
            }
            tokens += input.size();
        }
        engine.metrics.promptTokens.add(tokens);
        Engine.pause(engine.prefillMillis(tokens)); // a pooling model's whole cost is its prefill
        List<Object> data = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i++) {
            data.add(Json.obj("index", i, "object", "embedding", "embedding", written(inputs.get(i), size, (String) format)));
        }
        return Json.obj("id", "embd-" + requestId, "object", "list", "created", System.currentTimeMillis() / 1000,
                "model", engine.modelName(), "data", data,
                "usage", Json.obj("prompt_tokens", tokens, "total_tokens", tokens, "completion_tokens", 0,
                        "prompt_tokens_details", Json.NULL));
    }

    private static List<List<Integer>> inputs(Object input) {
        if (input == null || input == Json.NULL) throw ApiError.badRequest("input", "Field required");
        List<List<Integer>> inputs = new ArrayList<>();
        if (input instanceof String text) {
            inputs.add(Tokenizer.encode(text));
        } else if (input instanceof List<?> list && !list.isEmpty()) {
            if (list.get(0) instanceof BigDecimal) {
                inputs.add(tokens(list));
            } else {
                for (Object item : list) {
                    if (item instanceof String text) inputs.add(Tokenizer.encode(text));
                    else if (item instanceof List<?> ids && !ids.isEmpty()) inputs.add(tokens(ids));
                    else throw ApiError.badRequest("input", "Input should be a valid string");
                }
            }
        } else {
            throw ApiError.badRequest("input", "Input should be a valid string");
        }
        return inputs;
    }

    private static List<Integer> tokens(List<?> ids) {
        List<Integer> tokens = new ArrayList<>();
        for (Object id : ids) {
            if (!(id instanceof BigDecimal d) || d.scale() > 0 || d.signum() < 0) throw ApiError.badRequest("input", "Input should be a valid integer");
            tokens.add(d.intValue());
        }
        return tokens;
    }

    /** The model's hidden size: {@code --hf-overrides}' hidden_size, else by its name (small ones 384, base 768, else 1024). */
    static int dimension(Engine engine) {
        Object size = overrides(engine).get("hidden_size");
        if (size instanceof BigDecimal d) return d.intValue();
        String id = engine.args.model.toLowerCase(java.util.Locale.ROOT);
        if (id.contains("small") || id.contains("minilm")) return 384;
        if (id.contains("base") || id.contains("nomic") || id.contains("mpnet")) return 768;
        return 1024;
    }

    static boolean matryoshka(Engine engine) {
        Object flag = overrides(engine).get("is_matryoshka");
        if (flag instanceof Boolean b) return b;
        String id = engine.args.model.toLowerCase(java.util.Locale.ROOT);
        return id.contains("qwen3-embedding") || id.contains("nomic-embed-text-v1.5") || id.contains("jina-embeddings-v3")
                || id.contains("snowflake-arctic-embed-m-v1.5");
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> overrides(Engine engine) {
        String text = engine.args.string("--hf-overrides");
        if (text == null) return Map.of();
        try {
            return Json.parse(text) instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
        } catch (Json.ParseException notJson) {
            return Map.of();
        }
    }

    private static float[] vector(List<Integer> tokens, int size) {
        long seed = 1;
        for (int token : tokens) seed = seed * 1_000_003L + token;
        SplittableRandom random = new SplittableRandom(seed);
        float[] vector = new float[size];
        double norm = 0;
        for (int i = 0; i < size; i++) {
            vector[i] = (float) (random.nextDouble() * 2 - 1);
            norm += vector[i] * vector[i];
        }
        float scale = (float) (1 / Math.sqrt(norm));
        for (int i = 0; i < size; i++) vector[i] *= scale; // Matryoshka truncation is normalised again, as vLLM does
        return vector;
    }

    /**
     * A vector as its answer writes it, kept for the texts asked about lately: writing a thousand floats cost the
     * instant simulator three times a chat answer's CPU, which on a shared machine is taken from what it stands in for.
     */
    private static Json.Raw written(List<Integer> tokens, int size, String format) {
        String key = format + size + tokens;
        synchronized (WRITTEN) {
            Json.Raw kept = WRITTEN.get(key);
            if (kept != null) return kept;
        }
        float[] vector = vector(tokens, size);
        Json.Raw text = new Json.Raw(format.equals("base64") ? Json.write(base64(vector)) : floats(vector));
        synchronized (WRITTEN) {
            WRITTEN.put(key, text);
        }
        return text;
    }

    private static final Map<String, Json.Raw> WRITTEN = new java.util.LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Json.Raw> eldest) {
            return size() > 256;
        }
    };

    private static String floats(float[] vector) {
        StringBuilder out = new StringBuilder(vector.length * 12).append('[');
        for (int i = 0; i < vector.length; i++) {
            if (i > 0) out.append(',');
            out.append(vector[i]); // as Float.toString writes it: a float32's shortest digits
        }
        return out.append(']').toString();
    }

    private static String base64(float[] vector) {
        ByteBuffer bytes = ByteBuffer.allocate(vector.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float value : vector) bytes.putFloat(value);
        return Base64.getEncoder().encodeToString(bytes.array());
    }
}
