"""Billing pages added for issue 5: invoice and payment pages with their PDFs, the invoice list with its XLSX, the
BPJS statement import and reconciliation, and the village budget plan. Scoped like the other billing pages: an
object outside the user's area answers 404 exactly like a missing one."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from lindung.accounts.access import access_region_by_code, can_change_village, user_scope
from lindung.billing import documents, statements
from lindung.billing.budget import budget_figures, budget_plan_save
from lindung.billing.forms import BudgetForm, InvoiceFilterForm, StatementForm
from lindung.billing.models import BudgetPlan, Invoice, Payment, StatementImport
from lindung.billing.selectors import invoice_list, payment_list
from lindung.billing.services import parse_period
from lindung.core.errors import ApplicationError
from lindung.core.http import AuthedRequest
from lindung.programmes.models import Programme
from lindung.registry.selectors import can_reveal_nik

XLSX = documents.XLSX
MAX_STATEMENT_BYTES = 20 * 1024 * 1024
LIST_ROWS = 200
MAX_EXPORT_ROWS = 100_000  # one XLSX; a national list is exported per province or per month


def _attachment(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _invoice(request: AuthedRequest, invoice_id: int) -> Invoice:
    invoice = invoice_list(viewer=request.user).select_related("village__parent__parent").filter(pk=invoice_id).first()
    if invoice is None:
        raise Http404("Tagihan tidak ditemukan.")
    return invoice


def _payment(request: AuthedRequest, payment_id: int) -> Payment:
    payment = (
        payment_list(viewer=request.user)
        .select_related("village__parent__parent", "programme", "recorded_by")
        .filter(pk=payment_id)
        .first()
    )
    if payment is None:
        raise Http404("Pembayaran tidak ditemukan.")
    return payment


# --- invoices ---------------------------------------------------------------------------------------------------


@login_required
def invoice_detail(request: AuthedRequest, invoice_id: int) -> HttpResponse:
    invoice = _invoice(request, invoice_id)
    return render(request, "billing/invoice_detail.html", {
        "invoice": invoice,
        "number": documents.invoice_number(invoice),
        "lines": documents.invoice_lines(invoice),
        "allocations": invoice.allocations.select_related("payment").order_by("payment__value_date", "pk"),
        "can_reveal": can_reveal_nik(request.user),
    })  # fmt: skip


@login_required
def invoice_pdf(request: AuthedRequest, invoice_id: int) -> HttpResponse:
    invoice = _invoice(request, invoice_id)
    full_nik = request.GET.get("nik") == "lengkap"
    if full_nik and not can_reveal_nik(request.user):
        raise PermissionDenied
    pdf = documents.invoice_pdf(invoice, full_nik=full_nik)
    documents.document_download_audit(
        actor=request.user, kind="invoice", target_type="invoice", target_id=invoice.pk,
        region_code=invoice.village_id, changes={"number": documents.invoice_number(invoice), "full_nik": full_nik},
        request=request,
    )  # fmt: skip
    return _attachment(pdf, "application/pdf", f"tagihan-{invoice.village_id}-{invoice.period:%Y-%m}.pdf")


def _filtered_invoices(request: AuthedRequest) -> tuple[InvoiceFilterForm, QuerySet[Invoice]]:
    form = InvoiceFilterForm(request.GET or None)
    invoices = invoice_list(viewer=request.user)
    if form.is_valid():
        data = form.cleaned_data
        if data["periode"]:
            invoices = invoices.filter(period=parse_period(data["periode"]))
        if data["status"]:
            invoices = invoices.filter(status=data["status"])
        if data["wilayah"]:
            code = data["wilayah"].strip()
            invoices = invoices.filter(Q(village__code=code) | Q(village__code__startswith=f"{code}."))
    elif request.GET:
        invoices = invoices.none()
    return form, invoices.order_by("-period", "village_id")


@login_required
def invoices(request: AuthedRequest) -> HttpResponse:
    form, found = _filtered_invoices(request)
    rows = list(found[: LIST_ROWS + 1])
    return render(request, "billing/invoice_list.html", {
        "form": form, "invoices": rows[:LIST_ROWS], "more": len(rows) > LIST_ROWS,
        "query": request.GET.urlencode(),
    })  # fmt: skip


@login_required
def invoices_export(request: AuthedRequest) -> HttpResponse:
    form, found = _filtered_invoices(request)
    if found.count() > MAX_EXPORT_ROWS:
        messages.error(request, _("Too many invoices for one file: filter by period or region first."))
        query = request.GET.urlencode()
        return redirect(f"{reverse('billing:invoices')}{'?' + query if query else ''}")
    filters = ", ".join(f"{k}={v}" for k, v in (form.cleaned_data.items() if form.is_bound and form.is_valid() else ())
                        if v)  # fmt: skip
    title = f"Daftar tagihan iuran{' (' + filters + ')' if filters else ''} — dibuat {timezone.localdate():%d-%m-%Y}"
    content = documents.invoice_workbook(found, title=title)
    return _attachment(content, XLSX, f"tagihan-{timezone.localdate():%Y%m%d}.xlsx")


# --- payments ---------------------------------------------------------------------------------------------------


@login_required
def payment_detail(request: AuthedRequest, payment_id: int) -> HttpResponse:
    payment = _payment(request, payment_id)
    return render(request, "billing/payment_detail.html", {
        "payment": payment,
        "number": documents.receipt_number(payment),
        "allocations": payment.allocations.select_related("invoice").order_by("invoice__period", "pk"),
        "reversed_by": Payment.objects.filter(reversal_of=payment).first(),
    })  # fmt: skip


@login_required
def payment_receipt(request: AuthedRequest, payment_id: int) -> HttpResponse:
    payment = _payment(request, payment_id)
    pdf = documents.receipt_pdf(payment)
    documents.document_download_audit(
        actor=request.user, kind="receipt", target_type="payment", target_id=payment.pk,
        region_code=payment.village_id, changes={"number": documents.receipt_number(payment)}, request=request,
    )  # fmt: skip
    return _attachment(pdf, "application/pdf", f"kuitansi-{payment.village_id}-{payment.pk}.pdf")


# --- BPJS statements --------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def statement_list(request: AuthedRequest) -> HttpResponse:
    can_import = statements.can_import_statement(request.user)
    scope = user_scope(request.user)
    initial = {"period": f"{timezone.localdate():%Y-%m}", "region": scope.codes[0] if len(scope.codes) == 1 else ""}
    form = StatementForm(request.POST or None, request.FILES or None, initial=initial)
    result = None
    if request.method == "POST":
        if not can_import:
            raise PermissionDenied
        if form.is_valid():
            upload = form.cleaned_data["statement"]
            if upload.size > MAX_STATEMENT_BYTES:
                form.add_error("statement", _("The file is too large."))
            else:
                with tempfile.TemporaryDirectory() as folder:
                    path = Path(folder) / "rekening.xlsx"
                    with path.open("wb") as handle:
                        for chunk in upload.chunks():
                            handle.write(chunk)
                    try:
                        result = statements.statement_import(
                            actor=request.user, path=path, period=parse_period(form.cleaned_data["period"]),
                            region_code=form.cleaned_data["region"], original_name=upload.name or "",
                        )  # fmt: skip
                    except ApplicationError as exc:
                        form.add_error(None, exc.message)
                if result is not None and result.ok and result.statement is not None:
                    if result.created:
                        messages.success(request, _("Statement imported and reconciled."))
                    else:
                        messages.info(request, _("This statement was imported before; nothing new was stored."))
                    return redirect("billing:statement_detail", statement_id=result.statement.pk)
    return render(request, "billing/statements.html", {
        "form": form, "result": result, "can_import": can_import,
        "statements": statements.statements_visible(request.user).select_related("created_by")[:100],
    })  # fmt: skip


@login_required
def statement_template(request: AuthedRequest) -> HttpResponse:
    layout = statements.VILLAGE if request.GET.get("bentuk") == "desa" else statements.MEMBER
    name = "templat-rekening-iuran-per-desa.xlsx" if layout == statements.VILLAGE else "templat-rekening-iuran.xlsx"
    return _attachment(statements.statement_template(layout), XLSX, name)


def _statement(request: AuthedRequest, statement_id: int) -> StatementImport:
    statement = statements.statements_visible(request.user).filter(pk=statement_id).first()
    if statement is None:
        raise Http404("Rekening tidak ditemukan.")
    return statement


@login_required
def statement_detail(request: AuthedRequest, statement_id: int) -> HttpResponse:
    statement = _statement(request, statement_id)
    return render(request, "billing/statement_detail.html", {
        "statement": statement, "differences": statement.differences.all()[:2000],
        "difference_text": statements.DIFFERENCE_TEXT,
        "gap": statement.bpjs_total - statement.lindung_total,
    })  # fmt: skip


@login_required
def statement_export(request: AuthedRequest, statement_id: int) -> HttpResponse:
    statement = _statement(request, statement_id)
    content = statements.reconciliation_workbook(statement)
    documents.document_download_audit(
        actor=request.user, kind="statement", target_type="statement_import", target_id=statement.pk,
        region_code=statement.region_code, changes={"period": f"{statement.period:%Y-%m}"}, request=request,
    )  # fmt: skip
    return _attachment(content, XLSX, f"rekonsiliasi-{statement.region_code}-{statement.period:%Y-%m}.xlsx")


# --- budget plan ------------------------------------------------------------------------------------------------


def _int_param(value: str | None, low: int, high: int) -> int | None:
    try:
        number = int(str(value or "").strip())
    except ValueError:
        return None
    return number if low <= number <= high else None


@login_required
@require_http_methods(["GET", "POST"])
def budget(request: AuthedRequest, code: str) -> HttpResponse:
    village = access_region_by_code(request.user, code)
    if not village.is_village:
        raise Http404("Wilayah tidak ditemukan.")
    can_change = can_change_village(request.user, code)
    if request.method == "POST" and not can_change:
        raise PermissionDenied
    programmes = Programme.objects.filter(agreements__village_id=code).distinct().order_by("-starts_on", "pk")
    params = request.POST if request.method == "POST" else request.GET
    year = _int_param(params.get("year") or params.get("tahun"), 2000, 2100) or timezone.localdate().year
    chosen = _int_param(params.get("programme") or params.get("program"), 1, 2**31)
    programme = (programmes.filter(pk=chosen).first() if chosen is not None else None) or programmes.first()
    what_if = _int_param(request.GET.get("kuota"), 0, 100_000)
    plan = BudgetPlan.objects.filter(programme=programme, village=village, year=year).first() if programme else None
    initial: dict[str, object] = {"programme": programme, "year": year}
    if plan is not None:
        initial.update(budget=plan.budget, account_code=plan.account_code, note=plan.note)
    form = BudgetForm(request.POST or None, programmes=programmes, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            budget_plan_save(
                actor=request.user, programme=data["programme"], village=village, year=data["year"],
                budget=data["budget"], account_code=data["account_code"], note=data["note"],
            )  # fmt: skip
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Budget saved."))
            return redirect(f"{request.path}?program={data['programme'].pk}&tahun={data['year']}")
    figures = (
        budget_figures(programme=programme, village=village, year=year, what_if_quota=what_if) if programme else None
    )
    months = [dt.date(year, m, 1) for m in range(1, 13)]
    return render(request, "billing/budget.html", {
        "village": village, "programme": programme, "programmes": programmes, "year": year, "figures": figures,
        "months": list(zip(months, figures.monthly, strict=True)) if figures else [], "form": form,
        "can_change": can_change, "plan": plan, "what_if": what_if,
    })  # fmt: skip
