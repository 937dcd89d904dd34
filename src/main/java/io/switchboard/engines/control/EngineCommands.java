package io.switchboard.engines.control;

import io.switchboard.catalog.entity.ModelSpec;
import io.switchboard.engines.entity.EngineRefusal;
import io.switchboard.engines.entity.EngineRefusal.Reason;
import io.switchboard.engines.entity.EngineState;

import java.time.Instant;

/**
 * An admin's load, unload and sleep of a model's engine (and the pinned models' loads at start-up):
 * what each may do in which state, carried out through the model manager's transitions under its
 * lock. What cannot be done is an {@link EngineRefusal} (unknown model, not sleepable, not running,
 * not READY, no host memory), which the admin API answers as a client error.
 */
public final class EngineCommands {

    private final ModelManager manager;

    EngineCommands(ModelManager manager) {
        this.manager = manager;
    }

    /** Loads the model without a request waiting for it; a failed model is retried now, its backoff waived. */
    public void load(String model) {
        ModelSpec spec = manager.catalog.find(model).filter(ModelSpec::enabled).orElseThrow(() ->
                new EngineRefusal(Reason.UNKNOWN_MODEL, model, "No enabled model '" + model + "' in the catalog."));
        synchronized (manager.lock) {
            ManagedEngine engine = manager.engineFor(spec);
            EngineRefusal refusal = manager.refusal(engine);
            if (refusal != null && engine.state != EngineState.FAILED) throw refusal;
            if (engine.state == EngineState.FAILED) engine.retryNotBefore = Instant.EPOCH;
            engine.wanted = true;
            manager.demand(engine);
        }
    }

    /** Stops the model's engine after draining it (bounded); it reloads on the next request. */
    public void unload(String model) {
        synchronized (manager.lock) {
            ManagedEngine engine = known(model);
            engine.wanted = false;
            manager.loadQueue.remove(engine); // nobody asks for it any more
            switch (engine.state) {
                case READY -> manager.drain(engine, "unloaded by admin", false);
                case DRAINING -> engine.sleepAfterDrain = false;
                case SLEEPING -> manager.stopEngine(engine, "unloaded by admin");
                case LOADING -> manager.stopEngine(engine, "load cancelled by admin");
                default -> { } // COLD, STOPPING, FAILED: nothing runs
            }
            manager.metrics.eviction(engine.name, "admin");
        }
    }

    /** Drains the engine and puts it to sleep (vLLM sleep level 1), if its catalog entry allows sleep. */
    public void sleep(String model) {
        synchronized (manager.lock) {
            ManagedEngine engine = known(model);
            if (!engine.sleepMode) {
                throw new EngineRefusal(Reason.NOT_SLEEPABLE, model, "Model '" + model
                        + "' was not started with sleep mode (sleep_enabled in the catalog, on a local engine).");
            }
            if (engine.state != EngineState.READY) {
                throw new EngineRefusal(Reason.NOT_READY, model, "Model '" + model + "' is " + engine.state + ", not READY.");
            }
            engine.wanted = false;
            manager.drain(engine, "slept by admin", true);
            if (!engine.sleepAfterDrain) {
                throw new EngineRefusal(Reason.HOST_MEMORY_FULL, model,
                        "Not enough host memory budget to park the weights; the engine is being stopped instead.");
            }
            manager.metrics.eviction(engine.name, "admin_sleep");
        }
    }

    private ManagedEngine known(String model) {
        ManagedEngine engine = manager.engines.get(model);
        if (engine != null) return engine;
        throw manager.catalog.find(model).isEmpty()
                ? new EngineRefusal(Reason.UNKNOWN_MODEL, model, "No model '" + model + "' in the catalog.")
                : new EngineRefusal(Reason.NOT_RUNNING, model, "Model '" + model + "' has no engine.");
    }
}
