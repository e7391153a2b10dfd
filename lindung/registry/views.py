from __future__ import annotations

import functools
import tempfile
import uuid
from collections.abc import Iterable
from pathlib import Path
from types import SimpleNamespace

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import get_script_prefix
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from lindung.accounts.access import can_change_village, user_scope, villages_changeable, villages_visible
from lindung.audit.models import AuditEvent
from lindung.core import html
from lindung.core.errors import ApplicationError
from lindung.core.http import AuthedRequest
from lindung.registry.forms import (
    ChildForm,
    ConsentWithdrawForm,
    HeirForm,
    ImportUploadForm,
    MergeForm,
    NikCorrectionForm,
    SubjectReportForm,
    TransferRequestForm,
    WorkerForm,
)
from lindung.registry.identity import mask_nik
from lindung.registry.importing.reading import FileProblem, check_upload, write_template
from lindung.registry.lifecycle import transfer_decide, transfer_request, worker_correct_nik, worker_merge
from lindung.registry.models import ImportBatch, Worker
from lindung.registry.occupations import Occupation, occupation_by_code, occupations
from lindung.registry.poverty import poverty_refresh
from lindung.registry.privacy import REPORT_ROLES, consent_withdraw, subject_report
from lindung.registry.selectors import (
    access_import_batch_by_id,
    access_transfer_by_id,
    access_worker_by_id,
    can_reveal_nik,
    import_batch_list,
    transfer_lists,
    worker_list,
)
from lindung.registry.services import (
    import_batch_cancel,
    import_batch_create,
    worker_dependant_add,
    worker_reveal_nik,
    worker_save,
)
from lindung.registry.tasks import import_batch_apply_task, import_batch_validate_task


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@login_required
def workers(request: AuthedRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()
    village = request.GET.get("desa", "")
    occupation = _int_or_none(request.GET.get("pekerjaan"))
    decile = _int_or_none(request.GET.get("desil"))
    eligible = {"ya": True, "tidak": False}.get(request.GET.get("layak", ""))
    queryset = worker_list(
        viewer=request.user, search=search, village=village, occupation=occupation, decile=decile, eligible=eligible
    ).only(*_ROW_FIELDS)
    page = Paginator(queryset, 50).get_page(request.GET.get("page"))
    rows = [(w, mask_nik(w.nik), occupation_by_code(w.occupation_code) if w.occupation_code else None) for w in page]
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "page": page, "rows": rows, "rows_html": _worker_rows_html(rows), "search": search, "village": village,
        "occupation": occupation, "decile": decile, "eligible": request.GET.get("layak", ""), "deciles": range(1, 11),
        "filters": params.urlencode(),
    }  # fmt: skip
    if request.htmx:
        return render(request, "registry/_worker_rows.html", context)
    villages = list(villages_visible(request.user).values_list("code", "name"))
    context.update(
        village_options=html.options(villages, village),
        occupation_options=_occupation_options(occupation),
        can_change=user_scope(request.user).can_change() and bool(villages),  # = villages_changeable(…).exists()
    )
    return render(request, "registry/worker_list.html", context)


NO_DECILE = "\N{EN DASH}"
#: The columns the rows show (`is_extreme_poor` reads decile and extreme_poor): a worker has some 40 columns.
_ROW_FIELDS = ("name", "nik", "village", "village__name", "occupation_code", "specialisation", "monthly_income",
               "decile", "extreme_poor")  # fmt: skip


def _worker_rows_html(rows: Iterable[tuple[Worker, str, Occupation | None]]) -> SafeString:
    """The rows of the worker table (worker, masked NIK, occupation), as the loop of registry/_worker_rows.html used to
    write them: 50 rows of ten values cost ~12 ms of CPU in the template language, ~1 ms here (lindung.core.html: the
    same escaping)."""
    detail_url = html.id_url("registry:worker_detail")
    extreme_poor = _("extreme poor")  # outside the f-string, where makemessages finds it
    extreme = f' <span class="tag">{html.text(extreme_poor)}</span>'
    parts = []
    for w, nik, occupation in rows:
        speciality = f' <span class="muted">({html.text(w.specialisation)})</span>' if w.specialisation else ""
        income = f"Rp{html.text(intcomma(w.monthly_income))}" if w.monthly_income is not None else ""
        parts.append(
            f'\n<tr><td><a href="{html.text(detail_url.format(w.pk))}">{html.text(w.name)}</a>'
            f'{extreme if w.is_extreme_poor else ""}</td><td class="mono">{html.text(nik)}</td>'
            f"<td>{html.text(w.village.name)}</td><td>{html.text(occupation.name) if occupation else ''}{speciality}"
            f'</td><td class="num">{income}</td><td class="num">{html.text(w.decile or NO_DECILE)}</td></tr>\n'
        )
    return mark_safe("".join(parts))  # every value above is escaped


