import json

from django.core.management.base import BaseCommand

from lindung.billing.services import cover_refresh


class Command(BaseCommand):
    help = "Hitung ulang masa perlindungan, tunggakan dan status peserta setiap desa pembayar (jalankan tiap hari)."

    def add_arguments(self, parser):
        parser.add_argument("--region", default="", help="Hanya desa di bawah kode wilayah ini.")
        parser.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, region="", as_json=False, **options):
        villages = cover_refresh(region_prefix=region or None)
        if as_json:
            self.stdout.write(json.dumps({"villages": villages}))
        else:
            self.stdout.write(f"{villages} desa dihitung ulang.")
