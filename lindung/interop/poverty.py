"""Poverty data in: a P3KE/DTSEN extract updates deciles and the extreme-poor flag in bulk and proposes
unregistered poor residents, who become workers only when the village confirms them.

The extract is read by the registry's reader (NIK, Nomor KK, Desil, Miskin Ekstrem, Nama, Kode Desa under any
of their usual headers). The extreme-poor flag set from an extract carries the note `EXTRACT_NOTE`, so a later
extract may clear it again; a flag set by the village deliberation (any other note) is never cleared here.
"""

from __future__ import annotations

import csv
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.accounts.access import villages_changeable
from lindung.accounts.models import User
from lindung.audit.recording import audit_record
from lindung.core.errors import ApplicationError
from lindung.interop.models import PovertyProposal
from lindung.interop.services import changeable_village
from lindung.regions.models import Region
from lindung.registry.identity import check_nik, mask_nik
from lindung.registry.importing.cells import CellError, clean_text, parse_bool, parse_int, parse_kk, parse_nik
from lindung.registry.importing.reading import FileProblem, open_table
from lindung.registry.importing.rows import normalise_village_code
from lindung.registry.models import ImportBatch, Worker
from lindung.registry.services import import_batch_apply, import_batch_create, import_batch_validate

EXTRACT_NOTE = "Data P3KE/DTSEN: miskin ekstrem"
POOR_DECILES = 4  # RULES.md: decile 1 extreme poor, 2-4 poor to vulnerable
_CHUNK = 5000
_ERRORS_SHOWN = 1000


@dataclass
class Change:
    nik: str  # masked
    name: str
    village: str
    decile: tuple[int | None, int | None]
    extreme_poor: tuple[bool, bool]


@dataclass
class PovertyExtractResult:
    rows: int = 0
    updated: int = 0
    unchanged: int = 0
    not_found: int = 0
    rejected: int = 0
    proposed: int = 0
    already_proposed: int = 0
    changes: list[Change] = field(default_factory=list)
    errors: list[tuple[int, str, str]] = field(default_factory=list)  # (row, column, message)


@dataclass
class _Row:
    number: int
    nik: str
    kk: str
    decile: int
    flag: bool | None
    name: str
    village: str | None


def _parse(values: dict[str, Any], number: int, result: PovertyExtractResult) -> _Row | None:
    column = "nik"
    try:
        nik = parse_nik(values.get("nik"))
        if nik is None:
            raise CellError("NIK wajib diisi.")
        verdict = check_nik(nik)
        if verdict.errors:
            raise CellError(" ".join(verdict.errors))
        column = "desil"
        decile = parse_int(values.get("desil"), low=1, high=10, what="Desil")
        if decile is None:
            raise CellError("Desil wajib diisi (1 sampai 10).")
        column = "no_kk"
        kk = parse_kk(values.get("no_kk")) or ""
        column = "miskin_ekstrem"
        flag = parse_bool(values.get("miskin_ekstrem"))
        column = "nama"
        name = clean_text(values.get("nama"), max_length=150) or ""
    except CellError as exc:
        result.rejected += 1
        if len(result.errors) < _ERRORS_SHOWN:
            result.errors.append((number, _LABELS.get(column, column), exc.message))
        return None
    raw_village = values.get("kode_desa")
    return _Row(number, nik, kk, decile, flag, name, normalise_village_code(raw_village) if raw_village else None)


_LABELS = {"nik": "NIK", "desil": "Desil", "no_kk": "Nomor KK", "miskin_ekstrem": "Miskin Ekstrem", "nama": "Nama"}


def poverty_extract_import(
    *, acting_user: User | None, path: Path, apply: bool, village_code: str | None = None
) -> PovertyExtractResult:
    """Compare the extract with the workers in the actor's area (or one village); when `apply`, write the
    changes and the proposals in one transaction. A NIK outside the area is "not found", nothing more."""
    try:
        table = open_table(path, require_village_column=False, required=("nik", "desil"))
    except FileProblem as exc:
        raise ApplicationError(str(exc), code="file") from exc
    if village_code:
        villages = [changeable_village(acting_user, village_code).code]
    elif acting_user is not None:
        villages = list(villages_changeable(acting_user).values_list("code", flat=True))
        if not villages:
            raise ApplicationError(_("Your role cannot change worker data."), code="forbidden")
    else:
        villages = []  # the command line without a user: every village
    workers = Worker.objects.filter(village_id__in=villages) if villages or acting_user else Worker.objects.all()
    result = PovertyExtractResult()
    seen: set[str] = set()
    changed: list[Worker] = []
    unmatched: list[_Row] = []
    for block in table.blocks():
        wanted: dict[str, _Row] = {}
        for number, values in block:
            result.rows += 1
            row = _parse(values, number, result)
            if row is None:
                continue
            if row.nik in seen:
                result.rejected += 1
                if len(result.errors) < _ERRORS_SHOWN:
                    result.errors.append((number, "NIK", "NIK muncul lebih dari sekali di berkas; baris ini dilewati."))
                continue
            seen.add(row.nik)
            wanted[row.nik] = row
        found = {
            w.nik: w
            for w in workers.filter(nik__in=list(wanted)).only(
                "pk", "nik", "name", "village_id", "decile", "extreme_poor", "extreme_poor_note", "kk_number"
            )
        }
        for nik, row in wanted.items():
            worker = found.get(nik)
            if worker is None:
                unmatched.append(row)
                continue
            before = (worker.decile, worker.extreme_poor)
            worker.decile = row.decile
            if row.flag is True and not worker.extreme_poor:
                worker.extreme_poor, worker.extreme_poor_note = True, EXTRACT_NOTE
            elif row.flag is False and worker.extreme_poor and worker.extreme_poor_note == EXTRACT_NOTE:
                worker.extreme_poor, worker.extreme_poor_note = False, ""
            kk_filled = bool(row.kk and not worker.kk_number)
            if kk_filled:
                worker.kk_number = row.kk
            if (worker.decile, worker.extreme_poor) == before and not kk_filled:
                result.unchanged += 1
                continue
            result.updated += 1
            changed.append(worker)
            if (worker.decile, worker.extreme_poor) != before:
                result.changes.append(Change(mask_nik(nik), worker.name, worker.village_id,
                                             (before[0], worker.decile), (before[1], worker.extreme_poor)))  # fmt: skip
    proposals = _proposals(unmatched, villages, acting_user, path.name, result)
    result.not_found = len(unmatched) - len(proposals) - result.already_proposed
    result.proposed = len(proposals)
    if apply and (changed or proposals):
        with transaction.atomic():
            Worker.objects.bulk_update(changed, ["decile", "extreme_poor", "extreme_poor_note", "kk_number"],
                                       batch_size=1000)  # fmt: skip
            PovertyProposal.objects.bulk_create(proposals, batch_size=1000, ignore_conflicts=True)
            audit_record(
                actor=acting_user, actor_username="" if acting_user else "cli", action="interop.poverty.import",
                target_type="worker", region_code=village_code or "",
                changes={"file": path.name, "rows": result.rows, "updated": result.updated,
                         "unchanged": result.unchanged, "not_found": result.not_found, "rejected": result.rejected,
                         "proposed": result.proposed,
                         "sample": [{"nik": c.nik, "decile": list(c.decile), "extreme_poor": list(c.extreme_poor)}
                                    for c in result.changes[:50]]},
            )  # fmt: skip
    return result


