package io.switchboard.accounting.boundary;

import io.switchboard.accounting.control.UsageReports;
import io.switchboard.accounting.entity.UsageTotals;
import io.switchboard.pricing.control.Prices;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import java.time.LocalDate;
import java.util.List;

/**
 * Finance's reports under {@code /admin/reports}: {@code billing?from&to&tenant&group_by=day|month|model|key|user&format=json|csv},
 * from the daily rollups (dates in UTC, both ends included; default this month so far).
 */
@ApplicationScoped
@Path("admin/reports")
public class ReportsResource {

    @Inject UsageReports reports;
    @Inject Prices prices;

    @GET
    @Path("billing")
    public Response billing(@QueryParam("from") String from, @QueryParam("to") String to,
                            @QueryParam("tenant") String tenant, @QueryParam("group_by") String groupBy,
                            @QueryParam("format") String format) {
        LocalDate start = ReportFormat.date(from, "from", ReportFormat.monthStart());
        LocalDate end = ReportFormat.date(to, "to", ReportFormat.today());
        ReportFormat.requireOrder(start, end);
        UsageReports.GroupBy by = ReportFormat.groupBy(groupBy);
        boolean csv = ReportFormat.csv(format);
        List<UsageTotals> lines = reports.totals(start, end, tenantId(tenant), by);
        if (csv) {
            return Response.ok(ReportFormat.csv(by, prices.currency(), lines, true), ReportFormat.CSV)
                    .header("Content-Disposition", "attachment; filename=\"billing-" + start + "-" + end + ".csv\"").build();
        }
        return Response.ok(ReportFormat.json("billing_report", start, end, by, prices.currency(), lines, true),
                MediaType.APPLICATION_JSON).build();
    }

    private static Long tenantId(String tenant) {
        if (tenant == null || tenant.isBlank()) return null;
        try {
            return Long.parseLong(tenant.strip());
        } catch (NumberFormatException e) {
            throw io.switchboard.gateway.entity.ApiException.invalid("tenant", "'tenant' must be a tenant's numeric id.");
        }
    }
}
