import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from lindung.billing.services import billing_run, cover_refresh, parse_period
from lindung.core.errors import ApplicationError
from lindung.regions.models import Region


class Command(BaseCommand):
    help = "Terbitkan tagihan iuran bulanan: satu tagihan per desa pembayar, satu baris per peserta aktif."

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="Bulan tagihan, TTTT-BB (misalnya 2026-05).")
        parser.add_argument("--region", default="", help="Hanya desa di bawah kode wilayah ini (misalnya 51.71).")
        parser.add_argument("--json", action="store_true", dest="as_json")
        parser.add_argument(
            "--no-settle",
            action="store_true",
            help="Jangan lunasi tagihan baru dari saldo desa (lakukan nanti dengan cover-refresh).",
        )

    def handle(self, *args, period, region="", as_json=False, no_settle=False, **options):
        try:
            first = parse_period(period)
            if region and not Region.objects.filter(code=region).exists():
                raise ApplicationError(_("Unknown region code: %(code)s") % {"code": region})
            result = billing_run(period=first, region_prefix=region or None)
            settled = 0 if no_settle else cover_refresh(region_prefix=region or None, only_with_credit=True)
        except ApplicationError as exc:
            raise CommandError(exc.message, returncode=2) from exc
        if as_json:
            self.stdout.write(json.dumps(result.as_dict() | {"villages_settled_from_credit": settled}))
            return
        self.stdout.write(
            f"Periode {result.period}: {result.invoices_created} tagihan baru, {result.invoices_unchanged} sudah ada; "
            f"{result.lines} baris, total Rp{result.total:,}".replace(",", ".")
        )
