"""The fast ways through a bulk import give exactly what the plain way gives.

- `RowChecker`'s fast path against `check_row` (the definition), on rows mixing clean and messy cells;
- CSV chunks (`Table.text_chunks` + `ChunkChecker.check_chunk`) against `Table.blocks()`, chunk ends anywhere;
- `validate_file` with worker processes, in this process, and the algorithm as it was before the fast paths
  (copied below as `reference_validate`): byte-identical valid.csv, same counts, same error report;
- the text error report against openpyxl's; registered workers compared as staged text against the ORM values.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import random
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from lindung.registry.identity import mask_nik
from lindung.registry.importing import pipeline
from lindung.registry.importing.chunks import ChunkChecker, ChunkSpec
from lindung.registry.importing.pipeline import _ErrorReport, _TextErrorReport, update_fields, validate_file
from lindung.registry.importing.reading import FileProblem, open_table
from lindung.registry.importing.rows import WORKER_FIELDS, RowChecker, RowResult, check_row, csv_value

TODAY = dt.date(2026, 1, 15)
VILLAGES = {
    "51.71.03.2008": "Tegal Harum",
    "51.71.01.1001": "Sesetan",
    "51.71.02.1003": "Dauh Puri Kauh",
    "51.71.04.2001": "Penatih",
}
HEADER = [
    "Kode Desa", "NIK", "Nomor KK", "Nama Lengkap", "Jenis Kelamin", "Tempat Lahir", "Tanggal Lahir", "Alamat",
    "RT", "RW", "Banjar", "No HP", "Pekerjaan", "Keahlian", "Penghasilan", "Status Pekerjaan", "Desil",
    "Miskin Ekstrem", "Catatan Musdes", "Disabilitas", "Peserta PU", "Persetujuan", "Tanggal Persetujuan",
]  # fmt: skip

# Cells as offices write them: mostly clean, with the messy shapes each parser knows (and some it refuses).
CLEAN_DATES = ["05-08-1990", "26-10-1988", "17-12-1975", "01-01-1980", "29-02-1996", "31-12-2005", "15-07-1992"]
POOLS: dict[str, list[str]] = {
    "Kode Desa": ["51.71.03.2008", "5171011001", "51 71 02 1003", "51.71.04.2001", "51.03.05.2001", "99.99", "", " "],
    "Nomor KK": ["5171030101090001", "", "5171030101090000", "51710301010900", " 5171030101090001", "5.17103E+15"],
    "Nama Lengkap": ["Ni Made Süryani", "I Wayan Darma", "  Luh  Sari ", "Komang\tAyu", "", "x" * 151,
                     "Gede\u200bLain", "Ketut\x07", "O'Brien, Jr.", 'Made "Dek" Arta', "=1+2"],
    "Jenis Kelamin": ["L", "P", "l", "p", "Laki-laki", "Perempuan", "1", "2", "X", "", " P "],
    "Tempat Lahir": ["Denpasar", "", " Denpasar", "x" * 101, "Kota, Bali", "Singaraja"],
    "Tanggal Lahir": [*CLEAN_DATES, "1990-08-05", "5 Agustus 1990", "31-02-1980", "", "05-08-2090",
                      "01-01-1899", "17/12/1975", "12.03.1985", "33000", "1985", "05-08-90"],
    "Alamat": ["Jl. Gatot Subroto 1", "Jl. A, No. 5", 'Jl. "Mawar"', "", "x" * 256, "Gang  Melati"],
    "RT": ["001", "1", "003", "1000", "-1", "3.0", "", "abc"],
    "RW": ["002", "2", "", "999", "x"],
    "Banjar": ["Banjar Tegal", "", "  ", "Dusun Kaja"],
    "No HP": ["08123456789", "+62 812-3456-789", "628123456789", "8123456789", "0812", "", "abc"],
    "Pekerjaan": ["Tukang cukur", "petani", "astronot", "PNS", "", "24", "24 - Petani", "  petani  ", "9"],
    "Keahlian": ["", "Menenun endek", "x" * 151, "Las, bubut"],
    "Penghasilan": ["Rp 750.000", "1.500.000", "500000", "abc", "", "2.000.000.000", "1,500,000", "750000.0"],
    "Status Pekerjaan": ["informal", "Usaha sendiri", "", "bukan penerima upah", "astronaut", "Buruh Harian"],
    "Desil": ["1", "2", "10", "11", "", "0", "1.0"],
    "Miskin Ekstrem": ["Ya", "Tidak", "ya", "T", "", "mungkin"],
    "Catatan Musdes": ["", "Disepakati Musdes 12-01-2025", "=HYPERLINK(1)"],
    "Disabilitas": ["Tidak", "Ya", "", "0"],
    "Peserta PU": ["Tidak", "", "1"],
    "Persetujuan": ["Ya", "Tidak", ""],
    "Tanggal Persetujuan": ["", "01-02-2023", "01-02-2099", "bad", "2025-01-12"],
}  # fmt: skip
DISTRICTS = ["517103", "517101", "510305", "517199", "990101", "510005"]


def make_nik(rng: random.Random, birth: str, sex: str) -> str:
    """A NIK, usually encoding the row's district, birth date and sex, sometimes broken in a known way."""
    day, month, year = birth.split("-") if birth.count("-") == 2 else ("01", "01", "1990")
    try:
        d, m, y = int(day), int(month), int(year)
    except ValueError:
        d, m, y = 1, 1, 1990
    if sex in ("P", "p", "Perempuan", "2") and rng.random() < 0.9:
        d += 40
    district = DISTRICTS[0] if rng.random() < 0.8 else rng.choice(DISTRICTS)
    nik = f"{district}{d:02d}{m:02d}{y % 100:02d}{rng.randint(1, 9999):04d}"
    roll = rng.random()
    if roll < 0.9:
        return nik
    return rng.choice(
        ["", nik[:15], nik[:12] + "0000", f"{nik[:4]} {nik[4:8]} {nik[8:12]} {nik[12:]}", "5.17103E+15",
         f"'{nik}", nik + ".0", "  " + nik, "abcdefghijklmnop"]
    )  # fmt: skip


