package io.switchboard.admin.boundary;

import io.switchboard.catalog.control.ModelCatalog;
import io.switchboard.gateway.control.JsonRequest;
import io.switchboard.gateway.control.Jsonp;
import io.switchboard.gateway.entity.ApiException;
import io.switchboard.inference.control.CompletionValidator;
import io.switchboard.inference.entity.CompletionRequest.Endpoint;
import io.switchboard.routing.control.CodeLanguages;
import io.switchboard.routing.control.ModelResolver;
import io.switchboard.routing.control.RuleBook;
import io.switchboard.routing.control.RuleChanges;
import io.switchboard.routing.control.RuleSet;
import io.switchboard.routing.control.RuleStore;
import io.switchboard.routing.control.TraitReader;
import io.switchboard.routing.entity.Quality;
import io.switchboard.routing.entity.RouteRule;
import io.switchboard.routing.entity.RuleAudit;
import io.switchboard.tenancy.control.TenantStore;
import io.switchboard.tenancy.entity.Tenant;
import io.switchboard.tenancy.entity.TenantPrincipal;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonValue;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Routing rules: CRUD at {@code /admin/routes}, their audit trail, and explain. A change made here names its
 * admin ({@code x-switchboard-admin}, else "admin-api") in the audit row and is in force on this server when
 * the call returns, on the others within a second (the rules' change notification).
 */
@ApplicationScoped
@Path("admin/routes")
@Produces(MediaType.APPLICATION_JSON)
public class RoutesResource {

    static final String ADMIN_HEADER = "x-switchboard-admin";
    private static final Set<String> ENDPOINTS = Set.of("chat", "completions", "responses");
    private static final java.util.regex.Pattern ALIAS = java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:-]{0,99}");

    @Inject RuleStore store;
    @Inject RuleBook book;
    @Inject RuleChanges changes;
    @Inject ModelCatalog catalog;
    @Inject TenantStore tenants;
    @Inject ModelResolver resolver;

    @GET
    public RouteView.Listing list() {
        return new RouteView.Listing(store.all().stream().map(RouteView::of).toList(), store.version(),
                book.current().version(), book.lastError(), changes.listening());
    }

    @GET
    @Path("{id}")
    public RouteView get(@PathParam("id") long id) {
        return RouteView.of(store.find(id));
    }

    @POST
    public Response create(@HeaderParam(ADMIN_HEADER) String admin, InputStream body) {
        JsonRequest request = JsonRequest.parse(body);
        if (!request.has("target_model")) throw ApiException.invalid("target_model", "Missing required parameter: 'target_model'.");
        RouteRule rule = new RouteRule();
        apply(request, rule);
        RouteRule created = store.create(rule, adminOf(admin));
        book.refresh(false);
        return Response.status(Response.Status.CREATED).entity(RouteView.of(created)).build();
    }

    /** Changes only the fields present; an optional condition set to null no longer applies. */
    @PATCH
    @Path("{id}")
    public RouteView update(@PathParam("id") long id, @HeaderParam(ADMIN_HEADER) String admin, InputStream body) {
        JsonRequest request = JsonRequest.parse(body);
        RouteRule updated = store.update(id, rule -> apply(request, rule), adminOf(admin));
        book.refresh(false);
        return RouteView.of(updated);
    }

    @DELETE
    @Path("{id}")
    public Response delete(@PathParam("id") long id, @HeaderParam(ADMIN_HEADER) String admin) {
        store.delete(id, adminOf(admin));
        book.refresh(false);
        return Response.noContent().build();
    }

    /** {@code GET /admin/routes/audit?rule_id&limit}: every change, newest first, with the row before and after. */
    @GET
    @Path("audit")
    public String audit(@QueryParam("rule_id") Long ruleId, @QueryParam("limit") Integer limit) {
        int max = limit == null ? 100 : limit;
        if (max < 1 || max > 1000) throw ApiException.invalid("limit", "'limit' must be a number from 1 to 1000.");
        JsonArrayBuilder data = Jsonp.array();
        for (RuleAudit entry : store.audit(ruleId, max)) {
            JsonObjectBuilder row = Jsonp.object().add("id", entry.id()).add("at", String.valueOf(entry.at()))
                    .add("db_user", entry.dbUser()).add("action", entry.action()).add("rule_id", entry.ruleId());
            row.add("admin", entry.admin() == null ? JsonValue.NULL : Jsonp.value(entry.admin()));
            row.add("old_value", entry.oldValue() == null ? JsonValue.NULL : Jsonp.parseObject(entry.oldValue()));
            row.add("new_value", entry.newValue() == null ? JsonValue.NULL : Jsonp.parseObject(entry.newValue()));
            data.add(row);
        }
        return Jsonp.object().add("data", data).build().toString();
    }

    /** {@code GET /admin/routes/events}: rule sets a server refused to load (the last good set stayed in force). */
    @GET
    @Path("events")
    public String events() {
        JsonArrayBuilder data = Jsonp.array();
        for (Object[] row : store.rejections(100)) {
            data.add(Jsonp.object().add("id", ((Number) row[0]).longValue()).add("at", String.valueOf(row[1]))
                    .add("version", ((Number) row[2]).longValue()).add("server", String.valueOf(row[3]))
                    .add("outcome", "rejected").add("detail", String.valueOf(row[4])));
        }
        return Jsonp.object().add("data", data).build().toString();
    }

    /**
     * {@code POST /admin/routes/explain {tenant_id, endpoint, request, quality?}}: which model would serve the
     * request for that tenant, by which rule and why, with the rules passed over and the GPU as it mattered;
     * nothing is run.
     */
    @POST
    @Path("explain")
    public String explain(InputStream body) {
        JsonRequest request = JsonRequest.parse(body);
        Long tenantId = request.optionalLong("tenant_id", 1, Long.MAX_VALUE);
        if (tenantId == null) throw ApiException.invalid("tenant_id", "Missing required parameter: 'tenant_id'.");
        Tenant tenant = tenantOrBadRequest(tenantId);
        String endpoint = request.has("endpoint") ? request.requiredString("endpoint", 20) : "chat";
        if (!endpoint.equals("chat") && !endpoint.equals("completions")) {
            throw ApiException.invalid("endpoint", "Invalid 'endpoint': " + endpoint + ". Supported values are: 'chat' and 'completions'.");
        }
        if (!(request.json().get("request") instanceof JsonObject completion)) {
            throw ApiException.invalid("request", "Missing required parameter: 'request' (the request body, as an object).");
        }
        var validated = CompletionValidator.validate(endpoint.equals("chat") ? Endpoint.CHAT : Endpoint.COMPLETIONS, JsonRequest.of(completion));
        TenantPrincipal principal = new TenantPrincipal(tenant.getId(), tenant.getName(), 0, tenant.getAllowedModels(), null);
        ModelResolver.Explanation explanation = resolver.explain(validated.model(), principal, endpoint, completion,
                request.optionalString("quality", 20));
        var route = explanation.route;
        JsonArrayBuilder skipped = Jsonp.array();
        for (Map<String, Object> skip : explanation.skipped) {
            skipped.add(Jsonp.object().add("rule_id", ((Number) skip.get("rule_id")).longValue()).add("reason", (String) skip.get("reason")));
        }
        JsonObjectBuilder resident = Jsonp.object();
        explanation.resident.forEach((name, value) -> {
            if (value instanceof Map<?, ?> where) {
                resident.add(name, Jsonp.object().add("state", (String) where.get("state"))
                        .add("ready_in_ms", ((Number) where.get("ready_in_ms")).longValue())
                        .add("waiting", ((Number) where.get("waiting")).intValue()));
            } else {
                resident.add(name, String.valueOf(value));
            }
        });
        JsonObjectBuilder answer = Jsonp.object().add("model", route.model().name())
                .add("route", route.label())
                .add("matched", strings(explanation.matched)).add("skipped", skipped).add("resident", resident)
                .add("choice", route.choice() == null ? JsonValue.NULL : Jsonp.value(route.choice()))
                .add("fallback_model", route.fallback() == null ? JsonValue.NULL : Jsonp.value(route.fallback().name()))
                .add("fallback_reason", route.fallbackReason() == null ? JsonValue.NULL : Jsonp.value(route.fallbackReason()));
        if (route.rule() != null) answer.add("rule_id", route.rule().id()); else answer.add("rule_id", JsonValue.NULL);
        return answer.build().toString();
    }

    private static JsonArrayBuilder strings(List<String> values) {
        JsonArrayBuilder array = Jsonp.array();
        values.forEach(array::add);
        return array;
    }

    // ---- validation: what the columns' constraints would refuse, refused first with the field named ----

    private void apply(JsonRequest request, RouteRule rule) {
        if (request.has("name")) rule.setName(request.optionalString("name", 100));
        if (request.has("priority")) rule.setPriority(required(request.optionalInt("priority", -1_000_000, 1_000_000), "priority"));
        if (request.has("enabled")) rule.setEnabled(required(request.optionalBoolean("enabled"), "enabled"));
        if (request.has("tenant_id")) {
            Long tenantId = request.optionalLong("tenant_id", 1, Long.MAX_VALUE);
            if (tenantId != null) tenantOrBadRequest(tenantId);
            rule.setTenantId(tenantId);
        }
        if (request.has("endpoint")) {
            String endpoint = request.optionalString("endpoint", 20);
            if (endpoint != null && !ENDPOINTS.contains(endpoint)) {
                throw ApiException.invalid("endpoint", "Invalid 'endpoint': " + endpoint + ". Supported values are: 'chat', 'completions' and 'responses'.");
            }
            rule.setEndpoint(endpoint);
        }
        if (request.has("alias")) {
            String alias = request.requiredString("alias", 100);
            if (!ALIAS.matcher(alias).matches()) {
                throw ApiException.invalid("alias", "Invalid 'alias': letters, digits and . _ : - only, starting with a letter or digit.");
            }
            if (catalog.find(alias).isPresent()) throw ApiException.invalid("alias", "Invalid 'alias': '" + alias + "' is the name of a model.");
            rule.setAlias(alias);
        }
        if (request.has("is_default")) rule.setDefault(required(request.optionalBoolean("is_default"), "is_default"));
        if (request.has("code_languages")) {
            List<String> languages = request.optionalStringList("code_languages", 40);
            if (languages != null) {
                for (String language : languages) {
                    if (CodeLanguages.canonical(language) == null) {
                        throw ApiException.invalid("code_languages", "Invalid 'code_languages': unknown language '" + language + "'.");
                    }
                }
            }
            rule.setCodeLanguages(languages);
        }
        if (request.has("min_messages")) rule.setMinMessages(request.optionalInt("min_messages", 0, Integer.MAX_VALUE));
        if (request.has("max_messages")) rule.setMaxMessages(request.optionalInt("max_messages", 0, Integer.MAX_VALUE));
        if (request.has("min_prompt_tokens")) rule.setMinPromptTokens(request.optionalInt("min_prompt_tokens", 0, Integer.MAX_VALUE));
        if (request.has("max_prompt_tokens")) rule.setMaxPromptTokens(request.optionalInt("max_prompt_tokens", 0, Integer.MAX_VALUE));
        if (request.has("quality")) {
            String quality = request.optionalString("quality", 20);
            if (quality != null && Quality.of(quality) == null) {
                throw ApiException.invalid("quality", "Invalid 'quality': " + quality + ". Supported values are: 'low', 'standard' and 'high'.");
            }
            rule.setQuality(quality);
        }
        if (request.has("keyword_pattern")) rule.setKeywordPattern(request.optionalString("keyword_pattern", 1000));
        if (request.has("target_model")) rule.setTargetModel(model(request.requiredString("target_model", 200), "target_model"));
        if (request.has("alternatives")) {
            List<String> alternatives = request.optionalStringList("alternatives", 200);
            if (alternatives != null) alternatives.forEach(name -> model(name, "alternatives"));
            rule.setAlternatives(alternatives);
        }
        if (request.has("fallback_model")) {
            String fallback = request.optionalString("fallback_model", 200);
            rule.setFallbackModel(fallback == null ? null : model(fallback, "fallback_model"));
        }
        if (request.has("max_queue_wait_ms")) rule.setMaxQueueWaitMs(request.optionalInt("max_queue_wait_ms", 0, Integer.MAX_VALUE));
        crossed(rule.getMinMessages(), rule.getMaxMessages(), "max_messages");
        crossed(rule.getMinPromptTokens(), rule.getMaxPromptTokens(), "max_prompt_tokens");
        if (rule.isDefault() && (rule.getCodeLanguages() != null || rule.getMinMessages() != null || rule.getMaxMessages() != null
                || rule.getMinPromptTokens() != null || rule.getMaxPromptTokens() != null || rule.getQuality() != null
                || rule.getKeywordPattern() != null)) {
            throw ApiException.invalid("is_default", "A default rule has no conditions: it serves its alias when no other rule matches.");
        }
        try {
            RuleSet.compile(rule); // the keyword pattern, as the rule book will compile it
        } catch (IllegalArgumentException invalid) {
            throw ApiException.invalid("keyword_pattern", "Invalid 'keyword_pattern': " + invalid.getMessage().replaceFirst("^rule \\S+: ", ""));
        }
    }

    private String model(String name, String param) {
        if (catalog.find(name).isEmpty()) throw ApiException.invalid(param, "Invalid '" + param + "': no model named '" + name + "' in the catalog.");
        return name;
    }

    private static void crossed(Integer min, Integer max, String param) {
        if (min != null && max != null && min > max) {
            throw ApiException.invalid(param, "Invalid '" + param + "': " + max + " is less than the minimum of " + min + ".");
        }
    }

    private static <T> T required(T value, String param) {
        if (value == null) throw ApiException.invalid(param, "Invalid '" + param + "': must not be null.");
        return value;
    }

    private Tenant tenantOrBadRequest(long id) {
        try {
            return tenants.find(id);
        } catch (ApiException notFound) {
            throw ApiException.invalid("tenant_id", "Invalid 'tenant_id': no tenant with id " + id + ".");
        }
    }

    private static String adminOf(String header) {
        return header == null || header.isBlank() ? "admin-api" : header.strip();
    }
}
