from django.core.management.base import BaseCommand, CommandError

from lindung.core.demo import DEMO_PASSWORD, DEMO_USERS, demo_setup
from lindung.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Buat data demo Kota Denpasar (wilayah Bali, KC Denpasar, satu pengguna per peran). Aman diulang."

    def handle(self, *args, **options):
        try:
            result = demo_setup()
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        r = result.regions
        self.stdout.write(
            f"Wilayah Bali: {r.created} baru, {r.updated} diperbarui, {r.unchanged} tidak berubah. "
            f"Pengguna demo baru: {result.users_created}."
        )
        for name, step in result.steps.items():
            made = {k: v for k, v in step.items() if isinstance(v, int) and not isinstance(v, bool) and v}
            self.stdout.write(f"Demo {name}: " + (", ".join(f"{k} {v}" for k, v in made.items()) or "tidak berubah"))
        self.stdout.write(self.style.WARNING(f"Akun demo (kata sandi untuk semua: {DEMO_PASSWORD}):"))
        for u in DEMO_USERS:
            self.stdout.write(f"  {u.username:22} {u.role:17} {u.scope or 'Indonesia'}")
