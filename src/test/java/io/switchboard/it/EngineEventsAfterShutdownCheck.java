package io.switchboard.it;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs after the IT server was stopped (failsafe execution in the verify phase, pom.xml): the engine
 * events of every model the tests created end in COLD or FAILED, so an admin reading the trail sees
 * the engines that the server's shutdown stopped as stopped, not as READY forever.
 */
class EngineEventsAfterShutdownCheck {

    @Test
    void enginesStoppedByTheShutdownAreRecordedAsStopped() throws Exception {
        assertTrue(Files.exists(Engines.MODELS), "the lifecycle tests record the models they create");
        List<String> models = Files.readAllLines(Engines.MODELS).stream().filter(l -> !l.isBlank()).distinct().toList();
        List<String> notStopped = new ArrayList<>();
        int stoppedByShutdown = 0;
        try (Connection db = TenantAuthenticationIT.database();
             PreparedStatement trail = db.prepareStatement(
                     "SELECT to_state, reason FROM engine_event WHERE model = ? ORDER BY id DESC LIMIT 2")) {
            for (String model : models) {
                trail.setString(1, model);
                try (ResultSet events = trail.executeQuery()) {
                    if (!events.next()) continue; // never loaded
                    String last = events.getString("to_state");
                    if (!last.equals("COLD") && !last.equals("FAILED")) notStopped.add(model + " ends " + last);
                    if (events.next() && "server shutting down".equals(events.getString("reason"))) stoppedByShutdown++;
                }
            }
        }
        assertTrue(notStopped.isEmpty(), "engine events that end with a running engine: " + notStopped);
        // EngineLifecycleIT leaves an engine running on purpose, so the shutdown had one to stop
        assertFalse(stoppedByShutdown == 0, "no engine event says the shutdown stopped an engine");
    }
}
