package io.switchboard.it;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs after the IT server was stopped (failsafe execution in the verify phase, pom.xml): every
 * engine process the tests saw must be gone with it.
 */
class NoOrphanEnginesAfterShutdownCheck {

    @Test
    void noEngineProcessSurvivesTheServer() throws IOException {
        assertTrue(Files.exists(Engines.PIDS), "the lifecycle tests record engine pids");
        List<Long> pids = Files.readAllLines(Engines.PIDS).stream().filter(l -> !l.isBlank()).map(Long::parseLong)
                .distinct().toList();
        assertFalse(pids.isEmpty());
        List<Long> alive = pids.stream().filter(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
                && ProcessHandle.of(pid).flatMap(p -> p.info().commandLine()).map(c -> c.contains("vllm-sim")).orElse(false))
                .toList();
        assertTrue(alive.isEmpty(), "engine processes still running after the server stopped: " + alive);
    }
}
