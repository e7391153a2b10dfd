import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lindung.core.errors import ApplicationError
from lindung.membership.models import RegistrationFile
from lindung.membership.registration import registration_answer_import


class Command(BaseCommand):
    help = "Impor jawaban kantor cabang BPJS (NIK, KPJ, tanggal efektif) untuk sebuah berkas pendaftaran kolektif."

    def add_arguments(self, parser):
        parser.add_argument("registration_file", type=int, help="Nomor berkas pendaftaran kolektif.")
        parser.add_argument("answer", help="Berkas XLSX jawaban BPJS.")
        parser.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, registration_file, answer, as_json=False, **options):
        record = RegistrationFile.objects.filter(pk=registration_file).first()
        if record is None:
            raise CommandError(f"Berkas pendaftaran tidak ditemukan: {registration_file}", returncode=2)
        if not Path(answer).is_file():
            raise CommandError(f"Berkas tidak ditemukan: {answer}", returncode=2)
        try:
            result = registration_answer_import(actor=None, registration=record, path=Path(answer))
        except ApplicationError as exc:
            raise CommandError(exc.message, returncode=2) from exc
        summary = {
            "rows": result.rows, "applied": result.applied, "unchanged": result.unchanged,
            "problems": [{"row": p.row, "column": p.column, "message": p.message} for p in result.problems],
        }  # fmt: skip
        if as_json:
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
        else:
            for problem in result.problems:
                self.stdout.write(str(problem))
            verdict = "Tidak ada yang disimpan." if result.problems else f"{result.applied} peserta diperbarui."
            self.stdout.write(f"{result.rows} baris. {verdict}")
        if result.problems:
            raise CommandError("Jawaban BPJS mengandung kesalahan; tidak ada yang disimpan.", returncode=1)
