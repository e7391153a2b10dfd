"""Reading import files: every file is built here, the way Indonesian offices' software writes them."""

from __future__ import annotations

import csv
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from lindung.registry.importing.cells import CellError, parse_date, parse_nik, parse_sex
from lindung.registry.importing.reading import (
    COLUMNS,
    TEMPLATE_EXAMPLE_NIK,
    FileProblem,
    Table,
    check_upload,
    normalise_header,
    open_table,
    write_template,
)

NIK_EXCEL = (
    "NIK tersimpan sebagai angka oleh Excel sehingga digit setelah ke-15 hilang; "
    "format kolom NIK sebagai Teks lalu ketik ulang."
)
BASE_HEADERS = {
    "kode_desa": "Kode Desa",
    "nik": "NIK",
    "nama": "Nama Lengkap",
    "jenis_kelamin": "Jenis Kelamin",
    "tanggal_lahir": "Tanggal Lahir",
}
HEADER = list(BASE_HEADERS.values())
ZIP_BOMB = "Berkas XLSX tidak wajar (rasio kompresi terlalu besar); berkas ditolak."
NOT_READABLE = "Berkas bukan XLSX atau CSV yang dapat dibaca."


def write_csv(path: Path, lines: list[str], *, encoding: str = "utf-8", delimiter: str = ";") -> Path:
    text = "".join(delimiter.join(split(line)) + "\r\n" for line in lines)
    path.write_bytes(text.encode(encoding))
    return path


def split(line: str) -> list[str]:
    return line.split("|")


def write_xlsx(path: Path, rows: list[list[object]], *, title: str = "Sheet1") -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def all_rows(table: Table) -> list[tuple[int, dict[str, object]]]:
    return [row for block in table.blocks() for row in block]


def problem(path: Path, **kwargs) -> str:
    with pytest.raises(FileProblem) as caught:
        open_table(path, **kwargs)
    return caught.value.message


# --- headers --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("written", "column"),
    [
        ("NIK", "nik"),
        ("nik", "nik"),
        ("No. KTP", "nik"),
        ("NOMOR_INDUK_KEPENDUDUKAN", "nik"),
        ("NIK *", "nik"),
        ("NIK (wajib)", "nik"),
        ("Nomor KK", "no_kk"),
        ("No-KK", "no_kk"),
        ("Tgl. Lahir (dd-mm-yyyy)", "tanggal_lahir"),
        ("TANGGAL LAHIR (DD-MM-YYYY) *", "tanggal_lahir"),
        ("tanggal_lahir", "tanggal_lahir"),
        ("Tanggal\nLahir", "tanggal_lahir"),
        ("L/P", "jenis_kelamin"),
        ("Kode Desa/Kelurahan", "kode_desa"),
        ("Kode Wilayah*", "kode_desa"),
        ("Penghasilan per Bulan (Rp)", "penghasilan"),
        ("Penghasilan/Bulan", "penghasilan"),
        ("No. HP", "telepon"),
        ("WhatsApp", "telepon"),
        ("Desil P3KE/DTSEN", "desil"),
        ("Banjar Dinas", "dusun"),
        ("Miskin Ekstrim", "miskin_ekstrem"),
        ("Peserta Penerima Upah", "peserta_pu"),
        ("Consent", "persetujuan"),
        ("Tgl Persetujuan", "tanggal_persetujuan"),
    ],
)
def test_header_synonyms(tmp_path, written, column):
    others = [header for name, header in BASE_HEADERS.items() if name != column]
    path = tmp_path / "data.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=";").writerow([*others, written])
    table = open_table(path)
    assert column in table.columns
    assert table.headers[column] == " ".join(written.split())
    assert table.unknown_headers == []


def test_every_template_header_and_synonym_maps_to_its_own_column():
    seen: dict[str, str] = {}
    for column in COLUMNS:
        for spelling in (column.name, column.header, *column.synonyms):
            key = normalise_header(spelling)
            assert seen.setdefault(key, column.name) == column.name, spelling


