"""Import batches left half-way by a process that died (SIGKILL, power cut, OOM killer).

An import writes nothing to the registry until its apply commits, in one transaction (`import_batch_apply`), and
validation only writes files and progress. So a dead process leaves no partial data, only a batch whose status still
says "checking" or "saving" while nobody works on it. `import_batches_recover` runs when no task worker is alive
(`lindung tasks-recover`, before `lindung db_worker` starts, after stale RUNNING tasks went back to the queue):

- a batch whose task is queued again is left alone: the task accepts the batch in its running state and redoes the
  step from the start (the apply's transaction was rolled back by the database);
- a batch without a task (the `import-workers` command died, or the task was lost) is made resumable: a check goes
  back to the queue, a save goes back to "checked, waiting for your decision" with a message saying nothing changed.

Every batch changed here is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from django.db import transaction
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from lindung.audit.recording import audit_record
from lindung.registry.models import ImportBatch

_RUNNING = (ImportBatch.Status.VALIDATING, ImportBatch.Status.APPLYING)
_TASK_PATHS = ("lindung.registry.tasks.import_batch_validate_task", "lindung.registry.tasks.import_batch_apply_task")
STOPPED_MESSAGE = (
    "Penyimpanan terhenti karena proses pengolahnya mati; tidak ada data yang berubah. "
    "Periksa ringkasan lalu simpan ulang."
)


@dataclass(frozen=True)
class RecoveryResult:
    left_to_task: int  # a queued task resumes them
    requeued: int  # checks sent back to the queue
    reopened: int  # saves back to VALIDATED


def _queued_batch_ids() -> set[int]:
    """Batch ids of the import tasks waiting or running (one query; few rows)."""
    pending = DBTaskResult.objects.filter(
        task_path__in=_TASK_PATHS, status__in=(TaskResultStatus.READY, TaskResultStatus.RUNNING)
    ).values_list("args_kwargs", flat=True)
    ids: set[int] = set()
    for args_kwargs in pending:
        args = (args_kwargs or {}).get("args") or []
        batch_id = args[0] if args else (args_kwargs or {}).get("kwargs", {}).get("batch_id")
        if isinstance(batch_id, int):
            ids.add(batch_id)
    return ids


def import_batches_recover() -> RecoveryResult:
    """Make every import batch left running by a dead process resumable. Call only when no worker runs."""
    from lindung.registry.tasks import import_batch_validate_task

    stale = list(ImportBatch.objects.filter(status__in=_RUNNING).values_list("pk", "status"))
    if not stale:
        return RecoveryResult(0, 0, 0)
    queued = _queued_batch_ids()
    orphans = [(pk, status) for pk, status in stale if pk not in queued]
    requeued = reopened = 0
    for pk, status in orphans:  # a handful at most: one per import that was running when the process died
        with transaction.atomic():
            if status == ImportBatch.Status.APPLYING:
                changed = ImportBatch.objects.filter(pk=pk, status=status).update(
                    status=ImportBatch.Status.VALIDATED, message=STOPPED_MESSAGE
                )
                reopened += changed
                outcome = ImportBatch.Status.VALIDATED
            else:
                changed = ImportBatch.objects.filter(pk=pk, status=status).update(progress_done=0, message="")
                if changed:
                    transaction.on_commit(partial(import_batch_validate_task.enqueue, pk))
                requeued += changed
                outcome = ImportBatch.Status.VALIDATING
            if changed:
                audit_record(
                    actor=None,
                    actor_username="system",
                    action="registry.import.recover",
                    target_type="import_batch",
                    target_id=pk,
                    changes={"status": [status, outcome], "reason": "process died"},
                )
    return RecoveryResult(left_to_task=len(stale) - len(orphans), requeued=requeued, reopened=reopened)
