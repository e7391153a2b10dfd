"""Read a village's worker list (XLSX or CSV) in bounded blocks of raw cells.

Villages send whatever their office produced: Indonesian-locale Excel (`;` CSV, Windows-1252), titles
above the table, their own column names. This module finds the header row, maps the headers to the
canonical import columns and streams the rows without ever holding the whole file as Python objects,
because a national import runs over a million rows. Parsing the cells is `cells.py`'s job.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import warnings
import zipfile
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from operator import itemgetter
from pathlib import Path
from typing import Any, Final, Literal

from lindung.registry.importing.cells import neutralise, parse_amount, parse_date

__all__ = [
    "COLUMNS",
    "COLUMNS_BY_NAME",
    "TEMPLATE_EXAMPLE_NIK",
    "Block",
    "Column",
    "FileProblem",
    "Row",
    "Table",
    "check_upload",
    "normalise_header",
    "open_table",
    "write_template",
]


class FileProblem(ValueError):
    """The file as a whole cannot be imported; `message` tells the operator what to change."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- the canonical columns ------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One import column: its canonical name, the header the template uses, and the headers offices use."""

    name: str
    header: str
    synonyms: tuple[str, ...] = ()
    required: bool = False
    example: str = ""
    note: str = ""


COLUMNS: Final[tuple[Column, ...]] = (
    Column(
        "kode_desa",
        "Kode Desa",
        ("kode wilayah", "kode kemendagri", "kode desa/kelurahan", "kode kelurahan", "desa_kode"),
        required=True,
        example="51.71.03.2008",
        note="Kode Kemendagri desa/kelurahan. Tidak wajib bila diunggah dari halaman satu desa.",
    ),
    Column(
        "nik",
        "NIK",
        ("no ktp", "nomor ktp", "nomor induk kependudukan", "no nik", "nik ktp"),
        required=True,
        example="5171034508900003",
        note="16 digit, kolom berformat Teks. NIK yang tersimpan sebagai angka ditolak.",
    ),
    Column(
        "no_kk",
        "Nomor KK",
        ("no kk", "nomor kartu keluarga", "no kartu keluarga", "kk"),
        example="5171032003150007",
        note="16 digit, kolom berformat Teks.",
    ),
    Column(
        "nama",
        "Nama Lengkap",
        ("nama", "nama pekerja", "nama peserta"),
        required=True,
        example="Ni Luh Putu Contoh",
        note="Sesuai KTP.",
    ),
    Column(
        "jenis_kelamin",
        "Jenis Kelamin",
        ("jk", "l/p", "sex", "kelamin"),
        required=True,
        example="P",
        note="L atau P (juga Laki-laki/Perempuan, 1/2).",
    ),
    Column(
        "tempat_lahir",
        "Tempat Lahir",
        ("tempat lahir", "tmp lahir", "tempatlahir"),
        example="Denpasar",
    ),
    Column(
        "tanggal_lahir",
        "Tanggal Lahir",
        ("tgl lahir", "tanggallahir", "tgl. lahir", "tanggal lahir (dd-mm-yyyy)"),
        required=True,
        example="05-08-1990",
        note="HH-BB-TTTT, misalnya 05-08-1990; juga 5 Agustus 1990.",
    ),
    Column("alamat", "Alamat", ("alamat ktp", "alamat rumah"), example="Jl. Contoh No. 1"),
    Column("rt", "RT", (), example="003"),
    Column("rw", "RW", (), example="002"),
    Column(
        "dusun",
        "Banjar/Dusun",
        ("banjar", "dusun", "lingkungan", "banjar dinas"),
        example="Banjar Tegal",
    ),
    Column(
        "telepon",
        "Nomor HP",
        ("no hp", "hp", "telepon", "no telp", "no. hp", "nomor telepon", "whatsapp", "no wa"),
        example="081234567890",
        note="Kolom berformat Teks agar angka 0 di depan tidak hilang.",
    ),
    Column(
        "pekerjaan",
        "Pekerjaan",
        ("pekerjaan_id", "jenis pekerjaan", "profesi", "mata pencaharian"),
        example="Petani/Pekebun",
    ),
    Column(
        "keahlian",
        "Keahlian/Spesialisasi",
        ("keahlian", "spesialisasi", "keterampilan"),
        example="Menenun endek",
    ),
    Column(
        "penghasilan",
        "Penghasilan per Bulan",
        ("penghasilan", "pendapatan", "pendapatan per bulan", "penghasilan/bulan", "gaji"),
        example="1.500.000",
        note="Rupiah bulat, misalnya 1.500.000 atau Rp 1.500.000.",
    ),
    Column(
        "status_pekerjaan",
        "Status Pekerjaan",
        ("status kerja",),
        example="Bukan penerima upah",
    ),
    Column(
        "desil",
        "Desil P3KE/DTSEN",
        ("desil", "desil p3ke", "desil dtsen", "desil kesejahteraan"),
        example="1",
        note="Angka 1 sampai 10.",
    ),
    Column(
        "miskin_ekstrem",
        "Miskin Ekstrem",
        ("miskin ekstrim", "kemiskinan ekstrem", "me"),
        example="Ya",
        note="Ya atau Tidak.",
    ),
    Column(
        "catatan_musdes",
        "Catatan Musdes",
        ("catatan musyawarah desa",),
        example="Disepakati Musdes 12-01-2025",
    ),
    Column(
        "disabilitas",
        "Disabilitas",
        ("penyandang disabilitas", "cacat"),
        example="Tidak",
        note="Ya atau Tidak.",
    ),
    Column(
        "peserta_pu",
        "Peserta PU",
        ("peserta penerima upah", "pu"),
        example="Tidak",
        note="Ya bila sudah terdaftar sebagai peserta penerima upah.",
    ),
    Column(
        "persetujuan",
        "Persetujuan Data",
        ("setuju", "persetujuan", "consent"),
        example="Ya",
        note="Ya bila pekerja menyetujui datanya diproses.",
    ),
    Column(
        "tanggal_persetujuan",
        "Tanggal Persetujuan",
        ("tgl persetujuan",),
        example="12-01-2025",
        note="HH-BB-TTTT.",
    ),
)

