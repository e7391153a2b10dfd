"""Billing pages: a village's invoices and payments, recording a payment (with confirmation), reversals, warnings."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.humanize.templatetags.humanize import intcomma
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import date as date_filter
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from lindung.accounts.access import access_region_by_code, can_change_village
from lindung.billing.forms import PaymentForm, ReversalForm
from lindung.billing.models import Account, Invoice, Payment
from lindung.billing.selectors import arrears_warnings, invoice_list, payment_list
from lindung.billing.services import payment_record, payment_reverse
from lindung.core import html
from lindung.core.errors import ApplicationError
from lindung.core.http import AuthedRequest
from lindung.programmes.models import Programme


def _programmes_of(village_code: str):
    return Programme.objects.filter(agreements__village_id=village_code).distinct().order_by("-starts_on", "pk")


@login_required
def village_billing(request: AuthedRequest, code: str) -> HttpResponse:
    village = access_region_by_code(request.user, code)
    if not village.is_village:
        raise Http404("Wilayah tidak ditemukan.")
    can_change = can_change_village(request.user, code)
    return render(request, "billing/village.html", {
        "village": village,
        "invoice_rows": _invoice_rows_html(invoice_list(viewer=request.user, village_code=code)[:60]),
        "payment_rows": _payment_rows_html(payment_list(viewer=request.user, village_code=code)[:60], can_change),
        "accounts": Account.objects.filter(village=village).select_related("programme"),
        "warnings": arrears_warnings(viewer=request.user, region_code=code),
        "can_change": can_change,
    })  # fmt: skip


# The two tables of the village's page, written in Python (lindung.core.html: the same characters as the template
# loops they replace): up to 60 rows each, ~0.2 ms of CPU per row in the template language on a page every operator
# opens after each payment.
NO_DATE = "\N{EN DASH}"


def _invoice_rows_html(invoices: Iterable[Invoice]) -> SafeString:
    detail_url = html.id_url("billing:invoice_detail")
    discount = f" · {html.text(_('PP 50/2025 discount'))}"
    return mark_safe(  # every value is escaped
        "".join(
            f'\n<tr><td><a href="{html.text(detail_url.format(i.pk))}">{html.text(date_filter(i.period, "m-Y"))}</a>'
            f"</td><td>{html.text(i.programme.name)}</td><td>{html.text(i.get_funder_display())}"
            f'{discount if i.discounted else ""}</td><td class="num">{html.text(intcomma(i.total))}</td>'
            f"<td>{html.text(i.get_status_display())}</td><td>{html.text(date_filter(i.paid_on, 'd-m-Y') or NO_DATE)}"
            "</td></tr>\n"
            for i in invoices
        )
    )


def _payment_rows_html(payments: Iterable[Payment], can_change: bool) -> SafeString:
    detail_url = html.id_url("billing:payment_detail")
    reverse_url = html.id_url("billing:payment_reverse")
    reversal, reversed_, reverse = html.text(_("Reversal")), html.text(_("Reversed")), html.text(_("Reverse"))
    rows = []
    for p in payments:
        if p.reversal_of_id:
            action = reversal
        elif getattr(p, "is_reversed", False):
            action = reversed_
        elif can_change and p.amount > 0:
            action = f'<a href="{html.text(reverse_url.format(p.pk))}">{reverse}</a>'
        else:
            action = ""
        note = f" · {html.text(p.note)}" if p.note else ""
        rows.append(
            f'\n<tr><td><a href="{html.text(detail_url.format(p.pk))}">{html.text(date_filter(p.value_date, "d-m-Y"))}'
            f'</a></td><td class="num">{html.text(intcomma(p.amount))}</td><td>{html.text(p.reference)}{note}</td>'
            f"<td>{html.text(p.get_budget_source_display())}</td><td>{html.text(p.account_code)}</td>"
            f"\n<td>{action}</td></tr>\n"
        )
    return mark_safe("".join(rows))  # every value is escaped


@login_required
@require_http_methods(["GET", "POST"])
def payment_new(request: AuthedRequest, code: str) -> HttpResponse:
    village = access_region_by_code(request.user, code)
    if not village.is_village or not can_change_village(request.user, code):
        raise Http404("Wilayah tidak ditemukan.")
    programmes = _programmes_of(code)
    form = PaymentForm(request.POST or None, programmes=programmes, initial={"value_date": timezone.localdate()})
    confirming = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if request.POST.get("confirm") != "1":
            confirming = True  # show what will be recorded; nothing is written yet
        else:
            try:
                payment_record(
                    actor=request.user,
                    programme=data["programme"],
                    village=village,
                    value_date=data["value_date"],
                    amount=data["amount"],
                    reference=data["reference"],
                    budget_source=data["budget_source"],
                    account_code=data["account_code"],
                    note=data["note"],
                )
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Payment recorded; the members' cover has been recomputed."))
                return redirect("billing:village", code=code)
    return render(request, "billing/payment_form.html", {
        "village": village, "form": form, "confirming": confirming, "today": timezone.localdate(),
    })  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def payment_reverse_view(request: AuthedRequest, payment_id: int) -> HttpResponse:
    payment = payment_list(viewer=request.user).filter(pk=payment_id).first()
    if payment is None or not can_change_village(request.user, payment.village_id):
        raise Http404("Pembayaran tidak ditemukan.")
    form = ReversalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            payment_reverse(actor=request.user, payment=payment, reason=form.cleaned_data["reason"])
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Payment reversed; the members' cover has been recomputed."))
            return redirect("billing:village", code=payment.village_id)
    return render(request, "billing/payment_reverse.html", {"payment": payment, "form": form})


@login_required
def warnings(request: AuthedRequest) -> HttpResponse:
    return render(request, "billing/warnings.html", {"warnings": arrears_warnings(viewer=request.user)})
