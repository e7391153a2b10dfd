from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lindung.accounts.access import can_change_village, user_scope, villages_changeable
from lindung.core.errors import ApplicationError
from lindung.core.http import AuthedRequest
from lindung.programmes.models import Programme
from lindung.registry.identity import mask_nik
from lindung.targeting import decree, ranking, selectors, services
from lindung.targeting.forms import (
    ApproveForm,
    DeliberationForm,
    LeaveForm,
    ListStartForm,
    OverrideForm,
    ReturnForm,
    RevokeForm,
)
from lindung.targeting.models import SelectionList, SelectionVersion, VillageDeliberation

VersionStatus = SelectionVersion.Status
ENTRY_FILTERS = {"terpilih": "selected", "tunggu": "waiting", "dikecualikan": "excluded", "tidak-layak": "ineligible"}


def _programmes_for(village_codes: list[str]) -> QuerySet[Programme]:
    ids = [
        p.pk
        for p in Programme.objects.only("pk", "region_id")
        if any(code.startswith(f"{p.region_id}.") for code in village_codes)
    ]
    return Programme.objects.filter(pk__in=ids)


@login_required
def index(request: AuthedRequest) -> HttpResponse:
    villages = villages_changeable(request.user)
    if user_scope(request.user).national:  # not 83,000 options: the villages that have an agreement (PKS)
        villages = villages.filter(agreements__isnull=False).distinct()
    codes = list(villages.values_list("code", flat=True))
    form = None
    if codes:
        form = ListStartForm(request.POST or None, villages=villages, programmes=_programmes_for(codes))
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                selection_list = services.selection_list_open(
                    acting_user=request.user,
                    village=form.cleaned_data["village"],
                    programme=form.cleaned_data["programme"],
                    budget_year=form.cleaned_data["budget_year"],
                )
                if not selection_list.versions.exists():
                    services.selection_prepare(acting_user=request.user, selection_list=selection_list)
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                return redirect("targeting:list_detail", list_id=selection_list.pk)
    lists = selectors.selection_list_overview(viewer=request.user)
    return render(request, "targeting/index.html", {"lists": lists, "form": form})


def _entry_choices(version: SelectionVersion, *statuses: str) -> list[tuple[int, str]]:
    rows = version.entries.filter(status__in=statuses, worker__isnull=False).order_by("status", "position", "name")
    return [
        (e.worker_id, f"{e.name} — {e.get_status_display()} {e.position or ''}".strip()) for e in rows if e.worker_id
    ]


@login_required
def list_detail(request: AuthedRequest, list_id: int) -> HttpResponse:
    selection_list = selectors.access_selection_list_by_id(request.user, list_id)
    version = selectors.version_current(selection_list)
    return _render_version(request, selection_list, version, on_list_page=True)


@login_required
def version_detail(request: AuthedRequest, version_id: int) -> HttpResponse:
    version = selectors.access_version_by_id(request.user, version_id)
    return _render_version(request, version.selection_list, version, on_list_page=False)


def _render_version(
    request: AuthedRequest,
    selection_list: SelectionList,
    version: SelectionVersion | None,
    *,
    on_list_page: bool,
) -> HttpResponse:
    can_change = can_change_village(request.user, selection_list.village_id)
    shown = ENTRY_FILTERS.get(request.GET.get("tampil", ""), "")
    context: dict[str, object] = {
        "selection_list": selection_list,
        "version": version,
        "can_change": can_change,
        "on_list_page": on_list_page,
        "filter": request.GET.get("tampil", ""),
        "filters": ENTRY_FILTERS,
        "overrides": selectors.active_overrides(selection_list),
    }
    if version is not None:
        page = Paginator(selectors.version_entries(version, shown), 200).get_page(request.GET.get("page"))
        context.update(
            page=page,
            rows=[(e, mask_nik(e.nik), ranking.FACTOR_LABELS.get(e.decided_by, "")) for e in page],
            priority=[ranking.FACTOR_LABELS.get(f, f) for f in version.rules.get("priority_order", [])],
            deliberations=version.deliberations.select_related("recorded_by"),
            can_approve=services.can_approve(request.user, version),
            is_open=version.status in (VersionStatus.DRAFT, VersionStatus.AWAITING_APPROVAL),
            approved=selectors.version_approved(selection_list),
        )
        if can_change and version.status in (VersionStatus.DRAFT, VersionStatus.APPROVED):
            context["override_form"] = OverrideForm(
                workers=_entry_choices(version, "selected", "waiting", "excluded"), prefix="ov"
            )
        if can_change and version.status == VersionStatus.DRAFT:
            context["deliberation_form"] = DeliberationForm(prefix="mus")
        if context["can_approve"] and version.status == VersionStatus.AWAITING_APPROVAL:
            context["approve_form"] = ApproveForm(prefix="sk")
            context["return_form"] = ReturnForm(prefix="kembali")
        if can_change and version.status == VersionStatus.APPROVED:
            context["leave_form"] = LeaveForm(members=_entry_choices(version, "selected"), prefix="keluar")
    return render(request, "targeting/list_detail.html", context)


