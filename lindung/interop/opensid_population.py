"""Read an OpenSID population export and decide, row by row, what each resident becomes in Lindung.

Pure Python (no ORM): `plan_population` turns the 43-column sheet (``contoh_penduduk.xlsx`` /
``FormatImporExcel.xlsm``, codes or their text labels) into

- candidate workers, as rows of the registry's own import columns (`CANONICAL_HEADERS`), so the registry's
  staged import checks, previews and merges them exactly as a worker file;
- the workers' children (kk_level 4 of a worker's family card, or whose ``ayah_nik``/``ibu_nik`` is a worker's
  NIK), with their school level and a grade estimated from age;
- skipped rows, each with its row number, column and an Indonesian reason, so that no resident is lost:
  workers + children + skipped = every non-empty row.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import load_workbook

from lindung.interop import opensid_codes as codes
from lindung.registry.identity import check_nik, mask_nik
from lindung.registry.importing.cells import CellError, clean_text, parse_date, parse_kk, parse_nik
from lindung.registry.occupations import match_occupation

REQUIRED = ("nik", "nama", "no_kk", "sex", "tanggallahir", "kk_level")
HEADER_SEARCH_ROWS = 10
ADULT_AGE = 18
SCHOLARSHIP_AGE = 23  # RULES.md: a school year is paid only while the child is under 23

#: The registry import's columns (their template headers) that an OpenSID resident fills.
CANONICAL_HEADERS = (
    "NIK", "Nomor KK", "Nama Lengkap", "Jenis Kelamin", "Tempat Lahir", "Tanggal Lahir", "Alamat", "RT", "RW",
    "Banjar/Dusun", "Pekerjaan", "Status Pekerjaan", "Disabilitas",
)  # fmt: skip
#: The registry's column name for each OpenSID column (to name the column of a registry error).
OPENSID_COLUMN = {
    "nik": "nik", "no_kk": "no_kk", "nama": "nama", "jenis_kelamin": "sex", "tempat_lahir": "tempatlahir",
    "tanggal_lahir": "tanggallahir", "alamat": "alamat", "rt": "rt", "rw": "rw", "dusun": "dusun",
    "pekerjaan": "pekerjaan_id", "status_pekerjaan": "pekerjaan_id", "disabilitas": "cacat_id",
}  # fmt: skip


class PopulationFileProblem(Exception):
    """The file as a whole cannot be read (not a spreadsheet, no header row, a required column missing)."""


@dataclass
class Skip:
    row: int
    column: str
    reason: str
    nik: str  # masked
    name: str
    kind: str  # "error" | "status" | "excluded" | "minor" | "no_parent" | "registry"


@dataclass
class WorkerRow:
    row: int
    nik: str
    no_kk: str
    kk_level: int
    values: list[str]  # in the order of CANONICAL_HEADERS


@dataclass
class ChildRow:
    row: int
    nik: str
    name: str
    birth_date: str  # ISO
    school_level: str
    grade: int | None
    married: bool
    working: bool
    parents: list[str] = field(default_factory=list)  # NIKs of the workers in the file


@dataclass
class Death:
    row: int
    nik: str
    name: str


@dataclass
class PopulationPlan:
    rows: int = 0
    families: int = 0
    workers: list[WorkerRow] = field(default_factory=list)
    children: list[ChildRow] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    deaths: list[Death] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "families": self.families,
            "children": [asdict(c) for c in self.children],
            "skipped": [asdict(s) for s in self.skipped],
            "deaths": [asdict(d) for d in self.deaths],
            "worker_rows": [w.row for w in self.workers],
        }


def _header_key(value: Any) -> str:
    return str(value).strip().lower() if value is not None else ""


def read_rows(path: Path) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    """The header and the non-empty rows (Excel row number, {column: cell}) of the first sheet with residents."""
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise PopulationFileProblem(
            _("The file cannot be read as Excel (.xlsx/.xlsm). Upload an OpenSID population export.")
        ) from exc
    try:
        for sheet in book.worksheets:
            header: list[str] | None = None
            header_row = 0
            rows: list[tuple[int, dict[str, Any]]] = []
            for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
                if header is None:
                    keys = [_header_key(c) for c in cells]
                    if "nik" in keys and "nama" in keys:
                        header, header_row = keys, number
                    elif number >= HEADER_SEARCH_ROWS:
                        break
                    continue
                if not any(c not in (None, "") for c in cells):
                    continue
                rows.append((number, {k: v for k, v in zip(header, cells, strict=False) if k}))
            if header is not None:
                missing = [c for c in REQUIRED if c not in header]
                if missing:
                    raise PopulationFileProblem(
                        _("Required OpenSID columns are missing from the header row (row %(row)s): %(columns)s.")
                        % {"row": header_row, "columns": ", ".join(missing)}
                    )
                return header, rows
    finally:
        book.close()
    raise PopulationFileProblem(
        _("The OpenSID header row (nik, nama, no_kk, …) was not found in the first %(rows)s rows.")
        % {"rows": HEADER_SEARCH_ROWS}
    )


def _text(raw: Any) -> str:
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    return " ".join(str(raw).split())


def _rt_rw(raw: Any) -> str:
    """``"004"``, ``4`` → ``"004"``; ``"-"``, ``"0"`` or empty → ``""`` (OpenSID writes ``-`` for no RW)."""
    text = _text(raw).strip("-").strip()
    if isinstance(raw, float | int) and not isinstance(raw, bool):
        text = str(int(raw))
    if not text.isdigit() or int(text) == 0:
        return ""
    return f"{int(text):03d}"


@dataclass
class _Resident:
    row: int
    nik: str
    name: str
    no_kk: str
    kk_level: int
    born: dt.date
    age: int
    values: dict[str, Any]


def plan_population(path: Path, *, today: dt.date) -> PopulationPlan:
    """Classify every resident of the export (see the module docstring); raises `PopulationFileProblem`."""
    _header, rows = read_rows(path)
    plan = PopulationPlan(rows=len(rows))
    residents: list[_Resident] = []
    families: set[str] = set()
    for number, values in rows:
        name = _text(values.get("nama"))
        raw_nik = values.get("nik")
        shown_nik = mask_nik(str(raw_nik)) if raw_nik is not None else ""

        def skip(column: str, reason: str, kind: str = "error", *, _n: int = number, _s: str = shown_nik,
                 _name: str = name) -> None:  # fmt: skip
            plan.skipped.append(Skip(row=_n, column=column, reason=reason, nik=_s, name=_name, kind=kind))

        try:
            nik = parse_nik(raw_nik)
            if nik is None:
                raise CellError("NIK wajib diisi.")
            verdict = check_nik(nik, today=today)
            if verdict.errors:
                raise CellError(" ".join(verdict.errors))
        except CellError as exc:
            skip("nik", exc.message)
            continue
        shown_nik = mask_nik(nik)
        try:
            no_kk = parse_kk(values.get("no_kk")) or ""
        except CellError as exc:
            skip("no_kk", exc.message, _s=shown_nik)
            continue
        if no_kk:
            families.add(no_kk)
        try:
            born = parse_date(values.get("tanggallahir"))
            if born is None:
                raise CellError("Tanggal lahir wajib diisi.")
            if born > today or born.year < 1900:
                raise CellError(f"Tanggal lahir {born:%d-%m-%Y} tidak masuk akal.")
        except CellError as exc:
            skip("tanggallahir", exc.message, _s=shown_nik)
            continue
        checks: list[tuple[str, dict[int, str], str]] = [
            ("kk_level", codes.KK_LEVEL, "hubungan dalam keluarga (SHDK)"),
            ("status_dasar", codes.STATUS_DASAR, "status dasar"),
            ("sex", codes.SEX, "jenis kelamin"),
        ]
        parsed: dict[str, int | None] = {}
        failed = False
        for column, table, label in checks:
            try:
                parsed[column] = codes.code_of(values.get(column), table, label=label)
            except codes.CodeError as exc:
                skip(column, f"Kolom {column}: {exc}", _s=shown_nik)
                failed = True
                break
        if failed:
            continue
        if parsed["sex"] is None:
            skip("sex", "Jenis kelamin wajib diisi (1 laki-laki, 2 perempuan).", _s=shown_nik)
            continue
        if parsed["kk_level"] is None:
            skip("kk_level", "Hubungan dalam keluarga (kk_level) wajib diisi.", _s=shown_nik)
            continue
        if not name:
            skip("nama", "Nama wajib diisi.", _s=shown_nik)
            continue
        status = parsed["status_dasar"] or 1  # the import template may leave it empty: alive
        if status != 1:
            label = codes.STATUS_DASAR[status]
            skip("status_dasar", f"Status dasar {status} {label}: bukan penduduk hidup, tidak menjadi calon.",
                 "status", _s=shown_nik)  # fmt: skip
            if status == 2:
                plan.deaths.append(Death(row=number, nik=nik, name=name))
            continue
        values = {**values, "sex": parsed["sex"]}
        residents.append(
            _Resident(
                row=number,
                nik=nik,
                name=name,
                no_kk=no_kk,
                kk_level=parsed["kk_level"],
                born=born,
                age=codes.age_on(born, today),
                values=values,
            )
        )
    plan.families = len(families)

    # Who is a worker's child is decided against the workers, so workers first.
    child_like: list[tuple[_Resident, str, int | None]] = []
    workers: dict[str, _Resident] = {}
    niks_in_file = {r.nik for r in residents}
    for resident in residents:
        values = resident.values
        try:
            school_code = codes.code_of(values.get("pendidikan_sedang_id"), codes.PENDIDIKAN_SEDANG,
                                        label="pendidikan sedang ditempuh")  # fmt: skip
        except codes.CodeError as exc:
            plan.skipped.append(Skip(resident.row, "pendidikan_sedang_id", f"Kolom pendidikan_sedang_id: {exc}",
                                     mask_nik(resident.nik), resident.name, "error"))  # fmt: skip
            continue
        level = codes.SCHOOL_LEVEL.get(school_code or 18, "")
        try:
            kawin = codes.code_of(values.get("status_kawin"), codes.STATUS_KAWIN, label="status perkawinan")
        except codes.CodeError:
            kawin = None
        unmarried = kawin in (None, 1)
        parent_link = _text(values.get("ayah_nik")) in niks_in_file or _text(values.get("ibu_nik")) in niks_in_file
        if (resident.kk_level == 4 or parent_link) and (
            resident.age < ADULT_AGE or (resident.age < SCHOLARSHIP_AGE and unmarried and level == "PT")
        ):
            child_like.append((resident, level, kawin))
            continue
        if resident.age < ADULT_AGE:
            relation = codes.KK_LEVEL[resident.kk_level]
            plan.skipped.append(Skip(resident.row, "tanggallahir",
                                     f"Umur {resident.age} tahun (di bawah {ADULT_AGE}) dan bukan anak (kk_level 4) "
                                     f"calon pekerja; hubungan dalam KK: {relation}.",
                                     mask_nik(resident.nik), resident.name, "minor"))  # fmt: skip
            continue
        occupation_raw = values.get("pekerjaan_id")
        occupation = match_occupation(_text(occupation_raw)) if _text(occupation_raw) else None
        if occupation is not None and occupation.excluded:
            plan.skipped.append(Skip(resident.row, "pekerjaan_id",
                                     f"Pekerjaan {occupation.code} {occupation.name}: ASN/TNI/Polri/pejabat punya "
                                     "skema sendiri, tidak menjadi calon.",
                                     mask_nik(resident.nik), resident.name, "excluded"))  # fmt: skip
            continue
        workers[resident.nik] = resident
        plan.workers.append(_worker_row(resident, occupation_raw, occupation.code if occupation else None))

    # Children: kk_level 4 of the card of a head/spouse worker, or whose father's/mother's NIK is a worker's.
    parents_by_card: dict[str, list[str]] = defaultdict(list)
    for worker in workers.values():
        if worker.no_kk and worker.kk_level in (1, 2, 3):
            parents_by_card[worker.no_kk].append(worker.nik)
    for resident, level, kawin in child_like:
        values = resident.values
        parents = [n for n in (_text(values.get("ayah_nik")), _text(values.get("ibu_nik"))) if n in workers]
        if resident.kk_level == 4 and resident.no_kk:
            parents += [n for n in parents_by_card.get(resident.no_kk, []) if n not in parents]
        if not parents:
            plan.skipped.append(Skip(resident.row, "kk_level",
                                     "Anak tanpa orang tua yang menjadi calon pekerja di berkas ini "
                                     "(kepala keluarga/suami/istri di KK yang sama, atau ayah_nik/ibu_nik).",
                                     mask_nik(resident.nik), resident.name, "no_parent"))  # fmt: skip
            continue
        if level == "SLB":
            level = codes.level_by_age(codes.age_on(resident.born, codes.school_year_start(today)))
        occupation = match_occupation(_text(values.get("pekerjaan_id"))) if _text(values.get("pekerjaan_id")) else None
        working = occupation is not None and occupation.code not in codes.NOT_WORKING and occupation.code != 2
        plan.children.append(
            ChildRow(
                row=resident.row,
                nik=resident.nik,
                name=resident.name,
                birth_date=resident.born.isoformat(),
                school_level=level or "none",
                grade=codes.estimated_grade(level, resident.born, today) if level else None,
                married=kawin not in (None, 1),
                working=working,
                parents=parents,
            )
        )
    plan.skipped.sort(key=lambda s: s.row)
    return plan


def _worker_row(resident: _Resident, occupation_raw: Any, code: int | None) -> WorkerRow:
    values = resident.values
    if code in codes.NOT_WORKING:
        status = "tidak bekerja"
    elif code in codes.DAILY_LABOUR:
        status = "buruh harian"
    elif code in codes.SELF_EMPLOYED:
        status = "usaha sendiri"
    else:
        status = "informal"
    try:
        cacat = codes.code_of(values.get("cacat_id"), codes.CACAT, label="cacat")
    except codes.CodeError:
        cacat = None
    disability = "" if cacat is None else ("Tidak" if cacat == 7 else "Ya")
    try:
        address = clean_text(values.get("alamat"), max_length=255) or ""
    except CellError:
        address = ""
    canonical = [
        resident.nik,
        resident.no_kk,
        resident.name,
        "L" if values["sex"] == 1 else "P",
        _text(values.get("tempatlahir")),
        resident.born.isoformat(),
        address,
        _rt_rw(values.get("rt")),
        _rt_rw(values.get("rw")),
        _text(values.get("dusun")),
        str(code) if code is not None else _text(occupation_raw),
        status,
        disability,
    ]
    return WorkerRow(row=resident.row, nik=resident.nik, no_kk=resident.no_kk, kk_level=resident.kk_level,
                     values=canonical)  # fmt: skip