def random_row(rng: random.Random, clean: float = 0.8) -> list[str]:
    row = []
    for header in HEADER:
        if header == "NIK":
            row.append("")
            continue
        pool = POOLS[header]
        row.append(pool[0] if rng.random() < clean else rng.choice(pool))
        if header in ("Nama Lengkap", "Alamat") and row[-1] == pool[0]:
            row[-1] = f"{pool[0]} {rng.randint(1, 999)}"
        if header == "Tanggal Lahir" and row[-1] == pool[0]:
            row[-1] = rng.choice(CLEAN_DATES)
        if header == "Jenis Kelamin" and row[-1] == pool[0]:
            row[-1] = rng.choice("LP")
    row[HEADER.index("NIK")] = make_nik(rng, row[HEADER.index("Tanggal Lahir")], row[HEADER.index("Jenis Kelamin")])
    return row


COLUMNS = [
    "kode_desa", "nik", "no_kk", "nama", "jenis_kelamin", "tempat_lahir", "tanggal_lahir", "alamat", "rt", "rw",
    "dusun", "telepon", "pekerjaan", "keahlian", "penghasilan", "status_pekerjaan", "desil", "miskin_ekstrem",
    "catatan_musdes", "disabilitas", "peserta_pu", "persetujuan", "tanggal_persetujuan",
]  # fmt: skip


@pytest.mark.parametrize("fixed_village", [None, "51.71.03.2008"])
def test_fast_path_gives_check_rows_verdict(fixed_village):
    rng = random.Random(7)
    fast = RowChecker(COLUMNS, villages=VILLAGES, fixed_village=fixed_village, today=TODAY)
    slow = RowChecker(COLUMNS, villages=VILLAGES, fixed_village=fixed_village, today=TODAY, fast=False)
    taken = 0
    for number in range(2, 12_002):
        values = tuple(random_row(rng, clean=0.9 if number % 2 else 0.6))
        expected = slow.check(number, values)
        assert fast.check(number, values) == expected, values
        taken += fast._fast((*values, None)) is not None
    assert 3_000 < taken < 11_000  # both ways were exercised


