"""Writes to the registry. Every write checks the actor's scope and records an audit event."""

from __future__ import annotations

import hashlib
import shutil
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any, NoReturn, cast

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.sql import UpdateQuery
from django.db.models.sql.constants import NO_RESULTS
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.accounts.access import require_village_change, user_scope, villages_changeable, villages_visible
from lindung.accounts.models import User
from lindung.audit.recording import audit_record
from lindung.core.errors import ApplicationError
from lindung.regions.models import Region
from lindung.registry.identity import mask_nik
from lindung.registry.importing.apply import (
    MergeResult,
    StagedConflict,
    merge_valid_rows,
    new_workers_copy_sql,
    registered_workers,
)
from lindung.registry.importing.pipeline import ValidationSummary, update_fields, validate_file
from lindung.registry.importing.reading import FileProblem, check_upload
from lindung.registry.models import ImportBatch, Worker


def _imports_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / "imports"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def import_batch_create(
    *,
    acting_user: User | None,
    source: Path,
    original_name: str,
    village_code: str | None = None,
    max_bytes: int | None = None,
    dry_run: bool = False,
) -> ImportBatch:
    """Keep a copy of the uploaded file and open a batch for it; refuse oversized files and zip bombs."""
    try:
        check_upload(source, max_bytes=max_bytes)
    except FileProblem as exc:
        raise ApplicationError(str(exc), code="file") from exc
    village = None
    if village_code:
        village = _changeable_village(acting_user, village_code)
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            created_by=acting_user,
            village=village,
            original_name=original_name[:255],
            stored_path="",
            dry_run=dry_run,
        )
        folder = _imports_dir() / str(batch.pk)
        folder.mkdir(parents=True, exist_ok=True)
        stored = folder / ("original" + (Path(original_name).suffix.lower()[:6] or ".dat"))
        shutil.copyfile(source, stored)
        batch.stored_path = str(stored)
        batch.file_sha256 = _sha256(stored)
        batch.save(update_fields=["stored_path", "file_sha256"])
        audit_record(
            actor=acting_user,
            actor_username="" if acting_user else "cli",
            action="registry.import.upload",
            target_type="import_batch",
            target_id=batch.pk,
            region_code=village.code if village else "",
            changes={"file": original_name, "sha256": batch.file_sha256, "bytes": stored.stat().st_size},
        )
    return batch


def _changeable_village(user: User | None, code: str) -> Region:
    villages = villages_changeable(user) if user else Region.objects.filter(level=Region.Level.VILLAGE)
    village = villages.filter(code=code).first()
    if village is None:
        raise ApplicationError(_("Village %(code)s is unknown or outside your area.") % {"code": code}, code="village")
    return village


def _set_progress(batch: ImportBatch, db: BaseDatabaseWrapper | None = None, **fields: Any) -> None:
    """Committed at once in its own short statement, so the page can poll it during long work. `db`: another
    connection than Django's default, in autocommit (while the default one is busy storing workers)."""
    if db is None:
        ImportBatch.objects.filter(pk=batch.pk).update(**fields)
    else:
        query = cast(UpdateQuery, ImportBatch.objects.filter(pk=batch.pk).query.chain(UpdateQuery))
        query.add_update_values(fields)
        query.get_compiler(connection=db).execute_sql(NO_RESULTS)
    for name, value in fields.items():
        setattr(batch, name, value)


def _estimate_rows(path: Path) -> int:
    with path.open("rb") as f:
        head = f.read(4)
        if head.startswith(b"PK"):
            try:
                from openpyxl import load_workbook

                book = load_workbook(path, read_only=True)
                sheet = book.worksheets[0]
                rows = max((sheet.max_row or 1) - 1, 0)
                book.close()
                return rows
            except Exception:  # an estimate only; the reader reports real problems
                return 0
        f.seek(0)
        lines = 0
        while chunk := f.read(1 << 20):
            lines += chunk.count(b"\n")
        return max(lines - 1, 0)


def import_batch_validate(*, batch: ImportBatch) -> ValidationSummary:
    """Check every row of the batch's file and store the summary; nothing is written to the registry."""
    summary = _validate_batch(batch)
    _audit_lookup(batch, summary)
    return summary


