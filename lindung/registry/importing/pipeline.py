"""Validate a worker file into a summary, a clean staged CSV and an error report, block by block.

Memory stays bounded: rows are read, checked and written out one block at a time; only the NIKs seen so far
(for duplicates within the file) are kept for the whole file.

A CSV is read in chunks of whole records. A chunk of plain lines is checked column by column in this process
(`vectorised.VectorChecker.columns`) and counted, staged and reported per chunk on its columns
(`_Validation.columns`); a chunk with quoted fields goes row by row, block by block (`_Validation.block`), as an
XLSX or a UTF-16 file does. Worker processes (`chunks.py`, fed chunk by chunk, results taken in file order) check
row by row when `PARALLEL_MIN_BYTES` asks for them (by default never: one process checking column by column is
faster). Every way gives the same files (`test_import_speed_paths.py`).
"""

from __future__ import annotations

import bisect
import csv
import datetime as dt
import gc
import hashlib
import io
import json
import multiprocessing
import os
import pickle
import subprocess
import sys
import tempfile
import zipfile
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import IllegalCharacterError

from lindung.registry.identity import mask_nik
from lindung.registry.importing.cells import neutralise
from lindung.registry.importing.chunks import (
    BULK_GC_THRESHOLDS,
    CheckedRow,
    ChunkChecker,
    ChunkResult,
    ChunkSpec,
    check_chunk_in_worker,
    chunk_lines,
    raw_cells,
    start_worker,
)
from lindung.registry.importing.reading import FileProblem, Table, open_table
from lindung.registry.importing.rows import _SEP, COLUMN_FIELDS, COLUMN_LABELS, WORKER_FIELDS

if TYPE_CHECKING:  # Polars is imported only when a CSV is checked (see `_validate_chunks_here`)
    import polars as pl

    from lindung.registry.importing.vectorised import ColumnarChunk

Progress = Callable[[int], None]
#: (NIKs, fields) -> {nik: (village code, the fields as staged in valid.csv joined by "\x1f")} for the workers
#: already registered (see `apply.registered_workers`).
ExistingLookup = Callable[[list[str], tuple[str, ...]], dict[str, tuple[str, str]]]

#: A reported row's raw cells: by column, or a tuple in the report's column order (rows of a Polars frame).
Cells = dict[str, Any] | tuple[Any, ...]
Problems = list[tuple[str, str, str]]  # (column, message, "error" or "warning")
Entry = tuple[int, Cells, str, Problems]  # a row of the report: number, raw cells, status, problems
AddEntry = Callable[[int, Cells, str, Problems], None]

_BAD = PatternFill("solid", start_color="F8D7DA", end_color="F8D7DA")
_WARN = PatternFill("solid", start_color="FFF3CD", end_color="FFF3CD")

#: Files at least this big are checked by worker processes (the row path) when the machine has more than one
#: core; 0: never. This process checks the clean rows of a CSV column by column (`vectorised.py`), faster than
#: two processes checking row by row, so by default it does all of it.
PARALLEL_MIN_BYTES = 0
CHUNK_CHARS = 4 << 20
#: A CSV at least this big has its error report written by another process (`_ReportInAnotherProcess`); 0: never.
REPORT_PROCESS_MIN_BYTES = 8 * 1024 * 1024


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


def _printable(text: str) -> str:
    """Control characters cannot be stored in XLSX; show where they were instead of failing the import."""
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", text) if not text.isprintable() else text


def _display(value: Any) -> Any:
    if isinstance(value, str):
        return neutralise(_printable(value))
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
        self.sheet.append(_header_cells(self.sheet, columns))
        self.count = 0

    def add(self, row_number: int, values: Cells, status: str, problems: list[tuple[str, str, str]]) -> None:
        marked = {column: level for column, _m, level in problems}
        cells = [WriteOnlyCell(self.sheet, value=row_number)]
        for column, value in zip(self.columns, _in_order(values, self.columns), strict=True):
            c = WriteOnlyCell(self.sheet, value=_display(value))
            level = marked.get(column)
            if level:
                c.fill = _BAD if level == "error" else _WARN
            cells.append(c)
        cells.append(WriteOnlyCell(self.sheet, value=status))
        cells.append(WriteOnlyCell(self.sheet, value=neutralise(_reason(problems))))
        self.sheet.append(cells)
        self.count += 1

    def close(self) -> None:
        self.book.save(self.path)