COLUMNS_BY_NAME: Final[dict[str, Column]] = {column.name: column for column in COLUMNS}

# Fictitious person of the template's example row (Desa Tegal Harum, woman born 5-8-1990): an importer
# can recognise the row an operator forgot to delete.
TEMPLATE_EXAMPLE_NIK: Final = "5171034508900003"

HEADER_SEARCH_ROWS: Final = 10
MIN_KNOWN_HEADERS: Final = 3

# Header matching ignores case, spaces, underscores, dots, hyphens and slashes, and a trailing "*" or
# parenthetical such as "(wajib)" or "(dd-mm-yyyy)".
_HEADER_IGNORED = str.maketrans("", "", " _.-/\t\r\n\u00a0")
_HEADER_DECORATION = re.compile(r"\s*(?:\*+|\([^()]*\))\s*$")


def normalise_header(value: object) -> str:
    """The comparison key of a header cell: "Tgl. Lahir (dd-mm-yyyy) *" and "tgl_lahir" are the same."""
    if value is None:
        return ""
    text = str(value).strip().lower().lstrip("*").strip()
    while True:
        shorter = _HEADER_DECORATION.sub("", text)
        if shorter == text or not shorter:
            break
        text = shorter
    return text.translate(_HEADER_IGNORED)


def _build_lookup() -> dict[str, str]:
    lookup: dict[str, str] = {}
    for column in COLUMNS:
        for spelling in (column.name, column.header, *column.synonyms):
            key = normalise_header(spelling)
            if lookup.setdefault(key, column.name) != column.name:
                raise RuntimeError(f"header {spelling!r} maps to {lookup[key]} and {column.name}")
    return lookup