def test_title_rows_above_the_header_and_unknown_headers(tmp_path):
    path = write_xlsx(
        tmp_path / "desa.xlsx",
        [
            ["DAFTAR PEKERJA RENTAN DESA TEGAL HARUM"],
            ["Kecamatan Denpasar Barat", None, None, "Tahun 2025"],
            [],
            ["No", "Kode Wilayah *", "No KTP", "Nama", "L/P", "Tgl. Lahir (dd-mm-yyyy)", "Keterangan"],
            [1, "51.71.03.2008", "5171034508900003", "Ni Luh Putu Contoh", "P", "05-08-1990", "baru"],
        ],
    )
    table = open_table(path)
    assert table.format == "xlsx"
    assert table.header_row_number == 4
    assert table.columns == ["kode_desa", "nik", "nama", "jenis_kelamin", "tanggal_lahir"]
    assert table.unknown_headers == ["No", "Keterangan"]
    assert all_rows(table) == [
        (
            5,
            {
                "kode_desa": "51.71.03.2008",
                "nik": "5171034508900003",
                "nama": "Ni Luh Putu Contoh",
                "jenis_kelamin": "P",
                "tanggal_lahir": "05-08-1990",
            },
        )
    ]


def test_header_must_be_within_the_first_ten_rows(tmp_path):
    path = write_csv(tmp_path / "late.csv", ["Judul"] * 10 + ["|".join(HEADER)])
    assert problem(path).startswith("Baris judul kolom tidak ditemukan di 10 baris pertama")


def test_missing_required_columns_are_named_by_their_template_headers(tmp_path):
    lines = ["Kode Desa|NIK|Nama|Alamat", "51.71.03.2008|5171034508900003|Ni Luh|Jl"]
    path = write_csv(tmp_path / "kurang.csv", lines)
    assert problem(path) == (
        "Kolom wajib tidak ditemukan: Jenis Kelamin, Tanggal Lahir. Tambahkan kolom tersebut dengan judul "
        "seperti pada templat."
    )


def test_village_column_is_required_unless_the_caller_fixes_the_village(tmp_path):
    lines = ["NIK|Nama|JK|Tgl Lahir", "5171034508900003|Ni Luh|P|05-08-1990"]
    path = write_csv(tmp_path / "satu-desa.csv", lines)
    assert problem(path).startswith("Kolom wajib tidak ditemukan: Kode Desa.")
    table = open_table(path, require_village_column=False)
    assert table.columns == ["nik", "nama", "jenis_kelamin", "tanggal_lahir"]


def test_a_column_given_twice_is_an_error(tmp_path):
    path = write_csv(tmp_path / "ganda.csv", ["|".join([*HEADER, "No KTP"])])
    expected = 'Kolom NIK muncul lebih dari sekali (judul "NIK" dan "No KTP"); sisakan satu saja.'
    assert problem(path) == expected


# --- CSV ------------------------------------------------------------------------------------------


def test_semicolon_csv_in_windows_1252(tmp_path):
    path = write_csv(
        tmp_path / "excel-id.csv",
        ["|".join(HEADER), "51.71.03.2008|5171034508900003|Ni Made Süryani|P|05/08/1990"],
        encoding="cp1252",
    )
    table = open_table(path)
    assert (table.format, table.encoding, table.delimiter) == ("csv", "cp1252", ";")
    [(number, values)] = all_rows(table)
    assert number == 2
    assert values["nama"] == "Ni Made Süryani"
    assert parse_date(values["tanggal_lahir"]) == date(1990, 8, 5)


