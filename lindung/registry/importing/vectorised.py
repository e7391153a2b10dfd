"""Check the rows of a CSV chunk column by column (Polars), and only the rest row by row.

`ChunkChecker.check_chunk` is the definition; `VectorChecker.check_chunk` gives exactly its result. It splits a
chunk of plain lines (one record a line, no quotes: `chunks._plain_lines`) into columns and decides with
whole-column operations which rows are certainly clean: every cell in the common clean shape that
`RowChecker.fast_canonical` accepts with no warning but an unknown occupation's (16 plain digits for the NIK,
Latin text without stray spaces, a phone number of plain digits…). Cells that recur (dates, villages, sex,
yes/no, amounts, occupations, deciles, RT/RW) are decided by `RowChecker`'s own per-value functions, once per
distinct value of the file, and mapped onto the column: the same verdict and the same stored form by
construction. Every other row (a defect, another warning, a blank row, a short row, anything unusual) goes
through `ChunkChecker`'s row path, which gives the Indonesian reasons. A chunk that is not plain lines goes to
`ChunkChecker` whole.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from itertools import accumulate
from typing import Any

import polars as pl

from lindung.registry.importing.cells import CellError
from lindung.registry.importing.chunks import CheckedRow, ChunkChecker, ChunkResult, ChunkSpec, _plain_lines
from lindung.registry.importing.rows import _FAIL, _SEP

_DIGITS16 = r"^[0-9]{16}$"
_PHONE = r"^0[0-9]{8,13}$"
_TEXT_LIMITS = {"nama": 150, "tempat_lahir": 100, "alamat": 255, "dusun": 100, "keahlian": 150, "catatan_musdes": 255}
#: Text `clean_text` keeps as it is: printable characters of ASCII, Latin-1 and Latin Extended-A (every one of
#: them printable for `str.isprintable`; not U+00A0, a space, nor U+00AD, a format character) without a
#: leading, trailing or double space. Any other text goes row by row.
_KNOWN_MAX = 200_000  # distinct cells remembered per column
#: The columns decided by `RowChecker`'s per-value functions, and how many outputs each gives (see `_outputs`).
_MAPPED = (("jenis_kelamin", 1), ("tanggal_lahir", 3), ("kode_desa", 1), ("rt", 1), ("rw", 1), ("pekerjaan", 3),
           ("penghasilan", 1), ("status_pekerjaan", 1), ("desil", 2), ("miskin_ekstrem", 1), ("disabilitas", 1),
           ("peserta_pu", 1), ("persetujuan", 1), ("tanggal_persetujuan", 1))  # fmt: skip
_PRINTABLE = r"!-~\u00A1-\u00AC\u00AE-\u017F"
_CLEAN_TEXT = rf"^(?:[{_PRINTABLE}](?:[ {_PRINTABLE}]*[{_PRINTABLE}])?)?$"


@dataclass
class ColumnarChunk:
    """A chunk checked by `VectorChecker.columns`.

    `clean`: the certainly clean rows, in order, as columns `index` (the line in the chunk), `number` (the
    spreadsheet row), `nik`, `joined` (the staged values joined by `_SEP`), `line` (the staged values as
    csv.writer writes them), `quoted` (whether that line needed quotes) and `warning` (an unknown occupation's
    message, else null). `others`: every other data row as `ChunkChecker.check_record` gives it, its start
    being its line index. `frame`: the raw cells of every line, by column.
    """

    columns: tuple[str, ...]
    lines: list[str]
    frame: pl.DataFrame
    clean: pl.DataFrame
    others: list[CheckedRow]

    def cells(self, index: int) -> dict[str, Any]:
        """The raw cells of a clean row, by column (as `chunks.raw_cells` reads them from its line)."""
        return dict(zip(self.columns, self.frame.row(index), strict=True))

    def line_cells(self, index: int, delimiter: str, positions: tuple[int, ...]) -> dict[str, Any]:
        """The raw cells of any line, as `chunks.raw_cells` reads them (missing cells are empty)."""
        row = self.lines[index].split(delimiter)
        return dict(zip(self.columns, (row[i] if i < len(row) else "" for i in positions), strict=True))

    def lookup_niks(self) -> list[str]:
        """Every NIK of the chunk's rows that may be staged (a superset of those `_Validation` looks up)."""
        return self.clean["nik"].to_list() + [row[1] for row in self.others if row[2] is not None]

    def warned_cells(self) -> list[dict[str, Any]]:
        """The raw cells of the clean rows that carry a warning, in order."""
        at = self.clean.filter(pl.col("warning").is_not_null())["index"]
        if not len(at):
            return []
        return [dict(zip(self.columns, row, strict=True)) for row in self.frame[at].rows()]


