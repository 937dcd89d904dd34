package io.switchboard.admin.boundary;

import io.switchboard.accounting.control.RecentUsage;
import io.switchboard.gateway.entity.ApiException;
import io.switchboard.gateway.control.JsonRequest;
import io.switchboard.tenancy.control.ApiKeyStore;
import io.switchboard.tenancy.control.TenantStore;
import io.switchboard.tenancy.entity.Tenant;
import io.switchboard.tenancy.entity.TenantStatus;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import io.switchboard.quotas.control.QuotaLedger;
import io.switchboard.quotas.entity.QuotaScope;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Tenants, their quotas and their API keys. */
@ApplicationScoped
@Path("admin/tenants")
@Produces(MediaType.APPLICATION_JSON)
public class TenantsResource {

    @Inject
    TenantStore tenants;

    @Inject
    ApiKeyStore keys;

    @Inject
    QuotaLedger quotas;

    @Inject
    RecentUsage recent;

    @POST
    public Response create(InputStream body) {
        JsonRequest request = JsonRequest.parse(body);
        Tenant tenant = new Tenant();
        tenant.setName(request.requiredString("name", 200));
        applyQuotas(request, tenant);
        return Response.status(Response.Status.CREATED).entity(TenantView.of(tenants.create(tenant))).build();
    }

    @GET
    public DataList<TenantView> list() {
        return new DataList<>(tenants.all().stream().map(TenantView::of).toList());
    }

    /**
     * What each tenant is doing now, on every replica: requests admitted and tokens in the last {@code seconds}
     * (default 60, at most 3600; counted once each request has ended) and, for a tenant with a concurrency
     * limit, its requests in flight (as the replicas reported them within the last second or so).
     */
    @GET
    @Path("activity")
    public DataList<TenantActivity> activity(@QueryParam("seconds") String seconds) {
        int span = QueryParams.intInRange(seconds, "seconds", 60, 1, 3600);
        Map<Long, Long> inFlight = quotas.inFlightByTenant();
        Map<Long, TenantActivity> byTenant = new java.util.TreeMap<>();
        for (RecentUsage.TenantUse use : recent.since(Instant.now().minusSeconds(span))) {
            byTenant.put(use.tenantId(), new TenantActivity(use.tenantId(), span, use.requests(), use.promptTokens(),
                    use.completionTokens(), inFlight.get(use.tenantId())));
        }
        inFlight.forEach((tenant, n) -> byTenant.putIfAbsent(tenant, new TenantActivity(tenant, span, 0, 0, 0, n)));
        return new DataList<>(List.copyOf(byTenant.values()));
    }

    /** One tenant's recent use; {@code inFlight} null: no concurrency limit, so not counted. */
    public record TenantActivity(long tenantId, int seconds, long requests, long promptTokens, long completionTokens,
                                 Long inFlight) {
    }

    @GET
    @Path("{id}")
    public TenantView get(@PathParam("id") long id) {
        return TenantView.of(tenants.find(id));
    }

    /** Changes only the fields present; a quota set to null becomes unlimited. */
    @PATCH
    @Path("{id}")
    public TenantView update(@PathParam("id") long id, InputStream body) {
        JsonRequest request = JsonRequest.parse(body);
        String name = request.has("name") ? request.requiredString("name", 200) : null;
        TenantStatus status = request.has("status") ? status(request) : null;
        return TenantView.of(tenants.update(id, tenant -> {
            if (name != null) tenant.setName(name);
            if (status != null) tenant.setStatus(status);
            applyQuotas(request, tenant);
        }));
    }

    @POST
    @Path("{id}/disable")
    public TenantView disable(@PathParam("id") long id) {
        return TenantView.of(tenants.disable(id));
    }

    @POST
    @Path("{id}/keys")
    public Response createKey(@PathParam("id") long id, InputStream body) {
        JsonRequest request = JsonRequest.parse(body);
        String name = request.has("name") ? request.requiredString("name", 200) : "default";
        Instant expiresAt = request.optionalInstant("expires_at");
        ApiKeyStore.IssuedKey issued = keys.issue(id, name, expiresAt, limits -> LimitFields.apply(request, "", limits));
        return Response.status(Response.Status.CREATED).entity(ApiKeyView.of(issued.apiKey(), issued.key())).build();
    }