@functools.lru_cache(maxsize=128)
def _occupation_options(selected: int | None) -> SafeString:
    """The occupation filter's 89 options (the same for every language: the civil-registry names)."""
    return html.options(((o.code, o.name) for o in occupations().values()), selected)


@login_required
def worker_detail(request: AuthedRequest, worker_id: int) -> HttpResponse:
    worker = access_worker_by_id(request.user, worker_id)
    history = AuditEvent.objects.filter(target_type="worker", target_id=str(worker.pk)).order_by("-seq")[:50]
    can_change = can_change_village(request.user, worker.village_id)
    return render(request, "registry/worker_detail.html", {
        "worker": worker, "masked_nik": mask_nik(worker.nik),
        "occupation": occupation_by_code(worker.occupation_code) if worker.occupation_code else None,
        "children": worker.children.all(), "heirs": worker.heirs.all(), "history": history,
        "can_reveal": can_reveal_nik(request.user), "can_change": can_change,
        **_empty_dependant_forms(translation.get_language(), get_script_prefix(), settings.FORM_RENDERER),
    })  # fmt: skip


@functools.lru_cache(maxsize=16)
def _empty_dependant_forms(language: str, script_prefix: str, renderer: str) -> dict[str, SimpleNamespace]:
    """The empty "add a child" and "add an heir" forms of a worker's page (`{{ child_form.as_p }}`): the same for
    every worker and every day (no initial value or choice depends on either), so rendered once per language instead
    of on every page (~6 ms of CPU)."""
    return {
        "child_form": SimpleNamespace(as_p=ChildForm(prefix="child").as_p()),
        "heir_form": SimpleNamespace(as_p=HeirForm(prefix="heir").as_p()),
    }


@login_required
@require_POST
def worker_nik_reveal(request: AuthedRequest, worker_id: int) -> HttpResponse:
    worker = access_worker_by_id(request.user, worker_id)
    try:
        nik = worker_reveal_nik(worker=worker, acting_user=request.user)
    except ApplicationError as exc:
        raise PermissionDenied(exc.message) from exc
    return HttpResponse(f'<span class="nik" data-testid="nik">{nik}</span>')


