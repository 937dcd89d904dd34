package io.switchboard.engines.entity;

import jakarta.ejb.ApplicationException;

import java.util.OptionalLong;

/**
 * Why the engines component will not do what was asked: serve a request now (the model cannot fit,
 * it is backing off after a crash, its queue is full, its load took too long) or carry out an admin's
 * command. The boundary turns it into the API's error (gateway's error translation); routing can read
 * the {@link Reason} to choose a fallback.
 *
 * <p>An EJB application exception without rollback: it leaves the model manager's proxy as it is and
 * marks nothing for rollback (a rollback of the manager's local transaction containment is what
 * Liberty logged as a server error, WLTC0017E, for every refused admin command).
 */
@ApplicationException(rollback = false)
public class EngineRefusal extends RuntimeException {

    public enum Reason {
        /** Larger than any GPU here. */
        MODEL_TOO_LARGE,
        /** Could only fit where the pinned models are, which never leave. */
        MODEL_CANNOT_FIT,
        /** Failed recently; reloaded only after its backoff. */
        BACKING_OFF,
        /** Failed while this request waited for it. */
        FAILED,
        /** Too many requests already wait for it. */
        QUEUE_FULL,
        /** Did not become ready within the request's wait. */
        LOAD_TIMEOUT,
        /** Expected ready later than the client said it would wait: answered at once, the load started. */
        OUTWAITS_CLIENT,
        /** The server is stopping. */
        SHUTTING_DOWN,
        /** No such (enabled) model in the catalog. */
        UNKNOWN_MODEL,
        /** An admin asked a model without sleep mode to sleep. */
        NOT_SLEEPABLE,
        /** An admin asked for something that needs a READY engine. */
        NOT_READY,
        /** An admin's command for a model that has no engine. */
        NOT_RUNNING,
        /** No host memory left to park the weights. */
        HOST_MEMORY_FULL
    }

    private final Reason reason;
    private final String model;
    private final long retryAfterSeconds;

    public EngineRefusal(Reason reason, String model, String message) {
        this(reason, model, message, -1);
    }

    /** With the seconds after which a retry may succeed ({@code -1}: none to say). */
    public EngineRefusal(Reason reason, String model, String message, long retryAfterSeconds) {
        super(message, null, false, false);
        this.reason = reason;
        this.model = model;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public Reason reason() {
        return reason;
    }

    public String model() {
        return model;
    }

    public OptionalLong retryAfterSeconds() {
        return retryAfterSeconds < 0 ? OptionalLong.empty() : OptionalLong.of(retryAfterSeconds);
    }
}