def test_fast_path_with_columns_missing():
    rng = random.Random(11)
    for _ in range(40):
        columns = sorted(rng.sample(COLUMNS, rng.randint(3, len(COLUMNS))), key=COLUMNS.index)
        fast = RowChecker(columns, villages=VILLAGES, fixed_village=None, today=TODAY)
        slow = RowChecker(columns, villages=VILLAGES, fixed_village=None, today=TODAY, fast=False)
        for number in range(2, 300):
            full = dict(zip(COLUMNS, random_row(rng, clean=0.95), strict=True))
            values = tuple(full[c] for c in columns)
            assert fast.check(number, values) == slow.check(number, values)


def test_slow_path_is_check_row():
    values = dict(zip(COLUMNS, random_row(random.Random(3), clean=0.3), strict=True))
    checker = RowChecker(COLUMNS, villages=VILLAGES, fixed_village=None, today=TODAY, fast=False)
    nik, staged, problems = checker.check(9, tuple(values.values()))
    result = check_row(9, values, villages=VILLAGES, fixed_village=None, today=TODAY)
    assert nik == result.record["nik"]
    assert staged == ([csv_value(result.record.get(f)) for f in WORKER_FIELDS] if result.ok else None)
    assert problems == ((result.errors, result.warnings, values) if result.errors or result.warnings else None)


# --- chunks of text read exactly as blocks() reads rows ------------------------------------------------


def tricky_csv(rng: random.Random, rows: int, *, delimiter: str = ";", newline: str = "\r\n") -> str:
    lines = ["DAFTAR PEKERJA RENTAN;;;", delimiter.join(HEADER)]
    for i in range(rows):
        row = random_row(rng, clean=0.7)
        roll = rng.random()
        if roll < 0.05:
            lines.append("")  # a blank line
            continue
        if roll < 0.08:
            lines.append(delimiter * 5)  # only delimiters: skipped, still counted
            continue
        if roll < 0.12:
            row = row[: rng.randint(1, 8)]  # a short row
        if roll > 0.9:
            row[HEADER.index("Alamat")] = f'Jl. "Mawar" {i}{newline}baris kedua; lagi'  # a quoted line break
        out = io.StringIO()
        csv.writer(out, delimiter=delimiter, lineterminator="").writerow(row)
        lines.append(out.getvalue())
    return newline.join(lines) + newline


def checked_by_blocks(path: Path) -> tuple[list[tuple], str | None]:
    table = open_table(path, block_size=7)
    checker = ChunkChecker(spec_of(table))
    out: list[tuple] = []
    try:
        for block in table.blocks():
            out += [row[:5] for row in checker.check_rows([(n, tuple(c.values())) for n, c in block])]
    except FileProblem as exc:
        return out, exc.message
    return out, None


def checked_by_chunks(path: Path, size: int) -> tuple[list[tuple], str | None]:
    table = open_table(path, block_size=7)
    checker = ChunkChecker(spec_of(table))
    out: list[tuple] = []
    for number, chunk in table.text_chunks(size):
        rows, problem, _at_offsets = checker.check_chunk(chunk, number)
        out += [row[:5] for row in rows]
        if problem:
            return out, problem
    return out, None


def spec_of(table: Any, existing_villages: dict[str, str] = VILLAGES) -> ChunkSpec:
    return ChunkSpec(tuple(table.columns), table._positions, table.delimiter, existing_villages, None, TODAY)