def _proposals(
    rows: list[_Row], villages: list[str], acting_user: User | None, file_name: str, result: PovertyExtractResult
) -> list[PovertyProposal]:
    """Unregistered poor residents of a village in the area: by the extract's village code, or by a family card
    shared with a registered worker of the village."""
    poor = [r for r in rows if r.decile <= POOR_DECILES or r.flag]
    if not poor:
        return []
    area = Worker.objects.filter(village_id__in=villages) if villages else Worker.objects.all()
    cards: dict[str, str] = {}
    kk_numbers = sorted({r.kk for r in poor if r.kk})
    for start in range(0, len(kk_numbers), _CHUNK):
        part = kk_numbers[start : start + _CHUNK]
        cards.update(area.filter(kk_number__in=part).values_list("kk_number", "village_id"))
    allowed = set(villages) if villages else set(Region.objects.filter(level="village").values_list("code", flat=True))
    existing = set(PovertyProposal.objects.filter(nik__in=[r.nik for r in poor]).values_list("village_id", "nik"))
    proposals = []
    for row in poor:
        if row.village in allowed:
            village, why = row.village, "Desil {d} di P3KE/DTSEN, kode desa di ekstrak"
        elif row.kk in cards:
            village, why = cards[row.kk], "Desil {d} di P3KE/DTSEN, satu KK dengan pekerja terdaftar"
        else:
            continue
        if (village, row.nik) in existing:
            result.already_proposed += 1
            continue
        reason = why.format(d=row.decile) + ("; miskin ekstrem" if row.flag else "")
        proposals.append(
            PovertyProposal(
                village_id=village,
                nik=row.nik,
                kk_number=row.kk,
                name=row.name,
                decile=row.decile,
                extreme_poor=bool(row.flag),
                reason=reason,
                source_file=file_name[:255],
                created_by=acting_user,
            )
        )
    return proposals


def poverty_proposals_confirm(*, acting_user: User, village_code: str, proposal_ids: list[int]) -> ImportBatch:
    """Register the confirmed proposals through the registry's import (its checks, its merge, its audit)."""
    village = changeable_village(acting_user, village_code)
    chosen = list(
        PovertyProposal.objects.filter(
            village=village, pk__in=proposal_ids, status=PovertyProposal.Status.PROPOSED
        ).order_by("pk")
    )
    if not chosen:
        raise ApplicationError(_("Choose at least one proposal."), code="empty")
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "usulan-p3ke.csv"
        with source.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["NIK", "Nomor KK", "Nama Lengkap", "Jenis Kelamin", "Tanggal Lahir", "Desil",
                             "Miskin Ekstrem", "Catatan Musdes"])  # fmt: skip
            for p in chosen:
                verdict = check_nik(p.nik)
                born = verdict.birth_date.isoformat() if verdict.birth_date else ""
                flag, note = ("Ya", EXTRACT_NOTE) if p.extreme_poor else ("Tidak", "")
                writer.writerow([p.nik, p.kk_number, p.name, verdict.sex or "", born, p.decile, flag, note])
        batch = import_batch_create(acting_user=acting_user, source=source, original_name="usulan-p3ke.csv",
                                    village_code=village.code)  # fmt: skip
    import_batch_validate(batch=batch)
    if batch.rejected or batch.duplicates:
        return batch  # shown with its error report; nothing registered
    with transaction.atomic():
        import_batch_apply(batch=batch, acting_user=acting_user)
        PovertyProposal.objects.filter(pk__in=[p.pk for p in chosen]).update(
            status=PovertyProposal.Status.CONFIRMED, decided_by=acting_user, decided_at=timezone.now()
        )
        audit_record(actor=acting_user, action="interop.poverty.confirm", target_type="import_batch",
                     target_id=batch.pk, region_code=village.code,
                     changes={"proposals": [p.pk for p in chosen]})  # fmt: skip
    return batch
