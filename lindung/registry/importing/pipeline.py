"""Validate a worker file into a summary, a clean staged CSV and an error report, block by block.

Memory stays bounded: rows are read, checked and written out one block at a time; only the NIKs seen so far
(for duplicates within the file) are kept for the whole file.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill

from lindung.registry.identity import mask_nik
from lindung.registry.importing.cells import neutralise
from lindung.registry.importing.reading import open_table
from lindung.registry.importing.rows import COLUMN_FIELDS, COLUMN_LABELS, WORKER_FIELDS, RowResult, check_row

Progress = Callable[[int], None]
#: (nik list) -> {nik: (village code, {field: value})} for workers already registered.
ExistingLookup = Callable[[list[str], tuple[str, ...]], dict[str, tuple[str, dict[str, Any]]]]

_BAD = PatternFill("solid", start_color="F8D7DA", end_color="F8D7DA")
_WARN = PatternFill("solid", start_color="FFF3CD", end_color="FFF3CD")


@dataclass
class ValidationSummary:
    rows: int = 0
    valid: int = 0
    warnings: int = 0
    rejected: int = 0
    duplicates: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    columns: list[str] = field(default_factory=list)
    unknown_headers: list[str] = field(default_factory=list)
    other_village_niks: list[str] = field(default_factory=list)
    errors_written: int = 0
    valid_sha256: str = ""

    def as_dict(self) -> dict[str, int]:
        keys = ("rows", "valid", "warnings", "rejected", "duplicates", "created", "updated", "unchanged")
        return {k: getattr(self, k) for k in keys}


def update_fields(columns: Iterable[str]) -> tuple[str, ...]:
    """The worker fields a file with these columns may change (village and identity always)."""
    present = {f for c in columns for f in COLUMN_FIELDS.get(c, ())}
    present |= {"nik", "village_id", "name", "sex", "birth_date"}
    if "pekerjaan" in columns:
        present.add("specialisation")  # an unknown occupation is kept as the specialisation
    return tuple(f for f in WORKER_FIELDS if f in present)


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if value is True:
        return "1"
    if value is False:
        return "0"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _display(value: Any) -> Any:
    if isinstance(value, str):
        return neutralise(value)
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    return value


class _ErrorReport:
    """The rejected, duplicate and warning rows with their original cells and an Indonesian reason."""

    def __init__(self, path: Path, columns: list[str]) -> None:
        self.path = path
        self.columns = columns
        self.book = Workbook(write_only=True)
        self.sheet = self.book.create_sheet("Kesalahan")
        bold = Font(bold=True)
        header = ["Baris", *[COLUMN_LABELS.get(c, c) for c in columns], "Status", "Alasan"]
        cells = []
        for text in header:
            c = WriteOnlyCell(self.sheet, value=text)
            c.font = bold
            cells.append(c)
        self.sheet.append(cells)
        self.count = 0

    def add(self, row_number: int, values: dict[str, Any], status: str, problems: list[tuple[str, str, str]]) -> None:
        marked = {column: level for column, _m, level in problems}
        cells = [WriteOnlyCell(self.sheet, value=row_number)]
        for column in self.columns:
            c = WriteOnlyCell(self.sheet, value=_display(values.get(column)))
            level = marked.get(column)
            if level:
                c.fill = _BAD if level == "error" else _WARN
            cells.append(c)
        cells.append(WriteOnlyCell(self.sheet, value=status))
        reason = "; ".join(f"{COLUMN_LABELS.get(col, col)}: {msg}" for col, msg, _l in problems)
        cells.append(WriteOnlyCell(self.sheet, value=neutralise(reason)))
        self.sheet.append(cells)
        self.count += 1

    def close(self) -> None:
        self.book.save(self.path)


def validate_file(
    path: Path,
    *,
    out_dir: Path,
    villages: dict[str, str],
    visible_villages: Callable[[str], str | None],
    fixed_village: str | None,
    existing: ExistingLookup,
    today: dt.date,
    progress: Progress | None = None,
    block_size: int = 5_000,
) -> ValidationSummary:
    """Check every row; write `valid.csv` (clean records) and `errors.xlsx` (rows needing attention).

    `villages`: codes → names the user may change; `visible_villages(code)` names another village only when
    the user may see it (a registry of the poor must not become a people-finder).
    """
    table = open_table(path, require_village_column=fixed_village is None, block_size=block_size)
    summary = ValidationSummary(columns=list(table.columns), unknown_headers=list(table.unknown_headers))
    fields = update_fields(table.columns)
    seen: dict[str, int] = {}
    out_dir.mkdir(parents=True, exist_ok=True)
    report = _ErrorReport(out_dir / "errors.xlsx", list(table.columns))
    digest = hashlib.sha256()
    with (out_dir / "valid.csv").open("w", newline="", encoding="utf-8") as valid_file:
        writer = csv.writer(valid_file)
        writer.writerow(WORKER_FIELDS)
        for block in table.blocks():
            checked: list[tuple[RowResult, dict[str, Any]]] = []
            for row_number, values in block:
                summary.rows += 1
                result = check_row(row_number, values, villages=villages, fixed_village=fixed_village, today=today)
                nik = result.record.get("nik")
                if nik is not None and nik in seen:
                    summary.duplicates += 1
                    report.add(
                        row_number,
                        values,
                        "Duplikat",
                        [("nik", f"NIK sama dengan baris {seen[nik]}; baris ini dilewati.", "error")],
                    )
                    continue
                if nik is not None:
                    seen[nik] = row_number
                checked.append((result, values))
            candidates = [r.record["nik"] for r, _v in checked if r.ok]
            found = existing(candidates, fields) if candidates else {}
            for result, values in checked:
                rec = result.record
                if result.ok and rec["nik"] in found:
                    village, stored = found[rec["nik"]]
                    if village != rec["village_id"]:
                        name = visible_villages(village)
                        where = f"di {name} ({village})" if name else "di desa lain"
                        result.errors.append(
                            (
                                "nik",
                                f"NIK sudah terdaftar {where}. Pindah desa diajukan lewat menu pindah desa.",
                            )
                        )
                        summary.other_village_niks.append(mask_nik(rec["nik"]))
                    elif all(stored.get(f) == rec.get(f) for f in fields):
                        summary.unchanged += 1
                    else:
                        summary.updated += 1
                elif result.ok:
                    summary.created += 1
                if not result.ok:
                    summary.rejected += 1
                    problems = [(c, m, "error") for c, m in result.errors]
                    problems += [(c, m, "warning") for c, m in result.warnings]
                    report.add(result.row_number, values, "Ditolak", problems)
                    continue
                summary.valid += 1
                if result.warnings:
                    summary.warnings += 1
                    report.add(
                        result.row_number,
                        values,
                        "Peringatan (tetap disimpan)",
                        [(c, m, "warning") for c, m in result.warnings],
                    )
                line = [_csv_value(rec.get(f)) for f in WORKER_FIELDS]
                writer.writerow(line)
                digest.update("\x1f".join(line).encode())
            if progress:
                progress(summary.rows)
    report.close()
    summary.errors_written = report.count
    summary.valid_sha256 = digest.hexdigest()
    return summary