class VectorChecker:
    """`ChunkChecker` with the clean rows of a chunk decided column by column."""

    def __init__(self, spec: ChunkSpec) -> None:
        self.spec = spec
        self.rows = ChunkChecker(spec)
        checker = self.rows.rows
        self._good_regions = sorted(checker._good_regions)
        # column -> RowChecker's function of one raw cell (see `_outputs`)
        self._functions: dict[str, Callable[[Any], Any]] = {
            "jenis_kelamin": checker._sex,
            "tanggal_lahir": checker._date_of_birth,
            "kode_desa": checker._village,
            "rt": checker._rt,
            "rw": checker._rw,
            "pekerjaan": checker._occupation,
            "penghasilan": checker._income,
            "status_pekerjaan": checker._status,
            "desil": checker._decile,
            "miskin_ekstrem": checker._flag,
            "disabilitas": checker._flag,
            "peserta_pu": checker._flag,
            "persetujuan": checker._flag,
            "tanggal_persetujuan": checker._consent_date,
        }
        self._known: dict[str, dict[Any, None]] = {name: {} for name in self._functions}  # cells in `_tables`
        self._tables: dict[str, pl.DataFrame] = {}  # column -> its known cells and their outputs
        self._at = dict(zip(spec.columns, spec.positions, strict=True))

    # -- one value at a time, remembered per file -----------------------------------------------------

    def _outputs(self, column: str, raw: Any) -> tuple[Any, ...] | None:
        """The clean form of one cell as a tuple of outputs, None when check_row must decide."""
        try:
            value = self._functions[column](raw)
        except CellError:
            return None
        if value is _FAIL:
            return None
        if column == "tanggal_lahir":
            return value  # type: ignore[no-any-return]  # (iso date, DDMMYY for a man, for a woman)
        if column == "pekerjaan":
            return value  # type: ignore[no-any-return]  # (code as staged, warning or None, text to keep or None)
        if column == "desil":
            return value  # type: ignore[no-any-return]  # (decile as staged, whether it is 1)
        return (value,)

    def _output_row(self, column: str, raw: Any, width: int) -> list[Any]:
        """The outputs of one cell as a row of the column's table (all null when check_row must decide)."""
        out = self._outputs(column, raw)
        values = [None] * width if out is None else list(out[:width])
        if column == "pekerjaan" and values[1] is not None:  # the warning: (column, message) -> message
            values[1] = values[1][1]
        return values

    def _schema(self, column: str, width: int) -> dict[str, Any]:
        outputs = {f"{column}:{k}": pl.Boolean if column == "desil" and k == 1 else pl.String for k in range(width)}
        return {column: pl.String, **outputs}

    def _learn(self, frame: pl.DataFrame) -> None:
        """Add the new distinct cells of each mapped column, with their outputs, to the column's table."""
        present = [(column, width) for column, width in _MAPPED if column in self._at]
        if not present:
            return
        distinct = frame.select([pl.col(column).unique().implode() for column, _w in present]).row(0)
        for (column, width), values in zip(present, distinct, strict=True):
            known = self._known[column]
            new = [raw for raw in values if raw is not None and raw not in known]
            if not new:
                continue
            if len(known) + len(new) > _KNOWN_MAX:  # bounded memory; never emptied half-way through a chunk
                known.clear()
                self._tables.pop(column, None)
                new = [raw for raw in values if raw is not None]
            rows = [[raw, *self._output_row(column, raw, width)] for raw in new]
            known.update(dict.fromkeys(new))
            learnt = pl.DataFrame(rows, schema=self._schema(column, width), orient="row")
            table = self._tables.get(column)
            self._tables[column] = learnt if table is None else pl.concat([table, learnt], rechunk=True)

    def _with_outputs(self, frame: pl.LazyFrame) -> pl.LazyFrame:
        """`frame` with each output of each mapped column's per-value function as a column `<column>:<k>`."""
        for column, width in _MAPPED:
            if column in self._at:
                table = self._tables.get(column)
                if table is None:
                    table = pl.DataFrame(schema=self._schema(column, width))
                frame = frame.join(table.lazy(), on=column, how="left", maintain_order="left")
            else:  # the file has no such column: every row has None
                schema = self._schema(column, width)
                values = self._output_row(column, None, width)
                frame = frame.with_columns(
                    pl.lit(value, dtype=schema[f"{column}:{k}"]).alias(f"{column}:{k}")
                    for k, value in enumerate(values)
                )
        return frame

    # -- a chunk ----------------------------------------------------------------------------------

    def check_chunk(self, chunk: str, number: int) -> ChunkResult:
        """The chunk's rows as `ChunkChecker.check_chunk` gives them (each row's start a character offset)."""
        columns = self.columns(chunk, number)
        if columns is None:
            return self.rows.check_chunk(chunk, number)
        end = 2 if "\r" in chunk else 1
        starts = list(accumulate([len(line) + end for line in columns.lines], initial=0))
        rows: list[CheckedRow] = [(n, nik, joined, line if quoted else None, None, starts[i])
                                  for i, n, nik, joined, line, quoted, _w in columns.clean.iter_rows()]  # fmt: skip
        raw = iter(columns.warned_cells())
        for k, (i, n, nik, joined, line, quoted, warning) in enumerate(columns.clean.iter_rows()):
            if warning is not None:
                problems: tuple[list[tuple[str, str]], list[tuple[str, str]], dict[str, Any]]
                problems = ([], [("pekerjaan", warning)], next(raw))
                rows[k] = (n, nik, joined, line if quoted else None, problems, starts[i])
        rows += [(*row[:5], starts[row[5]]) for row in columns.others]
        rows.sort(key=lambda row: row[0])
        return ChunkResult(rows, None, True)

    def columns(self, chunk: str, number: int, ends: tuple[int, int, int] | None = None) -> ColumnarChunk | None:
        """The chunk checked column by column: its clean rows as a frame, the others row by row; None when the
        chunk is not plain lines (the caller checks it with `ChunkChecker`).

        Every column operation of the chunk is one Polars query (the known cells joined on, the checks, the
        staged values), so Polars plans it once and runs it on every core.
        """
        lines = _plain_lines(chunk, ends)
        if lines is None or not lines:
            return None
        spec = self.spec
        delimiter = spec.delimiter
        width = max(spec.positions) + 1
        whole = pl.Series("line", lines, dtype=pl.String).str.count_matches(delimiter, literal=True) >= width - 1
        frame = self._cells_of(chunk, lines, width)
        base = frame.with_columns(whole.alias("whole"))
        self._learn(frame)
        result = (
            self._with_outputs(base.lazy())
            .with_columns(self._checks())
            .select(
                pl.int_range(0, pl.len(), dtype=pl.UInt32).alias("index"),
                (pl.int_range(0, pl.len(), dtype=pl.Int64) + (number + 1)).alias("number"),
                pl.col("nik"),
                pl.col("joined"),
                pl.col("joined").str.replace_all(_SEP, ",", literal=True).alias("line"),
                pl.col("joined").str.contains(r'[,"\n\r]').alias("quoted"),
                pl.col("pekerjaan:1").alias("warning"),
                pl.col("clean"),
            )
            .collect()
        )
        clean = result["clean"]
        table = result.filter(clean).drop("clean")
        if table.height and table["quoted"].any():  # csv.writer's quoting, for the few rows that need it
            csv_line = self.rows.csv_line
            fixed = [csv_line(j.split(_SEP)) if q else out
                     for j, out, q in zip(table["joined"], table["line"], table["quoted"], strict=True)]  # fmt: skip
            table = table.with_columns(pl.Series("line", fixed, dtype=pl.String))
        others: list[CheckedRow] = []
        if table.height < len(lines):
            check_row = self.rows.check_record
            for index in (~clean).arg_true().to_list():
                text = lines[index]
                checked = check_row(number + 1 + index, text.split(delimiter) if text else [], index)
                if checked is not None:
                    others.append(checked)
        return ColumnarChunk(spec.columns, lines, frame, table, others)

    def _cells_of(self, chunk: str, lines: list[str], width: int) -> pl.DataFrame:
        """The import columns' raw cells of every line, by Polars's CSV reader (no quotes in a chunk of plain
        lines; a short line's missing cells are empty: such a line is not whole and goes the row path).
        Should the reader see the lines otherwise than `str.split` (never seen), they are split in Python's way."""
        delimiter = self.spec.delimiter
        names = [f"field_{i}" for i in range(width)]
        try:
            cells = pl.read_csv(
                io.BytesIO(chunk.encode()),
                separator=delimiter,
                has_header=False,
                quote_char=None,
                schema=dict.fromkeys(names, pl.String),
                truncate_ragged_lines=True,
                empty_string_is_null=False,
                raise_if_empty=False,
            )
        except pl.exceptions.PolarsError:
            cells = None
        if cells is None or cells.height != len(lines):
            fields = pl.col("line").str.split_exact(delimiter, width - 1).struct
            cells = pl.DataFrame({"line": lines}, schema={"line": pl.String}).select(
                fields.field(name) for name in names
            )
        return cells.select(pl.col(f"field_{position}").alias(column) for column, position in self._at.items())

    def _checks(self) -> list[pl.Expr]:
        """`clean` (the row is certainly clean, with at most an unknown occupation's warning) and `joined` (its
        staged values in WORKER_FIELDS order joined by `_SEP`), over the columns of `_with_outputs`."""
        col = pl.col

        def cell(name: str) -> pl.Expr:
            return col(name) if name in self._at else pl.lit("", dtype=pl.String)

        sex = col("jenis_kelamin:0")
        born = col("tanggal_lahir:0")
        born_code = pl.when(sex == "P").then(col("tanggal_lahir:2")).otherwise(col("tanggal_lahir:1"))
        extreme_poor = col("miskin_ekstrem:0")
        nik, kk, phone, note = cell("nik"), cell("no_kk"), cell("telepon"), cell("catatan_musdes")
        clean = (
            col("whole")
            & nik.str.contains(_DIGITS16)
            & ~nik.str.ends_with("0000")
            & nik.str.slice(0, 6).is_in(self._good_regions)
            & (nik.str.slice(6, 6) == born_code.cast(pl.String))
            & ((kk == "") | (kk.str.contains(_DIGITS16) & ~kk.str.ends_with("0000")))
            & (cell("nama") != "")
            & ((phone == "") | phone.str.contains(_PHONE))
            # check_row warns about an extreme-poor flag without a deliberation note (unless decile 1)
            & ~((extreme_poor == "1") & (note == "") & ~col("desil:1"))
        )
        for output in ("jenis_kelamin:0", "tanggal_lahir:0", "kode_desa:0", "rt:0", "rw:0", "pekerjaan:0",
                       "penghasilan:0", "status_pekerjaan:0", "desil:0", "miskin_ekstrem:0", "disabilitas:0",
                       "peserta_pu:0", "persetujuan:0", "tanggal_persetujuan:0"):  # fmt: skip
            clean = clean & col(output).is_not_null()
        for name, limit in _TEXT_LIMITS.items():
            text = cell(name)
            clean = (
                clean
                & text.str.contains(_CLEAN_TEXT)
                & ~text.str.contains("  ", literal=True)
                & (text.str.len_chars() <= limit)
            )
        # An occupation not on the list is kept as the specialisation when the row has none (with a warning).
        kept = col("pekerjaan:2")
        specialisation = pl.when(kept.is_not_null() & (cell("keahlian") == "")).then(kept).otherwise(cell("keahlian"))
        staged = [
            nik, kk, cell("nama"), sex, cell("tempat_lahir"), born, cell("alamat"), col("rt:0"), col("rw:0"),
            cell("dusun"), col("kode_desa:0"), phone, col("pekerjaan:0"), specialisation, col("penghasilan:0"),
            col("status_pekerjaan:0"), col("desil:0"), extreme_poor, note, col("disabilitas:0"), col("peserta_pu:0"),
            col("persetujuan:0"), col("tanggal_persetujuan:0"),
        ]  # fmt: skip
        return [
            clean.fill_null(False).alias("clean"),
            pl.concat_str([value.fill_null("") for value in staged], separator=_SEP).alias("joined"),
        ]