@pytest.mark.parametrize(
    ("encoding", "delimiter", "newline", "sep_line"),
    [
        ("cp1252", ";", "\r\n", False),
        ("utf-8-sig", ",", "\n", False),
        ("utf-8", ";", "\n", True),
        ("utf-8", ",", "\r\n", True),
    ],
)
def test_chunks_read_like_blocks_wherever_a_chunk_ends(tmp_path, encoding, delimiter, newline, sep_line):
    text = tricky_csv(random.Random(5), 400, delimiter=delimiter, newline=newline)
    if sep_line:
        text = f"sep={delimiter}{newline}" + text
    path = tmp_path / "tricky.csv"
    path.write_bytes(text.encode(encoding, errors="replace"))
    assert open_table(path).chunkable
    expected, problem = checked_by_blocks(path)
    assert problem is None and len(expected) > 300
    for size in (1, 5, 64, 1000, 1 << 20):
        assert checked_by_chunks(path, size) == (expected, None), size


def test_a_quote_left_open_runs_to_the_end_of_the_file(tmp_path):
    rows = [";".join(HEADER), ";".join(random_row(random.Random(1))), '51.71.03.2008;"5171034508900003;Ni']
    rows += [";".join(random_row(random.Random(i))) for i in range(30)]
    path = tmp_path / "open.csv"
    path.write_text("\r\n".join(rows) + "\r\n", encoding="utf-8")
    expected = checked_by_blocks(path)
    for size in (1, 50, 4096):
        assert checked_by_chunks(path, size) == expected


def test_a_broken_csv_stops_at_the_same_row_with_the_same_message(tmp_path):
    rows = [";".join(HEADER)] + [";".join(random_row(random.Random(i))) for i in range(600)]
    rows[500] += ';"' + "x" * 140_000 + '"'  # a field over the csv module's limit
    path = tmp_path / "nul.csv"
    path.write_text("\r\n".join(rows) + "\r\n", encoding="utf-8")
    expected, problem = checked_by_blocks(path)
    assert problem is not None and "baris 501" in problem
    for size in (1, 300, 1 << 20):
        got, got_problem = checked_by_chunks(path, size)
        assert got_problem == problem
        assert got[: len(expected)] == expected  # blocks() drops the unfinished block; validate_file does too


# --- the whole validation: worker processes, this process and the algorithm as it was -----------------


def messy_file(path: Path, rows: int = 900, seed: int = 13) -> Path:
    """Bad rows, warnings, quoted commas and duplicates of rows several blocks and chunks earlier."""
    rng = random.Random(seed)
    made: list[list[str]] = []
    for i in range(rows):
        if i > 50 and rng.random() < 0.06:
            made.append(list(rng.choice(made)))  # a duplicate (maybe of a rejected row)
            continue
        # (no control characters: openpyxl refuses them in the report, then as before the import fails)
        made.append([cell.replace("\x07", "") for cell in random_row(rng, clean=0.85)])
    text = io.StringIO()
    text.write("DAFTAR PEKERJA;;;\r\n")
    writer = csv.writer(text, delimiter=";")
    writer.writerow(HEADER)
    writer.writerows(made)
    path.write_bytes(text.getvalue().encode("cp1252", errors="replace"))
    return path


REGISTERED: dict[str, tuple[str, dict[str, Any]]] = {}


def registered_from(path: Path) -> dict[str, tuple[str, dict[str, Any]]]:
    """Some NIKs of the file already registered: same village unchanged, same village changed, elsewhere."""
    table = open_table(path)
    registered: dict[str, tuple[str, dict[str, Any]]] = {}
    rng = random.Random(2)
    for block in table.blocks():
        for number, cells in block:
            result = check_row(number, cells, villages=VILLAGES, fixed_village=None, today=TODAY)
            if not result.ok or rng.random() > 0.2:
                continue
            record = dict(result.record)
            kind = rng.choice(["same", "changed", "elsewhere"])
            if kind == "changed":
                record["monthly_income"] = (record["monthly_income"] or 0) + 1
                record["extreme_poor"] = not record["extreme_poor"]
            village = "51.71.04.2001" if kind == "elsewhere" and record["village_id"] != "51.71.04.2001" else None
            registered[record["nik"]] = (village or record["village_id"], record)
    return registered


