"""Workers: the same scope, form validation and service (`worker_save`) as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest
from ninja import Query, Router
from ninja.errors import AuthorizationError
from ninja.responses import Status

from lindung.accounts.access import can_change_village, villages_changeable
from lindung.accounts.models import User
from lindung.api.errors import FormInvalid
from lindung.api.routes.common import PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX, paginate, require_change_role, viewer
from lindung.api.schemas import WorkerCreate, WorkerOut, WorkerPage, WorkerSaved, WorkerUpdate, responses
from lindung.audit.recording import audit_record
from lindung.registry.forms import WorkerForm
from lindung.registry.identity import mask_nik
from lindung.registry.models import Worker
from lindung.registry.selectors import access_worker_by_id, worker_list
from lindung.registry.services import worker_save

router = Router(tags=["Pekerja"])

FORM_FIELDS: tuple[str, ...] = tuple(WorkerForm.Meta.fields)


def worker_out(worker: Worker, warnings: list[str] | None = None) -> dict[str, Any]:
    data = {
        "id": worker.pk,
        "nik_masked": mask_nik(worker.nik),
        "village": worker.village_id,
        "village_name": worker.village.name,
    }
    for field in WorkerOut.model_fields:
        if field not in data:
            data[field] = getattr(worker, field)
    if warnings is not None:
        data["warnings"] = [str(w) for w in warnings]
    return data


def _form_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _save(user: User, data: dict[str, Any], instance: Worker | None) -> tuple[Worker, list[str]]:
    """Validate with the pages' form (Indonesian messages), then save through the audited service."""
    form = WorkerForm(
        data={k: _form_value(v) for k, v in data.items()}, instance=instance, villages=villages_changeable(user)
    )
    if not form.is_valid():
        raise FormInvalid({field: [str(m) for m in messages] for field, messages in form.errors.items()})
    worker = worker_save(acting_user=user, worker=form.save(commit=False))
    return worker, [str(w) for w in form.nik_warnings]


@router.get("/workers", response=responses(WorkerPage), summary="Daftar pekerja dalam cakupan Anda")
def workers_list(
    request: HttpRequest,
    village: str | None = Query(None, max_length=13, description="Awalan kode wilayah, mis. `51.71.03`."),
    occupation: int | None = Query(None, ge=1, le=32767, description="Kode pekerjaan."),
    decile: int | None = Query(None, ge=1, le=10),
    q: str | None = Query(None, max_length=100, description="Cari menurut nama (NIK: pakai /workers/by-nik/)."),
    page: int = Query(1, ge=1, le=100_000),
    page_size: int = Query(PAGE_SIZE_DEFAULT, ge=1, le=PAGE_SIZE_MAX),
) -> dict[str, Any]:
    workers = worker_list(viewer=viewer(request), occupation=occupation, decile=decile)
    if village:
        prefix = village.rstrip(".")
        workers = workers.filter(Q(village_id=prefix) | Q(village__code__startswith=f"{prefix}."))
    if q:
        workers = workers.filter(name__icontains=q)
    return paginate(workers.order_by("pk"), page, page_size, worker_out)


@router.get("/workers/by-nik/{nik}", response=responses(WorkerOut), summary="Cari satu pekerja menurut NIK lengkap")
def worker_by_nik(request: HttpRequest, nik: str) -> dict[str, Any]:
    """Exact match on the 16-digit NIK, inside your scope only; every lookup is recorded in the audit trail."""
    user = viewer(request)
    digits = nik.replace(" ", "").replace(".", "")
    worker = None
    if len(digits) == 16 and digits.isascii() and digits.isdigit():
        worker = worker_list(viewer=user).filter(nik=digits).first()
    with transaction.atomic():
        audit_record(
            actor=user,
            action="api.worker.nik_lookup",
            target_type="worker" if worker else "",
            target_id=worker.pk if worker else "",
            region_code=worker.village_id if worker else "",
            changes={"nik": mask_nik(digits), "found": worker is not None},
            request=request,
        )
    if worker is None:
        raise Http404
    return worker_out(worker)


@router.get("/workers/{worker_id}", response=responses(WorkerOut), summary="Satu pekerja")
def worker_detail(request: HttpRequest, worker_id: int) -> dict[str, Any]:
    return worker_out(access_worker_by_id(viewer(request), worker_id))


@router.post("/workers", response=responses(WorkerSaved, 201), summary="Daftarkan pekerja baru")
def worker_create(request: HttpRequest, payload: WorkerCreate) -> Status[dict[str, Any]]:
    user = viewer(request)
    require_change_role(user)
    worker, warnings = _save(user, payload.model_dump(), None)
    return Status(201, worker_out(worker, warnings))


@router.patch("/workers/{worker_id}", response=responses(WorkerSaved), summary="Ubah data pekerja")
def worker_update(request: HttpRequest, worker_id: int, payload: WorkerUpdate) -> dict[str, Any]:
    user = viewer(request)
    worker = access_worker_by_id(user, worker_id)
    if not can_change_village(user, worker.village_id):
        raise AuthorizationError()
    current = {field: getattr(worker, field) for field in FORM_FIELDS if field != "village"}
    current["village"] = worker.village_id
    current.update(payload.model_dump(exclude_unset=True))
    saved, warnings = _save(user, current, worker)
    saved.refresh_from_db()
    return worker_out(saved, warnings)
