"""Check the rows of a CSV chunk of text: the work that may run in a worker process.

A chunk is whole CSV records (`Table.text_chunks` cuts it) and the number of the spreadsheet row before it.
`check_chunk` parses it exactly as `Table.blocks()` reads rows (same blank-row rule, same row numbers, same
message for a broken CSV) and gives every data row as a `CheckedRow`; the caller (`pipeline.validate_file`)
finds duplicates, looks up registered workers, counts and writes, in file order.

Nothing here imports Django or openpyxl: a worker process starts quickly and holds little memory.
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import accumulate, islice
from operator import itemgetter
from typing import Any, NamedTuple

from lindung.registry.importing.rows import _SEP, COLUMN_FIELDS, RowChecker

#: (row number, NIK or None, "\x1f"-joined staged values or None when rejected, the CSV line of the staged
#: values when it needs quoting else None, problems (see `RowChecker`), where the row starts: its character
#: offset or first line in the chunk (see `ChunkResult.at_offsets`), or its index in a block)
CheckedRow = tuple[int, str | None, str | None, str | None, Any, int]


class ChunkResult(NamedTuple):
    rows: list[CheckedRow]
    problem: str | None  # the message of the CSV error that ended the chunk
    at_offsets: bool  # each row's start is a character offset in the chunk, else a line index


@dataclass(frozen=True)
class ChunkSpec:
    """What a process needs to check the chunks of one file."""

    columns: tuple[str, ...]
    positions: tuple[int, ...]
    delimiter: str
    villages: dict[str, str]
    fixed_village: str | None
    today: dt.date


def _needs_quotes(joined: str) -> bool:
    """Whether csv.writer quotes a field of these values (clean values never hold a line break; checked anyway)."""
    return "," in joined or '"' in joined or "\n" in joined or "\r" in joined


class ChunkChecker:
    def __init__(self, spec: ChunkSpec) -> None:
        self.spec = spec
        self.rows = RowChecker(spec.columns, villages=spec.villages, fixed_village=spec.fixed_village, today=spec.today)
        self.width = max(spec.positions) + 1
        self.getter = itemgetter(*spec.positions)
        # The cells of a CSV record in COLUMN_FIELDS order, straight from the record with a None appended (the
        # value of an absent column, index -1): the fast path needs no tuple in the file's column order.
        at = dict(zip(spec.columns, spec.positions, strict=True))
        self.canonical = itemgetter(*(at.get(column, -1) for column in COLUMN_FIELDS))
        self._line = io.StringIO()
        self._writer = csv.writer(self._line)

    def csv_line(self, staged: list[str]) -> str:
        """The staged values as `csv.writer` writes them, without the line end."""
        self._line.seek(0)
        self._line.truncate()
        self._writer.writerow(staged)
        return self._line.getvalue()[:-2]

    def check_rows(self, rows: Iterable[tuple[int, tuple[Any, ...]]]) -> list[CheckedRow]:
        """Check rows that were read elsewhere (XLSX, UTF-16): `start` is the row's index in `rows`."""
        out: list[CheckedRow] = []
        check = self.rows.check
        for index, (number, values) in enumerate(rows):
            nik, staged, problems = check(number, values)
            out.append(self._checked(number, nik, staged, problems, index))
        return out

    def _checked(self, number: int, nik: str | None, staged: list[str] | None, problems: Any, start: int) -> CheckedRow:
        if staged is None:
            return number, nik, None, None, problems, start
        joined = _SEP.join(staged)
        line = self.csv_line(staged) if _needs_quotes(joined) else None
        return number, nik, joined, line, problems, start

    def check_chunk(self, chunk: str, number: int) -> ChunkResult:
        """The data rows of `chunk`, and the message of a CSV error that ended it (rows after it are not read)."""
        out: list[CheckedRow] = []
        append = out.append
        delimiter = self.spec.delimiter
        lines = _plain_lines(chunk)
        records: Iterable[tuple[int, list[str]]]
        if lines is not None:  # one record a line and no quotes: what the csv module gives is line.split()
            end = 2 if "\r" in chunk else 1
            starts = accumulate([len(line) + end for line in lines], initial=0)  # where each line begins
            records = zip(starts, [line.split(delimiter) if line else [] for line in lines], strict=False)
        else:
            records = _csv_records(chunk, delimiter)
        check_record = self.check_record
        try:
            for first_line, row in records:
                number += 1
                checked = check_record(number, row, first_line)
                if checked is not None:
                    append(checked)
        except csv.Error as exc:
            return ChunkResult(out, f"Berkas CSV rusak di sekitar baris {number + 1}: {exc}.", lines is not None)
        return ChunkResult(out, None, lines is not None)

    def check_record(self, number: int, row: list[str], first_line: int) -> CheckedRow | None:
        """One CSV record (the csv module's list of fields) as a `CheckedRow`; None for a blank row."""
        positions = self.spec.positions
        if len(row) >= self.width:
            first = row[positions[0]]
            if (not first or first.isspace()) and not "".join(self.getter(row)).strip():
                return None  # blank in every import column
            if self.rows.fast:
                row.append(None)  # type: ignore[arg-type]  # an absent column's value, at index -1
                done = self.rows.fast_canonical(self.canonical(row))
                row.pop()
                if done is not None:
                    fast_nik, fast_staged, warnings = done
                    if not warnings:  # the common case
                        joined = _SEP.join(fast_staged)
                        line = self.csv_line(fast_staged) if _needs_quotes(joined) else None
                        return number, fast_nik, joined, line, None, first_line
                    cells = dict(zip(self.spec.columns, self.getter(row), strict=True))
                    return self._checked(number, fast_nik, fast_staged, ([], warnings, cells), first_line)
            values = self.getter(row)
        elif row:
            values = tuple(row[i] if i < len(row) else "" for i in positions)
            first = values[0]
            if (not first or first.isspace()) and not "".join(values).strip():
                return None
        else:
            return None
        nik, staged, problems = self.rows.check(number, values)
        return self._checked(number, nik, staged, problems, first_line)


