from __future__ import annotations

from datetime import date
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from lindung.accounts.access import access_region_by_code, regions_visible, user_scope
from lindung.accounts.models import Role
from lindung.core.errors import ApplicationError
from lindung.core.http import AuthedRequest
from lindung.programmes.documents import document_max_bytes
from lindung.programmes.export import board_xlsx
from lindung.programmes.forms import PRIORITY_LABELS, AgreementForm, FrameworkForm, ProgrammeForm, RulesForm
from lindung.programmes.models import Agreement, FrameworkAgreement, Programme
from lindung.programmes.selectors import (
    SORT_KEYS,
    access_agreement_by_id,
    access_programme_by_id,
    agreement_list,
    programme_list,
    rollout_board,
    rules_history,
)
from lindung.programmes.services import (
    AGREEMENT_FIELDS,
    RulesInput,
    agreement_create,
    agreement_transition,
    agreement_update,
    allowed_targets,
    can_manage_region,
    framework_create,
    is_admin,
    programme_create,
    programme_rules_set,
)
from lindung.regions.models import Region


def _transition_label(status: str) -> str:
    labels: dict[str, str] = {
        Agreement.Status.IN_DISCUSSION: _("Start discussion"),
        Agreement.Status.SIGNED: _("Mark as signed"),
        Agreement.Status.ACTIVE: _("Activate"),
        Agreement.Status.EXPIRED: _("Mark as expired"),
        Agreement.Status.TERMINATED: _("Terminate"),
    }
    return str(labels.get(status, status))


def _frameworks_over(programme: Programme):
    """Framework agreements and circulars of the programme's region and the regions above it."""
    codes = [*programme.region.ancestor_codes(), programme.region_id]
    return FrameworkAgreement.objects.filter(region_id__in=codes)


def _safe_next(request: AuthedRequest, fallback: str) -> str:
    target = request.POST.get("kembali") or request.GET.get("kembali") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


def _can_create_programmes(request: AuthedRequest) -> bool:
    return user_scope(request.user).has_role(Role.ADMIN, Role.CITY_OFFICER)


# --- programmes -----------------------------------------------------------------------------------


