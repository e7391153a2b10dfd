import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from lindung.audit.recording import audit_verify, read_checkpoint_log


class Command(BaseCommand):
    help = (
        "Periksa rantai hash jejak audit dan sebutkan mata rantai pertama yang rusak. Titik periksa di basis data "
        "dan di berkas log (LINDUNG_AUDIT_CHECKPOINT_LOG atau --checkpoints) ikut dicocokkan."
    )

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true")
        parser.add_argument(
            "--checkpoints",
            type=Path,
            help="berkas log titik periksa (bawaan: LINDUNG_AUDIT_CHECKPOINT_LOG bila ada)",
        )

    def handle(self, *args, **options):
        log = options["checkpoints"] or Path(settings.LINDUNG_AUDIT_CHECKPOINT_LOG)
        if options["checkpoints"] and not log.exists():
            raise CommandError(f"Berkas titik periksa tidak ditemukan: {log}")
        external = read_checkpoint_log(log) if log.exists() else []
        report = audit_verify(external_checkpoints=external)
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "ok": report.ok,
                        "checked": report.checked,
                        "first_broken_seq": report.first_broken_seq,
                        "reason": report.reason,
                        "external_checkpoints": len(external),
                    }
                )
            )
        elif report.ok:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Rantai audit utuh: {report.checked} peristiwa diperiksa, "
                    f"{len(external)} titik periksa dari {log if external else 'log (tidak ada)'}."
                )
            )
        if not report.ok:
            raise CommandError(f"Rantai audit rusak pada peristiwa #{report.first_broken_seq}: {report.reason}.")
