from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from lindung.programmes.services import agreements_expire_due


class Command(BaseCommand):
    help = (
        "Tandai kedaluwarsa setiap PKS berstatus ditandatangani/aktif yang masa berlakunya sudah lewat "
        "(jalankan tiap hari, misalnya dari cron)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--tanggal", help="tanggal acuan HHHH-BB-TT (bawaan: hari ini)")

    def handle(self, *args, **options):
        try:
            on = date.fromisoformat(options["tanggal"]) if options["tanggal"] else timezone.localdate()
        except ValueError as error:
            raise CommandError("Tanggal harus berformat HHHH-BB-TT, misalnya 2024-01-01.") from error
        count = agreements_expire_due(on=on)
        self.stdout.write(self.style.SUCCESS(f"{count} PKS ditandai kedaluwarsa."))
