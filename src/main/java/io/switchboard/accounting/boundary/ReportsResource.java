package io.switchboard.accounting.boundary;

import io.switchboard.accounting.control.FocusExport;
import io.switchboard.accounting.control.Invoices;
import io.switchboard.accounting.control.UsageReports;
import io.switchboard.accounting.entity.Invoice;
import io.switchboard.gateway.control.Jsonp;
import io.switchboard.gateway.entity.ApiException;
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
import java.time.YearMonth;
import java.util.List;

/**
 * Finance's reports under {@code /admin/reports}, from the daily rollups (dates are UTC days):
 * {@code billing?from&to&tenant&model&group_by=day|month|model|key|user&format=json|csv} (both ends included,
 * default this month so far; {@code model} keeps one model's lines), {@code invoice?tenant&month&format=json|csv|pdf}, {@code focus?month} (FinOps FOCUS CSV).
 */
@ApplicationScoped
@Path("admin/reports")
public class ReportsResource {

    @Inject UsageReports reports;
    @Inject Invoices invoices;
    @Inject FocusExport focus;
    @Inject Prices prices;

    @GET
    @Path("invoice")
    public Response invoice(@QueryParam("tenant") String tenant, @QueryParam("month") String month,
                            @QueryParam("format") String format) {
        Long tenantId = tenantId(tenant);
        if (tenantId == null) throw ApiException.invalid("tenant", "Missing required parameter: 'tenant' (a tenant's id).");
        YearMonth period = month(month);
        String kind = format == null || format.isBlank() ? "json" : format.strip().toLowerCase(java.util.Locale.ROOT);
        if (!List.of("json", "csv", "pdf").contains(kind)) {
            throw ApiException.invalid("format", "'format' must be 'json', 'csv' or 'pdf'.");
        }
        Invoice invoice = invoices.of(tenantId, period, prices.currency())
                .orElseThrow(() -> ApiException.notFound("tenant_not_found", "No tenant with id " + tenantId + "."));
        String file = "invoice-" + tenantId + "-" + period;
        return switch (kind) {
            case "pdf" -> Response.ok(InvoicePdf.of(invoice), "application/pdf")
                    .header("Content-Disposition", "attachment; filename=\"" + file + ".pdf\"").build();
            case "csv" -> Response.ok(InvoiceFormat.csv(invoice), ReportFormat.CSV)
                    .header("Content-Disposition", "attachment; filename=\"" + file + ".csv\"").build();
            default -> Response.ok(InvoiceFormat.json(invoice), MediaType.APPLICATION_JSON).build();
        };
    }

    @GET
    @Path("focus")
    public Response focus(@QueryParam("month") String month) {
        YearMonth period = month(month);
        StringBuilder csv = new StringBuilder(String.join(",", FocusExport.COLUMNS)).append("\r\n");
        focus.export(period, prices.currency(), fields -> {
            for (int i = 0; i < fields.size(); i++) {
                if (i > 0) csv.append(',');
                csv.append(ReportFormat.field(fields.get(i)));
            }
            csv.append("\r\n");
        });
        return Response.ok(csv.toString(), ReportFormat.CSV)
                .header("Content-Disposition", "attachment; filename=\"focus-" + period + ".csv\"").build();
    }

    private static YearMonth month(String month) {
        if (month == null || month.isBlank()) return YearMonth.now(java.time.ZoneOffset.UTC);
        try {
            return YearMonth.parse(month.strip());
        } catch (java.time.format.DateTimeParseException e) {
            throw ApiException.invalid("month", "Invalid value for 'month': expected a month such as 2026-12.");
        }
    }

    @GET
    @Path("billing")
    public Response billing(@QueryParam("from") String from, @QueryParam("to") String to,
                            @QueryParam("tenant") String tenant, @QueryParam("model") String model,
                            @QueryParam("group_by") String groupBy, @QueryParam("format") String format) {
        LocalDate start = ReportFormat.date(from, "from", ReportFormat.monthStart());
        LocalDate end = ReportFormat.date(to, "to", ReportFormat.today());
        ReportFormat.requireOrder(start, end);
        UsageReports.GroupBy by = ReportFormat.groupBy(groupBy);
        boolean csv = ReportFormat.csv(format);
        List<UsageTotals> lines = reports.totals(start, end, tenantId(tenant),
                model == null || model.isBlank() ? null : model.strip(), by);
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
            throw ApiException.invalid("tenant", "'tenant' must be a tenant's numeric id.");
        }
    }
}
