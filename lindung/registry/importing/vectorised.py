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

from collections.abc import Callable
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
_PRINTABLE = r"!-~\u00A1-\u00AC\u00AE-\u017F"
_CLEAN_TEXT = rf"^(?:[{_PRINTABLE}](?:[ {_PRINTABLE}]*[{_PRINTABLE}])?)?$"


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
        self._known: dict[str, dict[Any, tuple[Any, ...] | None]] = {name: {} for name in self._functions}
        self._at = dict(zip(spec.columns, spec.positions, strict=True))
        self._warning = pl.Series(dtype=pl.String)  # of the last chunk's rows: the occupation warning or null

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

    def _mapped(self, frame: pl.DataFrame, column: str, width: int) -> list[pl.Series]:
        """Each output of the column's per-value function, as a column (null where check_row must decide)."""
        known = self._known[column]
        height = frame.height
        if column not in self._at:  # the file has no such column: every row has None
            if None not in known:
                known[None] = self._outputs(column, None)
            out = known[None]
            values = [None if out is None else out[k] for k in range(width)]
            if column == "pekerjaan":
                values[1] = None if values[1] is None else values[1][1]
            return [pl.repeat(value, height, eager=True) for value in values]
        series = frame[column]
        distinct = series.unique().to_list()
        if len(known) + len(distinct) > _KNOWN_MAX:  # bounded memory; never emptied half-way through a chunk
            known.clear()
        for raw in distinct:
            if raw not in known:
                known[raw] = self._outputs(column, raw)
        mapped = []
        for k in range(width):
            new = [None if (out := known[raw]) is None else out[k] for raw in distinct]
            dtype = pl.Boolean if column == "desil" and k == 1 else pl.String
            if column == "pekerjaan" and k == 1:  # the warning: (column, message) -> message
                new = [None if warning is None else warning[1] for warning in new]
            mapped.append(series.replace_strict(distinct, new, default=None, return_dtype=dtype))
        return mapped

    # -- a chunk ----------------------------------------------------------------------------------

    def check_chunk(self, chunk: str, number: int) -> ChunkResult:
        lines = _plain_lines(chunk)
        if lines is None or not lines:
            return self.rows.check_chunk(chunk, number)
        spec = self.spec
        delimiter = spec.delimiter
        width = max(spec.positions) + 1
        end = 2 if "\r" in chunk else 1
        text = pl.Series("line", lines, dtype=pl.String)
        frame = (
            text.str.split_exact(delimiter, width - 1)
            .struct.rename_fields([f"f{i}" for i in range(width)])
            .struct.unnest()
            .select([pl.col(f"f{position}").alias(column) for column, position in self._at.items()])
        )
        whole = text.str.count_matches(delimiter, literal=True) >= width - 1
        clean, staged = self._clean(frame, whole)
        clean_at = clean.arg_true()
        rows: list[CheckedRow | None] = [None] * len(lines)
        starts = list(accumulate([len(line) + end for line in lines], initial=0))
        if len(clean_at):
            joined = (
                pl.DataFrame([s.alias(f"s{i}") for i, s in enumerate(staged)], nan_to_null=False)
                .filter(clean)
                .select(pl.concat_str(pl.all(), separator=_SEP))
                .to_series()
            )
            quoted = joined.str.contains(r'[,"\n\r]')
            niks = staged[0].filter(clean).to_list()
            warnings = self._warning.filter(clean)
            warned = warnings.is_not_null()
            # A row whose only remark is an unknown occupation: the row path reports it with its raw cells.
            raw = iter(frame.filter(clean).filter(warned).rows()) if warned.any() else iter(())
            columns = spec.columns
            csv_line = self.rows.csv_line
            for index, nik, line, needs, warning in zip(
                clean_at.to_list(), niks, joined.to_list(), quoted.to_list(), warnings.to_list(), strict=True
            ):
                problems: tuple[list[tuple[str, str]], list[tuple[str, str]], dict[str, Any]] | None = None
                if warning is not None:
                    problems = ([], [("pekerjaan", warning)], dict(zip(columns, next(raw), strict=True)))
                rows[index] = (
                    number + 1 + index,
                    nik,
                    line,
                    csv_line(line.split(_SEP)) if needs else None,
                    problems,
                    starts[index],
                )
        if len(clean_at) < len(lines):
            check_row = self.rows.check_record
            for index in (~clean).arg_true().to_list():
                line = lines[index]
                rows[index] = check_row(number + 1 + index, line.split(delimiter) if line else [], starts[index])
        return ChunkResult([row for row in rows if row is not None], None, True)

    def _clean(self, frame: pl.DataFrame, whole: pl.Series) -> tuple[pl.Series, list[pl.Series]]:
        """(which rows are certainly clean without a warning, their staged values in WORKER_FIELDS order)."""
        height = frame.height

        def column(name: str) -> pl.Series:
            if name in self._at:
                return frame[name]
            return pl.repeat("", height, eager=True, dtype=pl.String)

        (sex,) = self._mapped(frame, "jenis_kelamin", 1)
        born, born_man, born_woman = self._mapped(frame, "tanggal_lahir", 3)
        (village,) = self._mapped(frame, "kode_desa", 1)
        (rt,) = self._mapped(frame, "rt", 1)
        (rw,) = self._mapped(frame, "rw", 1)
        occupation, occupation_warning, kept_text = self._mapped(frame, "pekerjaan", 3)
        (income,) = self._mapped(frame, "penghasilan", 1)
        (status,) = self._mapped(frame, "status_pekerjaan", 1)
        decile, decile_one = self._mapped(frame, "desil", 2)
        (extreme_poor,) = self._mapped(frame, "miskin_ekstrem", 1)
        (disability,) = self._mapped(frame, "disabilitas", 1)
        (wage_earner,) = self._mapped(frame, "peserta_pu", 1)
        (consent,) = self._mapped(frame, "persetujuan", 1)
        (consent_on,) = self._mapped(frame, "tanggal_persetujuan", 1)

        nik = column("nik")
        kk = column("no_kk")
        phone = column("telepon")
        texts = {name: column(name) for name in _TEXT_LIMITS}
        note = texts["catatan_musdes"]
        born_code = pl.select(pl.when(sex == "P").then(born_woman).otherwise(born_man)).to_series()
        born_code = born_code.cast(pl.String)

        clean = (
            whole
            & nik.str.contains(_DIGITS16)
            & ~nik.str.ends_with("0000")
            & nik.str.slice(0, 6).is_in(self._good_regions)
            & (nik.str.slice(6, 6) == born_code)
            & sex.is_not_null()
            & born.is_not_null()
            & village.is_not_null()
            & ((kk == "") | (kk.str.contains(_DIGITS16) & ~kk.str.ends_with("0000")))
            & (texts["nama"] != "")
            & ((phone == "") | phone.str.contains(_PHONE))
            & rt.is_not_null()
            & rw.is_not_null()
            & occupation.is_not_null()
            & income.is_not_null()
            & status.is_not_null()
            & decile.is_not_null()
            & extreme_poor.is_not_null()
            & disability.is_not_null()
            & wage_earner.is_not_null()
            & consent.is_not_null()
            & consent_on.is_not_null()
            # check_row warns about an extreme-poor flag without a deliberation note (unless decile 1)
            & ~((extreme_poor == "1") & (note == "") & ~decile_one)
        )
        for name, limit in _TEXT_LIMITS.items():
            cell = texts[name]
            clean = (
                clean
                & cell.str.contains(_CLEAN_TEXT)
                & ~cell.str.contains("  ", literal=True)
                & (cell.str.len_chars() <= limit)
            )
        clean = clean.fill_null(False)
        # An occupation not on the list is kept as the specialisation when the row has none (with a warning).
        specialisation = texts["keahlian"]
        specialisation = pl.select(
            pl.when(kept_text.is_not_null() & (specialisation == "")).then(kept_text).otherwise(specialisation)
        ).to_series()
        self._warning = occupation_warning
        staged = [
            nik, kk, texts["nama"], sex, texts["tempat_lahir"], born, texts["alamat"], rt, rw, texts["dusun"],
            village, phone, occupation, specialisation, income, status, decile, extreme_poor, note, disability,
            wage_earner, consent, consent_on,
        ]  # fmt: skip
        return clean, staged
