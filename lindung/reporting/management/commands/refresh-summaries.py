"""`lindung refresh-summaries [--all] [--village CODE ...] [--json]`: refresh the dashboard summary tables."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from lindung.reporting.refresh import refresh_summaries


class Command(BaseCommand):
    help = "Refresh the dashboard summaries: the villages changed since the last refresh, or everything (--all)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--all", action="store_true", help="Recompute every village and region.")
        parser.add_argument("--village", action="append", default=[], help="Only this village (repeatable).")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        result = refresh_summaries(options["village"] or None, full=options["all"])
        data = {
            "full": result.full,
            "villages": result.villages,
            "regions": result.regions,
            "village_months": result.months,
            "duration_s": round(result.duration_s, 3),
            "as_of": result.as_of.isoformat(),
        }
        if options["json"]:
            self.stdout.write(json.dumps(data))
        else:
            self.stdout.write(
                f"Ringkasan diperbarui: {result.villages} desa/kelurahan, {result.regions} wilayah di atasnya, "
                f"{result.duration_s:.2f} detik."
            )
