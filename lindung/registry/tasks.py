"""Background jobs for long imports. Each takes ids, loads, calls a service; safe to run again."""

import contextlib

from django_tasks import task

from lindung.core.errors import ApplicationError
from lindung.registry.models import ImportBatch
from lindung.registry.services import import_batch_apply, import_batch_validate


@task()
def import_batch_validate_task(batch_id: int) -> None:
    batch = ImportBatch.objects.select_related("created_by").get(pk=batch_id)
    if batch.status not in (ImportBatch.Status.UPLOADED, ImportBatch.Status.VALIDATING):
        return
    with contextlib.suppress(ApplicationError):  # the batch row carries the message for the page
        import_batch_validate(batch=batch)


@task()
def import_batch_apply_task(batch_id: int) -> None:
    batch = ImportBatch.objects.select_related("created_by").get(pk=batch_id)
    if batch.status not in (ImportBatch.Status.VALIDATED, ImportBatch.Status.APPLYING):
        return
    with contextlib.suppress(ApplicationError):
        import_batch_apply(batch=batch, acting_user=batch.created_by)
