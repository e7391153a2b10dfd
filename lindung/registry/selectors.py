"""Reads of the registry, always through the viewer's region scope."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from lindung.accounts.access import user_scope
from lindung.accounts.models import Role, User
from lindung.registry.eligibility import eligible_q
from lindung.registry.models import ImportBatch, Worker, WorkerTransfer

#: Roles whose work needs the full NIK (registration, BPJS enrolment); they see it on request, audited.
NIK_REVEAL_ROLES = (Role.ADMIN, Role.VILLAGE_OPERATOR, Role.VILLAGE_HEAD, Role.BPJS_OFFICER)


def can_reveal_nik(user: User) -> bool:
    return user_scope(user).has_role(*NIK_REVEAL_ROLES)


def worker_list(
    *,
    viewer: User,
    search: str = "",
    village: str = "",
    occupation: int | None = None,
    decile: int | None = None,
    eligible: bool | None = None,
) -> QuerySet[Worker]:
    """Workers in the viewer's scope, filtered; a NIK search matches the whole NIK only."""
    workers = Worker.objects.filter(user_scope(viewer).q("village__code")).select_related("village")
    if search:
        digits = search.replace(" ", "").replace(".", "")
        if digits.isdigit() and len(digits) == 16:
            workers = workers.filter(nik=digits)
        else:
            workers = workers.filter(Q(name__icontains=search))
    if village:
        workers = workers.filter(village_id=village)
    if occupation is not None:
        workers = workers.filter(occupation_code=occupation)
    if decile is not None:
        workers = workers.filter(decile=decile)
    if eligible is not None:
        rule = eligible_q(timezone.localdate())
        workers = workers.filter(rule) if eligible else workers.exclude(rule)
    return workers.order_by("village_id", "name", "pk")


def access_worker_by_id(viewer: User, worker_id: int) -> Worker:
    """A worker in the viewer's scope, or Http404 (missing and out of scope alike)."""
    worker = worker_list(viewer=viewer).filter(pk=worker_id).first()
    if worker is None:
        raise Http404("Pekerja tidak ditemukan.")
    return worker


def import_batch_list(*, viewer: User) -> QuerySet[ImportBatch]:
    """The viewer's own uploads, and for a national user every upload."""
    batches = ImportBatch.objects.select_related("village", "created_by")
    if not user_scope(viewer).national:
        batches = batches.filter(created_by=viewer)
    return batches


def access_import_batch_by_id(viewer: User, batch_id: int) -> ImportBatch:
    batch = import_batch_list(viewer=viewer).filter(pk=batch_id).first()
    if batch is None:
        raise Http404("Impor tidak ditemukan.")
    return batch


def transfer_lists(*, viewer: User) -> tuple[QuerySet[WorkerTransfer], QuerySet[WorkerTransfer]]:
    """(incoming: requests the viewer's villages must decide, outgoing: requests into the viewer's villages)."""
    scope = user_scope(viewer)
    base = WorkerTransfer.objects.select_related("worker", "from_village", "to_village", "requested_by")
    to_decide = base.filter(scope.q("from_village__code"))
    requested = base.filter(scope.q("to_village__code"))
    return to_decide, requested


def access_transfer_by_id(viewer: User, transfer_id: int) -> WorkerTransfer:
    """A transfer the viewer's villages are party to, or Http404."""
    to_decide, requested = transfer_lists(viewer=viewer)
    transfer = (to_decide | requested).filter(pk=transfer_id).first()
    if transfer is None:
        raise Http404("Permintaan tidak ditemukan.")
    return transfer
