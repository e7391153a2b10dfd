from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lindung.core.backup import backup_restore
from lindung.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Pulihkan basis data dari berkas cadangan. SEMUA data saat ini diganti isi cadangan."

    def add_arguments(self, parser):
        parser.add_argument("backup", type=Path)
        parser.add_argument("--yes", action="store_true", help="jangan bertanya lagi (untuk skrip)")

    def handle(self, *args, **options):
        if not options["yes"]:
            if not options.get("interactive", True) or not self.stdin_isatty():
                raise CommandError("Pemulihan mengganti semua data. Ulangi dengan --yes untuk melanjutkan.")
            answer = input("Semua data saat ini akan diganti isi cadangan. Ketik 'pulihkan' untuk melanjutkan: ")
            if answer.strip().lower() != "pulihkan":
                raise CommandError("Dibatalkan; tidak ada yang diubah.")
        try:
            result = backup_restore(options["backup"])
        except ApplicationError as error:
            raise CommandError(str(error)) from error
        audit = result.audit
        if audit.ok:
            self.stdout.write(self.style.SUCCESS(f"Dipulihkan. Rantai audit utuh ({audit.checked} peristiwa)."))
        else:
            raise CommandError(
                f"Dipulihkan, tetapi rantai audit rusak pada peristiwa #{audit.first_broken_seq}: {audit.reason}."
            )

    @staticmethod
    def stdin_isatty() -> bool:
        import sys

        return sys.stdin.isatty()
