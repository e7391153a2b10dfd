"""Invoices and payments of a village: the billing app's scoped selectors, and the payment page's form and services
(`payment_record`, `payment_reverse`). Only roles that may change the village write; read-only roles get 403."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Query, Router
from ninja.errors import AuthorizationError
from ninja.responses import Status

from lindung.accounts.access import access_region_by_code, can_change_village
from lindung.accounts.models import User
from lindung.api.errors import FormInvalid
from lindung.api.routes.common import PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX, paginate, viewer
from lindung.api.schemas import (
    InvoiceDetail,
    InvoicePage,
    InvoiceStatus,
    PaymentIn,
    PaymentOut,
    PaymentPage,
    ReversalIn,
    responses,
)
from lindung.api.selectors import access_invoice_by_id, access_payment_by_id, payment_programmes
from lindung.billing.forms import PaymentForm, ReversalForm
from lindung.billing.models import Invoice, Payment
from lindung.billing.selectors import invoice_list, payment_list
from lindung.billing.services import payment_record, payment_reverse
from lindung.regions.models import Region

router = Router(tags=["Tagihan dan pembayaran"])


def invoice_out(invoice: Invoice) -> dict[str, Any]:
    return {
        "id": invoice.pk,
        "programme": invoice.programme_id,
        "village": invoice.village_id,
        "village_name": invoice.village.name,
        "funder": invoice.funder,
        "funder_name": invoice.funder_name,
        "period": invoice.period,
        "period_month": invoice.period.strftime("%Y-%m"),
        "discounted": invoice.discounted,
        "total": invoice.total,
        "status": invoice.status,
        "status_label": str(invoice.get_status_display()),
        "paid_amount": invoice.paid_amount,
        "paid_on": invoice.paid_on,
        "created_at": invoice.created_at,
    }


def _reversal_id(payment: Payment) -> int | None:
    """The reversal entry of a payment (fetched with `select_related("reversal")` in lists), if any."""
    try:
        return payment.reversal.pk
    except Payment.DoesNotExist:
        return None


def payment_out(payment: Payment) -> dict[str, Any]:
    return {
        "id": payment.pk,
        "programme": payment.programme_id,
        "village": payment.village_id,
        "village_name": payment.village.name,
        "value_date": payment.value_date,
        "amount": payment.amount,
        "reference": payment.reference,
        "budget_source": payment.budget_source,
        "budget_source_label": str(payment.get_budget_source_display()),
        "account_code": payment.account_code,
        "note": payment.note,
        "reversal_of": payment.reversal_of_id,
        "reversed_by": _reversal_id(payment),
        "recorded_at": payment.recorded_at,
    }


def _village(user: User, code: str) -> Region:
    """A village (desa/kelurahan) in the user's scope; 404 for anything else, as on the billing page."""
    village = access_region_by_code(user, code)
    if not village.is_village:
        raise Http404
    return village


def _form_errors(form: PaymentForm | ReversalForm) -> FormInvalid:
    return FormInvalid({field: [str(m) for m in messages] for field, messages in form.errors.items()})


@router.get("/villages/{code}/invoices", response=responses(InvoicePage), summary="Tagihan iuran satu desa")
def invoices_list(
    request: HttpRequest,
    code: str,
    status: InvoiceStatus | None = Query(None),  # noqa: B008 - a Literal is immutable
    programme: int | None = Query(None, ge=1),
    page: int = Query(1, ge=1, le=100_000),
    page_size: int = Query(PAGE_SIZE_DEFAULT, ge=1, le=PAGE_SIZE_MAX),
) -> dict[str, Any]:
    """Newest month first."""
    user = viewer(request)
    village = _village(user, code)
    invoices = invoice_list(viewer=user, village_code=village.code)
    if status:
        invoices = invoices.filter(status=status)
    if programme is not None:
        invoices = invoices.filter(programme_id=programme)
    return paginate(invoices.order_by("-period", "pk"), page, page_size, invoice_out)


