from django.core.management.base import BaseCommand

from lindung.audit.recording import audit_checkpoint


class Command(BaseCommand):
    help = "Catat titik periksa rantai audit (jumlah peristiwa dan hash terakhir) di basis data dan di berkas log."

    def handle(self, *args, **options):
        checkpoint = audit_checkpoint()
        if checkpoint is None:
            self.stdout.write("Jejak audit masih kosong; tidak ada titik periksa.")
        else:
            self.stdout.write(f"Titik periksa: {checkpoint.count} peristiwa, hash {checkpoint.last_hash}.")