def _in_order(values: Cells, columns: list[str]) -> Iterable[Any]:
    return (values.get(column) for column in columns) if isinstance(values, dict) else values


def _header_cells(sheet: Any, columns: list[str]) -> list[WriteOnlyCell]:
    bold = Font(bold=True)
    header = ["Baris", *[COLUMN_LABELS.get(c, c) for c in columns], "Status", "Alasan"]
    cells = []
    for text in header:
        c = WriteOnlyCell(sheet, value=text)
        c.font = bold
        cells.append(c)
    return cells


def _reason(problems: list[tuple[str, str, str]]) -> str:
    return _printable("; ".join(f"{COLUMN_LABELS.get(col, col)}: {msg}" for col, msg, _l in problems))


_ROWS_END = "</sheetData>"
_SHEET = "xl/worksheets/sheet1.xml"
_STYLE = {"error": "2", "warning": "3"}  # cell style ids of the two fills (1 is the bold header)
_NOT_PLAIN_START = frozenset("=+-@\t\r #")  # neutralised, kept with xml:space, or maybe an error code


class _TextErrorReport:
    """`_ErrorReport` for a CSV, whose cells are all text: the same workbook, written without cell objects.

    openpyxl needs about 250 µs a row to build and serialise its cell objects; a national file with a few
    percent of rows to report spends most of its time there. This writes the rows' XML exactly as openpyxl's
    write-only worksheet does (inline strings, its escaping and `xml:space`, its checks on text: truncation,
    illegal characters, error codes) into the workbook that openpyxl laid out with the header row and both cell
    fills: the parts before the sheet are written at once, the rows are compressed into the sheet as they come
    (not all at the end, which the import would wait for), the remaining parts at `close`. The workbook is
    `<path>.part` until `close` renames it.
    """

    def __init__(self, path: Path, columns: list[str]) -> None:
        self.path = path
        self.columns = columns
        self.count = 0
        self._row = 1  # the header
        self._letters = [get_column_letter(i) for i in range(1, len(columns) + 4)]
        self._cells = list(zip(self._letters[1:], columns, strict=False))
        self._pending: list[str] = []  # rows' XML not yet compressed
        book = Workbook(write_only=True)
        sheet = book.create_sheet("Kesalahan")
        sheet.append(_header_cells(sheet, columns))
        for level, style in _STYLE.items():  # both fills, whether or not a row will use them
            c = WriteOnlyCell(sheet)
            c.fill = _BAD if level == "error" else _WARN
            if str(c.style_id) != style:
                raise RuntimeError(f"cell style {c.style_id} is not {style}")
        skeleton = io.BytesIO()
        book.save(skeleton)
        self._part = path.with_name(path.name + ".part")
        self._zip = zipfile.ZipFile(self._part, "w", zipfile.ZIP_DEFLATED, allowZip64=True, compresslevel=1)
        self._after: list[tuple[str, bytes]] = []  # the parts that follow the sheet
        with zipfile.ZipFile(skeleton) as source:
            for info in source.infolist():
                data = source.read(info.filename)
                if info.filename == _SHEET:
                    text = data.decode("utf-8")
                    cut = text.index(_ROWS_END)
                    self._sheet = self._zip.open(_SHEET, "w", force_zip64=True)
                    self._sheet.write(text[:cut].encode())
                    self._end = text[cut:].encode()
                elif self._after or hasattr(self, "_sheet"):
                    self._after.append((info.filename, data))
                else:
                    self._zip.writestr(info.filename, data)

    def add(self, row_number: int, values: Cells, status: str, problems: list[tuple[str, str, str]]) -> None:
        marked = {column: level for column, _m, level in problems}
        self._row += 1
        r = str(self._row)
        parts = [f'<row r="{r}"><c r="A{r}" t="n"><v>{row_number}</v></c>']
        append = parts.append
        for (letter, column), value in zip(self._cells, _in_order(values, self.columns), strict=True):
            level = marked.get(column)
            if level:
                append(self._cell(letter + r, _display(value), _STYLE[level]))
            elif value == "":
                append(f'<c r="{letter}{r}" t="inlineStr" />')
            elif (
                type(value) is str
                and value[0] not in _NOT_PLAIN_START
                and value[-1] != " "
                and len(value) <= 32767
                and value.isprintable()
                and "&" not in value
                and "<" not in value
                and ">" not in value
            ):  # the common cell: nothing to neutralise, escape, truncate or preserve
                append(f'<c r="{letter}{r}" t="inlineStr"><is><t>{value}</t></is></c>')
            else:
                append(self._cell(letter + r, _display(value), None))
        width = len(self.columns)
        append(self._cell(self._letters[width + 1] + r, status, None))
        append(self._cell(self._letters[width + 2] + r, neutralise(_reason(problems)), None))
        append("</row>")
        self._pending.append("".join(parts))
        self.count += 1
        if len(self._pending) >= 500:
            self._sheet.write("".join(self._pending).encode())
            self._pending.clear()

    @staticmethod
    def _cell(ref: str, value: Any, style: str | None) -> str:
        s = f' s="{style}"' if style else ""
        if value is None:
            return f'<c r="{ref}"{s} t="n" />' if style else ""
        if not isinstance(value, str):  # a CSV gives text only; anything else is written by openpyxl's rules
            raise TypeError(f"unexpected cell value {value!r}")
        text = value[:32767]
        if not text.isprintable() and ILLEGAL_CHARACTERS_RE.search(text):
            raise IllegalCharacterError(f"{text} cannot be used in worksheets.")
        if not text:
            return f'<c r="{ref}"{s} t="inlineStr" />'
        escaped = text
        if "&" in text or "<" in text or ">" in text:  # ElementTree's escaping of text
            escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        if text in ERROR_CODES:
            return f'<c r="{ref}"{s} t="e"><v>{escaped}</v></c>'
        stripped = text.strip()
        space = ' xml:space="preserve"' if stripped and stripped != text else ""
        return f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{escaped}</t></is></c>'

    def close(self) -> None:
        self._sheet.write("".join(self._pending).encode() + self._end)
        self._pending.clear()
        self._sheet.close()
        for name, data in self._after:
            self._zip.writestr(name, data)
        self._zip.close()
        self._part.replace(self.path)

    def abandon(self) -> None:
        """No workbook (validation failed): the unfinished one is removed."""
        with suppress(Exception):  # a half-written member may refuse to close cleanly
            self._sheet.close()
            self._zip.close()
        self._part.unlink(missing_ok=True)