def _validate_batch(
    batch: ImportBatch, *, db: BaseDatabaseWrapper | None = None, sink: Callable[[str], None] | None = None
) -> ValidationSummary:
    """`import_batch_validate` without the lookup's audit; `db` and `sink` as `import_batch_check_and_apply`
    needs them (progress and lookups through another connection, the new workers' lines to a COPY)."""
    user = batch.created_by
    _set_progress(
        batch,
        db,
        status=ImportBatch.Status.VALIDATING,
        progress_done=0,
        progress_total=_estimate_rows(Path(batch.stored_path)),
        message="",
    )
    if user is not None:
        changeable = dict(villages_changeable(user).values_list("code", "name"))
        scope = user_scope(user)
        visible_names = dict(villages_visible(user).values_list("code", "name")) if not scope.national else None
    else:
        changeable = dict(Region.objects.filter(level=Region.Level.VILLAGE).values_list("code", "name"))
        visible_names = None
    all_names = changeable if visible_names is None else visible_names

    def visible(code: str) -> str | None:
        name = all_names.get(code) if visible_names is not None else changeable.get(code)
        return f"Desa/Kel. {name}" if name else None

    one_at_a_time = threading.Lock()  # `db` serves the lookups (in their own thread) and the progress

    def existing(niks: list[str], fields: tuple[str, ...]) -> dict[str, tuple[str, str]]:
        with one_at_a_time:
            return registered_workers(niks, fields, db)

    folder = Path(batch.stored_path).parent
    try:
        summary = validate_file(
            Path(batch.stored_path),
            out_dir=folder,
            villages=changeable,
            visible_villages=visible,
            fixed_village=batch.village_id,
            existing=existing,
            today=timezone.localdate(),
            progress=_progress(batch, db, one_at_a_time),
            sink=sink,
            look_ahead=db is not None,
        )
    except FileProblem as exc:
        _set_progress(batch, db, status=ImportBatch.Status.FAILED, message=str(exc), finished_at=timezone.now())
        raise ApplicationError(str(exc), code="file") from exc
    _set_progress(
        batch,
        db,
        status=ImportBatch.Status.VALIDATED,
        progress_done=summary.rows,
        progress_total=summary.rows,
        columns=summary.columns,
        valid_path=str(folder / "valid.csv"),
        errors_path=str(folder / "errors.xlsx") if summary.errors_written else "",
        **summary.as_dict(),
    )
    return summary


def _progress(batch: ImportBatch, db: BaseDatabaseWrapper | None, lock: threading.Lock) -> Callable[[int], None]:
    """Rows checked so far, for the page's progress bar; through another connection at most twice a second
    (each update waits for a database that is busy storing the rows)."""
    if db is None:
        return lambda done: _set_progress(batch, progress_done=done)
    last = [0.0]

    def progress(done: int) -> None:
        now = time.monotonic()
        if now - last[0] >= 0.5:
            last[0] = now
            with lock:
                _set_progress(batch, db, progress_done=done)

    return progress


def _audit_lookup(batch: ImportBatch, summary: ValidationSummary) -> None:
    if summary.other_village_niks:
        # Looking up who is registered elsewhere is itself audited.
        user = batch.created_by
        audit_record(
            actor=user,
            actor_username="" if user else "cli",
            action="registry.cross_village_lookup",
            target_type="import_batch",
            target_id=batch.pk,
            changes={"count": len(summary.other_village_niks), "niks": summary.other_village_niks[:100]},
        )


def import_batch_apply(*, batch: ImportBatch, acting_user: User | None) -> ImportBatch:
    """Store the valid rows all-or-nothing; re-applying the same file changes nothing."""
    if batch.status not in (ImportBatch.Status.VALIDATED, ImportBatch.Status.APPLYING):
        raise ApplicationError(_("This file has not been checked yet or has already been processed."), code="state")
    fields = update_fields(batch.columns)
    _set_progress(batch, status=ImportBatch.Status.APPLYING)
    try:
        with transaction.atomic():
            expect_new = batch.valid > 0 and batch.created == batch.valid
            result = merge_valid_rows(Path(batch.valid_path), fields=fields, expect_new=expect_new)
            _audit_apply(batch, acting_user, result, fields)
    except StagedConflict:
        _conflict(batch)
    except Exception as exc:
        _save_failed(batch, exc)
        raise
    return _applied(batch, result)