_LOOKUP: Final = _build_lookup()


# --- header row -----------------------------------------------------------------------------------


@dataclass
class _Header:
    positions: dict[str, int] = field(default_factory=dict)  # canonical name -> 0-based cell index
    source: dict[str, str] = field(default_factory=dict)  # canonical name -> header as written
    unknown: list[str] = field(default_factory=list)
    duplicates: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def known(self) -> int:
        return len(self.positions) + len(self.duplicates)


def _match_header(cells: Sequence[object]) -> _Header:
    header = _Header()
    for index, cell in enumerate(cells):
        written = "" if cell is None else " ".join(str(cell).split())
        key = normalise_header(written)
        if not key:
            continue
        name = _LOOKUP.get(key)
        if name is None:
            header.unknown.append(written)
        elif name in header.positions:
            header.duplicates.append((name, header.source[name], written))
        else:
            header.positions[name] = index
            header.source[name] = written
    return header


def _is_blank(cells: Iterable[object]) -> bool:
    for cell in cells:
        if cell is None or (isinstance(cell, str) and (not cell or cell.isspace())):
            continue
        return False
    return True


def _find_header(
    rows: Iterable[Sequence[object]], required: Collection[str] | None = None
) -> tuple[int, _Header] | None:
    """The first row among the first ten that names at least three known columns (titles sit above it),
    or, for a narrow file with its own `required` columns (a poverty extract: NIK and decile), all of those."""
    for number, cells in enumerate(islice(rows, HEADER_SEARCH_ROWS), start=1):
        if _is_blank(cells):
            continue
        header = _match_header(cells)
        if header.known >= MIN_KNOWN_HEADERS or (required and all(c in header.positions for c in required)):
            return number, header
    return None


def _header_not_found(where: str = "") -> FileProblem:
    required = ", ".join(column.header for column in COLUMNS if column.required)
    return FileProblem(
        f"Baris judul kolom tidak ditemukan di {HEADER_SEARCH_ROWS} baris pertama{where}. Pastikan ada "
        f"satu baris berisi judul kolom templat, sekurang-kurangnya {required}."
    )


def _validate_header(header: _Header, *, require_village_column: bool, required: Collection[str] | None = None) -> None:
    if header.duplicates:
        name, first, second = header.duplicates[0]
        raise FileProblem(
            f'Kolom {COLUMNS_BY_NAME[name].header} muncul lebih dari sekali (judul "{first}" dan '
            f'"{second}"); sisakan satu saja.'
        )
    missing = [
        column.header
        for column in COLUMNS
        if (column.name in required if required is not None else column.required)
        and column.name not in header.positions
        and (require_village_column or column.name != "kode_desa")
    ]
    if missing:
        raise FileProblem(
            f"Kolom wajib tidak ditemukan: {', '.join(missing)}. Tambahkan kolom tersebut dengan judul "
            "seperti pada templat."
        )


# --- the table ------------------------------------------------------------------------------------

Row = tuple[int, dict[str, object]]
Block = list[Row]