class _ReportInAnotherProcess:
    """`_TextErrorReport` written by another process (`report_writer`), beside the checking.

    `add` queues the rows and sends them in pickled batches through the child's standard input; `close` ends
    the input and waits for the workbook.
    """

    BATCH = 2000

    def __init__(self, path: Path, columns: list[str]) -> None:
        self._part = path.with_name(path.name + ".part")  # the writer's unfinished workbook
        self._errors = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close() or abandon()
        self._process = subprocess.Popen(  # noqa: S603 - this interpreter, a module of this package
            [sys.executable, "-m", "lindung.registry.importing.report_writer", str(path), json.dumps(columns)],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=self._errors,
        )
        self._pending: list[Entry] = []
        self.count = 0

    def add(self, row_number: int, values: Cells, status: str, problems: list[tuple[str, str, str]]) -> None:
        self._pending.append((row_number, values, status, problems))
        self.count += 1
        if len(self._pending) >= self.BATCH:
            self._send()

    def _send(self) -> None:
        stdin = self._process.stdin
        if stdin is None:  # never: Popen was given stdin=PIPE
            raise RuntimeError("the report writer has no input")
        try:
            pickle.dump(self._pending, stdin, protocol=pickle.HIGHEST_PROTOCOL)
        except BrokenPipeError:
            self._fail()
        self._pending = []

    def close(self) -> None:
        if self._pending:
            self._send()
        if self._process.stdin is not None:
            with suppress(BrokenPipeError):
                self._process.stdin.close()
        if self._process.wait() != 0:
            self._fail()
        self._errors.close()

    def _fail(self) -> None:
        self._process.kill()
        self._process.wait()
        self._part.unlink(missing_ok=True)
        self._errors.seek(0)
        message = self._errors.read().decode(errors="replace").strip().splitlines()[-1:]
        self._errors.close()
        raise RuntimeError(f"the error report could not be written: {' '.join(message)}")

    def abandon(self) -> None:
        """Stop the writer without a workbook (validation failed)."""
        self._process.kill()
        self._process.wait()
        if self._process.stdin is not None:
            with suppress(BrokenPipeError, OSError):
                self._process.stdin.close()
        self._errors.close()
        self._part.unlink(missing_ok=True)


