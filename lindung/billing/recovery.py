"""Billing runs left half-way by a task worker that died (see lindung/registry/recovery.py for imports).

A billing run queued from the page is a task (`billing.tasks.billing_run_task`) that moves its BillingRun row through
queued → running → settling → done. The invoices are written in one transaction and the run is idempotent per month,
so a dead worker leaves either no invoice of the run or all of them, and a run whose row still says queued, running
or settling can simply run again. `billing_runs_recover` runs when no task worker is alive (`lindung tasks-recover`,
after stale RUNNING tasks went back to the queue): a run whose task is queued again is left to it; a run without a
task (lost) gets its task queued again. Every run re-queued here is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from django.db import transaction
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from lindung.audit.recording import audit_record
from lindung.billing.models import BillingRun, RunStatus

_UNFINISHED = (RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.SETTLING)
_TASK_PATH = "lindung.billing.tasks.billing_run_task"


@dataclass(frozen=True)
class RecoveryResult:
    left_to_task: int
    requeued: int


def _queued_run_ids() -> set[int]:
    pending = DBTaskResult.objects.filter(
        task_path=_TASK_PATH, status__in=(TaskResultStatus.READY, TaskResultStatus.RUNNING)
    ).values_list("args_kwargs", flat=True)
    ids: set[int] = set()
    for args_kwargs in pending:
        args = (args_kwargs or {}).get("args") or []
        run_id = args[0] if args else (args_kwargs or {}).get("kwargs", {}).get("run_id")
        if isinstance(run_id, int):
            ids.add(run_id)
    return ids


def billing_runs_recover() -> RecoveryResult:
    """Queue again every billing run left unfinished by a dead process. Call only when no worker runs."""
    from lindung.billing.tasks import billing_run_task

    stale = list(BillingRun.objects.filter(status__in=_UNFINISHED).values_list("pk", "status", "region_prefix"))
    if not stale:
        return RecoveryResult(0, 0)
    queued = _queued_run_ids()
    orphans = [row for row in stale if row[0] not in queued]
    for pk, status, prefix in orphans:
        with transaction.atomic():
            transaction.on_commit(partial(billing_run_task.enqueue, pk))
            audit_record(
                actor=None,
                actor_username="system",
                action="billing.run.recover",
                target_type="billing_run",
                target_id=pk,
                region_code=prefix,
                changes={"status": status, "reason": "process died", "requeued": True},
            )
    return RecoveryResult(left_to_task=len(stale) - len(orphans), requeued=len(orphans))
