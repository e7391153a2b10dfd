"""Pages of the interop app: thin, each calls one service or selector."""

from __future__ import annotations

import io
import tempfile
import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from lindung.accounts.access import villages_changeable
from lindung.core.errors import ApplicationError
from lindung.core.http import AuthedRequest
from lindung.interop.exporting import opensid_programme_export
from lindung.interop.forms import OpensidExportForm, OpensidUploadForm, PovertyUploadForm
from lindung.interop.models import LifeEventReview, PovertyProposal
from lindung.interop.poverty import poverty_extract_import, poverty_proposals_confirm
from lindung.interop.selectors import (
    access_life_event_review_by_id,
    access_opensid_import_by_id,
    life_event_review_list,
    opensid_import_list,
    poverty_proposal_list,
)
from lindung.interop.services import (
    life_event_review_close,
    opensid_import_apply,
    opensid_import_cancel,
    opensid_import_create,
)
from lindung.registry.importing.reading import FileProblem, check_upload

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _villages(request: AuthedRequest) -> list[tuple[str, str]]:
    villages = list(villages_changeable(request.user).order_by("name").values_list("code", "name"))
    if not villages:
        raise PermissionDenied
    return villages


@login_required
@require_http_methods(["GET", "POST"])
def opensid(request: AuthedRequest) -> HttpResponse:
    """Upload an OpenSID population export; the list of imports, open reviews and the export form."""
    villages = _villages(request)
    form = OpensidUploadForm(request.POST or None, request.FILES or None, villages=villages)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        with tempfile.NamedTemporaryFile(suffix=Path(upload.name or "").suffix[:6]) as tmp:
            for chunk in upload.chunks():
                tmp.write(chunk)
            tmp.flush()
            try:
                imp = opensid_import_create(
                    acting_user=request.user,
                    source=Path(tmp.name),
                    original_name=upload.name or "opensid.xlsx",
                    village_code=form.cleaned_data["village"],
                    max_bytes=settings.LINDUNG_UPLOAD_MAX_BYTES,
                )
            except ApplicationError as exc:
                form.add_error("file", exc.message)
            else:
                return redirect("interop:opensid_import", import_id=imp.pk)
    context = {
        "form": form,
        "export_form": OpensidExportForm(villages=villages),
        "imports": opensid_import_list(viewer=request.user)[:20],
        "reviews": life_event_review_list(viewer=request.user).filter(status=LifeEventReview.Status.OPEN)[:200],
        "max_mb": settings.LINDUNG_UPLOAD_MAX_BYTES // (1024 * 1024),
    }
    return render(request, "interop/opensid.html", context)


@login_required
def opensid_import(request: AuthedRequest, import_id: int) -> HttpResponse:
    imp = access_opensid_import_by_id(request.user, import_id)
    _villages(request)
    return render(request, "interop/opensid_import.html", {"imp": imp, "summary": imp.summary, "plan": imp.plan})


@login_required
@require_POST
def opensid_apply(request: AuthedRequest, import_id: int) -> HttpResponse:
    imp = access_opensid_import_by_id(request.user, import_id)
    try:
        opensid_import_apply(imp=imp, acting_user=request.user)
    except ApplicationError as exc:
        if exc.code == "scope":
            raise PermissionDenied from exc
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The OpenSID residents were saved."))
    return redirect("interop:opensid_import", import_id=imp.pk)


@login_required
@require_POST
def opensid_cancel(request: AuthedRequest, import_id: int) -> HttpResponse:
    imp = access_opensid_import_by_id(request.user, import_id)
    try:
        opensid_import_cancel(imp=imp, acting_user=request.user)
    except ApplicationError as exc:
        if exc.code == "scope":
            raise PermissionDenied from exc
        messages.error(request, exc.message)
    return redirect("interop:opensid_import", import_id=imp.pk)


@login_required
def opensid_export(request: AuthedRequest) -> HttpResponse:
    """Download the OpenSID programme-assistance file of a village's members."""
    villages = _villages(request)
    form = OpensidExportForm(request.GET or None, villages=villages)
    if not form.is_valid():
        messages.error(request, _("Choose a village."))
        return redirect("interop:opensid")
    buffer = io.BytesIO()
    try:
        opensid_programme_export(acting_user=request.user, village_code=form.cleaned_data["desa"], out=buffer,
                                 year=form.cleaned_data.get("tahun"))  # fmt: skip
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("interop:opensid")
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    code = form.cleaned_data["desa"].replace(".", "")
    response["Content-Disposition"] = f'attachment; filename="program_bantuan_{code}.xlsx"'
    return response


