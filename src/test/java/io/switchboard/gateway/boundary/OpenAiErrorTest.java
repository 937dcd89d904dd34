package io.switchboard.gateway.boundary;

import io.switchboard.engines.entity.EngineRefusal;
import io.switchboard.engines.entity.EngineRefusal.Reason;
import io.switchboard.gateway.entity.ApiException;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/** The SDKs' retry conventions on every 503: a wait to retry after, or word that retrying cannot help. */
class OpenAiErrorTest {

    private static Map<String, String> headers(Reason reason) {
        return OpenAiError.engineRefusal(new EngineRefusal(reason, "m", "refused")).headers();
    }

    @Test
    void every503ThatARetryCanCureSaysWhenToRetry() {
        for (Reason reason : new Reason[] {Reason.SHUTTING_DOWN, Reason.FAILED, Reason.BACKING_OFF, Reason.QUEUE_FULL, Reason.LOAD_TIMEOUT}) {
            Map<String, String> headers = headers(reason);
            assertEquals("1", headers.get("Retry-After"), reason::name);
            assertEquals("1000", headers.get("retry-after-ms"), reason::name);
        }
        ApiException midRequest = new ApiException(503, "server_error", "engine_failed", null, "the engine died");
        assertEquals("1", midRequest.headers().get("Retry-After"));
        assertEquals("1000", midRequest.headers().get("retry-after-ms"));
    }

    @Test
    void aWaitOfItsOwnIsKept() {
        Map<String, String> headers = OpenAiError.engineRefusal(new EngineRefusal(Reason.OUTWAITS_CLIENT, "m", "loading", 7)).headers();
        assertEquals("7", headers.get("Retry-After"));
        assertEquals("7000", headers.get("retry-after-ms"));
    }

    @Test
    void aModelThatCanNeverFitSaysRetryingCannotHelp() {
        for (Reason reason : new Reason[] {Reason.MODEL_TOO_LARGE, Reason.MODEL_CANNOT_FIT}) {
            Map<String, String> headers = headers(reason);
            assertEquals("false", headers.get("x-should-retry"), reason::name);
            assertFalse(headers.containsKey("Retry-After"), reason::name);
        }
    }
}
