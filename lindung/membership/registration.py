"""The collective registration round trip with the BPJS branch.

1. `registration_file_create`: an XLSX with one row per pending member (no KPJ yet) — NIK, name, birth date,
   address, occupation, declared income, package, village, start date — remembered as a `RegistrationFile`.
2. `registration_answer_import`: the branch's answer (NIK, KPJ, effective date) matched by NIK against the members of
   that file. Every problem is reported with its row number and column, in Indonesian; nothing is written unless the
   whole answer is clean; a different KPJ already recorded is never overwritten.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.accounts.access import require_village_change, user_scope
from lindung.audit.recording import audit_record
from lindung.core.errors import ApplicationError
from lindung.membership.models import Membership, RegistrationFile
from lindung.membership.services import status_change
from lindung.programmes.models import Package, Programme
from lindung.registry.importing.cells import CellError, neutralise, parse_date, parse_nik
from lindung.registry.occupations import occupation_by_code

HEADERS = (
    "NIK",
    "Nama Lengkap",
    "Tanggal Lahir",
    "Alamat",
    "Pekerjaan",
    "Penghasilan Dilaporkan",
    "Paket Program",
    "Kode Desa",
    "Desa/Kelurahan",
    "Tanggal Mulai",
)
ANSWER_COLUMNS = {"nik": "NIK", "kpj": "KPJ", "effective": "Tanggal Efektif"}
_ANSWER_ALIASES = {
    "nik": "nik",
    "kpj": "kpj",
    "nokpj": "kpj",
    "nomorkpj": "kpj",
    "tanggalefektif": "effective",
    "tglefektif": "effective",
    "efektif": "effective",
    "tanggalefektifkepesertaan": "effective",
}
_KPJ = re.compile(r"[0-9A-Za-z]{8,20}")
PACKAGE_LABELS = {Package.JKK_JKM.value: "JKK + JKM", Package.JKK_JKM_JHT.value: "JKK + JKM + JHT"}


def _date_text(day: dt.date) -> str:
    return day.strftime("%d-%m-%Y")


def pending_members(*, actor: Any, programme: Programme, region_code: str = "") -> Any:
    members = Membership.objects.filter(programme=programme, status=Membership.Status.PENDING, kpj_number="")
    if actor is not None:
        members = members.filter(user_scope(actor).q("worker__village__code"))
    if region_code:
        members = members.filter(
            Q(worker__village__code=region_code) | Q(worker__village__code__startswith=f"{region_code}.")
        )
    return members.select_related("worker", "worker__village").order_by("worker__village_id", "worker__name", "pk")


def registration_workbook(members: list[Membership]) -> bytes:
    """The XLSX rows for the branch: one per member, every text cell neutralised against formulas."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Pendaftaran Kolektif"
    sheet.append(HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for member in members:
        worker = member.worker
        occupation = occupation_by_code(worker.occupation_code) if worker.occupation_code is not None else None
        row = [
            worker.nik,
            worker.name,
            _date_text(worker.birth_date),
            worker.address,
            occupation.name if occupation else "",
            member.declared_income,
            PACKAGE_LABELS.get(member.package, member.package),
            worker.village_id,
            worker.village.name,
            _date_text(member.starts_on),
        ]
        sheet.append([neutralise(value) for value in row])
    for column in ("A", "C", "H", "J"):  # identifiers and dates stay text: Excel must not turn them into numbers
        for cell in sheet[column][1:]:
            cell.number_format = "@"
    for column, width in zip("ABCDEFGHIJ", (20, 30, 14, 40, 25, 14, 18, 16, 24, 14), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def registration_file_members(record: RegistrationFile) -> list[Membership]:
    return list(
        record.memberships.select_related("worker", "worker__village").order_by(
            "worker__village_id", "worker__name", "pk"
        )
    )


def registration_file_create(
    *, actor: Any, programme: Programme, region_code: str = ""
) -> tuple[RegistrationFile, bytes]:
    """The XLSX for the branch, and the record of which memberships it lists."""
    if actor is not None and region_code:
        require_village_change(actor, region_code)
    members = list(pending_members(actor=actor, programme=programme, region_code=region_code))
    if not members:
        raise ApplicationError(_("No members are waiting for registration."), code="empty")
    content = registration_workbook(members)
    with transaction.atomic():
        record = RegistrationFile.objects.create(programme=programme, region_code=region_code, created_by=actor)
        record.memberships.set(members)
        audit_record(
            actor=actor,
            actor_username="" if actor is not None else "system",
            action="membership.registration.file",
            target_type="registration_file",
            target_id=record.pk,
            region_code=region_code,
            changes={"members": len(members)},
        )
    return record, content


@dataclass
class AnswerProblem:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"Baris {self.row}, kolom {self.column}: {self.message}"


@dataclass
class AnswerResult:
    rows: int = 0
    applied: int = 0
    unchanged: int = 0
    problems: list[AnswerProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def _header_key(value: object) -> str:
    return re.sub(r"[^a-z]", "", str(value or "").lower())


def _read_rows(path: Path) -> tuple[dict[str, int], list[tuple[int, tuple[Any, ...]]]]:
    from openpyxl import load_workbook

    try:
        with path.open("rb") as handle:
            workbook = load_workbook(handle, read_only=True, data_only=True)
            sheet = workbook.worksheets[0]
            rows = list(sheet.iter_rows(values_only=True))
            workbook.close()
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise ApplicationError(_("The BPJS answer file is not a readable XLSX file."), code="file") from exc
    if not rows:
        raise ApplicationError(_("The BPJS answer file is empty."), code="file")
    columns: dict[str, int] = {}
    for index, value in enumerate(rows[0]):
        key = _ANSWER_ALIASES.get(_header_key(value))
        if key and key not in columns:
            columns[key] = index
    missing = [label for key, label in ANSWER_COLUMNS.items() if key not in columns]
    if missing:
        raise ApplicationError(
            _("Required columns missing from the header row: %(columns)s.") % {"columns": ", ".join(missing)},
            code="columns",
        )
    body = [(number, row) for number, row in enumerate(rows[1:], start=2) if any(v not in (None, "") for v in row)]
    return columns, body


def registration_answer_import(*, actor: Any, registration: RegistrationFile, path: Path) -> AnswerResult:
    """Record the branch's KPJ numbers and effective dates; all or nothing."""
    columns, body = _read_rows(path)
    listed = {m.worker.nik: m for m in registration.memberships.select_related("worker", "programme")}
    if actor is not None:
        for member in listed.values():
            require_village_change(actor, member.worker.village_id)
    result = AnswerResult(rows=len(body))
    seen_nik: dict[str, int] = {}
    seen_kpj: dict[str, int] = {}
    updates: list[tuple[Membership, str, dt.date]] = []

    def cell(row: tuple[Any, ...], key: str) -> Any:
        index = columns[key]
        return row[index] if index < len(row) else None

    for number, row in body:
        problem_count = len(result.problems)
        try:
            nik = parse_nik(cell(row, "nik"))
        except CellError as exc:
            result.problems.append(AnswerProblem(number, "NIK", exc.message))
            nik = None
        raw_kpj = cell(row, "kpj")
        kpj = str(raw_kpj).strip().lstrip("'") if raw_kpj not in (None, "") else ""
        if isinstance(raw_kpj, float) and raw_kpj.is_integer():
            kpj = str(int(raw_kpj))
        if not kpj:
            result.problems.append(AnswerProblem(number, "KPJ", "Nomor KPJ kosong."))
        elif not _KPJ.fullmatch(kpj):
            result.problems.append(AnswerProblem(number, "KPJ", f"Nomor KPJ tidak sah: {neutralise(kpj)[:30]}."))
        try:
            effective = parse_date(cell(row, "effective"))
        except CellError as exc:
            result.problems.append(AnswerProblem(number, "Tanggal Efektif", exc.message))
            effective = None
        else:
            if effective is None:
                result.problems.append(AnswerProblem(number, "Tanggal Efektif", "Tanggal efektif kosong."))
        if nik is None:
            if not any(p.row == number and p.column == "NIK" for p in result.problems):
                result.problems.append(AnswerProblem(number, "NIK", "NIK kosong."))
            continue
        if nik in seen_nik:
            result.problems.append(AnswerProblem(number, "NIK", f"NIK sama dengan baris {seen_nik[nik]}."))
            continue
        seen_nik[nik] = number
        found = listed.get(nik)
        if found is None:
            result.problems.append(
                AnswerProblem(
                    number,
                    "NIK",
                    f"NIK {nik} tidak cocok dengan peserta yang menunggu pendaftaran dalam berkas ini.",
                )
            )
            continue
        member = found
        if kpj and kpj in seen_kpj:
            result.problems.append(AnswerProblem(number, "KPJ", f"Nomor KPJ sama dengan baris {seen_kpj[kpj]}."))
            continue
        if kpj:
            seen_kpj[kpj] = number
        if member.kpj_number and kpj and member.kpj_number != kpj:
            result.problems.append(
                AnswerProblem(
                    number,
                    "KPJ",
                    f"Peserta ini sudah tercatat dengan KPJ {member.kpj_number}; KPJ {kpj} tidak ditimpa.",
                )
            )
            continue
        if not member.kpj_number and member.status != Membership.Status.PENDING:
            result.problems.append(
                AnswerProblem(number, "NIK", f"Kepesertaan {member.worker.name} tidak lagi menunggu pendaftaran.")
            )
            continue
        if len(result.problems) == problem_count and effective is not None:
            updates.append((member, kpj, effective))

    if kpjs := [kpj for _, kpj, _ in updates]:
        taken = dict(
            Membership.objects.filter(kpj_number__in=kpjs)
            .exclude(pk__in=[m.pk for m, _, _ in updates])
            .exclude(worker_id__in=[m.worker_id for m, _, _ in updates])
            .values_list("kpj_number", "worker__name")
        )
        for _member, kpj, _ in updates:
            if kpj in taken:
                result.problems.append(
                    AnswerProblem(seen_kpj[kpj], "KPJ", f"Nomor KPJ {kpj} sudah dipakai peserta lain ({taken[kpj]}).")
                )
    result.problems.sort(key=lambda p: (p.row, p.column))
    if result.problems:
        return result  # all or nothing: a single problem and nothing is written

    from lindung.billing.services import cover_recompute  # billing builds on membership, not the other way
    from lindung.regions.models import Region

    paying: set[tuple[Programme, str]] = set()
    with transaction.atomic():
        for member, kpj, effective in updates:
            if member.kpj_number == kpj and member.kpj_effective_on == effective:
                result.unchanged += 1
                continue
            member.kpj_number = kpj
            member.kpj_effective_on = effective
            status_change(member, Membership.Status.ACTIVE, on=effective, reason="kpj", by=actor)
            member.save(update_fields=["kpj_number", "kpj_effective_on", "status", "updated_at"])
            paying.add((member.programme, member.worker.village_id))
            result.applied += 1
        # Registered members are active, or in arrears, as their village's payments say.
        villages = Region.objects.in_bulk([code for _, code in paying])
        for programme, code in sorted(paying, key=lambda pair: pair[1]):
            cover_recompute(programme=programme, village=villages[code], actor=actor)
        registration.answered_at = timezone.now()
        registration.save(update_fields=["answered_at"])
        audit_record(
            actor=actor,
            actor_username="" if actor is not None else "system",
            action="membership.registration.answer",
            target_type="registration_file",
            target_id=registration.pk,
            region_code=registration.region_code,
            changes={"rows": result.rows, "applied": result.applied, "unchanged": result.unchanged},
        )
    return result
