import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lindung.accounts.models import User
from lindung.core.errors import ApplicationError
from lindung.interop.poverty import poverty_extract_import


class Command(BaseCommand):
    help = "Perbarui desil dan tanda miskin ekstrem dari ekstrak P3KE/DTSEN; usulkan warga miskin yang belum terdaftar."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--village", help="Hanya satu desa (kode).")
        parser.add_argument("--dry-run", action="store_true", help="Hanya laporkan; tidak ada yang diubah.")
        parser.add_argument("--user", help="Nama pengguna pelaku (wilayahnya membatasi pekerja yang diubah).")
        parser.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, file, village=None, dry_run=False, user=None, as_json=False, **options):
        actor = None
        if user:
            actor = User.objects.filter(username=user, is_active=True).first()
            if actor is None:
                raise CommandError(f"Pengguna tidak ditemukan atau nonaktif: {user}", returncode=2)
        if not Path(file).is_file():
            raise CommandError(f"Berkas tidak ditemukan: {file}", returncode=2)
        try:
            result = poverty_extract_import(acting_user=actor, path=Path(file), apply=not dry_run, village_code=village)
        except ApplicationError as exc:
            raise CommandError(exc.message, returncode=2) from exc
        summary = {
            "rows": result.rows, "updated": result.updated, "unchanged": result.unchanged,
            "not_found": result.not_found, "rejected": result.rejected, "proposed": result.proposed,
        }  # fmt: skip
        if as_json:
            self.stdout.write(json.dumps(summary))
            return
        verb = "Akan diubah" if dry_run else "Diubah"
        self.stdout.write(
            f"{result.rows} baris: {verb} {result.updated}, tetap {result.unchanged}, diusulkan {result.proposed}, "
            f"tidak ditemukan di wilayah {result.not_found}, ditolak {result.rejected}."
        )
        for change in result.changes:
            self.stdout.write(
                f"  {change.name} ({change.nik}): desil {change.decile[0] or '-'} -> {change.decile[1]}, "
                f"miskin ekstrem {'ya' if change.extreme_poor[1] else 'tidak'}"
            )
        for row, column, message in result.errors:
            self.stdout.write(f"  baris {row}, kolom {column}: {message}")
