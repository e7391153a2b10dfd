from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from lindung.accounts.access import access_region_by_code, user_scope
from lindung.accounts.models import Role
from lindung.core.errors import ApplicationError
from lindung.core.http import AuthedRequest
from lindung.regions.models import Region
from lindung.registry.identity import mask_nik
from lindung.registry.occupations import occupation_by_code
from lindung.training import charts
from lindung.training.export import isco_label, skills_map_xlsx
from lindung.training.forms import CertificateForm, OutcomeForm, ProgrammeForm, SessionForm, StatusForm
from lindung.training.models import Enrolment, TrainingProgramme
from lindung.training.selectors import (
    MANAGER_ROLES,
    OCCUPYING,
    access_enrolment_by_id,
    access_programme_by_id,
    access_session_by_id,
    can_create_programmes,
    can_manage_programme,
    creatable_regions,
    enrolment_list,
    programme_candidates,
    programme_fill,
    programme_list,
    session_list,
    skills_map,
    trainer_choices,
    village_enrolments,
)
from lindung.training.services import (
    attendance_record,
    attendance_sheet,
    certificate_set,
    enrolments_invite,
    enrolments_set_status,
    outcome_record,
    programme_create,
    session_create,
)

Status = Enrolment.Status
#: Most matches shown on one page; the rest are named by count.
CANDIDATES_SHOWN = 500
VILLAGE_ROLES = (Role.VILLAGE_HEAD, Role.VILLAGE_OPERATOR)


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit()]


def _require_manage(request: AuthedRequest, programme: TrainingProgramme) -> None:
    if not can_manage_programme(request.user, programme):
        raise PermissionDenied


def _occupation_label(code: int | None) -> str:
    known = occupation_by_code(code) if code is not None else None
    return f"{known.code} {known.name}" if known else ""


def _status_label(status: str) -> str:
    return str(Status(status).label)


# --- programmes -----------------------------------------------------------------------------------


