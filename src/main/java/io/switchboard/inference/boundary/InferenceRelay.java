package io.switchboard.inference.boundary;

import io.switchboard.engines.control.EngineHttp;
import io.switchboard.engines.control.Leases;
import io.switchboard.engines.control.ModelManager;
import io.switchboard.inference.control.OutcomeLog;
import io.switchboard.inference.entity.InferenceCall;
import io.switchboard.quotas.control.Admission;
import io.switchboard.quotas.control.QuotaLedger;
import io.switchboard.routing.entity.Route;
import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.servlet.AsyncContext;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import java.time.Duration;

/**
 * Relays validated completion requests to the engine of the model that serves them: takes a lease
 * (waiting for a load if need be), sends the request, and streams or passes back the answer; one
 * {@link InferenceExchange} per request does that, with what this relay holds.
 */
@ApplicationScoped
public class InferenceRelay {

    @Inject ModelManager manager;
    @Inject EngineHttp http;
    @Inject OutcomeLog outcomes;
    @Inject ClientWatch clients;
    @Inject QuotaLedger quotas;
    @Inject io.switchboard.inference.control.RequestStages stages;
    @Inject io.switchboard.responses.control.Conversations conversations;
    @Inject @ConfigProperty(name = "switchboard.engines.max-wait-seconds", defaultValue = "300") int maxWaitSeconds;
    @Inject @ConfigProperty(name = "switchboard.inference.first-byte-timeout-seconds", defaultValue = "600") int firstByteTimeoutSeconds;

    private Leases leases;

    /** The threads that write streams to their clients; by default two per core (see {@link StreamWriters}). */
    @Inject @ConfigProperty(name = "switchboard.inference.stream-writers", defaultValue = "0") int streamWriterThreads;
    StreamWriters streamWriters;

    @PostConstruct
    void start() {
        leases = manager.leases(); // once: every call through the EJB proxy costs (see Leases)
        streamWriters = new StreamWriters(streamWriterThreads > 0 ? streamWriterThreads
                : 2 * Runtime.getRuntime().availableProcessors());
    }

    @PreDestroy
    void stop() {
        streamWriters.shutdown();
    }

    /** Relays the request on the servlet's async context; the exchange answers the client and records the outcome. */
    public void relay(AsyncContext async, InferenceCall call, Admission admission, byte[] clientBody, Route route) {
        new InferenceExchange(this, async, call, admission, clientBody, route).begin();
    }

    Leases leases() {
        return leases;
    }

    Duration maxWait() {
        return Duration.ofSeconds(maxWaitSeconds);
    }

    Duration firstByteTimeout() {
        return Duration.ofSeconds(firstByteTimeoutSeconds);
    }
}
