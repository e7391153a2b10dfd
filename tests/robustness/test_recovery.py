"""`lindung tasks-recover` on import batches a dead process left running (no task queued for them any more):
a save goes back to "checked" with a message (nothing was written: the apply is one transaction), a check goes back
to the queue; a batch whose task is queued again is left to it. Each change is audited."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from lindung.audit.models import AuditEvent
from lindung.registry.models import ImportBatch
from lindung.registry.recovery import STOPPED_MESSAGE
from lindung.registry.tasks import import_batch_apply_task, import_batch_validate_task

pytestmark = pytest.mark.django_db


def _batch(status: str) -> ImportBatch:
    return ImportBatch.objects.create(original_name=f"{status}.csv", stored_path="/nowhere", status=status)


def test_batches_left_running_without_a_task_are_made_resumable(
    settings, capsys, django_capture_on_commit_callbacks
) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    saving, checking, resumed, done = _batch("applying"), _batch("validating"), _batch("applying"), _batch("applied")
    queued = import_batch_apply_task.enqueue(resumed.pk)  # its worker died: the task is still marked running
    DBTaskResult.objects.filter(pk=queued.id).update(status=TaskResultStatus.RUNNING, started_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):  # the check is queued once the recovery commits
        call_command("tasks-recover")
    assert "1 dilanjutkan tugasnya, 1 diperiksa ulang, 1 menunggu disimpan ulang" in capsys.readouterr().out

    saving.refresh_from_db()
    assert (saving.status, saving.message) == ("validated", STOPPED_MESSAGE)
    checking.refresh_from_db()
    assert checking.status == "validating"
    again = DBTaskResult.objects.filter(task_path=import_batch_validate_task.module_path, status=TaskResultStatus.READY)
    assert [row["args"] for row in again.values_list("args_kwargs", flat=True)] == [[checking.pk]]
    resumed.refresh_from_db()
    done.refresh_from_db()
    assert (resumed.status, done.status) == ("applying", "applied")
    assert DBTaskResult.objects.get(pk=queued.id).status == TaskResultStatus.READY  # requeued for the worker
    events = AuditEvent.objects.filter(action="registry.import.recover").order_by("target_id")
    assert sorted((e.target_id, e.changes["status"][0], e.changes["status"][1]) for e in events) == sorted(
        [(str(saving.pk), "applying", "validated"), (str(checking.pk), "validating", "validating")]
    )

    call_command("tasks-recover")  # a second run: both running batches now have a queued task; nothing changes
    assert "2 dilanjutkan tugasnya, 0 diperiksa ulang, 0 menunggu disimpan ulang" in capsys.readouterr().out
    assert AuditEvent.objects.filter(action="registry.import.recover").count() == 2


def test_billing_runs_left_unfinished_get_their_task_again(settings, capsys, django_capture_on_commit_callbacks):
    from lindung.billing.models import BillingRun, RunStatus
    from lindung.billing.tasks import billing_run_task

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    month = timezone.localdate().replace(day=1)
    lost = BillingRun.objects.create(period=month, status=RunStatus.SETTLING)  # its task is gone
    resumed = BillingRun.objects.create(period=month, status=RunStatus.RUNNING)
    BillingRun.objects.create(period=month, status=RunStatus.DONE)
    queued = billing_run_task.enqueue(resumed.pk)
    DBTaskResult.objects.filter(pk=queued.id).update(status=TaskResultStatus.RUNNING, started_at=timezone.now())

    with django_capture_on_commit_callbacks(execute=True):
        call_command("tasks-recover")
    assert "Penagihan yang terhenti: 1 dilanjutkan tugasnya, 1 diantrekan ulang." in capsys.readouterr().out
    ready = DBTaskResult.objects.filter(task_path=billing_run_task.module_path, status=TaskResultStatus.READY)
    assert sorted(row["args"][0] for row in ready.values_list("args_kwargs", flat=True)) == sorted(
        [lost.pk, resumed.pk]
    )
    event = AuditEvent.objects.get(action="billing.run.recover")
    assert (event.target_id, event.changes["status"]) == (str(lost.pk), "settling")
