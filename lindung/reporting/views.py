"""Dashboard pages: thin views over `selectors` (figures), `exports` and `services` (poverty rates)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from lindung.accounts.access import can_change_village, user_scope
from lindung.core.errors import ApplicationError
from lindung.core.http import AuthedRequest
from lindung.regions.models import Region
from lindung.reporting.exports import dashboard_pdf, dashboard_xlsx
from lindung.reporting.forms import PovertyRateForm
from lindung.reporting.selectors import (
    Dashboard,
    access_dashboard_region,
    dashboard_get,
    dashboard_home_code,
    dashboard_json,
    refresh_request_due,
)
from lindung.reporting.services import poverty_rate_record


def _enqueue_refresh_if_stale(dashboard: Dashboard) -> None:
    """A dashboard older than a minute asks for a refresh (at most one request per minute enqueues it)."""
    if refresh_request_due(dashboard):
        from lindung.reporting.tasks import refresh_summaries_task

        transaction.on_commit(lambda: refresh_summaries_task.enqueue())


def _load(request: AuthedRequest, code: str) -> Dashboard:
    dashboard = dashboard_get(viewer=request.user, code=code)
    _enqueue_refresh_if_stale(dashboard)
    return dashboard


@login_required
@require_GET
def home(request: AuthedRequest) -> HttpResponse:
    code = dashboard_home_code(request.user)
    if code is not None:
        return redirect("reporting:dashboard", code=code)
    scope = user_scope(request.user)
    regions = Region.objects.filter(code__in=scope.codes).order_by("code")
    return render(request, "reporting/choose.html", {"regions": regions})


@login_required
@require_GET
def dashboard(request: AuthedRequest, code: str) -> HttpResponse:
    d = _load(request, code)
    can_enter_rates = d.region.level == Region.Level.REGENCY and can_change_village(request.user, code)
    return render(
        request,
        "reporting/dashboard.html",
        {"d": d, "data": dashboard_json(d), "can_enter_rates": can_enter_rates, "this_month": timezone.localdate()},
    )


@login_required
@require_GET
def dashboard_data(request: AuthedRequest, code: str) -> JsonResponse:
    return JsonResponse(dashboard_json(_load(request, code)))


@login_required
@require_GET
def dashboard_export(request: AuthedRequest, code: str) -> HttpResponse:
    d = dashboard_get(viewer=request.user, code=code)
    response = HttpResponse(
        dashboard_xlsx(d), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="dasbor-{code}-{timezone.localdate():%Y%m%d}.xlsx"'
    return response


@login_required
@require_GET
def dashboard_report(request: AuthedRequest, code: str) -> HttpResponse:
    text = request.GET.get("bulan", "")
    try:
        month = dt.datetime.strptime(text, "%Y-%m").date() if text else timezone.localdate().replace(day=1)  # noqa: DTZ007
    except ValueError as error:
        raise Http404("Bulan tidak dikenal.") from error
    d = dashboard_get(viewer=request.user, code=code)
    response = HttpResponse(dashboard_pdf(d, month), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="laporan-{code}-{month:%Y-%m}.pdf"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def poverty_rate(request: AuthedRequest, code: str) -> HttpResponse:
    place = access_dashboard_region(request.user, code)
    if place.level != Region.Level.REGENCY or not can_change_village(request.user, code):
        raise Http404("Wilayah tidak ditemukan.")
    form = PovertyRateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            poverty_rate_record(
                acting_user=request.user,
                city=Region.objects.get(code=code),
                request=request,
                **form.cleaned_data,
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The poverty rate has been recorded."))
            return redirect("reporting:dashboard", code=code)
    return render(request, "reporting/poverty_form.html", {"place": place, "form": form})