def import_batch_check_and_apply(*, batch: ImportBatch, acting_user: User | None) -> ValidationSummary:
    """Check the batch's file and store its valid rows at once, as `lindung import-workers` does without
    `--dry-run` (nobody confirms in between): the same result as `import_batch_validate` then
    `import_batch_apply`.

    PostgreSQL stores the new workers while the file is being checked: every checked chunk's new rows go into
    one COPY into the worker table, in the transaction that also records the batch, so the database writes on
    one core while this process checks on the other. Progress and the lookups of registered NIKs go through a
    second connection meanwhile (the first is busy with the COPY). Rows whose NIK is registered are merged
    after the check, as `import_batch_apply` merges them. Nothing is kept if anything fails: the transaction
    is rolled back. If a NIK of the file was registered by someone else meanwhile, the unique index refuses
    the COPY; the rows are then stored the usual way, from the checked file.
    """
    if connection.vendor != "postgresql" or batch.dry_run or connection.in_atomic_block:
        # Inside a caller's transaction another connection would not see what it has written: one step at a time.
        checked = import_batch_validate(batch=batch)
        if not batch.dry_run:
            import_batch_apply(batch=batch, acting_user=acting_user)
        return checked
    side = connections.create_connection(DEFAULT_DB_ALIAS)
    side.inc_thread_sharing()  # the lookups run in a thread of their own (`validate_file(look_ahead=True)`)
    summary: ValidationSummary | None = None
    try:
        with transaction.atomic(), ExitStack() as stack:
            copying: dict[str, Any] = {}

            def sink(text: str) -> None:
                if not copying:  # the first new rows: start the COPY
                    cursor = stack.enter_context(connection.cursor())
                    stack.enter_context(connection.wrap_database_errors)  # psycopg's errors as Django's
                    stack.callback(lambda: copying.__setitem__("rows", cursor.rowcount))  # once it has ended
                    copying["copy"] = stack.enter_context(cursor.copy(new_workers_copy_sql(header=False)))
                copying["copy"].write(text)

            summary = _validate_batch(batch, db=side, sink=sink)
            stack.close()  # the COPY ends: the database has stored every new row, or refuses them
            if copying.get("rows", 0) != summary.created:
                raise RuntimeError(f"{copying.get('rows', 0)} new workers stored, {summary.created} checked")
            _set_progress(batch, side, status=ImportBatch.Status.APPLYING)
            fields = update_fields(batch.columns)
            updated = 0
            if summary.updated:  # registered workers whose row changed: merged as import_batch_apply merges them
                updated = merge_valid_rows(Path(batch.valid_path), fields=fields).updated
            result = MergeResult(
                created=summary.created,
                updated=updated,
                unchanged=summary.valid - summary.created - updated,
                moved_away=0,
            )
            _audit_apply(batch, acting_user, result, fields)
    except IntegrityError as exc:
        if summary is None or batch.status not in (ImportBatch.Status.VALIDATED, ImportBatch.Status.APPLYING):
            _save_failed(batch, exc)
            raise
        # A NIK (or a village) changed since it was looked up: nothing was stored; store the checked rows the
        # usual way, which says what is in the way.
        _audit_lookup(batch, summary)
        _set_progress(batch, status=ImportBatch.Status.VALIDATED)
        import_batch_apply(batch=batch, acting_user=acting_user)
        return summary
    except StagedConflict:
        if summary is not None:
            _audit_lookup(batch, summary)
        _conflict(batch)
    except ApplicationError:
        raise  # the check failed: the batch says why
    except Exception as exc:
        _save_failed(batch, exc)
        raise
    finally:
        side.close()
    _audit_lookup(batch, summary)
    _applied(batch, result)
    return summary


def _audit_apply(batch: ImportBatch, acting_user: User | None, result: MergeResult, fields: tuple[str, ...]) -> None:
    audit_record(
        actor=acting_user,
        actor_username="" if acting_user else "cli",
        action="registry.import.apply",
        target_type="import_batch",
        target_id=batch.pk,
        region_code=batch.village_id or "",
        changes={
            "created": result.created,
            "updated": result.updated,
            "unchanged": result.unchanged,
            "rejected": batch.rejected,
            "duplicates": batch.duplicates,
            "file_sha256": batch.file_sha256,
            "fields": list(fields),
        },
    )


def _conflict(batch: ImportBatch) -> NoReturn:
    _set_progress(
        batch,
        status=ImportBatch.Status.FAILED,
        finished_at=timezone.now(),
        message=_(
            "Since the file was checked, some of its NIKs have been registered in another village. "
            "Upload the file again."
        ),
    )
    raise ApplicationError(batch.message, code="conflict") from None


def _save_failed(batch: ImportBatch, exc: BaseException) -> None:
    _set_progress(
        batch,
        status=ImportBatch.Status.FAILED,
        finished_at=timezone.now(),
        message=f"Gagal menyimpan; tidak ada data yang berubah. ({exc.__class__.__name__})",
    )


def _applied(batch: ImportBatch, result: MergeResult) -> ImportBatch:
    _set_progress(
        batch,
        status=ImportBatch.Status.APPLIED,
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        finished_at=timezone.now(),
    )
    return batch


def import_batch_cancel(*, batch: ImportBatch, acting_user: User) -> ImportBatch:
    if batch.status not in (
        ImportBatch.Status.VALIDATED,
        ImportBatch.Status.UPLOADED,
        ImportBatch.Status.FAILED,
    ):
        raise ApplicationError(_("This import can no longer be cancelled."), code="state")
    with transaction.atomic():
        _set_progress(batch, status=ImportBatch.Status.CANCELLED, finished_at=timezone.now())
        audit_record(actor=acting_user, action="registry.import.cancel", target_type="import_batch", target_id=batch.pk)
    return batch