@login_required
def programmes(request: AuthedRequest) -> HttpResponse:
    scope = user_scope(request.user)
    listed = programme_list(viewer=request.user)
    if not listed.exists() and scope.has_role(*VILLAGE_ROLES) and not can_create_programmes(request.user):
        return redirect("training:village_enrolments")
    rows = listed.annotate(
        taken=Count("enrolments", filter=Q(enrolments__status__in=OCCUPYING)),
        completed=Count("enrolments", filter=Q(enrolments__status=Status.COMPLETED)),
    )
    return render(request, "training/programme_list.html", {
        "programmes": rows, "can_create": can_create_programmes(request.user),
        "village_role": scope.has_role(*VILLAGE_ROLES),
    })  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def programme_new(request: AuthedRequest) -> HttpResponse:
    if not can_create_programmes(request.user):
        raise PermissionDenied
    regions = creatable_regions(request.user)
    trainers = trainer_choices(request.user) if user_scope(request.user).has_role(*MANAGER_ROLES) else None
    first = regions.first()
    initial = {"region": first} if first is not None else None
    form = ProgrammeForm(request.POST or None, regions=regions, trainers=trainers, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            programme = programme_create(
                acting_user=request.user, organiser=data["organiser"], title=data["title"], region=data["region"],
                skill=data["skill"], starts_on=data["starts_on"], ends_on=data["ends_on"], capacity=data["capacity"],
                target_occupations=data["target_occupations"], target_keywords=data["target_keywords"],
                place=data["place"], cost=data["cost"], trainers=data.get("trainers") or (),
            )  # fmt: skip
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Programme created. Below are the matched workers."))
            return redirect("training:candidates", programme_id=programme.pk)
    return render(request, "training/programme_form.html", {"form": form})


@login_required
def programme_detail(request: AuthedRequest, programme_id: int) -> HttpResponse:
    programme = access_programme_by_id(request.user, programme_id)
    enrolments = [(e, mask_nik(e.worker.nik)) for e in enrolment_list(programme, viewer=request.user)]
    return render(request, "training/programme_detail.html", {
        "programme": programme, "fill": programme_fill(programme), "enrolments": enrolments,
        "sessions": session_list(programme), "can_manage": can_manage_programme(request.user, programme),
        "occupations": [_occupation_label(c) for c in programme.target_occupations],
        "trainers": programme.trainers.all(), "session_form": SessionForm(),
    })  # fmt: skip


# --- matching and inviting ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def candidates(request: AuthedRequest, programme_id: int) -> HttpResponse:
    programme = access_programme_by_id(request.user, programme_id)
    can_manage = can_manage_programme(request.user, programme)
    if request.method == "POST":
        _require_manage(request, programme)
        chosen = _ids(request.POST.getlist("worker"))
        if not chosen:
            messages.error(request, _("Choose at least one worker to invite."))
            return redirect("training:candidates", programme_id=programme.pk)
        if request.POST.get("confirmed") == "1":
            try:
                result = enrolments_invite(acting_user=request.user, programme=programme, worker_ids=chosen)
            except ApplicationError as exc:
                messages.error(request, exc.message)
                return redirect("training:candidates", programme_id=programme.pk)
            messages.success(request, _("%(invited)d worker(s) invited; %(already)d already in the programme; "
                                        "%(skipped)d not eligible.") % {
                "invited": result.invited, "already": result.already, "skipped": result.not_eligible})  # fmt: skip
            return redirect("training:programme_detail", programme_id=programme.pk)
        found = programme_candidates(programme, viewer=request.user, worker_ids=chosen)
        selected = [
            (m, mask_nik(m.candidate.nik), found.village_names[m.candidate.worker_id])
            for m in found.ranking.matches
            if m.candidate.worker_id not in found.status_here
        ]
        return render(request, "training/invite_confirm.html", {
            "programme": programme, "selected": selected, "fill": programme_fill(programme),
        })  # fmt: skip
    found = programme_candidates(programme, viewer=request.user)
    fill = programme_fill(programme)
    free = fill["free"]
    rows = []
    for match in found.ranking.matches[:CANDIDATES_SHOWN]:
        c = match.candidate
        status = found.status_here.get(c.worker_id)
        checked = status is None and free > 0
        if checked:
            free -= 1
        rows.append({
            "match": match, "c": c, "nik": mask_nik(c.nik), "village": found.village_names[c.worker_id],
            "occupation": _occupation_label(c.occupation_code), "status": _status_label(status) if status else "",
            "checked": checked,
        })  # fmt: skip
    return render(request, "training/candidates.html", {
        "programme": programme, "rows": rows, "fill": fill, "can_manage": can_manage,
        "total": len(found.ranking.matches), "hidden": max(len(found.ranking.matches) - CANDIDATES_SHOWN, 0),
        "already_trained": len(found.ranking.already_trained),
        "occupations": [_occupation_label(c) for c in programme.target_occupations],
    })  # fmt: skip


# --- sessions and attendance ----------------------------------------------------------------------


@login_required
@require_POST
def session_new(request: AuthedRequest, programme_id: int) -> HttpResponse:
    programme = access_programme_by_id(request.user, programme_id)
    _require_manage(request, programme)
    form = SessionForm(request.POST)
    if form.is_valid():
        try:
            session = session_create(acting_user=request.user, programme=programme, **form.cleaned_data)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Session added. Record the attendance."))
            return redirect("training:session_detail", session_id=session.pk)
    else:
        messages.error(request, _("Fill in the date and the topic of the session."))
    return redirect("training:programme_detail", programme_id=programme.pk)


@login_required
@require_http_methods(["GET", "POST"])
def session_detail(request: AuthedRequest, session_id: int) -> HttpResponse:
    session = access_session_by_id(request.user, session_id)
    programme = session.programme
    can_manage = can_manage_programme(request.user, programme)
    if request.method == "POST":
        _require_manage(request, programme)
        try:
            present = attendance_record(
                acting_user=request.user, session=session, present_ids=_ids(request.POST.getlist("present"))
            )
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Attendance saved: %(n)d present.") % {"n": present})
        return redirect("training:session_detail", session_id=session.pk)
    sheet = [(e, mask_nik(e.worker.nik), present) for e, present in attendance_sheet(session, viewer=request.user)]
    return render(request, "training/session_detail.html", {
        "session": session, "programme": programme, "sheet": sheet, "can_manage": can_manage,
    })  # fmt: skip


# --- status changes -------------------------------------------------------------------------------

_TARGETS = {"enrolled": Status.ENROLLED, "completed": Status.COMPLETED, "dropped": Status.DROPPED}


@login_required
@require_POST
def status_change(request: AuthedRequest, programme_id: int) -> HttpResponse:
    """Step 1 (no ``confirmed``): show the chosen participants, the date and a reason; step 2: apply."""
    programme = access_programme_by_id(request.user, programme_id)
    _require_manage(request, programme)
    to_status = _TARGETS.get(request.POST.get("to", ""))
    if to_status is None:
        raise Http404
    chosen = _ids(request.POST.getlist("enrolment"))
    if not chosen:
        messages.error(request, _("Choose at least one participant."))
        return redirect("training:programme_detail", programme_id=programme.pk)
    form = StatusForm(request.POST if request.POST.get("confirmed") == "1" else None)
    if form.is_bound and form.is_valid():
        try:
            changed = enrolments_set_status(
                acting_user=request.user, programme=programme, enrolment_ids=chosen, to_status=to_status,
                on=form.cleaned_data["on"], reason=form.cleaned_data["reason"],
            )  # fmt: skip
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("%(n)d participant(s) now: %(status)s.") % {
                "n": changed, "status": to_status.label})  # fmt: skip
        return redirect("training:programme_detail", programme_id=programme.pk)
    selected = [
        (e, mask_nik(e.worker.nik)) for e in enrolment_list(programme, viewer=request.user).filter(pk__in=chosen)
    ]
    return render(request, "training/status_confirm.html", {
        "programme": programme, "selected": selected, "to": request.POST.get("to"), "to_label": to_status.label,
        "form": form,
    })  # fmt: skip


