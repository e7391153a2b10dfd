import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from lindung.registry.tasks import import_batch_validate_task


@pytest.mark.django_db
def test_tasks_recover_requeues_tasks_left_running_by_a_killed_worker(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
    result = import_batch_validate_task.enqueue(12345)
    DBTaskResult.objects.filter(pk=result.id).update(status=TaskResultStatus.RUNNING, started_at=timezone.now())
    call_command("tasks-recover")
    assert DBTaskResult.objects.get(pk=result.id).status == TaskResultStatus.READY
