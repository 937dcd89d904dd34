package io.switchboard.simulator;

import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import tools.jackson.databind.ObjectMapper;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What guided decoding guarantees, the simulator's guided output must hold too: for any schema made of the keywords
 * function schemas use, the value {@link SchemaSample} makes validates against it, checked by a JSON Schema
 * validator (networknt, draft 2020-12) rather than by the simulator's own reading of the schema.
 */
class SchemaSampleTest {

    static final SchemaRegistry REGISTRY = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);
    static final ObjectMapper JACKSON = new ObjectMapper();

    @Property(tries = 500)
    void aSampleFollowsItsSchema(@ForAll("schemas") Map<String, Object> schema, @ForAll long seed) {
        String schemaText = Json.write(schema);
        Object sample = SchemaSample.of(Json.parse(schemaText), new SplittableRandom(seed));
        String sampleText = Json.write(sample);
        Schema validator = REGISTRY.getSchema(JACKSON.readTree(schemaText));
        List<Error> errors = validator.validate(JACKSON.readTree(sampleText));
        assertTrue(errors.isEmpty(), "schema " + schemaText + "\nsample " + sampleText + "\n" + errors);
    }

    @Provide
    Arbitrary<Map<String, Object>> schemas() {
        return Arbitraries.oneOf(schema(3), referring());
    }

    /** A schema whose property is a {@code $ref} into its {@code $defs}, as Pydantic writes nested models. */
    Arbitrary<Map<String, Object>> referring() {
        return schema(2).map(definition -> {
            Map<String, Object> root = new LinkedHashMap<>();
            root.put("$defs", Map.of("Thing", definition));
            root.put("type", "object");
            root.put("properties", Map.of("thing", Map.of("$ref", "#/$defs/Thing")));
            root.put("required", List.of("thing"));
            root.put("additionalProperties", false);
            return root;
        });
    }

    Arbitrary<Map<String, Object>> schema(int depth) {
        List<Arbitrary<Map<String, Object>>> kinds = new ArrayList<>(List.of(strings(), integers(), numbers(),
                simple("boolean"), enums(), constant(), nullable()));
        if (depth > 0) {
            kinds.add(objects(depth - 1));
            kinds.add(arrays(depth - 1));
            kinds.add(anyOf(depth - 1));
        }
        return Arbitraries.oneOf(kinds);
    }

    Arbitrary<Map<String, Object>> simple(String type) {
        return Arbitraries.just(Map.of("type", type));
    }

    Arbitrary<Map<String, Object>> strings() {
        return Combinators.combine(Arbitraries.integers().between(0, 6), Arbitraries.integers().between(0, 30),
                Arbitraries.of(0, 1, 2)).as((min, extra, which) -> {
            Map<String, Object> schema = new LinkedHashMap<>();
            schema.put("type", "string");
            if (which != 1) schema.put("minLength", BigDecimal.valueOf(min));
            if (which != 2) schema.put("maxLength", BigDecimal.valueOf(which == 1 ? extra : min + extra));
            return schema;
        });
    }

    Arbitrary<Map<String, Object>> integers() {
        return Combinators.combine(Arbitraries.integers().between(-1000, 1000), Arbitraries.integers().between(0, 50))
                .as((min, width) -> Map.of("type", "integer", "minimum", BigDecimal.valueOf(min),
                        "maximum", BigDecimal.valueOf((long) min + width)));
    }

    Arbitrary<Map<String, Object>> numbers() {
        return Combinators.combine(Arbitraries.bigDecimals().between(BigDecimal.valueOf(-100), BigDecimal.valueOf(100)).ofScale(2),
                Arbitraries.bigDecimals().between(BigDecimal.ZERO, BigDecimal.TEN).ofScale(2))
                .as((min, width) -> Map.of("type", "number", "minimum", min, "maximum", min.add(width)));
    }

    Arbitrary<Map<String, Object>> enums() {
        return Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(8).list().ofMinSize(1).ofMaxSize(4).uniqueElements()
                .map(values -> Map.of("type", "string", "enum", new ArrayList<Object>(values)));
    }

    Arbitrary<Map<String, Object>> constant() {
        return Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(8).map(value -> Map.of("const", value));
    }

    Arbitrary<Map<String, Object>> nullable() {
        return Arbitraries.of("string", "integer", "boolean").map(type -> Map.of("type", List.of(type, "null")));
    }

    Arbitrary<Map<String, Object>> objects(int depth) {
        return Arbitraries.maps(Arbitraries.strings().withCharRange('a', 'z').ofMinLength(1).ofMaxLength(8), schema(depth))
                .ofMaxSize(4).flatMap(properties -> Arbitraries.subsetOf(properties.keySet()).map(required -> {
                    Map<String, Object> schema = new LinkedHashMap<>();
                    schema.put("type", "object");
                    schema.put("properties", new LinkedHashMap<String, Object>(properties));
                    schema.put("required", new ArrayList<Object>(required));
                    schema.put("additionalProperties", false);
                    return schema;
                }));
    }

    Arbitrary<Map<String, Object>> arrays(int depth) {
        return Combinators.combine(schema(depth), Arbitraries.integers().between(0, 3), Arbitraries.integers().between(0, 3))
                .as((items, min, extra) -> Map.of("type", "array", "items", items,
                        "minItems", BigDecimal.valueOf(min), "maxItems", BigDecimal.valueOf(min + extra)));
    }

    Arbitrary<Map<String, Object>> anyOf(int depth) {
        return schema(depth).list().ofMinSize(1).ofMaxSize(3).map(branches -> Map.of("anyOf", new ArrayList<Object>(branches)));
    }
}
