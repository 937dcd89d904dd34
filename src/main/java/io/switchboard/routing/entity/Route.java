package io.switchboard.routing.entity;

import io.switchboard.catalog.entity.ModelSpec;
import io.switchboard.engines.entity.EngineRefusal;

/**
 * Which model serves a request, and why: the rule that chose it (null for a concrete model name), why not
 * the rule's target where another model serves ({@code choice}: a resident alternative, a context window
 * with room), the fallback that serves should this one not be able to before the first byte, and the
 * longest the request should wait for it in the queue ({@code maxQueueWaitMs}, null: the relay's own bound).
 * {@code fallbackReason} is set once the fallback serves.
 */
public record Route(ModelSpec model, Rule rule, String label, String choice, ModelSpec fallback, Integer maxQueueWaitMs,
                    String fallbackReason) {

    /** A concrete model name: that model, no rule. */
    public static final String DIRECT = "direct";
    /** {@code auto} where no rule defines it: the tenant's first pinned model. */
    public static final String BUILT_IN = "builtin-auto";

    public static Route direct(ModelSpec model) {
        return new Route(model, null, DIRECT, null, null, null, null);
    }

    /** The route once its fallback serves instead, for {@code reason} (cannot_fit, load_failed, ...). */
    public Route fallenBack(String reason) {
        return new Route(fallback, rule, label, choice, null, null, reason);
    }

    /**
     * Why the fallback serves when the lifecycle refused the model this way, as {@code x-switchboard-fallback}
     * says it; null where a fallback cannot help (the server is stopping).
     */
    public static String fallbackReason(EngineRefusal.Reason refusal) {
        return switch (refusal) {
            case MODEL_TOO_LARGE, MODEL_CANNOT_FIT, HOST_MEMORY_FULL -> "cannot_fit";
            case FAILED -> "load_failed";
            case BACKING_OFF -> "backing_off"; // failed lately, or its circuit opened
            case QUEUE_FULL -> "queue_full";
            case LOAD_TIMEOUT, OUTWAITS_CLIENT -> "queue_wait";
            default -> null;
        };
    }

    /** What the usage row names as the route: the rule's label, null for a concrete model. */
    public String ruleLabel() {
        return rule == null ? null : rule.label();
    }
}
