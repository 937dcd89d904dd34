package io.switchboard.simulator;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A value that follows a JSON schema, made up from a seeded random source: what vLLM's guided decoding
 * guarantees for {@code response_format} {@code json_schema}, for {@code tool_choice} {@code required} and for a
 * named tool. Knows the keywords function schemas use: {@code type} (one or a list), {@code properties},
 * {@code required}, {@code enum}, {@code const}, {@code items}, {@code minItems}/{@code maxItems},
 * {@code minimum}/{@code maximum}, {@code minLength}/{@code maxLength}, {@code anyOf}/{@code oneOf}/{@code allOf}
 * (the first branch), {@code $ref} into {@code $defs} or {@code definitions}. Every property is filled, so
 * {@code additionalProperties: false} and {@code required} both hold.
 */
final class SchemaSample {

    private final Map<String, Object> root;
    private final SplittableRandom random;

    private SchemaSample(Map<String, Object> root, SplittableRandom random) {
        this.root = root;
        this.random = random;
    }

    /** A value for {@code schema} (null or not an object: any JSON object). */
    static Object of(Object schema, SplittableRandom random) {
        Map<String, Object> root = schema instanceof Map<?, ?> map ? cast(map) : Map.of();
        return new SchemaSample(root, random).value(root, 0);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Map<?, ?> map) {
        return (Map<String, Object>) map;
    }

    private Object value(Map<String, Object> schema, int depth) {
        if (schema.get("$ref") instanceof String ref) return value(resolve(ref), depth + 1);
        if (schema.containsKey("const")) return schema.get("const");
        if (schema.get("enum") instanceof List<?> options && !options.isEmpty()) return options.get(random.nextInt(options.size()));
        for (String branch : new String[] {"anyOf", "oneOf", "allOf"}) {
            if (schema.get(branch) instanceof List<?> branches && !branches.isEmpty() && branches.get(0) instanceof Map<?, ?> first) {
                return value(cast(first), depth + 1);
            }
        }
        String type = type(schema);
        if (depth > 12) type = type.equals("object") || type.equals("array") ? "string" : type; // a recursive schema ends
        return switch (type) {
            case "object" -> object(schema, depth);
            case "array" -> array(schema, depth);
            case "integer" -> integer(schema);
            case "number" -> number(schema);
            case "boolean" -> random.nextBoolean();
            case "null" -> Json.NULL;
            default -> string(schema);
        };
    }

    private static String type(Map<String, Object> schema) {
        Object type = schema.get("type");
        if (type instanceof String name) return name;
        if (type instanceof List<?> names) {
            for (Object name : names) if (name instanceof String s && !s.equals("null")) return s;
            return "null";
        }
        if (schema.containsKey("properties")) return "object";
        if (schema.containsKey("items")) return "array";
        return "object";
    }

    private Map<String, Object> resolve(String ref) {
        Object at = root;
        if (!ref.startsWith("#")) return Map.of();
        for (String part : ref.substring(1).split("/")) {
            if (part.isEmpty()) continue;
            if (!(at instanceof Map<?, ?> map)) return Map.of();
            at = map.get(part.replace("~1", "/").replace("~0", "~"));
        }
        return at instanceof Map<?, ?> map ? cast(map) : Map.of();
    }

    private Map<String, Object> object(Map<String, Object> schema, int depth) {
        Map<String, Object> out = Json.obj();
        if (schema.get("properties") instanceof Map<?, ?> properties) {
            for (Map.Entry<?, ?> property : properties.entrySet()) {
                Map<String, Object> sub = property.getValue() instanceof Map<?, ?> map ? cast(map) : Map.of();
                out.put((String) property.getKey(), value(sub, depth + 1));
            }
        }
        return out;
    }

    private List<Object> array(Map<String, Object> schema, int depth) {
        int min = bound(schema, "minItems", 1);
        int max = Math.max(min, bound(schema, "maxItems", min + 2));
        int count = min + random.nextInt(max - min + 1);
        Map<String, Object> items = schema.get("items") instanceof Map<?, ?> map ? cast(map) : Map.of("type", "string");
        List<Object> out = new ArrayList<>();
        for (int i = 0; i < count; i++) out.add(value(items, depth + 1));
        return out;
    }

    private BigDecimal integer(Map<String, Object> schema) {
        long min = schema.get("minimum") instanceof BigDecimal d ? d.setScale(0, java.math.RoundingMode.CEILING).longValue() : 0;
        long max = schema.get("maximum") instanceof BigDecimal d ? d.setScale(0, java.math.RoundingMode.FLOOR).longValue() : min + 100;
        if (schema.get("exclusiveMinimum") instanceof BigDecimal d) min = Math.max(min, d.longValue() + 1);
        if (schema.get("exclusiveMaximum") instanceof BigDecimal d) max = Math.min(max, d.longValue() - 1);
        if (max < min) max = min;
        return BigDecimal.valueOf(min + random.nextLong(max - min + 1));
    }

    /** A number with two decimals between the bounds (fractional bounds too), else one of them. */
    private BigDecimal number(Map<String, Object> schema) {
        BigDecimal step = BigDecimal.valueOf(1, 2);
        BigDecimal min = schema.get("minimum") instanceof BigDecimal d ? d : BigDecimal.ZERO;
        if (schema.get("exclusiveMinimum") instanceof BigDecimal d && d.compareTo(min) >= 0) min = d.add(step);
        BigDecimal max = schema.get("maximum") instanceof BigDecimal d ? d : min.add(BigDecimal.valueOf(100));
        if (schema.get("exclusiveMaximum") instanceof BigDecimal d && d.compareTo(max) <= 0) max = d.subtract(step);
        if (max.compareTo(min) <= 0) return min;
        long steps = max.subtract(min).divide(step, 0, java.math.RoundingMode.FLOOR).min(BigDecimal.valueOf(1_000_000)).longValue();
        return min.add(step.multiply(BigDecimal.valueOf(random.nextLong(steps + 1))));
    }

    private String string(Map<String, Object> schema) {
        if ("date".equals(schema.get("format"))) return "2026-0" + (1 + random.nextInt(9)) + "-1" + random.nextInt(10);
        if ("date-time".equals(schema.get("format"))) return "2026-05-1" + random.nextInt(10) + "T12:00:00Z";
        int max = bound(schema, "maxLength", Integer.MAX_VALUE);
        int min = bound(schema, "minLength", Math.min(1, max));
        if (max == Integer.MAX_VALUE) max = Math.max(min, 40);
        StringBuilder text = new StringBuilder();
        while (text.length() < min || (text.length() < Math.min(max, 12) && random.nextInt(3) > 0)) {
            String word = Tokenizer.word(random.nextInt(Tokenizer.CORPUS.length)).strip();
            text.append(text.length() == 0 ? "" : " ").append(word);
        }
        return text.length() > max ? text.substring(0, max) : text.toString();
    }

    private static int bound(Map<String, Object> schema, String field, int fallback) {
        return schema.get(field) instanceof BigDecimal d ? Math.max(0, d.intValue()) : fallback;
    }
}
