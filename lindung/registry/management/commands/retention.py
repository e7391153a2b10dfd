import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from lindung.core.errors import ApplicationError
from lindung.registry.retention import apply_retention, retention_plan


class Command(BaseCommand):
    help = (
        "Aturan retensi data pribadi (UU PDP): anonimkan data pekerja yang tidak diperlukan lagi. Tanpa --apply "
        "hanya menghitung; jalankan bulanan dari cron."
    )

    def add_arguments(self, parser):
        parser.add_argument("--apply", action="store_true", help="Anonimkan (tanpa ini: hanya hitung, tidak mengubah).")
        parser.add_argument("--as-of", dest="as_of", help="Tanggal acuan TTTT-BB-HH (bawaan: hari ini).")
        parser.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args, apply=False, as_of=None, as_json=False, **options):
        try:
            day = dt.date.fromisoformat(as_of) if as_of else None
        except ValueError as exc:
            raise CommandError(
                _("Invalid date: %(value)s (expected YYYY-MM-DD).") % {"value": as_of}, returncode=2
            ) from exc
        try:
            if apply:
                result = apply_retention(day)
                plan, anonymised, seq = result.plan, result.anonymised, result.audit_seq
            else:
                plan, anonymised, seq = retention_plan(day), 0, None
        except ApplicationError as exc:
            raise CommandError(exc.message, returncode=2) from exc
        if as_json:
            self.stdout.write(
                json.dumps(
                    {
                        "as_of": plan.as_of.isoformat(),
                        "candidates": plan.candidates,
                        "former_members": plan.former_members,
                        "withdrawn": plan.withdrawn,
                        "anonymised": anonymised,
                        "applied": bool(apply),
                    }
                )
            )
            return
        self.stdout.write(_("Personal data retention rule as of %(date)s.") % {"date": plan.as_of.isoformat()})
        lines = (
            (
                _("Never members, record unchanged since before %(date)s"),
                plan.candidate_cutoff,
                plan.candidates,
            ),
            (
                _("Never members, consent withdrawn before %(date)s"),
                plan.withdrawn_cutoff,
                plan.withdrawn,
            ),
            (
                _("Former members, every membership ended before %(date)s, no open claim or scholarship"),
                plan.member_cutoff,
                plan.former_members,
            ),
        )
        for label, cutoff, count in lines:
            self.stdout.write(f"  {label % {'date': cutoff.isoformat()}}: {count}")
        if (plan.total if not apply else anonymised) == 0:
            self.stdout.write(_("Nothing to anonymise."))
        elif not apply:
            self.stdout.write(
                _("Dry run: nothing was changed. Run again with --apply to anonymise %(count)d workers.")
                % {"count": plan.total}
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    _("Anonymised %(count)d workers (audit event #%(seq)d).") % {"count": anonymised, "seq": seq}
                )
            )