def test_utf8_bom_comma_csv(tmp_path):
    path = write_csv(
        tmp_path / "bom.csv",
        ["|".join(HEADER), "51.71.03.2008|5171034508900003|Ni Made Süryani|P|05-08-1990"],
        encoding="utf-8-sig",
        delimiter=",",
    )
    table = open_table(path)
    assert (table.encoding, table.delimiter) == ("utf-8-sig", ",")
    assert table.columns[0] == "kode_desa"  # not "\ufeffKode Desa"
    assert table.headers["kode_desa"] == "Kode Desa"
    assert all_rows(table)[0][1]["nama"] == "Ni Made Süryani"


def test_utf8_without_bom_late_non_ascii_and_quoted_fields(tmp_path):
    rows = [f"51.71.03.2008|{5171034508900001 + i}|Pekerja {i}|L|01-01-1990" for i in range(3)]
    lines = ["|".join(HEADER), *rows]
    text = "\r\n".join(line.replace("|", ",") for line in lines)
    text += '\r\n51.71.03.2008,5171034508900009,"Wayan, ""Dé"" Sudarma",L,01-01-1990\r\n'
    path = tmp_path / "utf8.csv"
    path.write_bytes(text.encode("utf-8"))
    table = open_table(path)
    assert (table.encoding, table.delimiter) == ("utf-8-sig", ",")
    assert all_rows(table)[-1] == (
        5,
        {
            "kode_desa": "51.71.03.2008",
            "nik": "5171034508900009",
            "nama": 'Wayan, "Dé" Sudarma',
            "jenis_kelamin": "L",
            "tanggal_lahir": "01-01-1990",
        },
    )


@pytest.mark.parametrize(
    ("encoding", "offset"),
    [
        ("cp1252", 0),  # the only non-ASCII byte sits in the last row, megabytes into the file
        ("utf-8", -1),  # a two-byte "ü" straddles the 4 MiB boundary between decoded chunks
        ("utf-8", 0),
    ],
)
def test_encoding_is_decided_on_the_whole_file(tmp_path, encoding, offset):
    head = ";".join(HEADER) + "\r\n"
    row = "51.71.03.2008;5171034508900003;Pekerja;L;01-01-1990\r\n"
    boundary = 4 * 1024 * 1024
    filler_rows = (boundary - len(head)) // len(row)
    text = head + row * filler_rows
    prefix = "51.71.03.2008;5171034508900003;"
    pad = boundary - len(text) + offset - len(prefix)  # so that "ü" lands at boundary + offset
    last = prefix + "x" * pad + "ü;P;01-01-1990\r\n"
    path = tmp_path / "panjang.csv"
    path.write_bytes((text + last).encode(encoding))
    table = open_table(path)
    assert table.encoding == ("cp1252" if encoding == "cp1252" else "utf-8-sig")
    *_, (_, values) = all_rows(table)
    assert values["nama"].endswith("xü")


def test_tab_separated_utf16_unicode_text_from_excel(tmp_path):
    path = tmp_path / "unicode.txt"
    rows = [
        "\t".join(HEADER),
        "\t".join(["51.71.03.2008", "5171034508900003", "Ni Made Süryani", "P", "05-08-1990"]),
    ]
    path.write_bytes("\r\n".join(rows).encode("utf-16"))
    table = open_table(path)
    assert (table.encoding, table.delimiter) == ("utf-16", "\t")
    assert all_rows(table)[0][1]["nama"] == "Ni Made Süryani"


def test_excel_sep_line_is_hidden_from_row_numbers(tmp_path):
    path = tmp_path / "sep.csv"
    path.write_bytes(
        b"sep=,\r\nKode Desa,NIK,Nama,JK,Tgl Lahir\r\n51.71.03.2008,5171034508900003,Ni Luh,P,05-08-1990\r\n"
    )
    table = open_table(path)
    assert table.delimiter == ","
    assert table.header_row_number == 1
    assert [number for number, _ in all_rows(table)] == [2]


