"""Billing documents: an invoice and a payment receipt as PDF (WeasyPrint), and invoice lists as XLSX.

Rupiah and terbilang come from lokal-id (as the village head's decree does); the PDF pages are rendered from
Django templates in Indonesian whatever the viewer's language. NIKs are masked (`5171********0003`) unless the caller
asks for the full NIK for a role that needs it (`lindung.registry.selectors.can_reveal_nik`); every download is
audited by the view that serves it (`document_download_audit`).
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.db.models import Count, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone, translation
from lokal import format_rupiah, terbilang

from lindung.audit.recording import audit_record
from lindung.billing import cover
from lindung.billing.models import Invoice, InvoiceLine, Payment
from lindung.billing.services import month_last
from lindung.regions.models import Region
from lindung.registry.identity import mask_nik
from lindung.registry.importing.cells import neutralise

MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)
FUNDER_TEXT = {
    "apbdes": "Anggaran Pendapatan dan Belanja Desa (APBDes)",
    "apbd": "Anggaran Pendapatan dan Belanja Daerah (APBD)",
    "other": "Penyandang dana lain",
}
STATUS_TEXT = {"open": "Belum lunas", "paid": "Lunas", "void": "Batal (peserta terputus atau keluar)"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RUPIAH_FORMAT = "#,##0"


def indonesian_date(day: dt.date) -> str:
    """25 November 2026."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def indonesian_month(day: dt.date) -> str:
    """Januari 2026."""
    return f"{MONTHS[day.month - 1]} {day.year}"


def rupiah_in_words(amount: int) -> str:
    """Rp1.680.000 → "satu juta enam ratus delapan puluh ribu rupiah" (a negative amount: "minus …")."""
    words = terbilang(abs(amount), currency=True)
    return f"minus {words}" if amount < 0 else words


def invoice_number(invoice: Invoice) -> str:
    return f"TAG/{invoice.village_id}/{invoice.period:%Y-%m}/{invoice.pk}"


def receipt_number(payment: Payment) -> str:
    return f"KWT/{payment.village_id}/{payment.value_date:%Y%m%d}/{payment.pk}"


def _parents(village: Region) -> tuple[Region | None, Region | None]:
    district = village.parent
    regency = district.parent if district is not None else None
    return district, regency


def invoice_rules(lines: list[dict[str, Any]]) -> list[str]:
    """The parameter rows the lines were computed with, each once, in the order first used."""
    seen: dict[str, None] = {}
    for line in lines:
        for rule in str(line["rules"]).split(";"):
            if rule.strip():
                seen.setdefault(rule.strip(), None)
    return list(seen)


def invoice_lines(invoice: Invoice, *, full_nik: bool = False) -> list[dict[str, Any]]:
    """The invoice's lines with the member's name, NIK (masked unless `full_nik`) and KPJ, in one query."""
    rows = list(
        InvoiceLine.objects.filter(invoice=invoice)
        .order_by("membership__worker__name", "pk")
        .values(
            "pk",
            "jkk",
            "jkm",
            "jht",
            "amount",
            "rules",
            "status",
            "membership__kpj_number",
            "membership__worker__name",
            "membership__worker__nik",
        )
    )
    return [
        {
            "name": row["membership__worker__name"],
            "nik": row["membership__worker__nik"] if full_nik else mask_nik(row["membership__worker__nik"]),
            "kpj": row["membership__kpj_number"],
            "jkk": row["jkk"],
            "jkm": row["jkm"],
            "jht": row["jht"],
            "amount": row["amount"],
            "rules": row["rules"],
            "status": row["status"],
        }
        for row in rows
    ]


def invoice_context(invoice: Invoice, *, full_nik: bool = False) -> dict[str, Any]:
    village = invoice.village
    district, regency = _parents(village)
    lines = invoice_lines(invoice, full_nik=full_nik)
    due = month_last(invoice.period)
    # Months before this one paid, this one not: paid_through is the month before; the membership lapses once
    # LAPSE_MONTHS months are unpaid, so the last day to pay is the end of the month before that one.
    last_month = cover.month_date(cover.month_index(invoice.period) - 1 + cover.LAPSE_MONTHS - 1)
    return {
        "invoice": invoice,
        "number": invoice_number(invoice),
        "village": village,
        "village_kind": "Kelurahan" if village.kind == Region.Kind.KELURAHAN else "Desa",
        "district": district,
        "regency": regency,
        "programme": invoice.programme,
        "period_text": indonesian_month(invoice.period),
        "funder_text": invoice.funder_name or FUNDER_TEXT.get(invoice.funder, invoice.funder),
        "status_text": STATUS_TEXT.get(invoice.status, invoice.status),
        "lines": lines,
        "sums": {key: sum(line[key] for line in lines) for key in ("jkk", "jkm", "jht", "amount")},
        "total_rupiah": format_rupiah(invoice.total),
        "total_words": rupiah_in_words(invoice.total),
        "rules": invoice_rules(lines),
        "due_date": indonesian_date(due),
        "lapse_date": indonesian_date(month_last(last_month)),
        "issued": indonesian_date(timezone.localtime(invoice.created_at).date()),
        "full_nik": full_nik,
    }


