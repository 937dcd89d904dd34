package io.switchboard.engines.control;

/**
 * An admin's load, unload and sleep, called straight on the model manager's instance as {@link Leases} are.
 * Their refusals (unknown model 404, not sleepable 400, not running 409) are {@code ApiException}s, which the
 * EJB container treats as rollbacks; in the manager, which runs without a transaction, Liberty then logged each
 * refusal of an admin's call as a server error (WLTC0017E) with an FFDC incident.
 */
public final class EngineCommands {

    private final ModelManager manager;

    EngineCommands(ModelManager manager) {
        this.manager = manager;
    }

    /** See {@link ModelManager#load}. */
    public void load(String model) {
        manager.load(model);
    }

    /** See {@link ModelManager#unload}. */
    public void unload(String model) {
        manager.unload(model);
    }

    /** See {@link ModelManager#sleep}. */
    public void sleep(String model) {
        manager.sleep(model);
    }
}
