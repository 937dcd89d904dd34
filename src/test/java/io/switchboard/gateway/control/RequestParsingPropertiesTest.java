package io.switchboard.gateway.control;

import io.switchboard.gateway.entity.ApiException;
import io.switchboard.inference.control.CompletionValidator;
import io.switchboard.inference.entity.CompletionRequest.Endpoint;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Properties of request parsing over generated inputs (seeded, so every run checks the same cases).
 * Whatever a client sends, parsing and validation either accept it or refuse it with a 4xx naming
 * the problem: never another exception (which the server would answer 500). The HTTP half of the
 * fuzz suite is {@code HostileRequestsIT}.
 */
class RequestParsingPropertiesTest {

    static final List<String> FIELDS = List.of("model", "messages", "prompt", "max_tokens", "n", "temperature",
            "top_p", "stream", "stream_options", "stop", "seed", "user", "top_logprobs", "name", "rpm_limit",
            "gpu_memory_gib", "expires_at", "allowed_models");

    private static final long SEED = 20261201L; // the same cases every run; a failure names its case

    @Test
    void anyBytesAreParsedOrRefusedWithA4xx() {
        forCases(3000, random -> {
            byte[] body = new byte[random.nextInt(300)];
            random.nextBytes(body);
            return body;
        });
    }

    @Test
    void anyJsonShapedTextIsParsedOrRefusedWithA4xx() {
        String[] tokens = {"{", "}", "[", "]", ",", ":", "\"model\"", "\"messages\"", "\"stream\"", "true", "null",
                "1e400", "\"x\"", "\\u0000", "\uFFFF", "-", "0", "\"", "\\"};
        forCases(3000, random -> {
            StringBuilder text = new StringBuilder();
            for (int i = random.nextInt(60); i > 0; i--) text.append(tokens[random.nextInt(tokens.length)]);
            return text.toString().getBytes(StandardCharsets.UTF_8);
        });
    }

    @Test
    void anyValueAtAnyFieldIsAcceptedOrRefusedWithA4xx() {
        forCases(3000, random -> ("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"prompt\":\"p\",\""
                + FIELDS.get(random.nextInt(FIELDS.size())) + "\":" + value(random) + "}").getBytes(StandardCharsets.UTF_8));
    }

    private static String value(Random random) {
        String[] fixed = {"1e999999999", "-1e999999999", "1e-999999999", "123456789012345678901234567890", "-0",
                "0.0000001", "NaN", "1.5", "-1", "2147483648", "9223372036854775808", "null", "true", "false", "[]", "{}",
                "[null]", "[1,\"a\",{}]", "{\"role\":1}", "[{\"role\":\"user\"}]", "[{\"role\":\"user\",\"content\":5}]",
                "\"\\u0000\"", "\"\\ud800\"", "{\"include_usage\":\"yes\"}"};
        int depth = 1 + random.nextInt(3000);
        return switch (random.nextInt(4)) {
            case 0 -> "[".repeat(depth) + "]".repeat(depth);
            case 1 -> "{\"a\":".repeat(depth) + "1" + "}".repeat(depth);
            case 2 -> {
                StringBuilder text = new StringBuilder("\"");
                for (int i = random.nextInt(40); i > 0; i--) {
                    char c = (char) random.nextInt(0x3000);
                    text.append(c == '"' || c == '\\' ? "\\" + c : String.valueOf(c));
                }
                yield text.append('"').toString();
            }
            default -> fixed[random.nextInt(fixed.length)];
        };
    }

    /** Generates {@code count} bodies from one seeded sequence and checks each. */
    private static void forCases(int count, Function<Random, byte[]> generate) {
        Random random = new Random(SEED);
        for (int i = 0; i < count; i++) {
            byte[] body = generate.apply(random);
            try {
                assertClientErrorOrAccepted(body);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("case " + i + ": " + new String(body, StandardCharsets.UTF_8), e);
            }
        }
    }

    private static void assertClientErrorOrAccepted(byte[] body) {
        try {
            JsonRequest request = JsonRequest.parse(JsonRequest.readAll(new ByteArrayInputStream(body), body.length));
            CompletionValidator.validate(Endpoint.CHAT, request);
            CompletionValidator.validate(Endpoint.COMPLETIONS, request);
            request.optionalString("name", 200);
            request.optionalLong("rpm_limit", 0, Integer.MAX_VALUE);
            request.optionalDecimal("gpu_memory_gib", new BigDecimal("0.001"), new BigDecimal("9999999.999"), 3);
            request.optionalInstant("expires_at");
            request.optionalStringList("allowed_models", 200);
        } catch (ApiException refused) {
            assertTrue(refused.status() >= 400 && refused.status() < 500, "refused with " + refused.status());
            assertTrue(refused.getMessage() != null && !refused.getMessage().isBlank());
        }
    }
}
