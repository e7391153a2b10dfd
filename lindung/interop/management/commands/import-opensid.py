import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lindung.accounts.models import User
from lindung.core.errors import ApplicationError
from lindung.interop.services import opensid_import_apply, opensid_import_create


class Command(BaseCommand):
    help = "Impor penduduk dari ekspor OpenSID (43 kolom) ke satu desa: calon pekerja, anak, dan baris yang dilewati."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--village", required=True, help="Kode desa, mis. 52.01.14.2003")
        parser.add_argument(
            "--dry-run", action="store_true", help="Hanya tampilkan ringkasan; tidak ada yang disimpan."
        )
        parser.add_argument("--user", help="Nama pengguna pelaku (wilayahnya membatasi desa yang boleh diubah).")
        parser.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, file, village, dry_run=False, user=None, as_json=False, **options):
        actor = None
        if user:
            actor = User.objects.filter(username=user, is_active=True).first()
            if actor is None:
                raise CommandError(f"Pengguna tidak ditemukan atau nonaktif: {user}", returncode=2)
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Berkas tidak ditemukan: {file}", returncode=2)
        try:
            imp = opensid_import_create(acting_user=actor, source=path, original_name=path.name, village_code=village)
            if not dry_run:
                imp = opensid_import_apply(imp=imp, acting_user=actor)
        except ApplicationError as exc:
            raise CommandError(exc.message, returncode=2) from exc
        summary = imp.summary
        if as_json:
            self.stdout.write(json.dumps({"import": imp.pk, "status": imp.status, **summary}))
            return
        done = summary.get("applied", summary)
        self.stdout.write(
            f"{summary['rows']} penduduk, {summary['families']} KK. Calon pekerja: baru {done['workers_create']}, "
            f"diperbarui {done['workers_update']}, tetap {done['workers_unchanged']}. Anak: baru "
            f"{done['children_create']}, diperbarui {done['children_update']}, tetap {done['children_unchanged']}. "
            f"Dilewati: {summary['skipped']}. Kemungkinan klaim untuk ditinjau: {done['possible_claims']}."
        )
        for skip in imp.plan["skipped"]:
            self.stdout.write(f"  baris {skip['row']}, kolom {skip['column']}: {skip['reason']}")
        if dry_run:
            self.stdout.write("Uji coba: tidak ada yang disimpan.")
