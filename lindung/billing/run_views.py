"""The billing-run page: recent runs in the user's scope, and starting one (with confirmation) as a background task.

Who starts a run follows the rule of every billing write (`can_change_village`): the village roles for their
village, the city officer for the city or any region in it, the admin anywhere (the whole country too). Read-only
roles see the list without the form; a POST from them is refused (403), like the budget page.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from lindung.accounts.access import can_change_village, user_scope
from lindung.accounts.models import User
from lindung.billing.models import BillingRun, RunStatus
from lindung.billing.services import month_first, parse_period
from lindung.billing.tasks import billing_run_task
from lindung.core.errors import ApplicationError
from lindung.core.http import AuthedRequest
from lindung.regions.models import Region

#: At most this many regions offered in the form (a national admin gets provinces and cities).
MAX_CHOICES = 2000
UNFINISHED = (RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.SETTLING)
EVERYWHERE = "-"  # the form's value for "the whole country" (national users only)


def runs_visible(user: User) -> QuerySet[BillingRun]:
    """Billing runs whose region lies in the user's scope (a run over the whole country: national users only)."""
    scope = user_scope(user)
    runs = BillingRun.objects.select_related("by")
    if scope.national:
        return runs
    if not scope.codes:
        return runs.none()
    return runs.filter(scope.q("region_prefix") & ~Q(region_prefix=""))


def region_choices(user: User) -> list[tuple[str, str]]:
    """The regions the user may run billing for: their own regions and the two levels below them (a national admin:
    the whole country, the provinces and the cities). Empty for read-only roles."""
    scope = user_scope(user)
    if not scope.can_change():
        return []
    if scope.national:
        regions = Region.objects.filter(level__lte=Region.Level.REGENCY)
        head = [(EVERYWHERE, _("The whole country"))]
    else:
        roots = {r.code: r.level for r in Region.objects.filter(code__in=scope.codes)}
        deepest = min(Region.Level.VILLAGE, max(roots.values(), default=Region.Level.VILLAGE) + 2)
        regions = Region.objects.filter(scope.q("code"), level__lte=deepest)
        head = []
    rows = regions.order_by("code").values_list("code", "name", "level")[:MAX_CHOICES]
    return head + [(code, f"{code} · {name}") for code, name, _level in rows]


class BillingRunForm(forms.Form):
    period = forms.CharField(
        label=gettext_lazy("Month to bill"), max_length=7, widget=forms.TextInput(attrs={"type": "month"})
    )
    region = forms.ChoiceField(label=gettext_lazy("Region"))

    def __init__(self, *args, user: User, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        field = self.fields["region"]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        field.choices = region_choices(user)

    def clean_period(self) -> dt.date:
        try:
            first = parse_period(self.cleaned_data["period"])
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message) from None
        next_month = month_first(month_first(timezone.localdate()) + dt.timedelta(days=31))
        if first > next_month:
            raise forms.ValidationError(
                _("Billing can be run at most for next month (%(month)s).") % {"month": f"{next_month:%m-%Y}"}
            )
        return first

    def clean_region(self) -> str:
        code = self.cleaned_data["region"]
        if code == EVERYWHERE:
            if not user_scope(self.user).national:
                raise forms.ValidationError(_("Choose a region."))
            return ""
        if not can_change_village(self.user, code):  # the choices already say so; checked again against the scope
            raise forms.ValidationError(_("This region is outside your area."))
        return code


@login_required
@require_http_methods(["GET", "POST"])
def runs(request: AuthedRequest) -> HttpResponse:
    choices = region_choices(request.user)
    can_run = bool(choices)
    visible = runs_visible(request.user)
    shown = request.GET.get("run", "")
    current = visible.filter(pk=int(shown)).first() if shown.isdigit() else None
    recent = list(visible[:30])
    names = dict(Region.objects.filter(code__in={r.region_prefix for r in [*recent, current] if r}).values_list(
        "code", "name"
    ))  # fmt: skip
    for run in [*recent, current]:
        if run is not None:
            run.region_name = names.get(run.region_prefix, "")  # type: ignore[attr-defined]
    polling = any(r.status in UNFINISHED for r in recent) or (current is not None and current.status in UNFINISHED)
    if request.htmx and request.method == "GET":
        return render(request, "billing/runs_table.html", {"runs": recent, "current": current, "polling": polling})
    if request.method == "POST" and not can_run:
        raise PermissionDenied
    asked = request.POST.get("region", "") if request.method == "POST" else ""
    if asked and asked != EVERYWHERE and not can_change_village(request.user, asked):
        raise Http404("Wilayah tidak ditemukan.")  # outside the user's area or missing: the same answer
    initial = {"period": f"{timezone.localdate():%Y-%m}", "region": choices[0][0] if len(choices) == 1 else ""}
    form = BillingRunForm(request.POST or None, user=request.user, initial=initial)
    confirming = False
    if request.method == "POST" and form.is_valid():
        period, region = form.cleaned_data["period"], form.cleaned_data["region"]
        if request.POST.get("confirm") != "1":
            confirming = True  # show what will happen; nothing is queued yet
        else:
            run = BillingRun.objects.create(
                period=period, region_prefix=region, by=request.user, status=RunStatus.QUEUED, finished_at=None
            )
            billing_run_task.enqueue(run.pk)
            messages.success(request, _("The billing run has started; this page shows its progress."))
            return redirect(f"{request.path}?run={run.pk}")
    region_name = dict(choices).get(request.POST.get("region", ""), "") if confirming else ""
    return render(request, "billing/runs.html", {
        "form": form, "can_run": can_run, "confirming": confirming, "region_name": region_name,
        "runs": recent, "current": current, "polling": polling,
    })  # fmt: skip