class _Recovery:
    """The raw cells of a row, found again from its chunk (only duplicates and rows rejected late need them).

    A segment is a chunk (its text, whether rows start at character offsets, its lines once split) or, for a
    file read by `blocks()`, the block's list of cell dicts.
    """

    def __init__(self, spec: ChunkSpec) -> None:
        self.spec = spec
        self._firsts: deque[int] = deque()
        self._segments: deque[list[Any]] = deque()  # [chunk, at_offsets, lines] or [None, False, cell dicts]

    def add_chunk(self, rows: list[CheckedRow], chunk: str, at_offsets: bool) -> None:
        if rows:
            self._firsts.append(rows[0][0])
            self._segments.append([chunk, at_offsets, None])

    def add_block(self, rows: list[CheckedRow], cells: list[dict[str, object]]) -> None:
        if rows:
            self._firsts.append(rows[0][0])
            self._segments.append([None, False, cells])

    def forget_before(self, number: int) -> None:
        while len(self._firsts) > 1 and self._firsts[1] <= number:
            self._firsts.popleft()
            self._segments.popleft()

    def cells(self, row: CheckedRow) -> dict[str, object]:
        problems = row[4]
        if problems is not None:
            return problems[2]  # type: ignore[no-any-return]
        segment = self._segments[bisect.bisect_right(self._firsts, row[0]) - 1]
        chunk, at_offsets, lines = segment
        if chunk is None:
            return lines[row[5]]  # type: ignore[no-any-return]
        if not at_offsets and lines is None:
            lines = segment[2] = chunk_lines(chunk)  # split once, for every row of the chunk that needs it
        return raw_cells(chunk, row[5], self.spec, at_offset=at_offsets, lines=lines)