    @GET
    @Path("{id}/keys")
    public DataList<ApiKeyView> listKeys(@PathParam("id") long id) {
        return new DataList<>(keys.ofTenant(id).stream().map(key -> ApiKeyView.of(key, null)).toList());
    }

    /** A key's own limits, enforced beside its tenant's: only the fields present change, null is unlimited. */
    @PATCH
    @Path("{id}/keys/{keyId}")
    public ApiKeyView updateKey(@PathParam("id") long id, @PathParam("keyId") long keyId, InputStream body) {
        JsonRequest request = JsonRequest.parse(body);
        return ApiKeyView.of(keys.updateLimits(id, keyId, limits -> LimitFields.apply(request, "", limits)), null);
    }

    /** A tenant's daily and monthly budgets start afresh from now to the end of their period (every replica within a second). */
    @POST
    @Path("{id}/budgets/reset")
    public Map<String, Object> resetBudgets(@PathParam("id") long id) {
        return reset(QuotaScope.tenant(id, tenants.find(id).getName()));
    }

    @POST
    @Path("{id}/keys/{keyId}/budgets/reset")
    public Map<String, Object> resetKeyBudgets(@PathParam("id") long id, @PathParam("keyId") long keyId) {
        keys.ofTenant(id, keyId);
        return reset(QuotaScope.key(id, keyId));
    }

    @POST
    @Path("{id}/users/{user}/budgets/reset")
    public Map<String, Object> resetEndUserBudgets(@PathParam("id") long id, @PathParam("user") String user) {
        tenants.find(id);
        return reset(QuotaScope.endUser(id, user));
    }

    private Map<String, Object> reset(QuotaScope scope) {
        quotas.resetBudgets(scope, "admin API");
        return Map.of("scope", scope.id(), "reset_at", Instant.now().toString());
    }

    @DELETE
    @Path("{id}/keys/{keyId}")
    public ApiKeyView revokeKey(@PathParam("id") long id, @PathParam("keyId") long keyId) {
        return ApiKeyView.of(keys.revoke(id, keyId), null);
    }

    private static void applyQuotas(JsonRequest request, Tenant tenant) {
        LimitFields.apply(request, "", tenant.getLimits());
        LimitFields.apply(request, "end_user_", tenant.getEndUserLimits());
        if (request.has("fair_share_weight")) {
            Integer weight = request.optionalInt("fair_share_weight", 1, 1000);
            if (weight == null) throw ApiException.invalid("fair_share_weight", "'fair_share_weight' must be a number from 1 to 1000.");
            tenant.setFairShareWeight(weight);
        }
        if (request.has("alert_webhook_url")) tenant.setAlertWebhookUrl(webhookUrl(request));
        if (request.has("alert_webhook_secret")) tenant.setAlertWebhookSecret(request.optionalString("alert_webhook_secret", 200));
        if (request.has("allowed_models")) tenant.setAllowedModels(request.optionalStringList("allowed_models", 200));
    }

    private static String webhookUrl(JsonRequest request) {
        String url = request.optionalString("alert_webhook_url", 1000);
        if (url == null) return null;
        try {
            java.net.URI uri = java.net.URI.create(url);
            if (("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null) return url;
        } catch (IllegalArgumentException e) {
            // answered below
        }
        throw ApiException.invalid("alert_webhook_url", "'alert_webhook_url' must be an http(s) URL.");
    }

    private static TenantStatus status(JsonRequest request) {
        String status = request.requiredString("status", 20);
        return switch (status) {
            case "active" -> TenantStatus.ACTIVE;
            case "disabled" -> TenantStatus.DISABLED;
            default -> throw ApiException.invalid("status", "'status' must be 'active' or 'disabled'.");
        };
    }
}