@dataclass(frozen=True)
class Table:
    """An opened import file: what its header says, and `blocks()` to stream its data rows.

    Row numbers are the spreadsheet rows as Excel shows them, so an operator can find a reported row.
    `blocks()` reopens the file on every call, so a caller may make a checking pass and an import pass.
    """

    path: Path
    format: Literal["csv", "xlsx"]
    columns: list[str]
    unknown_headers: list[str]
    header_row_number: int
    headers: dict[str, str]  # canonical name -> the header as written in the file
    block_size: int
    sheet_name: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    _positions: tuple[int, ...] = ()
    _skip_sep_line: bool = False

    def blocks(self) -> Iterator[Block]:
        """Lists of at most `block_size` `(row_number, {column: raw cell})`; all-empty rows are skipped."""
        if self.format == "xlsx":
            return self._xlsx_blocks()
        return self._csv_blocks()

    def _csv_blocks(self) -> Iterator[Block]:
        names = self.columns
        positions = self._positions
        width = max(positions) + 1
        getter = itemgetter(*positions)
        block_size = self.block_size
        number = self.header_row_number
        block: Block = []
        append = block.append
        errors = "replace" if self.encoding == "cp1252" else "strict"
        with (
            self.path.open("rb") as binary,
            io.TextIOWrapper(binary, encoding=self.encoding, errors=errors, newline="") as text,
        ):
            if self._skip_sep_line:
                text.readline()
            reader = csv.reader(text, delimiter=self.delimiter or ",")
            try:
                for _ in islice(reader, self.header_row_number):
                    pass
                for row in reader:
                    number += 1
                    if len(row) >= width:
                        values = getter(row)
                    elif row:
                        values = tuple(row[i] if i < len(row) else "" for i in positions)
                    else:
                        continue
                    first = values[0]
                    if (not first or first.isspace()) and not "".join(values).strip():
                        continue
                    append((number, dict(zip(names, values))))  # noqa: B905 - same length by construction
                    if len(block) >= block_size:
                        yield block
                        block = []
                        append = block.append
            except csv.Error as exc:
                raise FileProblem(f"Berkas CSV rusak di sekitar baris {number + 1}: {exc}.") from exc
            except UnicodeDecodeError as exc:
                raise FileProblem(
                    f"Berkas CSV tidak dapat dibaca sebagai teks {self.encoding} di sekitar baris "
                    f"{number + 1}; simpan ulang sebagai CSV UTF-8."
                ) from exc
        if block:
            yield block

    @property
    def chunkable(self) -> bool:
        """True when `text_chunks` can cut the file: a CSV whose decoding cannot fail half-way.

        UTF-8 was checked on the whole file by `_detect_encoding` and Windows-1252 replaces what it cannot
        decode; a UTF-16 file is read by `blocks()` only.
        """
        return self.format == "csv" and self.encoding in ("utf-8-sig", "cp1252")

    def text_chunks(self, size: int = 1 << 20) -> Iterator[tuple[int, str]]:
        """`(number of the row before the chunk, text)`: `counted_chunks` without the counts."""
        for number, chunk, _ends in self.counted_chunks(size):
            yield number, chunk

    def counted_chunks(self, size: int = 1 << 20) -> Iterator[tuple[int, str, tuple[int, int, int] | None]]:
        """The data part of the CSV as `(number of the row before the chunk, text)`, each chunk whole records.

        For `chunks.ChunkChecker.check_chunk`, which reads a chunk exactly as `blocks()` reads the rows, so the
        chunks can be checked in other processes. A chunk ends at a line end outside any quoted field: the
        csv module decides where a quoted field ends whenever the chunk holds a quote character. The third
        item: the chunk's counts of "\\n", "\\r" and "\\r\\n" (None when it holds a quote), which tell
        `chunks._plain_lines` how its lines end without counting again.
        """
        if not self.chunkable:
            raise ValueError(f"{self.path.name} cannot be read in chunks")
        number = self.header_row_number
        delimiter = self.delimiter or ","
        errors = "replace" if self.encoding == "cp1252" else "strict"
        with (
            self.path.open("rb") as binary,
            io.TextIOWrapper(binary, encoding=self.encoding, errors=errors, newline="") as text,
        ):
            if self._skip_sep_line:
                text.readline()
            try:
                for _ in islice(csv.reader(iter(text.readline, ""), delimiter=delimiter), self.header_row_number):
                    pass
            except csv.Error as exc:
                raise FileProblem(f"Berkas CSV rusak di sekitar baris {number + 1}: {exc}.") from exc
            try:
                while chunk := text.read(size):
                    if chunk[-1] != "\n":  # finish the line; "\r" may be the first half of "\r\n"
                        chunk += text.readline()
                    if '"' not in chunk:
                        line_feeds, returns = chunk.count("\n"), chunk.count("\r")
                        both = chunk.count("\r\n") if returns else 0
                        records = line_feeds + returns - both
                        ends: tuple[int, int, int] | None = (line_feeds, returns, both)
                    else:
                        chunk, records = _whole_records(chunk, text, delimiter)
                        ends = None
                    yield number, chunk, ends
                    number += records
            except UnicodeDecodeError as exc:
                raise FileProblem(
                    f"Berkas CSV tidak dapat dibaca sebagai teks {self.encoding} di sekitar baris "
                    f"{number + 1}; simpan ulang sebagai CSV UTF-8."
                ) from exc

    def _xlsx_blocks(self) -> Iterator[Block]:
        names = self.columns
        positions = self._positions
        width = max(positions) + 1
        getter = itemgetter(*positions)
        block_size = self.block_size
        number = 0
        block: Block = []
        with _workbook(self.path) as workbook:
            sheet = workbook[self.sheet_name] if self.sheet_name else workbook.worksheets[0]
            sheet.reset_dimensions()  # some producers write a wrong <dimension>; trust the rows instead
            rows = enumerate(sheet.iter_rows(values_only=True), start=1)
            try:
                for number, row in rows:
                    if number <= self.header_row_number:
                        continue
                    if len(row) >= width:
                        values = getter(row)
                    elif row:
                        values = tuple(row[i] if i < len(row) else None for i in positions)
                    else:
                        continue
                    if _is_blank(values):
                        continue
                    block.append((number, dict(zip(names, values))))  # noqa: B905 - same length by construction
                    if len(block) >= block_size:
                        yield block
                        block = []
            except Exception as exc:  # corrupt XML or zip member deep in the file
                message = f"Berkas XLSX rusak di sekitar baris {number + 1}; simpan ulang dari Excel."
                raise FileProblem(message) from exc
        if block:
            yield block