def worker_reveal_nik(*, worker: Worker, acting_user: User) -> str:
    """Show a worker's full NIK to a role that needs it; every reveal is audited."""
    from lindung.registry.selectors import can_reveal_nik

    if not can_reveal_nik(acting_user):
        raise ApplicationError(_("Your role cannot see the full NIK."), code="forbidden")
    audit_record(
        actor=acting_user,
        action="registry.nik_reveal",
        target_type="worker",
        target_id=worker.pk,
        region_code=worker.village_id,
        changes={"nik": mask_nik(worker.nik)},
    )
    return worker.nik


_AUDITED_FIELDS = (
    "nik", "kk_number", "name", "sex", "birth_place", "birth_date", "address", "rt", "rw", "hamlet", "village_id",
    "phone", "occupation_code", "specialisation", "monthly_income", "employment_status", "decile", "extreme_poor",
    "extreme_poor_note", "has_disability", "is_wage_earner_member", "consent_given", "consent_on",
)  # fmt: skip


def _diff(before: dict[str, Any], after: Worker) -> dict[str, Any]:
    changes = {}
    for f in _AUDITED_FIELDS:
        old, new = before.get(f), getattr(after, f)
        if old != new:
            if f == "nik":
                old, new = mask_nik(str(old or "")), mask_nik(str(new))
            changes[f] = [str(old) if old is not None else None, str(new) if new is not None else None]
    return changes


def worker_version(worker: Worker) -> str:
    """The version of a stored worker for optimistic locking: its `updated_at` in microseconds (every save
    changes it)."""
    return str(int(worker.updated_at.timestamp() * 1_000_000)) if worker.updated_at else ""


def _stale_edit_message(worker_id: int) -> str:
    from lindung.audit.models import AuditEvent

    last = (
        AuditEvent.objects.filter(target_type="worker", target_id=str(worker_id))
        .order_by("-pk")
        .values("actor_username", "occurred_at")
        .first()
    )
    if last:
        when = timezone.localtime(last["occurred_at"]).strftime("%d-%m-%Y %H.%M")
        return _(
            "Another user changed this worker's data after you opened it (by %(user)s, %(when)s). Your changes "
            "were NOT saved, so as not to overwrite theirs. Reopen this page to see the latest data, then make "
            "your changes again."
        ) % {"user": last["actor_username"] or _("the system"), "when": when}
    return _(
        "Another user changed this worker's data after you opened it. Your changes were NOT saved, so as not "
        "to overwrite theirs. Reopen this page to see the latest data, then make your changes again."
    )


@transaction.atomic
def worker_save(*, acting_user: User, worker: Worker, expected_version: str | None = None) -> Worker:
    """Create or update one worker (validated by the form); the village must be one the user may change.

    `expected_version` (`worker_version` when the form was opened): the save is refused when the stored record
    changed since; the row is locked (SELECT … FOR UPDATE) while it is compared and written, so two saves of the
    same version cannot both pass.
    """
    require_village_change(acting_user, worker.village_id)
    creating = worker.pk is None
    before: dict[str, Any] = {}
    if not creating:
        before = Worker.objects.select_for_update().filter(pk=worker.pk).values(*_AUDITED_FIELDS, "updated_at").get()
        stored = Worker(updated_at=before.pop("updated_at"))
        if expected_version is not None and expected_version != worker_version(stored):
            raise ApplicationError(_stale_edit_message(worker.pk), code="stale")
        if before["village_id"] != worker.village_id:
            raise ApplicationError(
                _("A move to another village is requested through the village transfer menu, not by editing."),
                code="move",
            )
    other = Worker.objects.filter(nik=worker.nik).exclude(pk=worker.pk).values_list("village_id", flat=True).first()
    if other is not None:
        where = other if user_scope(acting_user).covers(other) else _("another village")
        raise ApplicationError(_("This NIK is already registered in %(where)s.") % {"where": where}, code="nik_taken")
    worker.save()
    audit_record(
        actor=acting_user,
        action="registry.worker.create" if creating else "registry.worker.update",
        target_type="worker",
        target_id=worker.pk,
        region_code=worker.village_id,
        changes=_diff(before, worker),
    )
    return worker


@transaction.atomic
def worker_dependant_add(*, acting_user: User, worker: Worker, dependant: Any) -> Any:
    """Add a child or an heir to a worker of a village the user may change."""
    require_village_change(acting_user, worker.village_id)
    dependant.worker = worker
    dependant.save()
    kind = dependant.__class__.__name__.lower()
    audit_record(
        actor=acting_user,
        action=f"registry.{kind}.create",
        target_type=kind,
        target_id=dependant.pk,
        region_code=worker.village_id,
        changes={"worker": worker.pk, "name": dependant.name},
    )
    return dependant