# --- one participant: certificate and outcomes ----------------------------------------------------


@login_required
def enrolment_detail(request: AuthedRequest, enrolment_id: int) -> HttpResponse:
    enrolment = access_enrolment_by_id(request.user, enrolment_id)
    worker = enrolment.worker
    initial = {"monthly_income": worker.monthly_income, "decile": worker.decile}
    return render(request, "training/enrolment_detail.html", {
        "enrolment": enrolment, "programme": enrolment.programme, "worker": worker, "nik": mask_nik(worker.nik),
        "occupation": _occupation_label(worker.occupation_code), "outcomes": enrolment.outcomes.all(),
        "can_manage": can_manage_programme(request.user, enrolment.programme),
        "outcome_form": OutcomeForm(initial=initial),
        "certificate_form": CertificateForm(initial={"number": enrolment.certificate_number}),
    })  # fmt: skip


@login_required
@require_POST
def outcome_new(request: AuthedRequest, enrolment_id: int) -> HttpResponse:
    enrolment = access_enrolment_by_id(request.user, enrolment_id)
    _require_manage(request, enrolment.programme)
    form = OutcomeForm(request.POST)
    if form.is_valid():
        try:
            outcome_record(acting_user=request.user, enrolment=enrolment, **form.cleaned_data)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Follow-up saved."))
    else:
        problems = (f"{form.fields[f].label}: {' '.join(map(str, e))}" for f, e in form.errors.items())
        messages.error(request, "; ".join(problems))
    return redirect("training:enrolment_detail", enrolment_id=enrolment.pk)


@login_required
@require_POST
def certificate_edit(request: AuthedRequest, enrolment_id: int) -> HttpResponse:
    enrolment = access_enrolment_by_id(request.user, enrolment_id)
    _require_manage(request, enrolment.programme)
    form = CertificateForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            certificate_set(
                acting_user=request.user, enrolment=enrolment, number=form.cleaned_data["number"],
                upload=upload.file if upload else None, size=upload.size if upload else None,
            )  # fmt: skip
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Certificate saved."))
    return redirect("training:enrolment_detail", enrolment_id=enrolment.pk)


@login_required
def certificate_download(request: AuthedRequest, enrolment_id: int) -> FileResponse:
    enrolment = access_enrolment_by_id(request.user, enrolment_id)
    if not enrolment.certificate:
        raise Http404
    path = Path(settings.MEDIA_ROOT) / enrolment.certificate.name
    if not path.is_file():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)


# --- village view ---------------------------------------------------------------------------------


@login_required
def village_enrolments_view(request: AuthedRequest) -> HttpResponse:
    rows = [(e, mask_nik(e.worker.nik)) for e in village_enrolments(viewer=request.user)[:1000]]
    return render(request, "training/village_enrolments.html", {"rows": rows})


# --- skills map -----------------------------------------------------------------------------------


def _skills_region(request: AuthedRequest) -> Region:
    code = request.GET.get("wilayah", "").strip()
    if not code:
        scope = user_scope(request.user)
        if scope.codes:
            code = scope.codes[0]
        else:
            first = Region.objects.filter(level=Region.Level.PROVINCE).order_by("code").first()
            if first is None:
                raise Http404
            code = first.code
    return access_region_by_code(request.user, code)


@login_required
def skills_map_view(request: AuthedRequest) -> HttpResponse:
    region = _skills_region(request)
    skills = skills_map(region)
    chart = charts.stacked_bars([
        (isco_label(g.isco_major), g.counts.total, g.counts.trained, g.counts.in_training) for g in skills.groups
    ])  # fmt: skip
    groups = [(isco_label(g.isco_major), g) for g in skills.groups]
    sub_regions = region.children.filter(level__lt=Region.Level.VILLAGE).order_by("code") if region.level < 3 else []
    return render(request, "training/skills_map.html", {
        "skills": skills, "region": region, "chart": chart, "groups": groups, "sub_regions": sub_regions,
    })  # fmt: skip


@login_required
def skills_map_export(request: AuthedRequest) -> HttpResponse:
    region = _skills_region(request)
    content = skills_map_xlsx(skills_map(region))
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="peta-keterampilan-{region.code}.xlsx"'
    return response