_EXTEND_CHARS: Final = 64 * 1024


def _whole_records(chunk: str, text: io.TextIOWrapper, delimiter: str) -> tuple[str, int]:
    """Extend `chunk` (which ends at a line end) until no quoted field runs past it: (chunk, its records)."""
    from lindung.registry.importing.chunks import records_in

    lines = list(io.StringIO(chunk, newline=""))
    records = 0
    try:
        done, open_at = records_in(lines, delimiter)
        records += done
        while open_at is not None:
            more: list[str] = []
            size = 0
            while size < _EXTEND_CHARS and (line := text.readline()):
                more.append(line)
                size += len(line)
            if not more:  # the file ends inside a quoted field: the csv module still gives that row
                return chunk, records + 1
            chunk += "".join(more)
            lines = lines[open_at:] + more
            done, open_at = records_in(lines, delimiter)
            records += done
    except csv.Error:
        pass  # the checker meets the same error in this chunk and reports it; nothing after it is read
    return chunk, records


# --- format detection and safety ------------------------------------------------------------------

_ZIP_MAGIC: Final = (b"PK\x03\x04", b"PK\x05\x06")
_OLE2_MAGIC: Final = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls and password-protected .xlsx
_MB: Final = 1024 * 1024
_RATIO_FLOOR: Final = _MB  # an entry smaller than this cannot hurt whatever its ratio
_MAX_ENTRIES: Final = 10_000
_NOT_READABLE: Final = "Berkas bukan XLSX atau CSV yang dapat dibaca."
_ZIP_BOMB: Final = "Berkas XLSX tidak wajar (rasio kompresi terlalu besar); berkas ditolak."


def _megabytes(size: float) -> str:
    return f"{size / _MB:.1f}".replace(".", ",")


def _sniff_kind(path: Path) -> Literal["csv", "xlsx"]:
    with path.open("rb") as binary:
        head = binary.read(8)
    if head.startswith(_ZIP_MAGIC):
        return "xlsx"
    if head == _OLE2_MAGIC:
        raise FileProblem(
            "Berkas Excel 97-2003 (.xls) atau berkas berkata sandi tidak dapat dibaca; buka di Excel, "
            "hapus kata sandinya bila ada, lalu simpan sebagai .xlsx atau CSV."
        )
    return "csv"


