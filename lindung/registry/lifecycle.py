"""A worker's record over time: moving between villages, merging duplicates, correcting a NIK.

Each is its own flow (never a plain edit), checked against the actor's scope and audited.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.accounts.access import require_village_change, user_scope
from lindung.accounts.models import User
from lindung.audit.recording import audit_record
from lindung.core.errors import ApplicationError
from lindung.registry.identity import check_nik, mask_nik
from lindung.registry.importing.cells import CellError, parse_nik
from lindung.registry.models import Child, Heir, Worker, WorkerTransfer


def _clean_nik(raw: str) -> str:
    try:
        nik = parse_nik(raw)
    except CellError as exc:
        raise ApplicationError(exc.message, code="nik") from exc
    if nik is None:
        raise ApplicationError(_("NIK is required."), code="nik")
    return nik


@transaction.atomic
def transfer_request(*, acting_user: User, nik: str, to_village_code: str, note: str = "") -> WorkerTransfer:
    """The new village asks to take over a worker registered elsewhere (it knows the NIK, not the village)."""
    require_village_change(acting_user, to_village_code)
    worker = Worker.objects.select_for_update().filter(nik=_clean_nik(nik)).first()
    if worker is None:
        raise ApplicationError(_("This NIK is not registered yet; register the worker directly."), code="not_found")
    if worker.village_id == to_village_code:
        raise ApplicationError(_("This worker is already registered in that village."), code="same_village")
    if WorkerTransfer.objects.filter(worker=worker, status=WorkerTransfer.Status.REQUESTED).exists():
        raise ApplicationError(_("There is already a pending village transfer request for this worker."), code="open")
    transfer = WorkerTransfer.objects.create(
        worker=worker, from_village_id=worker.village_id, to_village_id=to_village_code,
        requested_by=acting_user, note=note.strip()[:255],
    )  # fmt: skip
    audit_record(
        actor=acting_user,
        action="registry.transfer.request",
        target_type="worker",
        target_id=worker.pk,
        region_code=to_village_code,
        changes={"transfer": transfer.pk, "from": worker.village_id, "to": to_village_code},
    )
    return transfer


@transaction.atomic
def transfer_decide(*, acting_user: User, transfer: WorkerTransfer, confirm: bool, reason: str = "") -> WorkerTransfer:
    """The old village confirms (the worker moves) or rejects with a reason."""
    transfer = WorkerTransfer.objects.select_for_update().select_related("worker").get(pk=transfer.pk)
    if transfer.status != WorkerTransfer.Status.REQUESTED:
        raise ApplicationError(_("This request has already been decided."), code="state")
    require_village_change(acting_user, transfer.from_village_id)
    if not confirm and not reason.strip():
        raise ApplicationError(_("Give the reason for the rejection."), code="reason")
    worker = transfer.worker
    if confirm:
        if worker.village_id != transfer.from_village_id:
            raise ApplicationError(_("This worker is no longer registered in the original village."), code="state")
        worker.village_id = transfer.to_village_id
        worker.save(update_fields=["village", "updated_at"])
    transfer.status = WorkerTransfer.Status.CONFIRMED if confirm else WorkerTransfer.Status.REJECTED
    transfer.decided_by = acting_user
    transfer.decided_at = timezone.now()
    transfer.reason = reason.strip()[:255]
    transfer.save()
    audit_record(
        actor=acting_user, action="registry.transfer.confirm" if confirm else "registry.transfer.reject",
        target_type="worker", target_id=worker.pk, region_code=transfer.from_village_id,
        changes={"transfer": transfer.pk, "from": transfer.from_village_id, "to": transfer.to_village_id,
                 "reason": transfer.reason},
    )  # fmt: skip
    return transfer


_MERGE_FIELDS = (
    "kk_number", "birth_place", "address", "rt", "rw", "hamlet", "phone", "occupation_code", "specialisation",
    "monthly_income", "decile", "extreme_poor_note", "consent_on",
)  # fmt: skip


@transaction.atomic
def worker_merge(*, acting_user: User, keep: Worker, remove: Worker, reason: str) -> Worker:
    """Fold a duplicate record of the same person into `keep`: its children and heirs move over, blank
    fields of `keep` are filled from it, flags are combined, and the duplicate is deleted."""
    if keep.pk == remove.pk:
        raise ApplicationError(_("Choose two different records."), code="same")
    if not reason.strip():
        raise ApplicationError(_("Give the reason for the merge."), code="reason")
    for worker in (keep, remove):
        require_village_change(acting_user, worker.village_id)
    filled: dict[str, Any] = {}
    for field in _MERGE_FIELDS:
        if getattr(keep, field) in (None, "") and getattr(remove, field) not in (None, ""):
            setattr(keep, field, getattr(remove, field))
            filled[field] = True
    for flag in ("extreme_poor", "has_disability", "is_wage_earner_member", "consent_given"):
        if getattr(remove, flag) and not getattr(keep, flag):
            setattr(keep, flag, True)
            filled[flag] = True
    attached = _records_of_other_apps(remove)
    if attached:
        raise ApplicationError(
            _(
                "The record of %(name)s that would be deleted still has %(records)s. Merge the other way round "
                "(keep the record that has that history) so that no history is lost."
            )
            % {"name": remove.name, "records": ", ".join(attached)},
            code="has_history",
        )
    moved_children = Child.objects.filter(worker=remove).update(worker=keep)
    moved_heirs = Heir.objects.filter(worker=remove).update(worker=keep)
    WorkerTransfer.objects.filter(worker=remove, status=WorkerTransfer.Status.REQUESTED).update(
        status=WorkerTransfer.Status.CANCELLED
    )
    removed = {"id": remove.pk, "nik": mask_nik(remove.nik), "village": remove.village_id, "name": remove.name}
    remove.delete()
    keep.save()
    audit_record(
        actor=acting_user, action="registry.worker.merge", target_type="worker", target_id=keep.pk,
        region_code=keep.village_id,
        changes={"removed": removed, "filled": sorted(filled), "children": moved_children, "heirs": moved_heirs,
                 "reason": reason.strip()[:255]},
    )  # fmt: skip
    return keep


def _records_of_other_apps(worker: Worker) -> list[str]:
    """What other apps hold about this worker (memberships, claims, enrolments, list entries…), by name.

    A merge moves only the registry's own records; history elsewhere is never deleted or re-pointed silently.
    """
    found = []
    for relation in Worker._meta.related_objects:
        model = relation.related_model
        if isinstance(model, str) or model in (Child, Heir, WorkerTransfer):
            continue
        if not (relation.one_to_many or relation.one_to_one):
            continue
        if model._default_manager.filter(**{relation.field.name: worker}).exists():
            found.append(str(model._meta.verbose_name_plural))
    return found


@transaction.atomic
def worker_correct_nik(*, acting_user: User, worker: Worker, new_nik: str, reason: str) -> Worker:
    """Correct a mistyped NIK; if the right NIK already has a record, the two must be merged instead."""
    require_village_change(acting_user, worker.village_id)
    if not reason.strip():
        raise ApplicationError(_("Give the reason for the NIK correction (e.g. a typo, as on the KTP)."), code="reason")
    nik = _clean_nik(new_nik)
    verdict = check_nik(nik, birth_date=worker.birth_date, sex=worker.sex)
    if verdict.errors:
        raise ApplicationError(" ".join(verdict.errors), code="nik")
    if nik == worker.nik:
        raise ApplicationError(_("The new NIK is the same as the old NIK."), code="same")
    other = Worker.objects.filter(nik=nik).exclude(pk=worker.pk).first()
    if other is not None:
        where = other.village.name if user_scope(acting_user).covers(other.village_id) else _("another village")
        raise ApplicationError(
            _(
                "This NIK is already used by another record in %(where)s; merge the two records if they are "
                "the same person."
            )
            % {"where": where},
            code="nik_taken",
        )
    old = worker.nik
    worker.nik = nik
    worker.save(update_fields=["nik", "updated_at"])
    audit_record(
        actor=acting_user, action="registry.worker.correct_nik", target_type="worker", target_id=worker.pk,
        region_code=worker.village_id,
        changes={"nik": [mask_nik(old), mask_nik(nik)], "warnings": verdict.warnings, "reason": reason.strip()[:255]},
    )  # fmt: skip
    return worker