def _fail(request: AuthedRequest, exc: ApplicationError) -> None:
    messages.error(request, exc.message)


def _form_errors(request: AuthedRequest, form: object) -> None:
    errors = getattr(form, "errors", {})
    fields = getattr(form, "fields", {})
    text = "; ".join(
        f"{fields[name].label}: {' '.join(map(str, errs))}" if name in fields else " ".join(map(str, errs))
        for name, errs in errors.items()
    )
    messages.error(request, text)


@login_required
@require_POST
def prepare(request: AuthedRequest, list_id: int) -> HttpResponse:
    selection_list = selectors.access_selection_list_by_id(request.user, list_id)
    try:
        version = services.selection_prepare(acting_user=request.user, selection_list=selection_list)
    except ApplicationError as exc:
        _fail(request, exc)
    else:
        messages.success(
            request,
            _("Version %(number)s computed: %(selected)s selected, %(waiting)s on the waiting list.")
            % {"number": version.number, "selected": version.selected_count, "waiting": version.waiting_count},
        )
    return redirect("targeting:list_detail", list_id=list_id)


@login_required
@require_POST
def override_add(request: AuthedRequest, list_id: int) -> HttpResponse:
    selection_list = selectors.access_selection_list_by_id(request.user, list_id)
    version = selectors.version_current(selection_list)
    choices = _entry_choices(version, "selected", "waiting", "excluded") if version else []
    form = OverrideForm(request.POST, workers=choices, prefix="ov")
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("targeting:list_detail", list_id=list_id)
    worker = selection_list.village.workers.filter(pk=form.cleaned_data["worker"]).first()
    if worker is None:
        raise Http404
    try:
        services.override_add(
            acting_user=request.user,
            selection_list=selection_list,
            worker=worker,
            kind=form.cleaned_data["kind"],
            reason=form.cleaned_data["reason"],
        )
    except ApplicationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("Override saved and the list recomputed."))
    return redirect("targeting:list_detail", list_id=list_id)


@login_required
@require_POST
def override_revoke(request: AuthedRequest, override_id: int) -> HttpResponse:
    override = selectors.access_override_by_id(request.user, override_id)
    form = RevokeForm(request.POST)
    if not form.is_valid():
        _form_errors(request, form)
    else:
        try:
            services.override_revoke(acting_user=request.user, override=override, reason=form.cleaned_data["reason"])
        except ApplicationError as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("Override revoked and the list recomputed."))
    return redirect("targeting:list_detail", list_id=override.selection_list_id)


@login_required
@require_POST
def member_leave(request: AuthedRequest, list_id: int) -> HttpResponse:
    selection_list = selectors.access_selection_list_by_id(request.user, list_id)
    approved = selectors.version_approved(selection_list)
    form = LeaveForm(request.POST, members=_entry_choices(approved, "selected") if approved else [], prefix="keluar")
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("targeting:list_detail", list_id=list_id)
    worker = selection_list.village.workers.filter(pk=form.cleaned_data["worker"]).first()
    if worker is None:
        raise Http404
    try:
        proposal = selectors.propose_replacement(
            selection_list=selection_list, leaving_worker_id=worker.pk, reason=form.cleaned_data["reason"]
        )
        version = services.member_leave(
            acting_user=request.user, selection_list=selection_list, worker=worker, reason=form.cleaned_data["reason"]
        )
    except ApplicationError as exc:
        _fail(request, exc)
    else:
        if proposal is not None:
            messages.success(
                request,
                _("%(leaver)s leaves the list. Proposed replacement: %(name)s (waiting list no. %(position)s). "
                  "Draft version %(number)s is ready for the deliberation and approval.")
                % {"leaver": worker.name, "name": proposal.name, "position": proposal.position,
                   "number": version.number},
            )  # fmt: skip
        else:
            text = _("%(leaver)s leaves the list; nobody eligible is waiting.") % {"leaver": worker.name}
            messages.warning(request, text)
    return redirect("targeting:list_detail", list_id=list_id)