def check_upload(
    path: Path,
    *,
    max_bytes: int | None,
    max_ratio: int = 200,
    max_expansion: int = 50,
    max_total: int = 2 * 1024 * _MB,
) -> None:
    """Refuse a file before reading it: too big for the web upload, not a spreadsheet, or a zip bomb.

    Zip sizes are read from the central directory; Python's zipfile stops at the declared size and
    checks the CRC, so a lying header makes the read fail rather than expand further.
    """
    size = path.stat().st_size
    if size == 0:
        raise FileProblem("Berkas kosong.")
    if max_bytes is not None and size > max_bytes:
        raise FileProblem(
            f"Berkas terlalu besar ({_megabytes(size)} MB); batas unggahan {_megabytes(max_bytes)} MB. "
            "Untuk berkas sebesar ini gunakan perintah lindung import-workers atau bagi berkasnya."
        )
    if _sniff_kind(path) == "csv":
        with path.open("rb") as binary:
            head = binary.read(64 * 1024)
        if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            raise FileProblem(_NOT_READABLE)
        return
    try:
        with zipfile.ZipFile(path) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise FileProblem(_NOT_READABLE) from exc
    names = {entry.filename for entry in entries}
    if "[Content_Types].xml" not in names or not any(name.startswith("xl/") for name in names):
        raise FileProblem(_NOT_READABLE)
    total = sum(entry.file_size for entry in entries)
    if len(entries) > _MAX_ENTRIES or total > max_expansion * size or total > max_total:
        raise FileProblem(_ZIP_BOMB)
    for entry in entries:
        if entry.file_size > _RATIO_FLOOR and entry.file_size > max_ratio * max(entry.compress_size, 1):
            raise FileProblem(_ZIP_BOMB)


# --- XLSX -----------------------------------------------------------------------------------------

_PREFERRED_SHEET_WORDS: Final = frozenset({"data", "pekerja"})


@contextmanager
def _workbook(path: Path) -> Iterator[Any]:  # openpyxl ships no type hints
    """A read-only workbook with cached values only: formulas are never evaluated.

    openpyxl is given an open file, not the path: with a path it judges the format by the file name
    and refuses an XLSX uploaded as "data.csv" or saved without an extension.
    """
    import openpyxl  # imported here: CSV imports and the web process need not pay for it

    with path.open("rb") as binary:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # "unknown extension", "no default style": noise for users
                workbook = openpyxl.load_workbook(binary, read_only=True, data_only=True)
        except Exception as exc:
            raise FileProblem(_NOT_READABLE) from exc
        try:
            yield workbook
        finally:
            workbook.close()


def _open_xlsx(
    path: Path, *, require_village_column: bool, block_size: int, required: Collection[str] | None = None
) -> Table:
    with _workbook(path) as workbook:
        sheets = list(workbook.worksheets)
        preferred = [s for s in sheets if _PREFERRED_SHEET_WORDS & set(re.split(r"[\W_]+", s.title.lower()))]
        for sheet in [*preferred, *(s for s in sheets if s not in preferred)]:
            sheet.reset_dimensions()
            try:
                found = _find_header(sheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True), required)
            except Exception as exc:
                raise FileProblem(_NOT_READABLE) from exc
            if found is not None:
                break
        else:
            titles = ", ".join(s.title for s in sheets)
            raise _header_not_found(f" lembar mana pun ({titles})")
    number, header = found
    _validate_header(header, require_village_column=require_village_column, required=required)
    return Table(
        path=path,
        format="xlsx",
        columns=list(header.positions),
        unknown_headers=header.unknown,
        header_row_number=number,
        headers=header.source,
        block_size=block_size,
        sheet_name=sheet.title,
        _positions=tuple(header.positions.values()),
    )


