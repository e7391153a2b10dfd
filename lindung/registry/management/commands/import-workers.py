import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lindung.accounts.models import User
from lindung.core.errors import ApplicationError
from lindung.registry.services import import_batch_check_and_apply, import_batch_create


class Command(BaseCommand):
    help = "Impor pekerja dari berkas XLSX/CSV: periksa setiap baris, lalu simpan baris yang valid sekaligus."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--village", help="Kode desa untuk semua baris (tanpa kolom Kode Desa).")
        parser.add_argument("--dry-run", action="store_true", help="Hanya periksa; tidak ada yang disimpan.")
        parser.add_argument("--json", action="store_true", dest="as_json")
        parser.add_argument("--user", help="Nama pengguna pelaku untuk jejak audit (bawaan: cli).")

    def handle(self, *args, file, village=None, dry_run=False, as_json=False, user=None, **options):
        path = Path(file)
        if not path.is_file():
            self._fail(f"Berkas tidak ditemukan: {file}", as_json)
        actor = None
        if user:
            actor = User.objects.filter(username=user, is_active=True).first()
            if actor is None:
                self._fail(f"Pengguna tidak ditemukan atau nonaktif: {user}", as_json)
        try:
            batch = import_batch_create(
                acting_user=actor, source=path, original_name=path.name, village_code=village, dry_run=dry_run
            )
            summary = import_batch_check_and_apply(batch=batch, acting_user=actor)
        except ApplicationError as exc:
            self._fail(exc.message, as_json)
        batch.refresh_from_db()
        result = {
            "rows": summary.rows,
            "valid": summary.valid,
            "warnings": summary.warnings,
            "rejected": summary.rejected,
            "duplicates": summary.duplicates,
            "created": batch.created if not dry_run else summary.created,
            "updated": batch.updated if not dry_run else summary.updated,
            "unchanged": batch.unchanged if not dry_run else summary.unchanged,
            "errors_file": batch.errors_path or None,
        }
        if as_json:
            self.stdout.write(json.dumps(result))
            return
        self.stdout.write(
            f"{result['rows']} baris: {result['valid']} valid ({result['warnings']} dengan peringatan), "
            f"{result['rejected']} ditolak, {result['duplicates']} duplikat."
        )
        verb = "Akan" if dry_run else "Tersimpan:"
        self.stdout.write(
            f"{verb} {result['created']} baru, {result['updated']} diperbarui, {result['unchanged']} tidak berubah."
        )
        if result["errors_file"]:
            self.stdout.write(f"Laporan kesalahan: {result['errors_file']}")

    def _fail(self, message: str, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps({"error": {"code": "invalid", "message": message}}))
        raise CommandError(message, returncode=2)
