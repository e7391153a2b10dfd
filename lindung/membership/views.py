"""Membership pages: the collective registration file for the BPJS branch and its answer; the import of memberships
that existed before Lindung."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from lindung.accounts.access import user_scope, villages_changeable
from lindung.core.errors import ApplicationError
from lindung.core.http import AuthedRequest
from lindung.membership.importing import memberships_import, programmes_for
from lindung.membership.models import RegistrationFile
from lindung.membership.registration import (
    registration_answer_import,
    registration_file_create,
    registration_file_members,
    registration_workbook,
)
from lindung.programmes.models import Programme

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ANSWER_BYTES = 20 * 1024 * 1024


class NewFileForm(forms.Form):
    programme = forms.ModelChoiceField(queryset=Programme.objects.none(), label=gettext_lazy("Programme"))
    village = forms.ChoiceField(label=gettext_lazy("Village"), required=False)


class AnswerForm(forms.Form):
    answer = forms.FileField(label=gettext_lazy("Answer of the BPJS branch (XLSX: NIK, KPJ, Tanggal Efektif)"))


def _files_visible(request: AuthedRequest):
    scope = user_scope(request.user)
    files = RegistrationFile.objects.annotate(members=Count("memberships"))
    if scope.national:
        return files
    condition = Q(pk__in=[])
    for code in scope.codes:
        condition |= Q(region_code=code) | Q(region_code__startswith=f"{code}.")
    return files.filter(condition)


def _access_file(request: AuthedRequest, file_id: int) -> RegistrationFile:
    record = _files_visible(request).select_related("programme").filter(pk=file_id).first()
    if record is None:
        raise Http404("Berkas tidak ditemukan.")
    return record


@login_required
@require_http_methods(["GET", "POST"])
def registration_files(request: AuthedRequest) -> HttpResponse:
    villages = villages_changeable(request.user).order_by("code")
    form = NewFileForm(request.POST or None)
    programme_field = form.fields["programme"]
    if isinstance(programme_field, forms.ModelChoiceField):
        programme_field.queryset = (
            Programme.objects.filter(agreements__village__in=villages).distinct()
            if not user_scope(request.user).national
            else Programme.objects.all()
        )
    village_field = form.fields["village"]
    if isinstance(village_field, forms.ChoiceField):
        village_field.choices = [("", _("All villages in my area"))] + [(v.code, str(v)) for v in villages[:2000]]
    if request.method == "POST" and form.is_valid():
        try:
            record, _content = registration_file_create(
                actor=request.user, programme=form.cleaned_data["programme"], region_code=form.cleaned_data["village"]
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Registration file created: download it and send it to the BPJS branch."))
            return redirect("membership:registration_file", file_id=record.pk)
    return render(request, "membership/registration_files.html", {
        "form": form, "files": _files_visible(request).select_related("programme")[:100],
        "can_create": villages.exists(),
    })  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def registration_file(request: AuthedRequest, file_id: int) -> HttpResponse:
    record = _access_file(request, file_id)
    form = AnswerForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["answer"]
        if upload.size > MAX_ANSWER_BYTES:
            form.add_error("answer", _("The file is too large."))
        else:
            with tempfile.TemporaryDirectory() as folder:
                path = Path(folder) / "jawaban.xlsx"
                with path.open("wb") as handle:
                    for chunk in upload.chunks():
                        handle.write(chunk)
                try:
                    result = registration_answer_import(actor=request.user, registration=record, path=path)
                except ApplicationError as exc:
                    form.add_error(None, exc.message)
            if result is not None and result.ok:
                messages.success(request, _("Answer imported: %(n)s members now have their KPJ number.") % {
                    "n": result.applied,
                })  # fmt: skip
                return redirect("membership:registration_file", file_id=record.pk)
    return render(request, "membership/registration_file.html", {
        "record": record, "members": registration_file_members(record), "form": form, "result": result,
    })  # fmt: skip


@login_required
def registration_file_download(request: AuthedRequest, file_id: int) -> HttpResponse:
    record = _access_file(request, file_id)
    response = HttpResponse(registration_workbook(registration_file_members(record)), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="pendaftaran-kolektif-{record.pk}.xlsx"'
    return response


class ImportForm(forms.Form):
    programme = forms.ModelChoiceField(queryset=Programme.objects.none(), label=gettext_lazy("Programme"))
    members = forms.FileField(
        label=gettext_lazy("Members (XLSX with the sheets Peserta and Pembayaran, or CSV of the members)")
    )
    payments = forms.FileField(label=gettext_lazy("Payments (CSV or XLSX), if not in the members file"), required=False)


def _saved(upload, folder: Path, name: str) -> Path:
    path = Path(folder) / name
    with path.open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    return path


@login_required
@require_http_methods(["GET", "POST"])
def memberships_import_view(request: AuthedRequest) -> HttpResponse:
    """Import memberships that existed before Lindung with their payment history: check first, then import."""
    if not villages_changeable(request.user).exists():
        raise Http404("Halaman tidak ditemukan.")
    form = ImportForm(request.POST or None, request.FILES or None)
    programme_field = form.fields["programme"]
    if isinstance(programme_field, forms.ModelChoiceField):
        programme_field.queryset = programmes_for(request.user)
    result = None
    if request.method == "POST" and form.is_valid():
        uploads = [u for u in (form.cleaned_data["members"], form.cleaned_data["payments"]) if u is not None]
        dry_run = request.POST.get("action") != "import"
        if any(u.size > MAX_ANSWER_BYTES for u in uploads):
            form.add_error(None, _("The file is too large."))
        else:
            with tempfile.TemporaryDirectory() as folder:
                members = _saved(form.cleaned_data["members"], Path(folder), "peserta")
                payments = (
                    _saved(form.cleaned_data["payments"], Path(folder), "pembayaran")
                    if form.cleaned_data["payments"] is not None
                    else None
                )
                try:
                    result = memberships_import(
                        actor=request.user,
                        path=members,
                        payments_path=payments,
                        programme=form.cleaned_data["programme"],
                        dry_run=dry_run,
                    )
                except ApplicationError as exc:
                    form.add_error(None, exc.message)
            if result is not None and result.ok and not dry_run:
                messages.success(request, _(
                    "Imported: %(created)s new members, %(completed)s completed, %(unchanged)s unchanged; "
                    "%(payments)s payments recorded, %(invoices)s invoices issued. Cover has been recomputed."
                ) % {
                    "created": result.created, "completed": result.completed, "unchanged": result.unchanged,
                    "payments": result.payments_created, "invoices": result.invoices_created,
                })  # fmt: skip
                return redirect("membership:import")
    return render(request, "membership/import.html", {"form": form, "result": result})
