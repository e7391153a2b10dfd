"""`lindung synth`: synthetic programmes, candidates, members, billing and claims for a region or the country."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lindung.core.errors import ApplicationError
from lindung.synth.services import AS_OF, stderr_progress, synth_run


class Command(BaseCommand):
    help = "Generate synthetic data (deterministic for a seed) for the villages under a region code, or everywhere."

    def add_arguments(self, parser: CommandParser) -> None:
        scope = parser.add_mutually_exclusive_group(required=True)
        scope.add_argument("--prefix", help="region code, e.g. 51.71 (Kota Denpasar) or 51 (Bali)")
        scope.add_argument("--all", action="store_true", help="every desa and kelurahan in the country")
        parser.add_argument("--per-village", type=int, default=100, help="quota (members) per village")
        parser.add_argument("--candidates-factor", type=float, default=1.5, help="candidates = quota * factor")
        parser.add_argument("--months", type=int, default=12, help="months of invoices and payments")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--profile", choices=("realistic", "full"), default="realistic")
        parser.add_argument("--as-of", default=AS_OF.isoformat(), help="the generated data's 'today' (YYYY-MM-DD)")
        parser.add_argument("--chunk", type=int, default=2000, help="villages per chunk (whole districts)")
        parser.add_argument("--jobs", type=int, default=2, help="generating processes (PostgreSQL only)")
        parser.add_argument("--no-checksum", action="store_true")
        parser.add_argument("--json", action="store_true", help="print one JSON object as the last line")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            as_of = dt.date.fromisoformat(options["as_of"])
        except ValueError as exc:
            raise CommandError("Tanggal --as-of harus berformat YYYY-MM-DD.") from exc
        try:
            result = synth_run(
                prefix="" if options["all"] else options["prefix"],
                seed=options["seed"],
                per_village=options["per_village"],
                candidates_factor=options["candidates_factor"],
                months=options["months"],
                profile=options["profile"],
                as_of=as_of,
                chunk_villages=options["chunk"],
                jobs=options["jobs"],
                with_checksum=not options["no_checksum"],
                progress=stderr_progress,
            )
        except ApplicationError as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), sort_keys=True))
        else:
            counts = result.counts
            self.stdout.write(
                f"{result.villages} desa/kelurahan: {counts['registry_worker']} pekerja, "
                f"{counts['membership_membership']} peserta, {counts['billing_invoice']} tagihan, "
                f"{counts['claims_claim']} klaim dalam {result.seconds:.1f} detik; checksum {result.checksum}"
            )
