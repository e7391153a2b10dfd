import json
import sys
from decimal import Decimal
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from lokal import format_rupiah

from lindung.benefits.engine import Quote, QuoteError, quote
from lindung.benefits.engine.jsonio import error_to_json, parse_request, quote_to_json
from lindung.core.parameters import parameters_on


class Command(BaseCommand):
    help = (
        "Hitung manfaat BPJS Ketenagakerjaan (JKK/JKM) dan jadwal beasiswa untuk satu peristiwa, dari masukan JSON, "
        "dengan parameter peraturan yang berlaku pada tanggal peristiwa."
    )
    requires_system_checks: list[str] = []
    stealth_options = ("stdin",)

    def add_arguments(self, parser):
        parser.add_argument("--input", required=True, dest="input_path", help="Berkas JSON masukan, atau - (stdin).")
        parser.add_argument("--json", action="store_true", dest="as_json", help="Keluaran JSON (untuk program lain).")

    def handle(self, *args, input_path, as_json=False, stdin=None, **options):
        try:
            text = self._read(input_path, stdin)
            try:
                data = json.loads(text, parse_float=Decimal)
            except ValueError as exc:
                raise QuoteError(
                    "invalid_json",
                    f"Masukan bukan JSON yang sah: {exc}.",
                    english=f"The input is not valid JSON: {exc}.",
                ) from None
            request = parse_request(data)
            result = quote(
                request.event,
                request.member,
                request.children,
                parameters_on(request.event.date),
                request.chosen_children,
            )
        except QuoteError as error:
            if as_json:
                self.stdout.write(json.dumps(error_to_json(error), ensure_ascii=False))
            raise CommandError(error.message, returncode=2) from None
        if as_json:
            self.stdout.write(json.dumps(quote_to_json(result), ensure_ascii=False))
        else:
            self._print(result)

    def _read(self, input_path: str, stdin) -> str:
        if input_path == "-":
            return (stdin or sys.stdin).read()
        path = Path(input_path)
        if not path.is_file():
            raise QuoteError(
                "file_not_found", f"Berkas tidak ditemukan: {input_path}", english=f"File not found: {input_path}"
            )
        try:
            return path.read_text(encoding="utf-8-sig")
        except UnicodeDecodeError:
            raise QuoteError(
                "invalid_json",
                f"Berkas bukan teks UTF-8: {input_path}",
                english=f"The file is not UTF-8 text: {input_path}",
            ) from None

    def _print(self, result: Quote) -> None:
        write = self.stdout.write
        write(f"Status: {result.status.value}; masa iur {result.masa_iur_months} bulan.")
        for line in result.benefits:
            write(f"  {line.code}: {format_rupiah(line.amount)}  [{line.rule}]")
        write(f"Total tunai: {format_rupiah(result.cash_total)}")
        scholarship = result.scholarship
        write(f"Beasiswa: {scholarship.reason}")
        for child in scholarship.children:
            write(f"  {child.name}: {format_rupiah(child.total)}")
            for year in child.years:
                school_year = f"{year.school_year}/{year.school_year + 1}"
                write(f"    {school_year} {year.level} {year.grade}: {format_rupiah(year.amount)}")
        write(f"Total beasiswa: {format_rupiah(scholarship.total)}")
        write(f"Total keseluruhan: {format_rupiah(result.grand_total)}")
