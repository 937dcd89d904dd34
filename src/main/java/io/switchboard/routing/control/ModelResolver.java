package io.switchboard.routing.control;

import io.switchboard.catalog.control.ModelCatalog;
import io.switchboard.catalog.entity.ModelSpec;
import io.switchboard.engines.control.ModelManager;
import io.switchboard.engines.entity.Residency;
import io.switchboard.gateway.entity.ApiException;
import io.switchboard.routing.entity.Quality;
import io.switchboard.routing.entity.RequestTraits;
import io.switchboard.routing.entity.Route;
import io.switchboard.routing.entity.Rule;
import io.switchboard.tenancy.entity.TenantPrincipal;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * Which catalog model serves a request: the one place where that is decided. A concrete model name is
 * that model (if enabled and the tenant may use it). An alias goes through the rules in force
 * ({@link RuleBook}): first match in order wins; among the matching rule's target and alternatives, those
 * whose context window has room for the prompt; then, unless the request asked for high quality, one
 * already resident (or asleep and quicker to wake) when the target is not, so that a short chat does not
 * wait for a large load. {@code auto} without rules of its own is the tenant's first pinned model.
 * {@link #explain} walks the same path and says what it saw.
 */
@ApplicationScoped
public class ModelResolver {

    public static final String AUTO = "auto";

    @Inject ModelCatalog catalog;
    @Inject RuleBook rules;
    @Inject ModelManager manager;

    private Function<Collection<String>, Map<String, Residency>> residency;

    public ModelResolver() {
    }

    /** For unit tests and benchmarks: a fixed view of the GPU. */
    public ModelResolver(ModelCatalog catalog, RuleBook rules, Function<Collection<String>, Map<String, Residency>> residency) {
        this.catalog = catalog;
        this.rules = rules;
        this.residency = residency;
    }

    private Map<String, Residency> residency(Collection<String> models) {
        if (residency == null) residency = manager.leases()::residency; // once: not through the EJB proxy per request
        return residency.apply(models);
    }

    /** The route for {@code requested}; 404 {@code model_not_found} when it is neither a usable model nor an alias. */
    public Route resolve(String requested, TenantPrincipal tenant, String endpoint, JsonObject body, String qualityHeader) {
        TraitReader.quality(body, qualityHeader); // a bad value is the client's 400, whether a rule reads it or not
        return decide(requested, tenant, () -> TraitReader.read(endpoint, body, qualityHeader), null);
    }

    /** What {@link #resolve} would answer and why, without running anything. */
    public Explanation explain(String requested, TenantPrincipal tenant, String endpoint, JsonObject body, String qualityHeader) {
        Explanation explanation = new Explanation();
        Route route = decide(requested, tenant, () -> TraitReader.read(endpoint, body, qualityHeader), explanation);
        explanation.route = route;
        return explanation;
    }

    /** What explain answers: the route, the conditions its rule met, the rules passed over, and the GPU as it mattered. */
    public static final class Explanation {
        public Route route;
        public List<String> matched = List.of();
        public final List<Map<String, Object>> skipped = new ArrayList<>();
        public final Map<String, Object> resident = new LinkedHashMap<>();
    }

    /** The aliases a tenant may name besides concrete models, as {@code GET /v1/models} lists them. */
    public List<String> aliases(TenantPrincipal tenant) {
        Set<String> aliases = new LinkedHashSet<>();
        aliases.add(AUTO);
        RuleSet set = rules.current();
        for (String alias : set.aliasesOf(tenant.tenantId())) {
            boolean usable = set.of(alias).stream().filter(rule -> rule.appliesTo(tenant.tenantId()))
                    .flatMap(rule -> rule.models().stream()).anyMatch(tenant::mayUse);
            if (usable) aliases.add(alias);
        }
        return List.copyOf(aliases);
    }

    public boolean isAlias(String name, TenantPrincipal tenant) {
        return aliases(tenant).contains(name);
    }

    private Route decide(String requested, TenantPrincipal tenant, java.util.function.Supplier<RequestTraits> traits,
                         Explanation explain) {
        Optional<ModelSpec> concrete = catalog.find(requested);
        if (concrete.isPresent()) {
            ModelSpec model = concrete.filter(ModelSpec::enabled).filter(m -> tenant.mayUse(m.name())).orElseThrow(() -> notFound(requested));
            if (explain != null) explain.matched = List.of("a concrete model name: no rules");
            return Route.direct(model);
        }
        RuleSet set = rules.current();
        List<Rule> candidates = set.of(requested);
        if (candidates.isEmpty()) {
            if (!AUTO.equals(requested)) throw notFound(requested);
            return builtInAuto(tenant, explain);
        }
        RequestTraits request = traits.get();
        for (Rule rule : candidates) {
            boolean matches = explain == null ? rule.matches(tenant.tenantId(), request) : rule.mismatch(tenant.tenantId(), request) == null;
            if (matches) {
                Route route = choose(rule, tenant, request, explain);
                if (route != null) {
                    if (explain != null) explain.matched = rule.conditions(request);
                    return route;
                }
            } else if (explain != null) {
                explain.skipped.add(Map.of("rule_id", rule.id(), "reason", rule.mismatch(tenant.tenantId(), request)));
            }
        }
        if (AUTO.equals(requested)) return builtInAuto(tenant, explain);
        throw new ApiException(404, ApiException.INVALID_REQUEST, "model_not_found", "model",
                "No routing rule for the model alias `" + requested + "` matches this request.");
    }

    /** Among the rule's models, the one that serves; null (the rule is passed over) when none may. */
    private Route choose(Rule rule, TenantPrincipal tenant, RequestTraits request, Explanation explain) {
        List<ModelSpec> usable = new ArrayList<>();
        for (String name : rule.models()) {
            catalog.find(name).filter(ModelSpec::enabled).filter(m -> tenant.mayUse(m.name())).ifPresent(usable::add);
        }
        if (usable.isEmpty()) {
            if (explain != null) explain.skipped.add(Map.of("rule_id", rule.id(), "reason",
                    "none of its models is enabled and allowed for the tenant"));
            return null;
        }
        List<ModelSpec> withRoom = new ArrayList<>(usable.size());
        for (ModelSpec model : usable) if (fits(model, request)) withRoom.add(model);
        if (withRoom.isEmpty()) { // near the edge the estimate is a guess: the widest model tries, its engine counts exactly
            ModelSpec widest = usable.stream().max(java.util.Comparator.comparingLong(ModelSpec::maxModelLen)).orElseThrow();
            if (request.promptTokensAtLeast() + Math.max(0, request.maxTokens()) > widest.maxModelLen()) {
                throw contextTooLong(usable.get(0), request);
            }
            withRoom.add(widest);
        }
        ModelSpec target = usable.get(0);
        ModelSpec chosen = withRoom.get(0);
        String choice = chosen == target ? null : "prompt of about " + request.promptTokens() + " tokens does not fit "
                + target.name() + "'s context of " + target.maxModelLen();
        ModelSpec fallback = rule.fallbackModel() == null ? null : catalog.find(rule.fallbackModel()).filter(ModelSpec::enabled)
                .filter(m -> tenant.mayUse(m.name())).filter(m -> fits(m, request)).orElse(null);
        boolean gpuAware = withRoom.size() > 1 && request.quality() != Quality.HIGH;
        if (gpuAware || (rule.maxQueueWaitMs() != null && fallback != null) || explain != null) {
            List<String> names = new ArrayList<>(withRoom.stream().map(ModelSpec::name).toList());
            if (fallback != null && !names.contains(fallback.name())) names.add(fallback.name());
            Map<String, Residency> where = residency(names);
            if (explain != null) where.forEach((name, r) -> explain.resident.put(name,
                    Map.of("state", r.state().name(), "ready_in_ms", r.readyInMillis(), "waiting", r.waiters())));
            if (gpuAware) {
                ModelSpec better = preferResident(chosen, withRoom, where);
                if (better != chosen) {
                    Residency now = where.get(chosen.name());
                    Residency then = where.get(better.name());
                    choice = chosen.name() + " is " + describe(now) + "; " + better.name() + " is "
                            + (then.resident() ? "resident" : describe(then));
                    chosen = better;
                }
            } else if (explain != null && request.quality() == Quality.HIGH && withRoom.size() > 1) {
                explain.resident.put("effect", "quality high: the target serves, resident or not");
            }
            if (choice != null && explain != null) explain.resident.put("effect", choice);
            Residency serving = where.get(chosen.name());
            if (fallback != null && fallback != chosen && rule.maxQueueWaitMs() != null && !serving.resident()
                    && serving.readyInMillis() > rule.maxQueueWaitMs()) {
                if (explain != null) explain.resident.put("fallback", chosen.name() + " would be ready in about "
                        + serving.readyInMillis() + " ms, past the rule's max_queue_wait_ms of " + rule.maxQueueWaitMs());
                return new Route(fallback, rule, rule.label(), choice, null, null, "queue_wait");
            }
        }
        return new Route(chosen, rule, rule.label(), choice, fallback == chosen ? null : fallback, rule.maxQueueWaitMs(), null);
    }

    /** A resident model of those with room, in the rule's order; else one asleep that wakes sooner than {@code chosen} loads. */
    private static ModelSpec preferResident(ModelSpec chosen, List<ModelSpec> withRoom, Map<String, Residency> where) {
        Residency current = where.get(chosen.name());
        if (current.resident()) return chosen;
        for (ModelSpec model : withRoom) if (where.get(model.name()).resident()) return model;
        if (current.sleeping()) return chosen;
        for (ModelSpec model : withRoom) {
            Residency r = where.get(model.name());
            if (r.sleeping() && (current.readyInMillis() < 0 || r.readyInMillis() < current.readyInMillis())) return model;
        }
        return chosen;
    }

    private static String describe(Residency r) {
        String state = r.state().name().toLowerCase(java.util.Locale.ROOT);
        return r.readyInMillis() < 0 ? state : state + " (ready in about " + r.readyInMillis() + " ms)";
    }

    /**
     * Whether the prompt (estimated at four characters a token) and the tokens asked for fit the model's context
     * window. Where no model of the rule fits so, a request is still refused here only when it could not fit the
     * widest even at six characters a token ({@link RequestTraits#promptTokensAtLeast}): the estimate must not
     * refuse what the engine would serve.
     */
    private static boolean fits(ModelSpec model, RequestTraits request) {
        return request.promptTokens() + Math.max(0, request.maxTokens()) <= model.maxModelLen();
    }

    private static ApiException contextTooLong(ModelSpec model, RequestTraits request) {
        boolean chat = !"completions".equals(request.endpoint());
        return new ApiException(400, ApiException.INVALID_REQUEST, "context_length_exceeded", chat ? "messages" : "prompt",
                "This model's maximum context length is " + model.maxModelLen() + " tokens. However, you requested about "
                        + (request.promptTokens() + Math.max(0, request.maxTokens())) + " tokens (about " + request.promptTokens()
                        + " in the " + (chat ? "messages" : "prompt") + (request.maxTokens() > 0 ? ", " + request.maxTokens()
                        + " in the completion" : "") + "). Please reduce the length of the " + (chat ? "messages" : "prompt")
                        + " or completion.");
    }

    private Route builtInAuto(TenantPrincipal tenant, Explanation explain) {
        ModelSpec model = catalog.enabled().stream().filter(m -> tenant.mayUse(m.name()))
                .min(Comparator.comparing((ModelSpec m) -> !m.pinned()).thenComparing(ModelSpec::name))
                .orElseThrow(() -> notFound(AUTO));
        if (explain != null) explain.matched = List.of("no rule for auto matched: the tenant's first pinned model");
        return new Route(model, null, Route.BUILT_IN, null, null, null, null);
    }

    private static ApiException notFound(String requested) {
        return new ApiException(404, ApiException.INVALID_REQUEST, "model_not_found", "model",
                "The model `" + requested + "` does not exist or you do not have access to it.");
    }
}
