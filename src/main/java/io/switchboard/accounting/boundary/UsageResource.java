package io.switchboard.accounting.boundary;

import io.switchboard.accounting.control.UsageReports;
import io.switchboard.pricing.control.Prices;
import io.switchboard.tenancy.boundary.Caller;
import io.switchboard.tenancy.entity.TenantPrincipal;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.time.LocalDate;

/**
 * {@code GET /v1/usage?from&to&group_by&format}: a tenant's own usage, for the key's tenant only (the
 * tenant is the key's, never a parameter), in the billing report's shape.
 */
@ApplicationScoped
@Path("v1/usage")
public class UsageResource {

    @Inject Caller caller;
    @Inject UsageReports reports;
    @Inject Prices prices;

    @GET
    public Response usage(@QueryParam("from") String from, @QueryParam("to") String to,
                          @QueryParam("group_by") String groupBy, @QueryParam("format") String format) {
        TenantPrincipal tenant = caller.principal();
        LocalDate start = ReportFormat.date(from, "from", ReportFormat.monthStart());
        LocalDate end = ReportFormat.date(to, "to", ReportFormat.today());
        ReportFormat.requireOrder(start, end);
        UsageReports.GroupBy by = ReportFormat.groupBy(groupBy);
        var lines = reports.totals(start, end, tenant.tenantId(), by);
        if (ReportFormat.csv(format)) return Response.ok(ReportFormat.csv(by, prices.currency(), lines, false), ReportFormat.CSV).build();
        return Response.ok(ReportFormat.json("usage", start, end, by, prices.currency(), lines, false),
                MediaType.APPLICATION_JSON).build();
    }
}