class _Validation:
    """The in-order part: duplicates, registered workers, counts, the staged CSV and the error report."""

    def __init__(
        self,
        *,
        summary: ValidationSummary,
        fields: tuple[str, ...],
        existing: ExistingLookup,
        visible_villages: Callable[[str], str | None],
        report: _ErrorReport | _TextErrorReport | _ReportInAnotherProcess,
        valid_file: IO[str],
        recovery: _Recovery,
        progress: Progress | None,
        sink: Callable[[str], None] | None = None,
    ) -> None:
        self.summary = summary
        self.sink = sink
        self.fields = fields
        self.existing = existing
        self.visible_villages = visible_villages
        self.report = report
        self.valid_file = valid_file
        self.recovery = recovery
        self.progress = progress
        self.digest = hashlib.sha256()
        self.seen: dict[int, int] = {}  # NIK as a number (16 digits) -> the row it first appeared on
        self.all_fields = fields == WORKER_FIELDS
        self.stored_form = itemgetter(*(WORKER_FIELDS.index(f) for f in fields))
        self.village_at = WORKER_FIELDS.index("village_id")

    def block(self, rows: list[CheckedRow]) -> None:
        """Count, stage and report a block of checked rows (report rows in row order)."""
        summary = self.summary
        summary.rows += len(rows)
        seen = self.seen
        entries: list[Entry] = []
        add = _appender(entries)
        checked: list[CheckedRow] = []
        for row in rows:
            nik = row[1]
            if nik is not None:
                key = int(nik)
                first = seen.get(key)
                if first is not None:
                    summary.duplicates += 1
                    add(row[0], self.recovery.cells(row), "Duplikat", [("nik", _duplicate(first), "error")])
                    continue
                seen[key] = row[0]
            checked.append(row)
        candidates = [row[1] for row in checked if row[2] is not None]
        found = self.existing(candidates, self.fields) if candidates else {}  # type: ignore[arg-type]
        staged: list[str] = []
        lines: list[str] = []
        niks: list[str] = []
        for row in checked:
            if self._settle(row, found, self.recovery.cells, add):
                staged.append(row[2])  # type: ignore[arg-type]
                lines.append(row[2] if row[3] is None else row[3])  # type: ignore[arg-type]
                niks.append(row[1])  # type: ignore[arg-type]
        summary.valid += len(staged)
        if staged:
            # csv.writer's lines: the joined values with "," between them, or the quoted line it made.
            text = "\r\n".join(lines).replace(_SEP, ",") + "\r\n"
            self.valid_file.write(text)
            self.digest.update("".join(staged).encode())
            if self.sink is not None:
                if found:  # only the new workers: a registered NIK is updated (or left) after the check
                    fresh = [line for line, nik in zip(lines, niks, strict=True) if nik not in found]
                    text = "\r\n".join(fresh).replace(_SEP, ",") + "\r\n" if fresh else ""
                if text:
                    self.sink(text)
        self._report(entries)
        if self.progress:
            self.progress(summary.rows)

    def _report(self, entries: list[Entry]) -> None:
        entries.sort(key=itemgetter(0))  # duplicates are found first; the report lists rows in file order
        report_add = self.report.add
        for entry in entries:
            report_add(*entry)

    def _settle(
        self,
        row: CheckedRow,
        found: dict[str, tuple[str, str]],
        cells: Callable[[CheckedRow], dict[str, object]],
        add: AddEntry,
    ) -> bool:
        """Count and report one row that is not a duplicate; whether it is staged."""
        summary = self.summary
        number, nik, joined, _line, problems, _start = row
        if joined is None:
            summary.rejected += 1
            errors, warnings, values = problems
            marked = [(c, m, "error") for c, m in errors] + [(c, m, "warning") for c, m in warnings]
            add(number, values, "Ditolak", marked)
            return False
        hit = found.get(nik) if found else None  # type: ignore[arg-type]
        if hit is not None:
            village, stored = hit
            values_now = joined.split(_SEP)
            if village != values_now[self.village_at]:
                warnings = problems[1] if problems is not None else []
                self._moved(number, nik, village, cells(row), warnings, add)  # type: ignore[arg-type]
                return False
            if stored == (joined if self.all_fields else _SEP.join(self.stored_form(values_now))):
                summary.unchanged += 1
            else:
                summary.updated += 1
        else:
            summary.created += 1
        if problems is not None:
            summary.warnings += 1
            add(number, problems[2], "Peringatan (tetap disimpan)", [(c, m, "warning") for c, m in problems[1]])
        return True

    def _moved(
        self,
        number: int,
        nik: str,
        village: str,
        cells: dict[str, Any],
        warnings: list[tuple[str, str]],
        add: AddEntry,
    ) -> None:
        """A NIK registered in another village: rejected, the village named only if the user may see it."""
        name = self.visible_villages(village)
        where = f"di {name} ({village})" if name else "di desa lain"
        message = f"NIK sudah terdaftar {where}. Pindah desa diajukan lewat menu pindah desa."
        self.summary.other_village_niks.append(mask_nik(nik))
        self.summary.rejected += 1
        add(number, cells, "Ditolak", [("nik", message, "error")] + [(c, m, "warning") for c, m in warnings])

    def columns(self, chunk: ColumnarChunk, spec: ChunkSpec, found: dict[str, tuple[str, str]] | None = None) -> None:
        """`block` for a whole chunk checked column by column (`VectorChecker.columns`): the same counts, staged
        lines and report rows, with Python per row only where a row needs attention (a duplicate, a registered
        NIK, a warning, a row checked by the row path). Report rows are written in row order. `found`: the
        lookup of the chunk's NIKs when it was done beforehand (`lookup_niks`)."""
        import polars as pl

        summary = self.summary
        clean = chunk.clean
        others = chunk.others
        summary.rows += clean.height + len(others)
        numbers: list[int] = clean["number"].to_list()
        keys: list[int] = clean["nik"].cast(pl.Int64).to_list()
        named = [(row[0], int(row[1])) for row in others if row[1] is not None]
        if named:  # two sorted runs: timsort merges them
            pairs = sorted([*zip(numbers, keys, strict=True), *named])
            numbers = [number for number, _key in pairs]
            keys = [key for _number, key in pairs]
        seen = self.seen
        duplicate_of: dict[int, int] = {}  # row -> the row where its NIK first appeared
        for number, key in zip(numbers, keys, strict=True):
            first = seen.get(key)
            if first is None:
                seen[key] = number
            else:
                duplicate_of[number] = first
        entries: list[Entry] = []
        add = _appender(entries)
        if duplicate_of:
            summary.duplicates += len(duplicate_of)
            repeated = list(duplicate_of)
            dropped = clean.filter(clean["number"].is_in(repeated))
            for number, cells in zip(dropped["number"], self._cells(chunk, dropped["index"]), strict=True):
                entries.append((number, cells, "Duplikat", [("nik", _duplicate(duplicate_of[number]), "error")]))
            clean = clean.filter(~clean["number"].is_in(repeated))
        line_cells = chunk.line_cells

        def cells_of(row: CheckedRow) -> dict[str, object]:
            problems = row[4]
            if problems is not None:
                return problems[2]  # type: ignore[no-any-return]
            return line_cells(row[5], spec.delimiter, spec.positions)

        rest = others
        if duplicate_of and others:
            rest = []
            for row in others:
                first = duplicate_of.get(row[0])
                if first is None:
                    rest.append(row)
                else:
                    entries.append((row[0], cells_of(row), "Duplikat", [("nik", _duplicate(first), "error")]))
        if found is None:
            candidates = clean["nik"].to_list() + [row[1] for row in rest if row[2] is not None]
            found = self.existing(candidates, self.fields) if candidates else {}  # type: ignore[arg-type]
        if found:
            hits = clean.filter(clean["nik"].is_in(list(found)))
            moved: list[int] = []
            columns = hits.select("index", "number", "nik", "joined", "warning")
            for index, number, nik, joined, warning in columns.iter_rows():
                village, stored = found[nik]
                values_now = joined.split(_SEP)
                if village != values_now[self.village_at]:
                    warnings = [("pekerjaan", warning)] if warning is not None else []
                    self._moved(number, nik, village, chunk.cells(index), warnings, add)
                    moved.append(number)
                elif stored == (joined if self.all_fields else _SEP.join(self.stored_form(values_now))):
                    summary.unchanged += 1
                else:
                    summary.updated += 1
            if moved:
                clean = clean.filter(~clean["number"].is_in(moved))
            summary.created += clean.height - (hits.height - len(moved))
        else:
            summary.created += clean.height
        warned = clean.filter(pl.col("warning").is_not_null())
        if warned.height:
            summary.warnings += warned.height
            for number, warning, cells in zip(
                warned["number"], warned["warning"], self._cells(chunk, warned["index"]), strict=True
            ):
                entries.append((number, cells, "Peringatan (tetap disimpan)", [("pekerjaan", warning, "warning")]))
        staged = clean.select("number", "nik", "joined", "line")
        if rest:
            kept = [
                (row[0], row[1], row[2], row[2].replace(_SEP, ",") if row[3] is None else row[3])  # type: ignore[union-attr]
                for row in rest
                if self._settle(row, found, cells_of, add)
            ]
            if kept:
                extra = pl.DataFrame(kept, schema=staged.schema, orient="row")
                staged = pl.concat([staged, extra]).sort("number")
        summary.valid += staged.height
        if staged.height:
            text = staged["line"].str.join("\r\n").item() + "\r\n"
            self.valid_file.write(text)
            self.digest.update(staged["joined"].str.join("").item().encode())
            if self.sink is not None:
                if found:  # only the new workers: a registered NIK is updated (or left) after the check
                    fresh = staged.filter(~staged["nik"].is_in(list(found)))["line"]
                    text = fresh.str.join("\r\n").item() + "\r\n" if len(fresh) else ""
                if text:
                    self.sink(text)
        self._report(entries)
        if self.progress:
            self.progress(summary.rows)

    @staticmethod
    def _cells(chunk: ColumnarChunk, at: pl.Series) -> list[tuple[Any, ...]]:
        """The raw cells of these clean rows, in the file's column order (the report's)."""
        return chunk.frame[at].rows() if len(at) else []


