"""Refresh deciles from a P3KE/DTSEN extract (NIK + decile), set-based, with a report of what changed.

Only workers in the actor's scope are touched; a NIK that is not registered there is counted as "not found"
without saying whether it exists elsewhere.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from lindung.accounts.access import user_scope, villages_changeable
from lindung.accounts.models import User
from lindung.audit.recording import audit_record
from lindung.core.errors import ApplicationError
from lindung.registry.importing.cells import CellError, parse_int, parse_nik
from lindung.registry.importing.reading import FileProblem, open_table
from lindung.registry.models import Worker

_CHUNK = 5000


@dataclass
class PovertyRefreshResult:
    rows: int = 0
    updated: int = 0
    unchanged: int = 0
    not_found: int = 0
    rejected: int = 0
    transitions: Counter[tuple[int | None, int]] = field(default_factory=Counter)
    errors: list[tuple[int, str]] = field(default_factory=list)  # (row number, reason), first 1,000

    def transition_lines(self) -> list[tuple[str, int, int]]:
        """(from, to, workers) sorted, `from` as text because a worker may have had no decile."""
        return [
            ("-" if old is None else str(old), new, count)
            for (old, new), count in sorted(self.transitions.items(), key=lambda t: ((t[0][0] or 0), t[0][1]))
        ]


def poverty_refresh(*, acting_user: User | None, path: Path, apply: bool) -> PovertyRefreshResult:
    """Read the extract, compare deciles with the registry; when `apply`, write the changes in one transaction."""
    try:
        table = open_table(path, require_village_column=False, required=("nik", "desil"))
    except FileProblem as exc:
        raise ApplicationError(str(exc), code="file") from exc
    if acting_user is not None:
        if not villages_changeable(acting_user).exists():
            raise ApplicationError(_("Your role cannot change worker data."), code="forbidden")
        workers = Worker.objects.filter(user_scope(acting_user).q("village__code"))
    else:
        workers = Worker.objects.all()
    result = PovertyRefreshResult()
    changes: dict[int, list[int]] = {}  # new decile -> worker ids
    seen: set[str] = set()
    for block in table.blocks():
        wanted: dict[str, tuple[int, int]] = {}
        for row_number, values in block:
            result.rows += 1
            try:
                nik = parse_nik(values.get("nik"))
                decile = parse_int(values.get("desil"), low=1, high=10, what="Desil")
                if nik is None or decile is None:
                    raise CellError("NIK dan desil wajib diisi.")
            except CellError as exc:
                result.rejected += 1
                if len(result.errors) < 1000:
                    result.errors.append((row_number, exc.message))
                continue
            if nik in seen:
                result.rejected += 1
                if len(result.errors) < 1000:
                    result.errors.append((row_number, "NIK muncul lebih dari sekali di berkas; baris ini dilewati."))
                continue
            seen.add(nik)
            wanted[nik] = (row_number, decile)
        found = {
            nik: (pk, decile)
            for pk, nik, decile in workers.filter(nik__in=list(wanted)).values_list("pk", "nik", "decile")
        }
        for nik, (_row, new) in wanted.items():
            if nik not in found:
                result.not_found += 1
                continue
            pk, old = found[nik]
            if old == new:
                result.unchanged += 1
            else:
                result.updated += 1
                result.transitions[(old, new)] += 1
                changes.setdefault(new, []).append(pk)
    if apply and result.updated:
        with transaction.atomic():
            for decile, ids in changes.items():
                for start in range(0, len(ids), _CHUNK):
                    Worker.objects.filter(pk__in=ids[start : start + _CHUNK]).update(decile=decile)
            audit_record(
                actor=acting_user, actor_username="" if acting_user else "cli", action="registry.poverty_refresh",
                target_type="worker",
                changes={"file": path.name, "rows": result.rows, "updated": result.updated,
                         "unchanged": result.unchanged, "not_found": result.not_found, "rejected": result.rejected,
                         "transitions": {f"{o}->{n}": c for (o, n), c in result.transitions.items()}},
            )  # fmt: skip
    return result
