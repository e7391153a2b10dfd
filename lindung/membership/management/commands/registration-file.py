import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lindung.core.errors import ApplicationError
from lindung.membership.registration import registration_file_create
from lindung.programmes.models import Programme


class Command(BaseCommand):
    help = "Buat berkas pendaftaran kolektif (XLSX) untuk kantor cabang BPJS: satu baris per peserta yang menunggu."

    def add_arguments(self, parser):
        parser.add_argument("--programme", type=int, required=True, help="ID program.")
        parser.add_argument("--region", default="", help="Hanya peserta di bawah kode wilayah ini.")
        parser.add_argument("--output", "-o", required=True, help="Berkas XLSX yang ditulis.")
        parser.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, programme, region="", output, as_json=False, **options):
        found = Programme.objects.filter(pk=programme).first()
        if found is None:
            raise CommandError(f"Program tidak ditemukan: {programme}", returncode=2)
        try:
            record, content = registration_file_create(actor=None, programme=found, region_code=region)
        except ApplicationError as exc:
            raise CommandError(exc.message, returncode=2) from exc
        Path(output).write_bytes(content)
        members = record.memberships.count()
        if as_json:
            self.stdout.write(json.dumps({"registration_file": record.pk, "members": members, "output": output}))
        else:
            self.stdout.write(f"Berkas {record.pk}: {members} peserta ditulis ke {output}.")