def _duplicate(first: int) -> str:
    return f"NIK sama dengan baris {first}; baris ini dilewati."


def _appender(entries: list[Entry]) -> AddEntry:
    def add(number: int, values: Cells, status: str, problems: Problems) -> None:
        entries.append((number, values, status, problems))

    return add


def _worker_count(table: Table, workers: int | None) -> int:
    if not table.chunkable:
        return 0
    if workers is not None:
        return workers
    if not PARALLEL_MIN_BYTES or table.path.stat().st_size < PARALLEL_MIN_BYTES:
        return 0
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return 2 if cores >= 2 and "fork" in multiprocessing.get_all_start_methods() else 0


def _checked_chunks(
    table: Table, spec: ChunkSpec, workers: int, chunk_chars: int
) -> Generator[tuple[str, ChunkResult], None, None]:
    """(chunk, its checked rows) for each chunk, in file order, checked by `workers` (at least one) processes."""
    chunks = table.text_chunks(chunk_chars)
    # Fork: a worker starts in milliseconds with the checker's modules already imported, and nothing re-runs
    # the caller's main script (spawn and forkserver do). The workers never touch the database connections
    # they inherit, and leave through os._exit, so nothing of the parent's is closed or flushed twice.
    for stream in (sys.stdout, sys.stderr):  # a buffered line must not be written by a worker too
        with suppress(AttributeError, OSError, ValueError):  # no stream, or a closed one
            stream.flush()
    context = multiprocessing.get_context("fork")
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=start_worker, initargs=(spec,))
    in_flight: deque[tuple[str, Future[ChunkResult]]] = deque()
    try:
        for number, chunk in chunks:
            in_flight.append((chunk, pool.submit(check_chunk_in_worker, chunk, number)))
            if len(in_flight) > 2 * workers:
                done, future = in_flight.popleft()
                yield done, future.result()
        while in_flight:
            done, future = in_flight.popleft()
            yield done, future.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _validate_chunks_here(
    table: Table,
    spec: ChunkSpec,
    validation: _Validation,
    block_size: int,
    chunk_chars: int,
    look_ahead: bool,
) -> None:
    """A CSV in this process: each chunk of plain lines column by column (`VectorChecker.columns`), any other
    chunk (quoted fields) row by row in blocks.

    `look_ahead`: the registered NIKs of a chunk are looked up in another thread while the next chunk is
    checked (the lookup waits for the database, which may be busy storing the previous rows).
    """
    from lindung.registry.importing.vectorised import VectorChecker  # Polars: only for a CSV

    checker = VectorChecker(spec)
    with ThreadPoolExecutor(max_workers=1) as lookups:
        waiting: tuple[ColumnarChunk, Future[dict[str, tuple[str, str]]]] | None = None
        for number, chunk, ends in table.counted_chunks(chunk_chars):
            columnar = checker.columns(chunk, number, ends)
            if columnar is not None and look_ahead:
                niks = columnar.lookup_niks()
                future = lookups.submit(validation.existing, niks, validation.fields)
                if waiting is not None:
                    validation.columns(waiting[0], spec, waiting[1].result())
                waiting = (columnar, future)
                continue
            if waiting is not None:  # in file order
                validation.columns(waiting[0], spec, waiting[1].result())
                waiting = None
            if columnar is not None:
                validation.columns(columnar, spec)
                continue
            rows, problem, at_offsets = checker.rows.check_chunk(chunk, number)
            validation.recovery = _Recovery(spec)
            validation.recovery.add_chunk(rows, chunk, at_offsets)
            if problem is not None:  # rows of the unfinished block are dropped, as blocks() does
                rows = rows[: len(rows) - len(rows) % block_size]
            for start in range(0, len(rows), block_size):
                validation.block(rows[start : start + block_size])
            if problem is not None:
                raise FileProblem(problem)
        if waiting is not None:
            validation.columns(waiting[0], spec, waiting[1].result())


