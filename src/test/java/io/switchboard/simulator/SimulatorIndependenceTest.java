package io.switchboard.simulator;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The simulator stands in for the vllm executable: plain Java, its own jar, nothing of Jakarta or of Switchboard. */
class SimulatorIndependenceTest {

    @Test
    void theSimulatorImportsNothingFromJakartaJavaxOrTheGateway() throws IOException {
        Path sources = Path.of("src/main/java/io/switchboard/simulator");
        List<String> offending;
        try (Stream<Path> files = Files.list(sources)) {
            List<Path> java = files.filter(f -> f.toString().endsWith(".java")).toList();
            assertTrue(java.size() > 5, "the simulator's sources are where this test looks");
            offending = java.stream().flatMap(f -> lines(f).stream()
                            .filter(l -> l.startsWith("import ") && (l.contains(" jakarta.") || l.contains(" javax.")
                                    || (l.contains(" io.switchboard.") && !l.contains("io.switchboard.simulator."))))
                            .map(l -> f.getFileName() + ": " + l))
                    .toList();
        }
        assertEquals(List.of(), offending);
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file).stream().map(String::strip).toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
