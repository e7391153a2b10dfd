"""Background jobs of billing. Each takes ids, loads, calls a service; safe to run again."""

from __future__ import annotations

import logging
import time

from django.utils import timezone
from django_tasks import task

from lindung.billing.models import BillingRun, RunStatus
from lindung.billing.services import billing_run, cover_refresh
from lindung.core.errors import ApplicationError

logger = logging.getLogger(__name__)

#: Shown when something other than a rule stopped the run (the details go to the log, not to the page).
UNEXPECTED = (
    "Penagihan berhenti karena kesalahan sistem. Menjalankannya lagi aman: desa yang sudah ditagih untuk bulan itu "
    "tidak ditagih dua kali."
)


@task()
def billing_run_task(run_id: int) -> None:
    """The monthly billing run queued from the page, then the settlement of the new invoices from the villages'
    credit, exactly as `lindung billing-run` does. Runs again safely after a crash: the invoices are written in one
    transaction and the run is idempotent per month."""
    run = BillingRun.objects.select_related("by").filter(pk=run_id).first()
    if run is None or run.status not in (RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.SETTLING):
        return
    rows = BillingRun.objects.filter(pk=run_id)
    rows.update(status=RunStatus.RUNNING, message="", progress_done=0, progress_total=0)
    prefix = run.region_prefix or None
    try:
        billing_run(period=run.period, region_prefix=prefix, actor=run.by, run=run)
        rows.update(status=RunStatus.SETTLING)
        last = [0.0]

        def progress(done: int, total: int) -> None:
            now = time.monotonic()
            if done == total or now - last[0] >= 0.5:  # at most two writes a second
                last[0] = now
                rows.update(progress_done=done, progress_total=total)

        cover_refresh(region_prefix=prefix, only_with_credit=True, progress=progress)
    except ApplicationError as exc:
        rows.update(status=RunStatus.FAILED, message=exc.message, finished_at=timezone.now())
        return
    except Exception:
        logger.exception("billing run %s failed", run_id)
        rows.update(status=RunStatus.FAILED, message=UNEXPECTED, finished_at=timezone.now())
        raise
    rows.update(status=RunStatus.DONE, finished_at=timezone.now())