def test_empty_and_short_rows(tmp_path):
    path = write_csv(
        tmp_path / "jarang.csv",
        [
            "No|" + "|".join(HEADER),
            "1|51.71.03.2008|5171034508900003|Ni Luh|P|05-08-1990",
            "",  # a blank line is still a spreadsheet row
            "2||||",  # only the numbering column filled: no data in any import column
            "3|51.71.03.2008|5171034508900011",  # short row: the missing cells are empty strings
            ";;;;;",
            "4|51.71.03.2008|5171034508900029| | |",
        ],
    )
    rows = all_rows(open_table(path))
    assert [number for number, _ in rows] == [2, 5, 7]
    assert rows[1][1] == {
        "kode_desa": "51.71.03.2008",
        "nik": "5171034508900011",
        "nama": "",
        "jenis_kelamin": "",
        "tanggal_lahir": "",
    }


def test_nik_in_scientific_notation_in_a_csv_is_refused_with_the_excel_explanation(tmp_path):
    lines = ["|".join(HEADER), "51.71.03.2008|5.17103E+15|Ni Luh|P|05-08-1990"]
    path = write_csv(tmp_path / "ilmiah.csv", lines)
    [(_, values)] = all_rows(open_table(path))
    assert values["nik"] == "5.17103E+15"  # the reader hands over the raw cell
    with pytest.raises(CellError) as caught:
        parse_nik(values["nik"])
    assert caught.value.message == NIK_EXCEL


def test_large_csv_comes_in_bounded_blocks_with_spreadsheet_row_numbers(tmp_path):
    rows = 50_001
    path = tmp_path / "besar.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        handle.write("DAFTAR PEKERJA RENTAN\r\n")
        handle.write(";".join(HEADER) + "\r\n")
        for i in range(rows):
            handle.write(f"51.71.03.2008;{5171030000000001 + i};Pekerja {i};L;01-01-1990\r\n")
    table = open_table(path, block_size=20_000)
    assert table.header_row_number == 2
    sizes = []
    expected = 3  # title row 1, header row 2
    for block in table.blocks():
        sizes.append(len(block))
        for number, values in block:
            assert number == expected
            assert values["nama"] == f"Pekerja {expected - 3}"
            expected += 1
    assert sizes == [20_000, 20_000, 10_001]
    assert expected - 3 == rows


def test_blocks_can_be_read_twice(tmp_path):
    lines = ["|".join(HEADER), "51.71.03.2008|5171034508900003|Ni Luh|P|05-08-1990"]
    path = write_csv(tmp_path / "dua.csv", lines)
    table = open_table(path)
    assert all_rows(table) == all_rows(table)


# --- XLSX -----------------------------------------------------------------------------------------


def as_excel_writes_numbers(path: Path, written: str, excel: str) -> None:
    """Rewrite a number cell the way Excel stores it (openpyxl writes 5171031208900000, Excel 5.17E+15)."""
    with zipfile.ZipFile(path) as source:
        entries = {info.filename: source.read(info) for info in source.infolist()}
    sheet = "xl/worksheets/sheet1.xml"
    assert f"<v>{written}</v>".encode() in entries[sheet]
    entries[sheet] = entries[sheet].replace(f"<v>{written}</v>".encode(), f"<v>{excel}</v>".encode())
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in entries.items():
            target.writestr(name, data)


def test_xlsx_float_nik_cell_is_refused_with_the_excel_explanation(tmp_path):
    path = write_xlsx(
        tmp_path / "angka.xlsx",
        [HEADER, ["51.71.03.2008", 5171031208900003, "Ni Luh", "P", datetime(1990, 8, 5)]],  # noqa: DTZ001
    )
    as_excel_writes_numbers(path, "5171031208900003", "5.1710312089000002E+15")
    [(number, values)] = all_rows(open_table(path))
    assert number == 2
    assert isinstance(values["nik"], float)
    with pytest.raises(CellError) as caught:
        parse_nik(values["nik"])
    assert caught.value.message == NIK_EXCEL
    assert parse_date(values["tanggal_lahir"]) == date(1990, 8, 5)