@login_required
@require_http_methods(["GET", "POST"])
def worker_edit(request: AuthedRequest, worker_id: int | None = None) -> HttpResponse:
    villages = villages_changeable(request.user)
    if not villages.exists():
        raise PermissionDenied
    worker = access_worker_by_id(request.user, worker_id) if worker_id else None
    initial = {"village": villages.first()} if worker is None and villages.count() == 1 else None
    form = WorkerForm(request.POST or None, instance=worker, villages=villages, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = worker_save(
                acting_user=request.user,
                worker=form.save(commit=False),
                expected_version=(form.cleaned_data.get("version") or None) if worker is not None else None,
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            for warning in form.nik_warnings:
                messages.warning(request, warning)
            messages.success(request, _("Worker data saved."))
            return redirect("registry:worker_detail", worker_id=saved.pk)
    return render(request, "registry/worker_form.html", {"form": form, "worker": worker})


@login_required
@require_POST
def worker_dependant_new(request: AuthedRequest, worker_id: int, kind: str) -> HttpResponse:
    worker = access_worker_by_id(request.user, worker_id)
    form_class = {"anak": ChildForm, "ahli-waris": HeirForm}.get(kind)
    if form_class is None:
        raise Http404
    form = form_class(request.POST, prefix="child" if kind == "anak" else "heir")
    if form.is_valid():
        try:
            worker_dependant_add(acting_user=request.user, worker=worker, dependant=form.save(commit=False))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Saved."))
    else:
        errors = "; ".join(f"{form.fields[f].label if f in form.fields else ''}: {' '.join(map(str, e))}"
                           for f, e in form.errors.items())  # fmt: skip
        messages.error(request, errors)
    return redirect("registry:worker_detail", worker_id=worker.pk)


# --- Import ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def import_start(request: AuthedRequest) -> HttpResponse:
    villages = list(villages_changeable(request.user).values_list("code", "name"))
    if not villages:
        raise PermissionDenied
    form = ImportUploadForm(request.POST or None, request.FILES or None, villages=villages)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        village = form.cleaned_data.get("village") or (villages[0][0] if len(villages) == 1 else None)
        with tempfile.NamedTemporaryFile(suffix=Path(upload.name).suffix) as tmp:
            for chunk in upload.chunks():
                tmp.write(chunk)
            tmp.flush()
            try:
                batch = import_batch_create(
                    acting_user=request.user,
                    source=Path(tmp.name),
                    original_name=upload.name,
                    village_code=village,
                    max_bytes=settings.LINDUNG_UPLOAD_MAX_BYTES,
                )
            except ApplicationError as exc:
                form.add_error("file", exc.message)
                batch = None
        if batch is not None:
            import_batch_validate_task.enqueue(batch.pk)
            return redirect("registry:import_batch", batch_id=batch.pk)
    return render(request, "registry/import_start.html", {
        "form": form, "batches": import_batch_list(viewer=request.user)[:20],
        "max_mb": settings.LINDUNG_UPLOAD_MAX_BYTES // (1024 * 1024),
    })  # fmt: skip


@login_required
def import_batch(request: AuthedRequest, batch_id: int) -> HttpResponse:
    batch = access_import_batch_by_id(request.user, batch_id)
    percent = int(100 * batch.progress_done / batch.progress_total) if batch.progress_total else 0
    running = batch.status in (
        ImportBatch.Status.UPLOADED,
        ImportBatch.Status.VALIDATING,
        ImportBatch.Status.APPLYING,
    )
    context = {"batch": batch, "percent": min(percent, 100), "running": running}
    template = "registry/_import_status.html" if request.htmx else "registry/import_batch.html"
    return render(request, template, context)


@login_required
@require_POST
def import_batch_apply(request: AuthedRequest, batch_id: int) -> HttpResponse:
    batch = access_import_batch_by_id(request.user, batch_id)
    if batch.status != ImportBatch.Status.VALIDATED:
        messages.error(request, _("This import cannot be saved in its current state."))
    else:
        # Marked at once, so a second click cannot queue the same file twice.
        ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.APPLYING)
        import_batch_apply_task.enqueue(batch.pk)
    return redirect("registry:import_batch", batch_id=batch.pk)


@login_required
@require_http_methods(["GET", "POST"])
def import_batch_cancel_view(request: AuthedRequest, batch_id: int) -> HttpResponse:
    batch = access_import_batch_by_id(request.user, batch_id)
    if request.method == "POST":
        try:
            import_batch_cancel(batch=batch, acting_user=request.user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Import cancelled; nothing was saved."))
        return redirect("registry:import_batch", batch_id=batch.pk)
    return render(request, "registry/import_cancel.html", {"batch": batch})


@login_required
def import_batch_errors(request: AuthedRequest, batch_id: int) -> FileResponse:
    batch = access_import_batch_by_id(request.user, batch_id)
    if not batch.errors_path or not Path(batch.errors_path).exists():
        raise Http404
    name = f"kesalahan-impor-{batch.pk}.xlsx"
    return FileResponse(Path(batch.errors_path).open("rb"), as_attachment=True, filename=name)


@login_required
def import_template(request: AuthedRequest, file_format: str) -> FileResponse:
    if file_format not in ("xlsx", "csv") or not user_scope(request.user).can_change():
        raise Http404
    folder = Path(settings.MEDIA_ROOT) / "templates"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"templat-impor-pekerja.{file_format}"
    write_template(path, file_format)
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)


# --- Moving, merging, correcting --------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def transfers(request: AuthedRequest) -> HttpResponse:
    villages = list(villages_changeable(request.user).values_list("code", "name"))
    form = TransferRequestForm(request.POST or None, villages=villages)
    if request.method == "POST":
        if not villages:
            raise PermissionDenied
        if form.is_valid():
            try:
                transfer_request(acting_user=request.user, **form.cleaned_data)
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request, _("Request sent. The village where the worker is registered must confirm it.")
                )
                return redirect("registry:transfers")
    to_decide, requested = transfer_lists(viewer=request.user)
    return render(request, "registry/transfers.html", {
        "form": form, "can_request": bool(villages), "to_decide": to_decide[:100], "requested": requested[:100],
    })  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def transfer_decide_view(request: AuthedRequest, transfer_id: int) -> HttpResponse:
    transfer = access_transfer_by_id(request.user, transfer_id)
    if request.method == "POST":
        confirm = request.POST.get("decision") == "confirm"
        try:
            transfer_decide(acting_user=request.user, transfer=transfer, confirm=confirm,
                            reason=request.POST.get("reason", ""))  # fmt: skip
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return redirect("registry:transfer_decide", transfer_id=transfer.pk)
        messages.success(request, _("Transfer confirmed.") if confirm else _("Transfer rejected."))
        return redirect("registry:transfers")
    can_decide = transfer.status == transfer.Status.REQUESTED and can_change_village(
        request.user, transfer.from_village_id
    )
    return render(request, "registry/transfer_decide.html", {
        "transfer": transfer, "masked_nik": mask_nik(transfer.worker.nik), "can_decide": can_decide,
    })  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def worker_correct_nik_view(request: AuthedRequest, worker_id: int) -> HttpResponse:
    worker = access_worker_by_id(request.user, worker_id)
    form = NikCorrectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            worker_correct_nik(acting_user=request.user, worker=worker, **form.cleaned_data)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The NIK has been corrected."))
            return redirect("registry:worker_detail", worker_id=worker.pk)
    return render(request, "registry/worker_correct_nik.html", {
        "worker": worker, "masked_nik": mask_nik(worker.nik), "form": form,
    })  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def worker_merge_view(request: AuthedRequest, worker_id: int) -> HttpResponse:
    keep = access_worker_by_id(request.user, worker_id)
    form = MergeForm(request.POST or None)
    other = None
    if request.method == "POST" and form.is_valid():
        other = worker_list(viewer=request.user, search=form.cleaned_data["other_nik"]).exclude(pk=keep.pk).first()
        if other is None:
            form.add_error("other_nik", _("No other record with this NIK in your area."))
        elif request.POST.get("confirmed") == "1":
            try:
                worker_merge(acting_user=request.user, keep=keep, remove=other, reason=form.cleaned_data["reason"])
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("The two records have been merged."))
                return redirect("registry:worker_detail", worker_id=keep.pk)
    return render(request, "registry/worker_merge.html", {
        "keep": keep, "other": other, "form": form, "keep_nik": mask_nik(keep.nik),
        "other_nik": mask_nik(other.nik) if other else "",
    })  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def poverty_refresh_view(request: AuthedRequest) -> HttpResponse:
    """Upload a P3KE/DTSEN extract, see what would change, then confirm."""
    if not villages_changeable(request.user).exists():
        raise PermissionDenied
    folder = Path(settings.MEDIA_ROOT) / "poverty"
    context: dict = {"max_mb": settings.LINDUNG_UPLOAD_MAX_BYTES // (1024 * 1024)}
    if request.method == "POST":
        token = request.POST.get("token", "")
        if token:  # the confirmation of an earlier preview: only the uploader's own stored file
            if not token.startswith(f"{request.user.pk}-") or "/" in token or not (folder / token).is_file():
                raise Http404
            path, apply = folder / token, True
        else:
            upload = request.FILES.get("file")
            if upload is None:
                messages.error(request, _("Choose a file."))
                return redirect("registry:poverty_refresh")
            folder.mkdir(parents=True, exist_ok=True)
            token = f"{request.user.pk}-{uuid.uuid4().hex}{Path(upload.name or '').suffix.lower()[:6]}"
            path, apply = folder / token, False
            with path.open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            try:  # the same size cap and zip-bomb check as the worker import
                check_upload(path, max_bytes=settings.LINDUNG_UPLOAD_MAX_BYTES)
            except FileProblem as exc:
                path.unlink(missing_ok=True)
                messages.error(request, str(exc))
                return redirect("registry:poverty_refresh")
        try:
            result = poverty_refresh(acting_user=request.user, path=path, apply=apply)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            path.unlink(missing_ok=True)
            return redirect("registry:poverty_refresh")
        if apply:
            path.unlink(missing_ok=True)
            messages.success(request, _("Deciles updated."))
        context.update(result=result, applied=apply, token=token)
    return render(request, "registry/poverty_refresh.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def subject_report_view(request: AuthedRequest) -> HttpResponse:
    """UU PDP: everything held about a NIK, for an administrator or a city officer (the NIK travels by POST, never in
    a URL that could end up in a log)."""
    if not user_scope(request.user).has_role(*REPORT_ROLES):
        raise PermissionDenied
    form = SubjectReportForm(request.POST or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            report = subject_report(viewer=request.user, nik=form.cleaned_data["nik"])
        except ApplicationError as exc:
            form.add_error("nik", exc.message)
    return render(request, "registry/subject_report.html", {"form": form, "report": report})


@login_required
@require_http_methods(["GET", "POST"])
def worker_consent_withdraw_view(request: AuthedRequest, worker_id: int) -> HttpResponse:
    worker = access_worker_by_id(request.user, worker_id)
    if not can_change_village(request.user, worker.village_id):
        raise PermissionDenied
    form = ConsentWithdrawForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            consent_withdraw(
                acting_user=request.user, worker=worker, reason=form.cleaned_data["reason"], on=form.cleaned_data["on"]
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Consent withdrawn; the record is kept for claims and audits."))
            return redirect("registry:worker_detail", worker_id=worker.pk)
    return render(request, "registry/consent_withdraw.html", {"form": form, "worker": worker})