def _plain_lines(chunk: str, ends: tuple[int, int, int] | None = None) -> list[str] | None:
    """The lines of `chunk` when each is a whole record the csv module reads as `line.split(delimiter)`.

    That is when there is no quote character, the lines end alike (LF or CR LF; the csv module ends a record
    at either and at a lone CR) and no line is longer than the csv module's field size limit (it refuses such
    a field). Otherwise None. `ends`: the chunk's counts of "\\n", "\\r" and "\\r\\n" when known
    (`Table.chunk_ends`).
    """
    if '"' in chunk:
        return None
    line_feeds, returns, both = ends or (chunk.count("\n"), chunk.count("\r"), chunk.count("\r\n"))
    if not returns:
        lines = chunk.split("\n")
    elif returns == both == line_feeds:
        lines = chunk.split("\r\n")
    else:
        return None
    if lines[-1] == "":  # after the last line end
        lines.pop()
    if len(chunk) > csv.field_size_limit() and max(map(len, lines)) > csv.field_size_limit():
        return None
    return lines


def _csv_records(chunk: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(first line, record) for each record of the chunk, read by the csv module."""
    reader = csv.reader(io.StringIO(chunk, newline=""), delimiter=delimiter)
    start = 0
    for row in reader:
        yield start, row
        start = reader.line_num


def chunk_lines(chunk: str) -> list[str]:
    """The lines of a chunk as the csv module reads them (for `raw_cells`)."""
    return list(io.StringIO(chunk, newline=""))


def raw_cells(
    chunk: str, start: int, spec: ChunkSpec, *, at_offset: bool, lines: list[str] | None = None
) -> dict[str, object]:
    """The raw cells of the row of `chunk` that begins at character `start` (`at_offset`, a chunk read line by
    line) or on line `start` of its `lines` (`chunk_lines`), for the error report."""
    if at_offset:
        end = chunk.find("\n", start)
        line = chunk[start:] if end < 0 else chunk[start:end]
        row = line.removesuffix("\r").split(spec.delimiter)
    else:
        row = next(csv.reader(islice(lines or chunk_lines(chunk), start, None), delimiter=spec.delimiter))
    positions = spec.positions
    values = tuple(row[i] if i < len(row) else "" for i in positions)
    return dict(zip(spec.columns, values, strict=True))


# --- worker processes --------------------------------------------------------------------------------

#: Collector thresholds while checking: a chunk's rows are thousands of small containers that die together
#: (reference counting frees them); the default first generation (700) would scan them a hundred times over.
#: Checking creates no reference cycles of its own.
BULK_GC_THRESHOLDS = (100_000, 50, 1000)

_worker: ChunkChecker | None = None


def start_worker(spec: ChunkSpec) -> None:
    """`ProcessPoolExecutor` initializer: one checker per process, its remembered cells kept across chunks."""
    global _worker
    # The objects inherited from the parent live as long as the worker: out of the collector's sight, a
    # collection neither scans them (the parent's whole heap) nor touches their pages (copy-on-write).
    gc.freeze()
    gc.set_threshold(*BULK_GC_THRESHOLDS)
    _worker = ChunkChecker(spec)


def check_chunk_in_worker(chunk: str, number: int) -> ChunkResult:
    if _worker is None:
        raise RuntimeError("start_worker was not called in this process")
    return _worker.check_chunk(chunk, number)


# --- where a chunk may end ---------------------------------------------------------------------------


def _flagging(lines: list[str], flag: list[bool]) -> Iterator[str]:
    yield from lines
    flag.append(True)


def records_in(lines: list[str], delimiter: str) -> tuple[int, int | None]:
    """(records that end within `lines`, index of the line where a record still open at the end begins).

    A record stays open when a quoted field runs past the last line; the csv module then asks for another
    line, which is how it is noticed. A broken record raises `csv.Error`.
    """
    flag: list[bool] = []
    reader = csv.reader(_flagging(lines, flag), delimiter=delimiter)
    count = 0
    start = 0
    for _row in reader:
        if flag:
            return count, start
        count += 1
        start = reader.line_num
    return count, None