def test_xlsx_formula_is_never_evaluated(tmp_path):
    path = write_xlsx(
        tmp_path / "rumus.xlsx",
        [HEADER, ["51.71.03.2008", '="5171034508900003"', "=1+1", "P", "05-08-1990"]],
    )
    [(_, values)] = all_rows(open_table(path))
    # openpyxl stores no cached result, so the cached value is missing: the cell arrives as None.
    assert values["nik"] is None
    assert values["nama"] is None
    assert values["jenis_kelamin"] == "P"


def test_xlsx_row_numbers_skip_empty_rows_but_keep_counting(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.append(["51.71.03.2008", "5171034508900003", "Ni Luh", "P", "05-08-1990"])
    sheet["C7"] = "I Wayan"  # rows 3-6 do not exist in the sheet XML
    sheet["A9"] = "   "  # whitespace only: skipped
    workbook.save(tmp_path / "celah.xlsx")
    rows = all_rows(open_table(tmp_path / "celah.xlsx"))
    assert [number for number, _ in rows] == [2, 7]
    assert rows[1][1] == {
        "kode_desa": None,
        "nik": None,
        "nama": "I Wayan",
        "jenis_kelamin": None,
        "tanggal_lahir": None,
    }


def test_xlsx_prefers_a_data_sheet(tmp_path):
    workbook = openpyxl.Workbook()
    summary = workbook.active
    summary.title = "Ringkasan"
    summary.append(["Jumlah pekerja", 1])
    data = workbook.create_sheet("Data Pekerja")
    data.append(HEADER)
    data.append(["51.71.03.2008", "5171034508900003", "Ni Luh", "P", "05-08-1990"])
    workbook.save(tmp_path / "dua-lembar.xlsx")
    table = open_table(tmp_path / "dua-lembar.xlsx")
    assert table.sheet_name == "Data Pekerja"
    assert len(all_rows(table)) == 1


def test_xlsx_falls_back_to_the_first_sheet_with_a_header(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.title = "Sheet1"
    workbook.active.append(HEADER)
    workbook.create_sheet("Metadata").append(["dibuat oleh", "kantor desa"])
    workbook.save(tmp_path / "biasa.xlsx")
    assert open_table(tmp_path / "biasa.xlsx").sheet_name == "Sheet1"


def test_xlsx_without_a_header_row_names_the_sheets_it_searched(tmp_path):
    path = write_xlsx(tmp_path / "tanpa-judul.xlsx", [["5171034508900003", "Ni Luh"]], title="Lembar1")
    expected = "Baris judul kolom tidak ditemukan di 10 baris pertama lembar mana pun (Lembar1)."
    assert problem(path).startswith(expected)


def test_format_is_detected_by_content_not_by_name(tmp_path):
    xlsx = write_xlsx(tmp_path / "sebenarnya-xlsx.csv", [HEADER])
    assert open_table(xlsx).format == "xlsx"
    csv_file = write_csv(tmp_path / "sebenarnya-csv.xlsx", ["|".join(HEADER)])
    assert open_table(csv_file).format == "csv"


# --- safety ---------------------------------------------------------------------------------------


def test_upload_size_cap(tmp_path):
    path = tmp_path / "besar.csv"
    path.write_bytes(b"x" * (3 * 1024 * 1024 // 2))
    check_upload(path, max_bytes=2 * 1024 * 1024)
    check_upload(path, max_bytes=None)
    with pytest.raises(FileProblem) as caught:
        check_upload(path, max_bytes=1024 * 1024)
    assert caught.value.message == (
        "Berkas terlalu besar (1,5 MB); batas unggahan 1,0 MB. Untuk berkas sebesar ini gunakan perintah "
        "lindung import-workers atau bagi berkasnya."
    )


def test_zip_bomb_is_refused(tmp_path):
    path = tmp_path / "bom.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        chunk = b"\0" * (1024 * 1024)
        with archive.open("xl/worksheets/sheet1.xml", "w") as entry:
            for _ in range(100):  # 100 MB of zeros, streamed: never held in memory
                entry.write(chunk)
    assert path.stat().st_size < 1024 * 1024
    with pytest.raises(FileProblem) as caught:
        check_upload(path, max_bytes=None)
    assert caught.value.message == ZIP_BOMB
    assert problem(path) == ZIP_BOMB


def test_high_ratio_entry_is_refused_even_when_the_total_is_modest(tmp_path):
    path = tmp_path / "rasio.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/sharedStrings.xml", b"\0" * (2 * 1024 * 1024))
    with pytest.raises(FileProblem, match="rasio kompresi"):
        check_upload(path, max_bytes=None, max_expansion=10**6)


def test_a_real_workbook_passes_the_checks(tmp_path):
    path = write_xlsx(
        tmp_path / "wajar.xlsx", [HEADER] + [["51.71.03.2008", f"{i:016d}", "Nama", "L"] for i in range(5000)]
    )
    check_upload(path, max_bytes=10 * 1024 * 1024)


def test_a_zip_that_is_not_a_workbook_is_refused(tmp_path):
    path = tmp_path / "arsip.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("data.csv", ";".join(HEADER))
    assert problem(path) == NOT_READABLE


def test_a_broken_zip_is_refused(tmp_path):
    path = tmp_path / "rusak.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    assert problem(path) == NOT_READABLE


def test_binary_and_xls_files_are_refused(tmp_path):
    binary = tmp_path / "foto.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert problem(binary) == NOT_READABLE
    xls = tmp_path / "lama.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 512)
    assert ".xls" in problem(xls)
    empty = tmp_path / "kosong.csv"
    empty.write_bytes(b"")
    assert problem(empty) == "Berkas kosong."


# --- the template ---------------------------------------------------------------------------------


def test_xlsx_template_round_trips(tmp_path):
    path = tmp_path / "templat.xlsx"
    write_template(path, "xlsx")
    table = open_table(path)
    assert table.format == "xlsx"
    assert table.unknown_headers == []
    assert table.columns == [column.name for column in COLUMNS]
    assert table.headers == {column.name: column.header for column in COLUMNS}
    [(number, values)] = all_rows(table)
    assert number == 2
    assert parse_nik(values["nik"]) == TEMPLATE_EXAMPLE_NIK == "5171034508900003"
    assert values["kode_desa"] == "51.71.03.2008"
    assert parse_sex(values["jenis_kelamin"]) == "P"
    assert parse_date(values["tanggal_lahir"]) == date(1990, 8, 5)

    workbook = openpyxl.load_workbook(path)
    data = workbook.worksheets[0]
    assert data["A1"].font.bold
    for letter in ("B", "C"):  # NIK, Nomor KK
        assert data.column_dimensions[letter].number_format == "@"
        assert data[f"{letter}2"].number_format == "@"
    guide = workbook["Petunjuk"]
    text = " ".join(str(cell) for row in guide.iter_rows(values_only=True) for cell in row if cell)
    for column in COLUMNS:
        assert column.header in text
        for synonym in column.synonyms:
            assert synonym in text


def test_csv_template_round_trips(tmp_path):
    path = tmp_path / "templat.csv"
    write_template(path, "csv")
    assert path.read_bytes().startswith(b"\xef\xbb\xbfKode Desa;NIK;Nomor KK;")
    table = open_table(path)
    assert (table.format, table.delimiter, table.unknown_headers) == ("csv", ";", [])
    assert table.columns == [column.name for column in COLUMNS]
    [(_, values)] = all_rows(table)
    assert parse_nik(values["nik"]) == TEMPLATE_EXAMPLE_NIK
    assert values["penghasilan"] == "1.500.000"


def test_template_format_must_be_known(tmp_path):
    with pytest.raises(ValueError, match="ods"):
        write_template(tmp_path / "templat.ods", "ods")