@login_required
@require_POST
def deliberation_record(request: AuthedRequest, version_id: int) -> HttpResponse:
    version = selectors.access_version_by_id(request.user, version_id)
    form = DeliberationForm(request.POST, request.FILES, prefix="mus")
    if not form.is_valid():
        _form_errors(request, form)
    else:
        try:
            services.deliberation_record(
                acting_user=request.user,
                version=version,
                held_on=form.cleaned_data["held_on"],
                attendees=form.cleaned_data["attendees"],
                minutes=form.cleaned_data["minutes"],
                note=form.cleaned_data["note"],
            )
        except ApplicationError as exc:
            _fail(request, exc)
        else:
            messages.success(request, _("Village deliberation recorded."))
    return redirect("targeting:list_detail", list_id=version.selection_list_id)


@login_required
def deliberation_minutes(request: AuthedRequest, deliberation_id: int) -> FileResponse:
    deliberation = VillageDeliberation.objects.filter(pk=deliberation_id).select_related("version").first()
    if deliberation is None:
        raise Http404
    selectors.access_version_by_id(request.user, deliberation.version_id)  # 404 outside the viewer's scope
    name = deliberation.minutes.name.rsplit("/", 1)[-1]
    return FileResponse(deliberation.minutes.open("rb"), as_attachment=True, filename=name)


@login_required
@require_POST
def submit(request: AuthedRequest, version_id: int) -> HttpResponse:
    version = selectors.access_version_by_id(request.user, version_id)
    try:
        services.version_submit(acting_user=request.user, version=version)
    except ApplicationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("Submitted to the village head for approval."))
    return redirect("targeting:list_detail", list_id=version.selection_list_id)


@login_required
@require_POST
def approve(request: AuthedRequest, version_id: int) -> HttpResponse:
    version = selectors.access_version_by_id(request.user, version_id)
    form = ApproveForm(request.POST, prefix="sk")
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("targeting:version_detail", version_id=version_id)
    try:
        services.version_approve(
            acting_user=request.user,
            version=version,
            decree_number=form.cleaned_data["decree_number"],
            decree_date=form.cleaned_data["decree_date"],
        )
    except ApplicationError as exc:
        _fail(request, exc)
    else:
        messages.success(
            request, _("Version %(number)s approved. The decree can be downloaded.") % {"number": version.number}
        )
    return redirect("targeting:version_detail", version_id=version_id)


@login_required
@require_POST
def return_to_draft(request: AuthedRequest, version_id: int) -> HttpResponse:
    version = selectors.access_version_by_id(request.user, version_id)
    form = ReturnForm(request.POST, prefix="kembali")
    if not form.is_valid():
        _form_errors(request, form)
        return redirect("targeting:version_detail", version_id=version_id)
    try:
        services.version_return(acting_user=request.user, version=version, note=form.cleaned_data["note"])
    except ApplicationError as exc:
        _fail(request, exc)
    else:
        messages.success(request, _("Returned to the operator as a draft."))
    return redirect("targeting:version_detail", version_id=version_id)


@login_required
def history(request: AuthedRequest, list_id: int) -> HttpResponse:
    selection_list = selectors.access_selection_list_by_id(request.user, list_id)
    return render(
        request,
        "targeting/history.html",
        {
            "selection_list": selection_list,
            "versions": selectors.version_list(selection_list),
            "overrides": selection_list.overrides.select_related("worker", "created_by", "revoked_by"),
        },
    )


@login_required
def decree_download(request: AuthedRequest, version_id: int) -> HttpResponse:
    version = selectors.access_version_by_id(request.user, version_id)
    if not version.is_frozen:
        raise Http404("Surat keputusan hanya untuk versi yang disetujui.")
    pdf = decree.decree_pdf(version)
    selection_list = version.selection_list
    village = selection_list.village.name.replace(" ", "-")
    name = f"SK-penerima-{village}-{selection_list.budget_year}-v{version.number}.pdf"
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
