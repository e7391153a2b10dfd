from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lindung.accounts.models import User
from lindung.core.errors import ApplicationError
from lindung.interop.exporting import opensid_programme_export


class Command(BaseCommand):
    help = "Ekspor peserta desa sebagai berkas impor program bantuan OpenSID (format_impor_program_bantuan.xlsx)."

    def add_arguments(self, parser):
        parser.add_argument("out")
        parser.add_argument("--village", required=True, help="Kode desa, mis. 51.71.03.2008")
        parser.add_argument("--year", type=int, help="Tahun rentang waktu program (bawaan: tahun ini).")
        parser.add_argument("--programme", type=int, help="ID program Lindung bila desa ikut lebih dari satu.")
        parser.add_argument("--user", help="Nama pengguna pelaku (wilayahnya membatasi desa).")

    def handle(self, *args, out, village, year=None, programme=None, user=None, **options):
        actor = None
        if user:
            actor = User.objects.filter(username=user, is_active=True).first()
            if actor is None:
                raise CommandError(f"Pengguna tidak ditemukan atau nonaktif: {user}", returncode=2)
        try:
            count = opensid_programme_export(
                acting_user=actor, village_code=village, out=Path(out), year=year, programme_id=programme
            )
        except ApplicationError as exc:
            raise CommandError(exc.message, returncode=2) from exc
        self.stdout.write(f"{count} peserta ditulis ke {out}.")