def lookups(registered: dict[str, tuple[str, dict[str, Any]]]) -> tuple[Any, Any]:
    def old(niks: list[str], fields: tuple[str, ...]) -> dict[str, tuple[str, dict[str, Any]]]:
        return {n: (registered[n][0], {f: registered[n][1].get(f) for f in fields}) for n in niks if n in registered}

    def new(niks: list[str], fields: tuple[str, ...]) -> dict[str, tuple[str, str]]:
        found = {}
        for n in niks:
            if n in registered:
                village, record = registered[n]
                found[n] = (village, "\x1f".join(csv_value(record.get(f)) for f in fields))
        return found

    return old, new


def visible(code: str) -> str | None:
    return f"Desa/Kel. {VILLAGES[code]}" if code in ("51.71.04.2001",) else None


def reference_validate(path: Path, out_dir: Path, existing: Any, block_size: int) -> pipeline.ValidationSummary:
    """validate_file as it was before the fast paths (check_row per row, openpyxl cells, ORM-shaped lookup)."""
    table = open_table(path, require_village_column=True, block_size=block_size)
    summary = pipeline.ValidationSummary(columns=list(table.columns), unknown_headers=list(table.unknown_headers))
    fields = update_fields(table.columns)
    seen: dict[str, int] = {}
    out_dir.mkdir(parents=True, exist_ok=True)
    report = _ErrorReport(out_dir / "errors.xlsx", list(table.columns))
    digest = hashlib.sha256()
    with (out_dir / "valid.csv").open("w", newline="", encoding="utf-8") as valid_file:
        writer = csv.writer(valid_file)
        writer.writerow(WORKER_FIELDS)
        for block in table.blocks():
            entries: list[tuple[int, dict[str, Any], str, list[tuple[str, str, str]]]] = []  # reported in row order
            checked: list[tuple[RowResult, dict[str, Any]]] = []
            for row_number, values in block:
                summary.rows += 1
                result = check_row(row_number, values, villages=VILLAGES, fixed_village=None, today=TODAY)
                nik = result.record.get("nik")
                if nik is not None and nik in seen:
                    summary.duplicates += 1
                    message = f"NIK sama dengan baris {seen[nik]}; baris ini dilewati."
                    entries.append((row_number, values, "Duplikat", [("nik", message, "error")]))
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
                        name = visible(village)
                        where = f"di {name} ({village})" if name else "di desa lain"
                        message = f"NIK sudah terdaftar {where}. Pindah desa diajukan lewat menu pindah desa."
                        result.errors.append(("nik", message))
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
                    entries.append((result.row_number, values, "Ditolak", problems))
                    continue
                summary.valid += 1
                if result.warnings:
                    summary.warnings += 1
                    warned = [(c, m, "warning") for c, m in result.warnings]
                    entries.append((result.row_number, values, "Peringatan (tetap disimpan)", warned))
                line = [csv_value(rec.get(f)) for f in WORKER_FIELDS]
                writer.writerow(line)
                digest.update("\x1f".join(line).encode())
            for entry in sorted(entries, key=lambda entry: entry[0]):
                report.add(*entry)
    report.close()
    summary.errors_written = report.count
    summary.valid_sha256 = digest.hexdigest()
    return summary


def workbook_cells(path: Path) -> list[list[tuple[Any, str | None, bool]]]:
    """Every cell of the report as (value, fill colour, bold)."""
    sheet = load_workbook(path).worksheets[0]
    assert sheet.title == "Kesalahan"
    return [
        [(c.value, c.fill.fgColor.rgb if c.fill.fill_type else None, bool(c.font.b)) for c in row]
        for row in sheet.iter_rows()
    ]


def test_workers_this_process_and_the_old_algorithm_agree(tmp_path):
    path = messy_file(tmp_path / "pekerja.csv")
    old_lookup, new_lookup = lookups(registered_from(path))
    expected = reference_validate(path, tmp_path / "ref", old_lookup, block_size=37)
    assert expected.duplicates > 20 and expected.rejected > 50 and expected.warnings > 10
    assert expected.unchanged and expected.updated and expected.other_village_niks
    outputs = {}
    for name, workers, chunk in [("single", 0, 1 << 20), ("single-chunks", 0, 1500), ("workers", 2, 1500)]:
        summary = validate_file(
            path,
            out_dir=tmp_path / name,
            villages=VILLAGES,
            visible_villages=visible,
            fixed_village=None,
            existing=new_lookup,
            today=TODAY,
            block_size=37,
            workers=workers,
            chunk_chars=chunk,
        )
        assert summary == expected, name
        outputs[name] = (tmp_path / name / "valid.csv").read_bytes()
        assert outputs[name] == (tmp_path / "ref" / "valid.csv").read_bytes(), name
        assert workbook_cells(tmp_path / name / "errors.xlsx") == workbook_cells(tmp_path / "ref" / "errors.xlsx")