@login_required
@require_POST
def review_close(request: AuthedRequest, review_id: int) -> HttpResponse:
    review = access_life_event_review_by_id(request.user, review_id)
    try:
        life_event_review_close(review=review, acting_user=request.user)
    except ApplicationError as exc:
        raise PermissionDenied from exc
    messages.success(request, _("Marked as handled."))
    return redirect("interop:opensid")


@login_required
@require_http_methods(["GET", "POST"])
def poverty(request: AuthedRequest) -> HttpResponse:
    """Upload a P3KE/DTSEN extract, see what would change and whom it proposes, then confirm."""
    villages = _villages(request)
    folder = Path(settings.MEDIA_ROOT) / "interop" / "p3ke"
    form = PovertyUploadForm(request.POST or None, request.FILES or None, villages=villages)
    context: dict = {"form": form, "max_mb": settings.LINDUNG_UPLOAD_MAX_BYTES // (1024 * 1024)}
    if request.method == "POST":
        token = request.POST.get("token", "")
        village = request.POST.get("village", "") or None
        if token:  # the confirmation of an earlier preview: only the uploader's own stored file
            if not token.startswith(f"{request.user.pk}-") or "/" in token or not (folder / token).is_file():
                raise Http404
            path, apply = folder / token, True
        elif form.is_valid():
            upload = form.cleaned_data["file"]
            folder.mkdir(parents=True, exist_ok=True)
            token = f"{request.user.pk}-{uuid.uuid4().hex}{Path(upload.name or '').suffix.lower()[:6]}"
            path, apply = folder / token, False
            with path.open("wb") as out:
                for chunk in upload.chunks():
                    out.write(chunk)
            try:
                check_upload(path, max_bytes=settings.LINDUNG_UPLOAD_MAX_BYTES)
            except FileProblem as exc:
                path.unlink(missing_ok=True)
                messages.error(request, str(exc))
                return redirect("interop:poverty")
        else:
            return render(request, "interop/poverty.html", {**context, "proposals": _proposals(request)})
        try:
            result = poverty_extract_import(acting_user=request.user, path=path, apply=apply, village_code=village)
        except ApplicationError as exc:
            path.unlink(missing_ok=True)
            messages.error(request, exc.message)
            return redirect("interop:poverty")
        if apply:
            path.unlink(missing_ok=True)
            messages.success(request, _("Deciles and flags updated; proposals listed below."))
        context.update(result=result, applied=apply, token=token, village=village or "")
    return render(request, "interop/poverty.html", {**context, "proposals": _proposals(request)})


def _proposals(request: AuthedRequest) -> list[PovertyProposal]:
    return list(poverty_proposal_list(viewer=request.user).filter(status=PovertyProposal.Status.PROPOSED)[:500])


@login_required
@require_POST
def proposals_confirm(request: AuthedRequest) -> HttpResponse:
    _villages(request)
    ids = [int(v) for v in request.POST.getlist("proposal") if v.isdigit()]
    chosen = poverty_proposal_list(viewer=request.user).filter(pk__in=ids, status=PovertyProposal.Status.PROPOSED)
    codes = sorted(set(chosen.values_list("village_id", flat=True)))
    if not codes:
        messages.error(request, _("Choose at least one proposal."))
        return redirect("interop:poverty")
    for code in codes:
        try:
            batch = poverty_proposals_confirm(acting_user=request.user, village_code=code, proposal_ids=ids)
        except ApplicationError as exc:
            if exc.code == "village":
                raise PermissionDenied from exc
            messages.error(request, exc.message)
            return redirect("interop:poverty")
        if batch.status != batch.Status.APPLIED:
            messages.error(request, _("Some proposals could not be registered; see the error report."))
            return redirect("registry:import_batch", batch_id=batch.pk)
    messages.success(request, _("The confirmed residents are registered as candidate workers."))
    return redirect("registry:workers")