def _pdf(template: str, context: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # heavy import, only when a document is actually rendered

    with translation.override("id"):
        html = render_to_string(template, context)
    return bytes(HTML(string=html).write_pdf())


def invoice_pdf(invoice: Invoice, *, full_nik: bool = False) -> bytes:
    return _pdf("billing/pdf/invoice.html", invoice_context(invoice, full_nik=full_nik))


def receipt_context(payment: Payment) -> dict[str, Any]:
    village = payment.village
    district, regency = _parents(village)
    allocations = [
        {
            "number": invoice_number(a.invoice),
            "period_text": indonesian_month(a.invoice.period),
            "total": a.invoice.total,
            "amount": a.amount,
            "status_text": STATUS_TEXT.get(a.invoice.status, a.invoice.status),
        }
        for a in payment.allocations.select_related("invoice").order_by("invoice__period", "pk")
    ]
    allocated = sum(int(str(a["amount"])) for a in allocations)
    return {
        "payment": payment,
        "number": receipt_number(payment),
        "village": village,
        "village_kind": "Kelurahan" if village.kind == Region.Kind.KELURAHAN else "Desa",
        "district": district,
        "regency": regency,
        "programme": payment.programme,
        "value_date": indonesian_date(payment.value_date),
        "amount_rupiah": format_rupiah(payment.amount),
        "amount_words": rupiah_in_words(payment.amount),
        "budget_source": payment.get_budget_source_display(),
        "allocations": allocations,
        "allocated": allocated,
        "to_credit": payment.amount - allocated if payment.amount > 0 else 0,
        "recorded_by": (payment.recorded_by.full_name or payment.recorded_by.username) if payment.recorded_by else "",
        "reversal": payment.reversal_of,
        "reversed_by": Payment.objects.filter(reversal_of=payment).first(),
    }


def receipt_pdf(payment: Payment) -> bytes:
    with translation.override("id"):
        context = receipt_context(payment)
    return _pdf("billing/pdf/receipt.html", context)


def document_download_audit(*, actor: Any, kind: str, target_type: str, target_id: int, region_code: str,
                            changes: dict[str, Any], request: Any = None) -> None:  # fmt: skip
    """Every download of a billing document leaves a trace (who, which document, whether full NIKs were shown)."""
    audit_record(
        actor=actor,
        action=f"billing.{kind}.download",
        target_type=target_type,
        target_id=target_id,
        region_code=region_code,
        changes=changes,
        request=request,
    )


# --- invoice lists as XLSX -------------------------------------------------------------------------------------

INVOICE_HEADERS = (
    "Nomor Tagihan",
    "Periode",
    "Kode Desa",
    "Desa/Kelurahan",
    "Program",
    "Penyandang Dana",
    "Diskon PP 50/2025",
    "Jumlah Peserta",
    "Jumlah Tagihan (Rp)",
    "Terbayar (Rp)",
    "Sisa (Rp)",
    "Status",
    "Tanggal Lunas",
)


def invoice_workbook(invoices: QuerySet[Invoice], *, title: str = "") -> bytes:
    """The invoices (already filtered and scoped by the caller) as a formatted XLSX, every text cell neutralised."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    counts = dict(
        InvoiceLine.objects.filter(invoice__in=invoices.values("pk"))
        .values("invoice")
        .annotate(n=Count("pk"))
        .values_list("invoice", "n")
        .order_by()
    )
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Tagihan"
    start = 1
    if title:
        sheet.append([neutralise(title)])
        sheet["A1"].font = Font(bold=True, size=12)
        sheet.append([])
        start = 3
    sheet.append(INVOICE_HEADERS)
    for cell in sheet[start]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F4E79")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    total = paid = 0
    for invoice in invoices.select_related("village", "programme"):
        remaining = max(invoice.total - invoice.paid_amount, 0) if invoice.status != Invoice.Status.VOID else 0
        total += invoice.total
        paid += invoice.paid_amount
        row = [
            invoice_number(invoice),
            f"{invoice.period:%Y-%m}",
            invoice.village_id,
            invoice.village.name,
            invoice.programme.name,
            invoice.funder_name or invoice.get_funder_display(),
            "Ya" if invoice.discounted else "Tidak",
            counts.get(invoice.pk, 0),
            invoice.total,
            invoice.paid_amount,
            remaining,
            STATUS_TEXT.get(invoice.status, invoice.status),
            invoice.paid_on,
        ]
        sheet.append([neutralise(value) for value in row])
    last = sheet.max_row
    sheet.append(["Jumlah", "", "", "", "", "", "", "", total, paid, ""])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for column in ("I", "J", "K"):
        for cell in sheet[column][start:]:
            cell.number_format = RUPIAH_FORMAT
    for cell in sheet["M"][start:last]:
        cell.number_format = "DD-MM-YYYY"
    for cell in sheet["C"][start:]:
        cell.number_format = "@"
    widths = (30, 10, 16, 26, 30, 30, 12, 10, 16, 16, 14, 26, 14)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = sheet.cell(row=start + 1, column=1)
    sheet.auto_filter.ref = f"A{start}:{get_column_letter(len(INVOICE_HEADERS))}{last}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
