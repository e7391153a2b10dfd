import json

from django.core.management.base import BaseCommand, CommandError

from lindung.audit.recording import audit_verify


class Command(BaseCommand):
    help = "Periksa rantai hash jejak audit dan sebutkan mata rantai pertama yang rusak."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **options):
        report = audit_verify()
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "ok": report.ok,
                        "checked": report.checked,
                        "first_broken_seq": report.first_broken_seq,
                        "reason": report.reason,
                    }
                )
            )
        elif report.ok:
            self.stdout.write(self.style.SUCCESS(f"Rantai audit utuh: {report.checked} peristiwa diperiksa."))
        if not report.ok:
            raise CommandError(f"Rantai audit rusak pada peristiwa #{report.first_broken_seq}: {report.reason}.")