def test_progress_is_reported_as_the_rows_are_checked(tmp_path):
    """Worker processes report after every block; this process after every chunk (a chunk checked row by row,
    after every block of it): always increasing, never more than a block or a chunk apart, ending at all rows."""
    path = messy_file(tmp_path / "pekerja.csv", rows=300)
    seen: dict[int, list[int]] = {}
    for workers in (0, 2):
        done: list[int] = []
        validate_file(
            path,
            out_dir=tmp_path / str(workers),
            villages=VILLAGES,
            visible_villages=visible,
            fixed_village=None,
            existing=lambda niks, fields: {},
            today=TODAY,
            progress=done.append,
            block_size=50,
            workers=workers,
            chunk_chars=700,
        )
        seen[workers] = done
    assert seen[2] == [50, 100, 150, 200, 250, 300]
    here = seen[0]
    assert here[-1] == 300 and len(here) > 6
    assert all(0 < after - before <= 50 for before, after in zip([0, *here], here, strict=False))


def test_a_broken_csv_fails_the_same_way_with_workers(tmp_path):
    path = messy_file(tmp_path / "pekerja.csv", rows=700)
    data = path.read_bytes().split(b"\r\n")
    data[650] += b'"' + b"x" * 140_000 + b'"'
    path.write_bytes(b"\r\n".join(data))
    messages = []
    for workers in (0, 2):
        with pytest.raises(FileProblem) as caught:
            validate_file(
                path,
                out_dir=tmp_path / str(workers),
                villages=VILLAGES,
                visible_villages=visible,
                fixed_village=None,
                existing=lambda niks, fields: {},
                today=TODAY,
                block_size=40,
                workers=workers,
                chunk_chars=900,
            )
        messages.append(caught.value.message)
    assert messages[0] == messages[1]
    assert "baris 651" in messages[0]


# --- the error report --------------------------------------------------------------------------------

EDGE_VALUES = ["=1+2", "+62812", "-", "@x", "#N/A", "#DIV/0!", "  lead", "trail  ", "   ", "", "a & b <c> d",
               "x" * 40_000, "Süryani ✓", "line\nbreak", "tab\tin", "'quoted'", "\r\nstart"]  # fmt: skip


def test_text_report_is_the_openpyxl_report(tmp_path):
    columns = ["nik", "nama", "alamat"]
    reports = [_ErrorReport(tmp_path / "a.xlsx", columns), _TextErrorReport(tmp_path / "b.xlsx", columns)]
    rng = random.Random(4)
    for number in range(2, 80):
        values = {c: rng.choice(EDGE_VALUES) for c in columns}
        problems = [(c, rng.choice(EDGE_VALUES[:6]) + " salah", rng.choice(["error", "warning"])) for c in columns]
        problems = problems[: rng.randint(0, 3)]
        status = rng.choice(["Ditolak", "Duplikat", "Peringatan (tetap disimpan)"])
        for report in reports:
            report.add(number, values, status, problems)
    for report in reports:
        report.close()
    assert workbook_cells(tmp_path / "a.xlsx") == workbook_cells(tmp_path / "b.xlsx")
    assert reports[0].count == reports[1].count == 78