@login_required
def programmes(request: AuthedRequest) -> HttpResponse:
    return render(request, "programmes/programme_list.html", {
        "programmes": programme_list(viewer=request.user), "can_create": _can_create_programmes(request),
    })  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def programme_new(request: AuthedRequest) -> HttpResponse:
    if not _can_create_programmes(request):
        raise PermissionDenied
    regions = regions_visible(request.user).filter(level__lt=Region.Level.VILLAGE)
    form = ProgrammeForm(request.POST or None, regions=regions)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            programme = programme_create(
                acting_user=request.user,
                name=data["name"],
                region=data["region"],
                starts_on=data["starts_on"],
                quota_per_village=data["quota_per_village"],
                package=data["package"],
                declared_income=data["declared_income"],
                kelurahan_funder=data["kelurahan_funder"],
                ends_on=data["ends_on"],
                legal_basis=data["legal_basis"],
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Programme created with the default rules."))
            return redirect("programmes:programme_detail", programme_id=programme.pk)
    return render(request, "programmes/programme_form.html", {"form": form})


@login_required
def programme_detail(request: AuthedRequest, programme_id: int) -> HttpResponse:
    programme = access_programme_by_id(request.user, programme_id)
    return _programme_page(request, programme, RulesForm(initial={"effective_from": timezone.localdate()}))


def _programme_page(request: AuthedRequest, programme: Programme, rules_form: RulesForm) -> HttpResponse:
    history = list(rules_history(programme))
    today = timezone.localdate()
    in_force = next((r for r in history if r.effective_from <= today), None)
    rows = [(r, [PRIORITY_LABELS.get(p, p) for p in r.priority_order]) for r in history]
    frameworks = FrameworkAgreement.objects.filter(
        region_id__in=[*programme.region.ancestor_codes(), programme.region_id]
    )
    counts = dict.fromkeys(Agreement.Status.values, 0)
    for status in programme.agreements.filter(user_scope(request.user).q("village__code")).values_list(
        "status", flat=True
    ):
        counts[status] += 1
    return render(request, "programmes/programme_detail.html", {
        "programme": programme, "rules_rows": rows, "in_force": in_force, "rules_form": rules_form,
        "is_admin": is_admin(request.user), "can_manage": can_manage_region(request.user, programme.region_id),
        "frameworks": frameworks, "status_counts": [(Agreement.Status(s).label, n) for s, n in counts.items()],
        "board_region": _default_board_region(request, programme),
    })  # fmt: skip


def _default_board_region(request: AuthedRequest, programme: Programme) -> str | None:
    """The programme's region when the viewer may see it, else the viewer's own region inside it (if any)."""
    scope = user_scope(request.user)
    if scope.covers(programme.region_id):
        return programme.region_id
    return next((code for code in scope.codes if code.startswith(f"{programme.region_id}.")), None)


@login_required
@require_POST
def programme_rules_new(request: AuthedRequest, programme_id: int) -> HttpResponse:
    programme = access_programme_by_id(request.user, programme_id)
    if not is_admin(request.user):
        raise PermissionDenied
    form = RulesForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            programme_rules_set(
                acting_user=request.user,
                programme=programme,
                rules=RulesInput(
                    effective_from=data["effective_from"],
                    min_age=data["min_age"],
                    max_age=data["max_age"],
                    income_threshold=data["income_threshold"],
                    priority_order=tuple(data["priority_order"]),
                    apply_discount_for_apbdes=data["apply_discount_for_apbdes"],
                    note=data["note"],
                ),
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("New rules saved; earlier rules stay in the history."))
            return redirect("programmes:programme_detail", programme_id=programme.pk)
    return _programme_page(request, programme, form)


@login_required
@require_http_methods(["GET", "POST"])
def framework_new(request: AuthedRequest, programme_id: int) -> HttpResponse:
    programme = access_programme_by_id(request.user, programme_id)
    codes = [*programme.region.ancestor_codes(), programme.region_id]
    regions = Region.objects.filter(code__in=[c for c in codes if can_manage_region(request.user, c)])
    if not regions.exists():
        raise PermissionDenied
    form = FrameworkForm(request.POST or None, request.FILES or None, regions=regions)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            framework_create(
                acting_user=request.user,
                region=data["region"],
                kind=data["kind"],
                number=data["number"],
                title=data["title"],
                signed_on=data["signed_on"],
                document=form.cleaned_data.get("document_file"),
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Saved."))
            return redirect("programmes:programme_detail", programme_id=programme.pk)
    return render(request, "programmes/framework_form.html", {"form": form, "programme": programme})


# --- the roll-out board ---------------------------------------------------------------------------


def _board(request: AuthedRequest, programme_id: int):
    programme = access_programme_by_id(request.user, programme_id)
    code = request.GET.get("wilayah") or _default_board_region(request, programme) or programme.region_id
    region = access_region_by_code(request.user, code)
    kind = "desa" if request.GET.get("jenis") == "desa" else "semua"
    sort = request.GET.get("urut", "kode")
    sort = sort if sort in SORT_KEYS else "kode"
    descending = request.GET.get("arah") == "turun"
    board = rollout_board(programme, region, include_kelurahan=kind == "semua", sort=sort, descending=descending)
    return programme, region, board, kind, sort, descending


@login_required
def board(request: AuthedRequest, programme_id: int) -> HttpResponse:
    programme, region, board, kind, sort, descending = _board(request, programme_id)
    base = {"wilayah": region.code, "jenis": kind}
    columns = [
        ("kode", _("Code")), ("nama", _("Village")), ("kecamatan", _("District")), ("jenis", _("Kind")),
        ("status", _("Agreement status")), ("tanggal", _("Signed on")), ("peserta", _("Members enrolled / quota")),
    ]  # fmt: skip
    headers = []
    for key, label in columns:
        flip = "naik" if key == sort and descending else ("turun" if key == sort else "naik")
        arrow = ("▼" if descending else "▲") if key == sort else ""
        headers.append({"key": key, "label": label, "arrow": arrow,
                        "query": urlencode({**base, "urut": key, "arah": flip})})  # fmt: skip
    here = request.get_full_path()
    rows = []
    for row in board.rows:
        manage = row.agreement is not None and can_manage_region(request.user, row.village.code)
        targets = allowed_targets(row.status) if manage else []
        rows.append({"row": row, "actions": [(t, _transition_label(t)) for t in targets]})
    return render(request, "programmes/board.html", {
        "programme": programme, "region": region, "board": board, "rows": rows, "kind": kind, "headers": headers,
        "export_query": urlencode({**base, "urut": sort, "arah": "turun" if descending else "naik"}),
        "filter_query": urlencode({"wilayah": region.code, "urut": sort, "arah": "turun" if descending else "naik"}),
        "can_manage": can_manage_region(request.user, region.code), "here": here,
        "today": timezone.localdate(),
    })  # fmt: skip


@login_required
def board_export(request: AuthedRequest, programme_id: int) -> HttpResponse:
    _programme, region, board, _kind, _sort, _descending = _board(request, programme_id)
    content = board_xlsx(board)
    filename = f"papan-pks-{region.code}-{timezone.localdate().isoformat()}.xlsx"
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- agreements -----------------------------------------------------------------------------------


@login_required
def agreements(request: AuthedRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in Agreement.Status.values else ""
    search = request.GET.get("q", "").strip()
    visible = programme_list(viewer=request.user)
    programme = None
    if request.GET.get("program", "").isdigit():
        programme = visible.filter(pk=int(request.GET["program"])).first()
    queryset = agreement_list(viewer=request.user, programme=programme, status=status, search=search)
    return render(request, "programmes/agreement_list.html", {
        "agreements": queryset[:500], "total": queryset.count(), "status": status, "search": search,
        "programme": programme, "programmes": visible, "statuses": Agreement.Status.choices,
    })  # fmt: skip


@login_required
def agreement_detail(request: AuthedRequest, agreement_id: int) -> HttpResponse:
    agreement = access_agreement_by_id(request.user, agreement_id)
    can_manage = can_manage_region(request.user, agreement.village_id)
    targets = allowed_targets(agreement.status) if can_manage else []
    return render(request, "programmes/agreement_detail.html", {
        "agreement": agreement, "can_manage": can_manage,
        "actions": [(t, _transition_label(t)) for t in targets],
        "transitions": agreement.transitions.select_related("by").order_by("on", "pk"),
        "in_force_today": agreement.is_in_force(timezone.localdate()),
    })  # fmt: skip


def _agreement_fields(data: dict) -> dict:
    fields = {k: data.get(k) for k in AGREEMENT_FIELDS if k in data}
    for text in ("village_number", "partner_number", "village_signatory", "partner_signatory", "funder_name"):
        if text in fields:
            fields[text] = (fields[text] or "").strip()
    return fields


@login_required
@require_http_methods(["GET", "POST"])
def agreement_new(request: AuthedRequest, programme_id: int) -> HttpResponse:
    programme = access_programme_by_id(request.user, programme_id)
    scope = user_scope(request.user)
    if not scope.has_role(Role.ADMIN, Role.CITY_OFFICER):
        raise PermissionDenied
    villages = (
        Region.objects.filter(level=Region.Level.VILLAGE, code__startswith=f"{programme.region_id}.")
        .filter(scope.q("code"))
        .exclude(agreements__programme=programme)
    )
    frameworks = FrameworkAgreement.objects.filter(
        region_id__in=[*programme.region.ancestor_codes(), programme.region_id]
    )
    initial = {"village": request.GET.get("desa")} if request.GET.get("desa") else None
    form = AgreementForm(
        request.POST or None,
        request.FILES or None,
        villages=villages,
        frameworks=frameworks,
        max_mb=document_max_bytes() // (1024 * 1024),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            agreement = agreement_create(
                acting_user=request.user,
                programme=programme,
                village=data["village"],
                document=data.get("document_file"),
                **_agreement_fields(data),
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Agreement recorded with status Prospect."))
            return redirect("programmes:agreement_detail", agreement_id=agreement.pk)
    return render(request, "programmes/agreement_form.html", {"form": form, "programme": programme})


@login_required
@require_http_methods(["GET", "POST"])
def agreement_edit(request: AuthedRequest, agreement_id: int) -> HttpResponse:
    agreement = access_agreement_by_id(request.user, agreement_id)
    if not can_manage_region(request.user, agreement.village_id):
        raise PermissionDenied
    frameworks = FrameworkAgreement.objects.filter(region_id__in=agreement.village.ancestor_codes())
    original = Agreement.objects.get(pk=agreement.pk)
    form = AgreementForm(
        request.POST or None,
        request.FILES or None,
        instance=agreement,
        frameworks=frameworks,
        max_mb=document_max_bytes() // (1024 * 1024),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if not data.get("funder"):
            data["funder"] = agreement.programme.default_funder_for(agreement.village)
        try:
            agreement_update(
                acting_user=request.user,
                agreement=original,
                document=data.get("document_file"),
                **_agreement_fields(data),
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Agreement saved."))
            return redirect("programmes:agreement_detail", agreement_id=agreement.pk)
    return render(request, "programmes/agreement_form.html", {
        "form": form, "programme": agreement.programme, "agreement": original,
    })  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def agreement_transition_view(request: AuthedRequest, agreement_id: int, to_status: str) -> HttpResponse:
    """A confirmation page for one move; the move happens only on POST with the confirmation button."""
    agreement = access_agreement_by_id(request.user, agreement_id)
    if not can_manage_region(request.user, agreement.village_id):
        raise PermissionDenied
    if to_status not in Agreement.Status.values:
        raise Http404
    back = _safe_next(request, reverse("programmes:agreement_detail", args=[agreement.pk]))
    error = ""
    if to_status not in allowed_targets(agreement.status):
        error = _("This agreement cannot move from %(from)s to %(to)s.") % {
            "from": agreement.get_status_display(),
            "to": Agreement.Status(to_status).label,
        }
    on_text = request.POST.get("on") or timezone.localdate().isoformat()
    note = request.POST.get("note", "")
    if request.method == "POST" and not error:
        try:
            on = date.fromisoformat(on_text)
        except ValueError:
            error = _("Enter a valid date.")
        else:
            try:
                agreement_transition(agreement, to_status, on, request.user, note)
            except ApplicationError as exc:
                error = exc.message
            else:
                messages.success(
                    request,
                    _("%(village)s: agreement status is now %(status)s.")
                    % {"village": agreement.village, "status": agreement.get_status_display()},
                )
                return redirect(back)
    return render(request, "programmes/agreement_transition.html", {
        "agreement": agreement, "to_status": to_status, "to_label": Agreement.Status(to_status).label,
        "action_label": _transition_label(to_status), "error": error, "on": on_text, "note": note, "back": back,
        "is_terminate": to_status == Agreement.Status.TERMINATED, "today": timezone.localdate().isoformat(),
    })  # fmt: skip


@login_required
def agreement_document(request: AuthedRequest, agreement_id: int) -> FileResponse:
    agreement = access_agreement_by_id(request.user, agreement_id)
    if not agreement.document:
        raise Http404
    path = Path(settings.MEDIA_ROOT) / agreement.document.name
    if not path.is_file():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)
