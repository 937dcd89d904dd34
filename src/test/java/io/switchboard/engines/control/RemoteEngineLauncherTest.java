package io.switchboard.engines.control;

import io.switchboard.catalog.entity.EngineType;
import io.switchboard.catalog.entity.ModelSpec;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A gateway (SWITCHBOARD_LAUNCHER=remote) asked for a model it cannot reach says why, instead of failing on a null. */
class RemoteEngineLauncherTest {

    static EngineLauncher.LaunchRequest request(String url) {
        var model = new ModelSpec("llama-8b", EngineType.VLLM, "meta-llama/Llama-3.1-8B-Instruct", BigDecimal.TEN, 8192,
                null, List.of(), false, true, false, url, Instant.EPOCH, ModelSpec.GENERATE);
        return new EngineLauncher.LaunchRequest(model, "127.0.0.1", 8000, 0, 0.9, 256, false, Path.of("engine.log"));
    }

    @Test
    void aModelWithoutAUrlFailsItsLoadNamingTheSetting() {
        var failure = assertThrows(IllegalStateException.class, () -> new RemoteEngineLauncher().launch(request(null)));
        assertTrue(failure.getMessage().contains("llama-8b") && failure.getMessage().contains("SWITCHBOARD_LAUNCHER=remote"),
                failure.getMessage());
        assertThrows(IllegalStateException.class, () -> new RemoteEngineLauncher().launch(request(" ")));
    }

    @Test
    void aModelWithAUrlAttachesToIt() {
        var process = new RemoteEngineLauncher().launch(request("http://engines.example:8000/"));
        assertEquals("http://engines.example:8000", process.baseUri().toString());
        assertTrue(process.isAlive());
    }
}