def _checked_blocks(table: Table, spec: ChunkSpec) -> Iterator[tuple[list[CheckedRow], list[dict[str, object]]]]:
    checker = ChunkChecker(spec)
    checker.rows.fast = table.format == "csv"  # XLSX cells come typed; check_row handles every type
    for block in table.blocks():
        yield checker.check_rows([(number, tuple(cells.values())) for number, cells in block]), [c for _n, c in block]


@contextmanager
def _bulk_collector() -> Iterator[None]:
    """Keep the cyclic garbage collector off the objects that exist before validation (Django's, the caller's)
    and let it run less often while the rows stream through; both restored afterwards."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(*BULK_GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


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
    workers: int | None = None,
    chunk_chars: int | None = None,
    sink: Callable[[str], None] | None = None,
    look_ahead: bool = False,
) -> ValidationSummary:
    """Check every row; write `valid.csv` (clean records) and `errors.xlsx` (rows needing attention).

    `villages`: codes → names the user may change; `visible_villages(code)` names another village only when
    the user may see it (a registry of the poor must not become a people-finder). `workers`: how many
    processes check a CSV (0: this one); by default two for a large CSV on a machine with two cores or more.
    `sink`: given the lines of valid.csv (no header) of the rows whose NIK `existing` did not find, as soon as
    they are checked, in file order (`services.import_batch_check_and_apply` stores them while checking).
    `look_ahead`: `existing` may run in another thread, where it looks up a chunk's NIKs while the next one
    is checked (see `_validate_chunks_here`).
    """
    with _bulk_collector():
        return _validate_file(
            path,
            out_dir=out_dir,
            villages=villages,
            visible_villages=visible_villages,
            fixed_village=fixed_village,
            existing=existing,
            today=today,
            progress=progress,
            block_size=block_size,
            workers=workers,
            chunk_chars=chunk_chars or CHUNK_CHARS,
            sink=sink,
            look_ahead=look_ahead,
        )


def _validate_file(
    path: Path,
    *,
    out_dir: Path,
    villages: dict[str, str],
    visible_villages: Callable[[str], str | None],
    fixed_village: str | None,
    existing: ExistingLookup,
    today: dt.date,
    progress: Progress | None,
    block_size: int,
    workers: int | None,
    chunk_chars: int,
    sink: Callable[[str], None] | None,
    look_ahead: bool,
) -> ValidationSummary:
    table = open_table(path, require_village_column=fixed_village is None, block_size=block_size)
    summary = ValidationSummary(columns=list(table.columns), unknown_headers=list(table.unknown_headers))
    fields = update_fields(table.columns)
    spec = ChunkSpec(
        columns=tuple(table.columns),
        positions=table._positions,
        delimiter=table.delimiter or ",",
        villages=villages,
        fixed_village=fixed_village,
        today=today,
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    report: _ErrorReport | _TextErrorReport | _ReportInAnotherProcess
    if table.format != "csv":
        report = _ErrorReport(out_dir / "errors.xlsx", list(table.columns))
    elif REPORT_PROCESS_MIN_BYTES and table.path.stat().st_size >= REPORT_PROCESS_MIN_BYTES:
        report = _ReportInAnotherProcess(out_dir / "errors.xlsx", list(table.columns))
    else:
        report = _TextErrorReport(out_dir / "errors.xlsx", list(table.columns))
    try:
        recovery = _Recovery(spec)
        with (out_dir / "valid.csv").open("w", newline="", encoding="utf-8") as valid_file:
            csv.writer(valid_file).writerow(WORKER_FIELDS)
            validation = _Validation(
                summary=summary,
                fields=fields,
                existing=existing,
                visible_villages=visible_villages,
                report=report,
                valid_file=valid_file,
                recovery=recovery,
                progress=progress,
                sink=sink,
            )
            if table.chunkable and _worker_count(table, workers) == 0:
                _validate_chunks_here(table, spec, validation, block_size, chunk_chars, look_ahead)
            elif table.chunkable:
                pending: list[CheckedRow] = []
                with closing(_checked_chunks(table, spec, _worker_count(table, workers), chunk_chars)) as results:
                    for chunk, (rows, problem, at_offsets) in results:
                        recovery.add_chunk(rows, chunk, at_offsets)
                        pending += rows
                        start = 0
                        while len(pending) - start >= block_size:
                            validation.block(pending[start : start + block_size])
                            start += block_size
                        if start:
                            del pending[:start]
                            if pending:
                                recovery.forget_before(pending[0][0])
                        if problem is not None:  # rows of the unfinished block are dropped, as blocks() does
                            raise FileProblem(problem)
                if pending:
                    validation.block(pending)
            else:
                for rows, cells in _checked_blocks(table, spec):
                    recovery.add_block(rows, cells)
                    validation.block(rows)
                    recovery.forget_before(rows[-1][0] + 1 if rows else 0)
    except BaseException:
        if not isinstance(report, _ErrorReport):
            report.abandon()
        raise
    report.close()
    summary.errors_written = report.count
    summary.valid_sha256 = validation.digest.hexdigest()
    return summary
