"""Bulk worker import: the services of `lindung import-workers` and of the import page, run by the task worker."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, UploadedFile
from ninja.responses import Status

from lindung.api.routes.common import PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX, paginate, require_change_role, viewer
from lindung.api.schemas import ImportOut, ImportPage, responses
from lindung.core.errors import ApplicationError
from lindung.registry.models import ImportBatch
from lindung.registry.selectors import access_import_batch_by_id, import_batch_list
from lindung.registry.services import import_batch_cancel, import_batch_create
from lindung.registry.tasks import import_batch_apply_task, import_batch_validate_task

router = Router(tags=["Impor pekerja"])


def import_out(batch: ImportBatch) -> dict[str, Any]:
    percent = int(100 * batch.progress_done / batch.progress_total) if batch.progress_total else 0
    if batch.status in (ImportBatch.Status.VALIDATED, ImportBatch.Status.APPLIED):
        percent = 100
    return {
        "id": batch.pk,
        "original_name": batch.original_name,
        "village": batch.village_id,
        "status": batch.status,
        "status_label": str(batch.get_status_display()),
        "message": batch.message,
        "progress_done": batch.progress_done,
        "progress_total": batch.progress_total,
        "percent": min(percent, 100),
        **{name: getattr(batch, name) for name in ("rows", "valid", "warnings", "rejected", "duplicates")},
        **{name: getattr(batch, name) for name in ("created", "updated", "unchanged")},
        "has_errors_file": bool(batch.errors_path),
        "created_at": batch.created_at,
        "finished_at": batch.finished_at,
    }


@router.post("/imports", response=responses(ImportOut, 202), summary="Unggah berkas pekerja (XLSX/CSV)")
def import_upload(
    request: HttpRequest,
    file: File[UploadedFile],
    village: str | None = Form(None, max_length=13, description="Kode desa untuk semua baris (tanpa kolom Kode Desa)."),
) -> Status[dict[str, Any]]:
    """The file is kept and checked row by row in the background; poll `GET /imports/{id}` for the progress,
    then save the valid rows with `POST /imports/{id}/apply`. Nothing is written to the registry before that."""
    user = viewer(request)
    require_change_role(user)
    name = Path(file.name or "berkas.csv").name
    with tempfile.NamedTemporaryFile(suffix=Path(name).suffix[:6]) as tmp:
        for chunk in file.chunks():
            tmp.write(chunk)
        tmp.flush()
        batch = import_batch_create(
            acting_user=user,
            source=Path(tmp.name),
            original_name=name,
            village_code=village or None,
            max_bytes=settings.LINDUNG_UPLOAD_MAX_BYTES,
        )
    import_batch_validate_task.enqueue(batch.pk)
    batch.refresh_from_db()
    return Status(202, import_out(batch))


@router.get("/imports", response=responses(ImportPage), summary="Impor Anda, terbaru dahulu")
def import_list(
    request: HttpRequest,
    page: int = Query(1, ge=1, le=100_000),
    page_size: int = Query(PAGE_SIZE_DEFAULT, ge=1, le=PAGE_SIZE_MAX),
) -> dict[str, Any]:
    batches = import_batch_list(viewer=viewer(request)).order_by("-pk")
    return paginate(batches, page, page_size, import_out)


@router.get("/imports/{import_id}", response=responses(ImportOut), summary="Status dan kemajuan satu impor")
def import_detail(request: HttpRequest, import_id: int) -> dict[str, Any]:
    return import_out(access_import_batch_by_id(viewer(request), import_id))


@router.post("/imports/{import_id}/apply", response=responses(ImportOut, 202), summary="Simpan baris yang valid")
def import_apply(request: HttpRequest, import_id: int) -> Status[dict[str, Any]]:
    """All valid rows are saved together, or none; applying the same file again changes nothing."""
    user = viewer(request)
    batch = access_import_batch_by_id(user, import_id)
    require_change_role(user)
    # Marked at once, so that a second call cannot queue the same file twice.
    marked = ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.VALIDATED).update(
        status=ImportBatch.Status.APPLYING
    )
    if not marked:
        raise ApplicationError(_("This import cannot be saved in its current state."), code="state")
    import_batch_apply_task.enqueue(batch.pk)
    batch.refresh_from_db()
    return Status(202, import_out(batch))


@router.post("/imports/{import_id}/cancel", response=responses(ImportOut), summary="Batalkan impor")
def import_cancel(request: HttpRequest, import_id: int) -> dict[str, Any]:
    user = viewer(request)
    batch = access_import_batch_by_id(user, import_id)
    require_change_role(user)
    return import_out(import_batch_cancel(batch=batch, acting_user=user))
