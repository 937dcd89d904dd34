package io.switchboard.gateway.control;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * No code of the server calls {@code jakarta.json.Json}'s static factories: each looks the JSON provider up
 * with a ServiceLoader, on every call. One such call per follow-up turn of the Responses API was a third of that
 * turn's path in a wall-clock profile (bench surface); {@link Jsonp} looks the provider up once.
 */
class JsonProviderLookupTest {

    private static final Pattern LOOKUP = Pattern.compile("(?<![\\w.])(jakarta\\.json\\.)?Json\\.create\\w*\\(");

    @Test
    void serverCodeUsesTheProviderLookedUpOnce() throws IOException {
        List<String> offenders;
        try (Stream<Path> sources = Files.walk(Path.of("src/main/java"))) {
            offenders = sources.filter(p -> p.toString().endsWith(".java") && !p.endsWith("Jsonp.java"))
                    .flatMap(JsonProviderLookupTest::lookups).toList();
        }
        assertEquals(List.of(), offenders, "call Jsonp instead");
    }

    private static Stream<String> lookups(Path source) {
        try {
            List<String> lines = Files.readAllLines(source);
            return java.util.stream.IntStream.range(0, lines.size())
                    .filter(i -> LOOKUP.matcher(lines.get(i)).find() && !lines.get(i).trim().startsWith("*"))
                    .mapToObj(i -> source.getFileName() + ":" + (i + 1));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
