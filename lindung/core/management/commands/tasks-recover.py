from datetime import timedelta

from django.core.management.base import BaseCommand
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult


class Command(BaseCommand):
    help = (
        "Kembalikan tugas latar yang tertinggal berstatus RUNNING (pekerja tugas mati) ke antrean. "
        "Semua tugas Lindung aman dijalankan ulang."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than", type=int, default=0, help="Hanya tugas yang mulai lebih dari N menit lalu (bawaan 0)."
        )

    def handle(self, *args, older_than=0, **options):
        cutoff = timezone.now() - timedelta(minutes=older_than)
        stale = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING, started_at__lte=cutoff)
        count = stale.update(status=TaskResultStatus.READY, started_at=None)
        self.stdout.write(f"Tugas tertinggal dikembalikan ke antrean: {count}.")
        from lindung.billing.recovery import billing_runs_recover
        from lindung.registry.recovery import import_batches_recover

        imports = import_batches_recover()
        self.stdout.write(
            f"Impor yang terhenti: {imports.left_to_task} dilanjutkan tugasnya, {imports.requeued} diperiksa ulang, "
            f"{imports.reopened} menunggu disimpan ulang."
        )
        runs = billing_runs_recover()
        self.stdout.write(
            f"Penagihan yang terhenti: {runs.left_to_task} dilanjutkan tugasnya, {runs.requeued} diantrekan ulang."
        )