@pytest.mark.parametrize("first", ["warning", "error"])
def test_text_report_fills_whichever_level_comes_first(tmp_path, first):
    columns = ["nik", "nama"]
    paths = [tmp_path / "a.xlsx", tmp_path / "b.xlsx"]
    for report in (_ErrorReport(paths[0], columns), _TextErrorReport(paths[1], columns)):
        report.add(3, {"nik": "1", "nama": "A"}, "Ditolak", [("nama", "x", first)])
        report.add(4, {"nik": "2", "nama": "B"}, "Ditolak", [("nik", "y", "error"), ("nama", "z", "warning")])
        report.close()
    assert workbook_cells(paths[0]) == workbook_cells(paths[1])


def test_reports_replace_control_characters_instead_of_failing(tmp_path):
    """A control character in a reported cell is shown as U+FFFD; the report (and the import) still completes."""
    for report_class in (_ErrorReport, _TextErrorReport):
        path = tmp_path / f"{report_class.__name__}.xlsx"
        report = report_class(path, ["nama"])
        report.add(2, {"nama": "bel\x07"}, "Ditolak", [("nama", "x\x00", "error")])
        report.close()
        line = next(load_workbook(path).worksheets[0].iter_rows(min_row=2, values_only=True))
        assert line[1] == "bel\ufffd" and line[-1] == "Nama Lengkap: x\ufffd"


def test_empty_text_report_is_a_workbook_with_its_header(tmp_path):
    _TextErrorReport(tmp_path / "e.xlsx", ["nik"]).close()
    assert workbook_cells(tmp_path / "e.xlsx") == [[("Baris", None, True), ("NIK", None, True),
                                                    ("Status", None, True), ("Alasan", None, True)]]  # fmt: skip


# --- registered workers compared as staged text --------------------------------------------------------


@pytest.mark.django_db
def test_registered_workers_are_staged_text_of_the_stored_values(bali):
    from lindung.registry.importing.apply import registered_workers
    from lindung.registry.models import Worker

    workers = [
        Worker.objects.create(
            nik="5171034508900003", name="Ni Made, Süryani", sex="P", birth_date=dt.date(1990, 8, 5),
            village_id="51.71.03.2008", kk_number="5171030101090001", rt="001", occupation_code=24,
            monthly_income=750_000, decile=1, extreme_poor=True, consent_given=True,
            consent_on=dt.date(2025, 1, 12), address='Jl. "Mawar" 1',
        ),
        Worker.objects.create(
            nik="5171011203850001", name="I Wayan Darma", sex="L", birth_date=dt.date(1985, 3, 12),
            village_id="51.71.01.1001",
        ),
    ]  # fmt: skip
    for fields in (WORKER_FIELDS, update_fields(["nik", "nama", "jenis_kelamin", "tanggal_lahir", "kode_desa"])):
        found = registered_workers([w.nik for w in workers] + ["5171036610880005"], fields)
        assert set(found) == {w.nik for w in workers}
        for worker in workers:
            worker.refresh_from_db()
            stored = "\x1f".join(csv_value(getattr(worker, f)) for f in fields)
            assert found[worker.nik] == (worker.village_id, stored)


@pytest.mark.django_db
def test_import_command_with_workers_gives_the_same_registry(tmp_path, city_officer, monkeypatch):
    from django.core.management import call_command

    from lindung.registry.models import ImportBatch, Worker

    path = messy_file(tmp_path / "pekerja.csv", rows=400)
    results = []
    for min_bytes in (10**12, 0):  # this process; then two worker processes
        monkeypatch.setattr(pipeline, "PARALLEL_MIN_BYTES", min_bytes)
        monkeypatch.setattr(pipeline, "CHUNK_CHARS", 2000)
        Worker.objects.all().delete()
        out = io.StringIO()
        call_command("import-workers", str(path), "--json", "--user", city_officer.username, stdout=out)
        batch = ImportBatch.objects.order_by("-pk").first()
        assert batch is not None
        stored = sorted(Worker.objects.values_list("nik", "name", "village_id", "monthly_income", "decile"))
        results.append((out.getvalue(), stored, Path(batch.valid_path).read_bytes()))
        again = io.StringIO()
        call_command("import-workers", str(path), "--json", "--user", city_officer.username, stdout=again)
        assert '"created": 0, "updated": 0' in again.getvalue()
    first, second = results
    assert first[1] == second[1] and first[2] == second[2]

    def printed(text: str) -> dict[str, Any]:
        return {k: v for k, v in json.loads(text.strip().splitlines()[-1]).items() if k != "errors_file"}

    assert printed(first[0]) == printed(second[0])
    assert printed(first[0])["created"] > 100


