import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lindung.core.errors import ApplicationError
from lindung.membership.importing import memberships_import
from lindung.programmes.models import Programme


class Command(BaseCommand):
    help = (
        "Impor kepesertaan yang sudah ada sebelum Lindung (lembar Peserta: NIK, KPJ, Tanggal Mulai, Penghasilan "
        "Dilaporkan, Paket) dengan riwayat pembayarannya (lembar Pembayaran atau --payments: Kode Desa, Tanggal "
        "Valuta, Jumlah, Referensi). Semua atau tidak sama sekali; menjalankan ulang tidak mengubah apa pun."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="Berkas XLSX (lembar Peserta dan Pembayaran) atau CSV peserta.")
        parser.add_argument("--payments", help="Berkas CSV/XLSX pembayaran bila tidak ada di berkas peserta.")
        parser.add_argument("--programme", type=int, help="Nomor program (wajib bila desa ikut lebih dari satu).")
        parser.add_argument("--dry-run", action="store_true", help="Periksa dan hitung saja; tidak ada yang disimpan.")
        parser.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, file, payments=None, programme=None, dry_run=False, as_json=False, **options):
        for name in (file, payments):
            if name and not Path(name).is_file():
                raise CommandError(f"Berkas tidak ditemukan: {name}", returncode=2)
        chosen = None
        if programme is not None:
            chosen = Programme.objects.filter(pk=programme).first()
            if chosen is None:
                raise CommandError(f"Program tidak ditemukan: {programme}", returncode=2)
        try:
            result = memberships_import(
                actor=None,
                path=Path(file),
                payments_path=Path(payments) if payments else None,
                programme=chosen,
                dry_run=dry_run,
            )
        except ApplicationError as exc:
            raise CommandError(exc.message, returncode=2) from exc
        if as_json:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
        else:
            for problem in result.problems:
                self.stdout.write(str(problem))
            if result.problems:
                self.stdout.write(f"{len(result.problems)} kesalahan. Tidak ada yang disimpan.")
            else:
                prefix = "Uji coba (tidak disimpan): " if dry_run else ""
                self.stdout.write(
                    f"{prefix}{result.member_rows} baris peserta: {result.created} baru, "
                    f"{result.completed} dilengkapi, {result.unchanged} tidak berubah. "
                    f"{result.payment_rows} baris pembayaran: "
                    f"{result.payments_created} baru, {result.payments_unchanged} sudah tercatat. "
                    f"{result.invoices_created} tagihan diterbitkan."
                )
                for month, count in result.paid_through.items():
                    self.stdout.write(f"  Iuran lunas s.d. {month}: {count} peserta")
        if result.problems:
            raise CommandError("Berkas mengandung kesalahan; tidak ada yang disimpan.", returncode=1)
