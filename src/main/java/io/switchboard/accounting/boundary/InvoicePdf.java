package io.switchboard.accounting.boundary;

import com.lowagie.text.Document;
import com.lowagie.text.Element;
import com.lowagie.text.Font;
import com.lowagie.text.FontFactory;
import com.lowagie.text.PageSize;
import com.lowagie.text.Paragraph;
import com.lowagie.text.Phrase;
import com.lowagie.text.pdf.PdfPCell;
import com.lowagie.text.pdf.PdfPTable;
import com.lowagie.text.pdf.PdfWriter;
import io.switchboard.accounting.entity.Invoice;
import io.switchboard.pricing.entity.Money;

import java.io.ByteArrayOutputStream;
import java.time.format.DateTimeFormatter;

/** A printable invoice (OpenPDF): the tenant and month, a line per model and price period, subtotals, the total. */
final class InvoicePdf {

    private static final Font TITLE = FontFactory.getFont(FontFactory.HELVETICA_BOLD, 16);
    private static final Font HEAD = FontFactory.getFont(FontFactory.HELVETICA_BOLD, 8);
    private static final Font BODY = FontFactory.getFont(FontFactory.HELVETICA, 8);
    private static final String[] COLUMNS = {"Model", "Price from", "Requests", "Input tokens", "Cached tokens",
            "Output tokens", "Input / 1M", "Cached / 1M", "Output / 1M", "Amount"};

    private InvoicePdf() {
    }

    static byte[] of(Invoice invoice) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Document document = new Document(PageSize.A4.rotate(), 36, 36, 36, 36);
        PdfWriter.getInstance(document, bytes);
        document.open();
        document.add(new Paragraph("Invoice: " + invoice.tenant() + ", " + invoice.month(), TITLE));
        document.add(new Paragraph("Tenant id " + invoice.tenantId() + ". Amounts in " + invoice.currency()
                + "; each is its tokens times its unit price per million tokens, rounded once to 0.000001.", BODY));
        document.add(new Paragraph(" ", BODY));

        PdfPTable table = new PdfPTable(COLUMNS.length);
        table.setWidthPercentage(100);
        for (String column : COLUMNS) table.addCell(cell(column, HEAD, Element.ALIGN_LEFT));
        for (Invoice.Line line : invoice.lines()) {
            table.addCell(cell(line.model(), BODY, Element.ALIGN_LEFT));
            table.addCell(cell(line.priceValidFrom() == null ? "unpriced"
                    : DateTimeFormatter.ISO_INSTANT.format(line.priceValidFrom()), BODY, Element.ALIGN_LEFT));
            number(table, line.requests());
            number(table, line.inputTokens());
            number(table, line.cachedTokens());
            number(table, line.outputTokens());
            money(table, line.inputMicrosPerMtok());
            money(table, line.cachedMicrosPerMtok());
            money(table, line.outputMicrosPerMtok());
            table.addCell(cell(line.priced() ? Money.decimal(line.amountMicros()) : "unpriced", BODY, Element.ALIGN_RIGHT));
        }
        document.add(table);
        document.add(new Paragraph(" ", BODY));
        for (Invoice.Subtotal subtotal : invoice.subtotals()) {
            document.add(new Paragraph("Subtotal " + subtotal.model() + ": " + Money.decimal(subtotal.amountMicros())
                    + " " + invoice.currency() + (subtotal.unpriced() ? " (has unpriced requests)" : ""), BODY));
        }
        document.add(new Paragraph("Total: " + Money.decimal(invoice.totalMicros()) + " " + invoice.currency(), TITLE));
        if (invoice.unpricedRequests() > 0) {
            document.add(new Paragraph(invoice.unpricedRequests() + " requests were served by unpriced models and "
                    + "are not in the total.", BODY));
        }
        document.close();
        return bytes.toByteArray();
    }

    private static PdfPCell cell(String text, Font font, int align) {
        PdfPCell cell = new PdfPCell(new Phrase(text, font));
        cell.setHorizontalAlignment(align);
        return cell;
    }

    private static void number(PdfPTable table, long value) {
        table.addCell(cell(String.valueOf(value), BODY, Element.ALIGN_RIGHT));
    }

    private static void money(PdfPTable table, Long micros) {
        table.addCell(cell(micros == null ? "-" : Money.decimal(micros), BODY, Element.ALIGN_RIGHT));
    }
}