# --- a first import inserted straight into the worker table, and when that is no longer true ---------------


def first_import_file(path: Path) -> Path:
    rows = [
        "51.71.03.2008;5171034508900003;Ni Made Suryani;P;05-08-1990",
        "51.71.03.2008;5171036610880005;Luh Sari;P;26-10-1988",
        "51.71.01.1001;5171011203850001;I Wayan Darma;L;12-03-1985",
    ]
    path.write_text("Kode Desa;NIK;Nama Lengkap;Jenis Kelamin;Tanggal Lahir\n" + "\n".join(rows) + "\n")
    return path


@pytest.mark.django_db
def test_first_import_stores_what_the_merge_stores(tmp_path, city_officer, monkeypatch):
    from django.db import IntegrityError

    from lindung.registry.importing import apply
    from lindung.registry.models import Worker
    from lindung.registry.services import import_batch_apply, import_batch_create, import_batch_validate

    path = messy_file(tmp_path / "pekerja.csv", rows=400)
    stored = []
    for direct in (True, False):
        if not direct:

            def refused(*args: Any, **kwargs: Any) -> int:
                raise IntegrityError("as if a NIK had been registered meanwhile")

            monkeypatch.setattr(apply, "_insert_new_workers", refused)
        Worker.objects.all().delete()
        batch = import_batch_create(acting_user=city_officer, source=path, original_name="pekerja.csv")
        import_batch_validate(batch=batch)
        import_batch_apply(batch=batch, acting_user=city_officer)
        assert batch.created == batch.valid > 100 and (batch.updated, batch.unchanged) == (0, 0)
        fields = [f.name for f in Worker._meta.concrete_fields if f.name not in ("id", "registered_at", "updated_at")]
        stored.append(sorted(Worker.objects.order_by("pk").values_list(*fields)))
        assert Worker.objects.values("registered_at", "updated_at").distinct().count() == 1  # one stamp
    assert stored[0] == stored[1]


@pytest.mark.django_db
def test_a_nik_registered_between_check_and_apply_is_merged(tmp_path, city_officer):
    from lindung.registry.models import Worker
    from lindung.registry.services import import_batch_apply, import_batch_create, import_batch_validate

    path = first_import_file(tmp_path / "baru.csv")
    batch = import_batch_create(acting_user=city_officer, source=path, original_name="baru.csv")
    import_batch_validate(batch=batch)
    assert batch.created == 3
    Worker.objects.create(
        nik="5171036610880005", name="Luh Sari Lama", sex="P", birth_date="1988-10-26", village_id="51.71.03.2008"
    )
    import_batch_apply(batch=batch, acting_user=city_officer)
    assert (batch.created, batch.updated, batch.unchanged) == (2, 1, 0)
    assert Worker.objects.get(nik="5171036610880005").name == "Luh Sari"
    assert Worker.objects.count() == 3


@pytest.mark.django_db
def test_a_nik_registered_elsewhere_between_check_and_apply_stops_the_apply(tmp_path, city_officer):
    from lindung.core.errors import ApplicationError
    from lindung.registry.models import ImportBatch, Worker
    from lindung.registry.services import import_batch_apply, import_batch_create, import_batch_validate

    path = first_import_file(tmp_path / "baru.csv")
    batch = import_batch_create(acting_user=city_officer, source=path, original_name="baru.csv")
    import_batch_validate(batch=batch)
    Worker.objects.create(
        nik="5171036610880005", name="Luh Sari", sex="P", birth_date="1988-10-26", village_id="51.71.04.2001"
    )
    with pytest.raises(ApplicationError):
        import_batch_apply(batch=batch, acting_user=city_officer)
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.FAILED
    assert Worker.objects.count() == 1