@router.get("/invoices/{invoice_id}", response=responses(InvoiceDetail), summary="Satu tagihan dengan rinciannya")
def invoice_detail(request: HttpRequest, invoice_id: int) -> dict[str, Any]:
    invoice = access_invoice_by_id(viewer(request), invoice_id)
    lines = [
        {
            "id": line.pk,
            "membership": line.membership_id,
            "worker": line.membership.worker_id,
            "worker_name": line.membership.worker.name,
            **{name: getattr(line, name) for name in ("jkk", "jkm", "jht", "amount", "rules", "status")},
            "status_label": str(line.get_status_display()),
        }
        for line in invoice.lines.select_related("membership__worker").order_by("pk")
    ]
    return {**invoice_out(invoice), "lines": lines}


@router.get("/villages/{code}/payments", response=responses(PaymentPage), summary="Pembayaran satu desa")
def payments_list(
    request: HttpRequest,
    code: str,
    programme: int | None = Query(None, ge=1),
    page: int = Query(1, ge=1, le=100_000),
    page_size: int = Query(PAGE_SIZE_DEFAULT, ge=1, le=PAGE_SIZE_MAX),
) -> dict[str, Any]:
    """Newest value date first; reversals are entries of their own with a negative amount."""
    user = viewer(request)
    village = _village(user, code)
    payments = payment_list(viewer=user, village_code=village.code).select_related("reversal")
    if programme is not None:
        payments = payments.filter(programme_id=programme)
    return paginate(payments.order_by("-value_date", "-pk"), page, page_size, payment_out)


@router.get("/payments/{payment_id}", response=responses(PaymentOut), summary="Satu pembayaran")
def payment_detail(request: HttpRequest, payment_id: int) -> dict[str, Any]:
    return payment_out(access_payment_by_id(viewer(request), payment_id))


@router.post("/villages/{code}/payments", response=responses(PaymentOut, 201), summary="Catat pembayaran desa")
def payment_create(request: HttpRequest, code: str, payload: PaymentIn) -> Status[dict[str, Any]]:
    """The same checks as the payment page; the village's invoices, credit and its members' cover are recomputed
    at once. A payment is never edited: correct it with `POST /payments/{id}/reverse`."""
    user = viewer(request)
    village = _village(user, code)
    if not can_change_village(user, village.code):
        raise AuthorizationError()
    data = payload.model_dump()
    data["value_date"] = data["value_date"].isoformat()
    form = PaymentForm(data, programmes=payment_programmes(village.code))
    if not form.is_valid():
        raise _form_errors(form)
    cleaned = form.cleaned_data
    payment = payment_record(
        actor=user,
        programme=cleaned["programme"],
        village=village,
        value_date=cleaned["value_date"],
        amount=cleaned["amount"],
        reference=cleaned["reference"],
        budget_source=cleaned["budget_source"],
        account_code=cleaned["account_code"],
        note=cleaned["note"],
    )
    return Status(201, payment_out(payment))


@router.post("/payments/{payment_id}/reverse", response=responses(PaymentOut, 201), summary="Batalkan pembayaran")
def payment_reverse_create(request: HttpRequest, payment_id: int, payload: ReversalIn) -> Status[dict[str, Any]]:
    """Records a reversal entry (the negative of the payment, dated today) and recomputes the cover; answers the
    reversal entry. A payment is reversed once; a reversal cannot be reversed (409)."""
    user = viewer(request)
    payment = access_payment_by_id(user, payment_id)
    if not can_change_village(user, payment.village_id):
        raise AuthorizationError()
    form = ReversalForm(payload.model_dump())
    if not form.is_valid():
        raise _form_errors(form)
    reversal = payment_reverse(actor=user, payment=payment, reason=form.cleaned_data["reason"])
    return Status(201, payment_out(reversal))
