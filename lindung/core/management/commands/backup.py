from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from lindung.core.backup import backup_create
from lindung.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Cadangkan seluruh basis data ke satu berkas (SQLite: online backup; PostgreSQL: pg_dump)."

    def add_arguments(self, parser):
        parser.add_argument("output", nargs="?", type=Path, help="berkas tujuan (bawaan: var/backup/lindung-WAKTU)")

    def handle(self, *args, **options):
        from django.conf import settings

        output = options["output"]
        if output is None:
            stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
            output = Path(settings.VAR_DIR) / "backup" / f"lindung-{stamp}.backup"
        try:
            result = backup_create(output)
        except ApplicationError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(f"Cadangan {result.engine} tersimpan: {result.path} ({result.size_bytes:,} bita).")
        )
