package io.switchboard.admin.boundary;

import io.switchboard.gateway.entity.ApiException;
import io.switchboard.quotas.control.AlertStore;
import io.switchboard.quotas.entity.BudgetAlert;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;

/** {@code GET /admin/alerts?tenant&limit}: budget thresholds crossed (80, 95, 100 %), newest first, with their webhook's delivery. */
@ApplicationScoped
@Path("admin/alerts")
@Produces(MediaType.APPLICATION_JSON)
public class AlertsResource {

    @Inject
    AlertStore alerts;

    @GET
    public DataList<BudgetAlert> list(@QueryParam("tenant") String tenant, @QueryParam("limit") String limit) {
        Long tenantId = null;
        try {
            if (tenant != null && !tenant.isBlank()) tenantId = Long.parseLong(tenant.strip());
        } catch (NumberFormatException e) {
            throw ApiException.invalid("tenant", "'tenant' must be a tenant's numeric id.");
        }
        int max = QueryParams.intInRange(limit, "limit", 100, 1, 1000);
        return new DataList<>(alerts.recent(tenantId, max));
    }
}