# --- CSV ------------------------------------------------------------------------------------------

_DECODE_CHUNK: Final = 4 * _MB
_SAMPLE_CHARS: Final = 64 * 1024
_DELIMITERS: Final = (";", ",", "\t")


def _detect_encoding(path: Path) -> str:
    """UTF-16 by its BOM (Excel's "Unicode Text"), UTF-8 if every byte decodes as UTF-8, else Windows-1252.

    The UTF-8 check decodes the whole file rather than a sample: one "é" in row 900,000 of a cp1252
    file would otherwise fail the import after it started. The pass runs at memory speed (pure-ASCII
    chunks are skipped by `bytes.isascii`), well under a second for a file of hundreds of MB, which is
    small next to parsing the rows.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as binary:
        head = binary.read(4)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        binary.seek(0)
        try:
            while chunk := binary.read(_DECODE_CHUNK):
                if chunk.isascii() and not decoder.getstate()[0]:
                    continue
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "cp1252"
    return "utf-8-sig"


def _sample_rows(sample: str, delimiter: str) -> list[list[str]]:
    try:
        return list(islice(csv.reader(io.StringIO(sample), delimiter=delimiter), HEADER_SEARCH_ROWS))
    except csv.Error:
        return []


def _open_csv(
    path: Path, *, require_village_column: bool, block_size: int, required: Collection[str] | None = None
) -> Table:
    encoding = _detect_encoding(path)
    with (
        path.open("rb") as binary,
        io.TextIOWrapper(binary, encoding=encoding, errors="replace", newline="") as text,
    ):
        sample = text.read(_SAMPLE_CHARS)
    skip_sep_line = False
    candidates: tuple[str, ...] = _DELIMITERS
    if sample[:4].lower() == "sep=" and len(sample) > 4:  # Excel's delimiter hint line, hidden by Excel
        candidates = (sample[4],)
        skip_sep_line = True
        sample = sample.partition("\n")[2]
    best: tuple[int, str, tuple[int, _Header]] | None = None
    for delimiter in candidates:
        found = _find_header(_sample_rows(sample, delimiter), required)
        if found is not None and (best is None or found[1].known > best[0]):
            best = (found[1].known, delimiter, found)
    if best is None:
        raise _header_not_found()
    _, delimiter, (number, header) = best
    _validate_header(header, require_village_column=require_village_column, required=required)
    return Table(
        path=path,
        format="csv",
        columns=list(header.positions),
        unknown_headers=header.unknown,
        header_row_number=number,
        headers=header.source,
        block_size=block_size,
        encoding=encoding,
        delimiter=delimiter,
        _positions=tuple(header.positions.values()),
        _skip_sep_line=skip_sep_line,
    )


def open_table(
    path: Path,
    *,
    require_village_column: bool = True,
    block_size: int = 20_000,
    required: Collection[str] | None = None,
) -> Table:
    """Open an import file, recognising XLSX by its zip content (never by its name), else reading CSV.

    Raises `FileProblem` for an unreadable or unsafe file, a missing header row, a missing required
    column or a column given twice. Pass `require_village_column=False` when the upload belongs to one
    village and the caller supplies its code, and `required` (canonical names) for a narrower file, such as
    a poverty extract that only needs `nik` and `desil`.
    """
    if block_size < 1:
        raise ValueError("block_size must be at least 1")
    check_upload(path, max_bytes=None)
    if _sniff_kind(path) == "xlsx":
        return _open_xlsx(path, require_village_column=require_village_column, block_size=block_size, required=required)
    return _open_csv(path, require_village_column=require_village_column, block_size=block_size, required=required)


# --- the downloadable template --------------------------------------------------------------------

_TEXT_COLUMNS: Final = frozenset({"kode_desa", "nik", "no_kk", "rt", "rw", "telepon"})
_DATE_COLUMNS: Final = frozenset({"tanggal_lahir", "tanggal_persetujuan"})
_YES_NO_COLUMNS: Final = frozenset({"miskin_ekstrem", "disabilitas", "peserta_pu", "persetujuan"})

_GUIDANCE: Final = (
    "Satu baris untuk satu pekerja. Judul kolom jangan diubah; urutan kolom boleh berbeda dan kolom "
    "yang tidak wajib boleh dihapus.",
    "Baris contoh (Ni Luh Putu Contoh) berisi data fiktif: hapus sebelum mengunggah.",
    "Kolom NIK, Nomor KK dan Nomor HP sudah berformat Teks. Bila menyalin dari berkas lain, tempel "
    "dengan Paste Special > Values; NIK yang tersimpan sebagai angka kehilangan digit ke-16 dan ditolak.",
    "Tanggal ditulis HH-BB-TTTT, misalnya 05-08-1990.",
    "Kolom yang judulnya berlatar kuning wajib diisi di setiap baris.",
)


def _example_cell(column: Column) -> object:
    if column.name in _DATE_COLUMNS:
        return parse_date(column.example)
    if column.name == "penghasilan":
        return parse_amount(column.example)
    if column.name == "desil":
        return int(column.example)
    return column.example


def _required_label(column: Column) -> str:
    if column.name == "kode_desa":
        return "Wajib (kecuali diunggah dari halaman satu desa)"
    return "Wajib" if column.required else "Tidak"


def write_template(path: Path, format: str) -> None:
    """Write the downloadable import template: "xlsx" (recommended, with a Petunjuk sheet) or "csv"."""
    if format == "csv":
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerow([neutralise(column.header) for column in COLUMNS])
            writer.writerow([neutralise(column.example) for column in COLUMNS])
        return
    if format != "xlsx":
        raise ValueError(f"unknown template format {format!r}")
    _write_xlsx_template(path)


def _write_xlsx_template(path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Data Pekerja"
    bold = Font(bold=True)
    required_fill = PatternFill("solid", fgColor="FFF2CC")
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        head = sheet.cell(row=1, column=index, value=column.header)
        head.font = bold
        if column.required:
            head.fill = required_fill
        dimension = sheet.column_dimensions[letter]
        dimension.width = max(12, len(column.header) + 4, len(column.example) + 2)
        example = sheet.cell(row=2, column=index, value=_example_cell(column))
        if column.name in _TEXT_COLUMNS:
            dimension.number_format = "@"  # the column style Excel applies to cells typed later
            example.number_format = "@"
        elif isinstance(example.value, date):
            example.number_format = "DD-MM-YYYY"
        elif column.name == "penghasilan":
            example.number_format = "#,##0"
        if column.name == "jenis_kelamin" or column.name in _YES_NO_COLUMNS:
            choices = '"L,P"' if column.name == "jenis_kelamin" else '"Ya,Tidak"'
            validation = DataValidation(type="list", formula1=choices, allow_blank=True)
            validation.add(f"{letter}2:{letter}10000")
            sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"

    guide = workbook.create_sheet("Petunjuk")
    guide.append(["Petunjuk pengisian templat pekerja rentan"])
    guide["A1"].font = Font(bold=True, size=14)
    for line in _GUIDANCE:
        guide.append([line])
    guide.append([])
    guide.append(["Kolom", "Wajib?", "Judul lain yang diterima", "Contoh isi", "Keterangan"])
    table_start = guide.max_row
    for cell in guide[table_start]:
        cell.font = bold
    for column in COLUMNS:
        synonyms = ", ".join(column.synonyms)
        guide.append([column.header, _required_label(column), synonyms, column.example, column.note])
    for letter, width in zip("ABCDE", (26, 22, 50, 28, 70), strict=True):
        guide.column_dimensions[letter].width = width
    for row in guide.iter_rows(min_row=table_start):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
            cell.number_format = "@"
    workbook.save(path)
