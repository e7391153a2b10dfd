"""Cell parsers: the shapes Indonesian offices type, and the ones that must be refused, not guessed."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lindung.registry.importing.cells import (
    CellError,
    clean_text,
    neutralise,
    parse_amount,
    parse_bool,
    parse_date,
    parse_int,
    parse_kk,
    parse_nik,
    parse_sex,
)

NIK = "5171031208900003"
NIK_EXCEL = (
    "NIK tersimpan sebagai angka oleh Excel sehingga digit setelah ke-15 hilang; "
    "format kolom NIK sebagai Teks lalu ketik ulang."
)
KK_EXCEL = (
    "Nomor KK tersimpan sebagai angka oleh Excel sehingga digit setelah ke-15 hilang; "
    "format kolom Nomor KK sebagai Teks lalu ketik ulang."
)


def error_of(parse, raw, **kwargs) -> str:
    with pytest.raises(CellError) as caught:
        parse(raw, **kwargs)
    return caught.value.message


def test_cell_error_is_a_value_error_with_a_message():
    error = CellError("Isi dengan Ya atau Tidak.")
    assert isinstance(error, ValueError)
    assert error.message == str(error) == "Isi dengan Ya atau Tidak."


# --- NIK and KK -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        NIK,
        "5171 0312 0890 0003",
        "5171.0312.0890.0003",
        "'5171031208900003",
        "  5171031208900003  ",
        " '5171 0312 0890 0003 ",
        "5171\u00a00312\u00a00890\u00a00003",
    ],
)
def test_nik_accepted_forms(raw):
    assert parse_nik(raw) == NIK


@pytest.mark.parametrize("raw", [None, "", "   ", "'"])
def test_nik_empty_is_none(raw):
    assert parse_nik(raw) is None


@pytest.mark.parametrize(
    "raw",
    [
        "517103120890003",  # 15 digits
        "51710312089000031",  # 17 digits
        "5171-0312-0890-0003",
        "NIK5171031208900003",
        "517103120890000A",
        "".join(chr(0xFF10 + int(digit)) for digit in NIK),  # full-width digits are not ASCII digits
        "-",
    ],
)
def test_nik_rejected_forms(raw):
    assert error_of(parse_nik, raw) == f"NIK harus 16 digit angka (tertulis: {raw.strip()})."


@pytest.mark.parametrize(
    "raw",
    [
        5171031208900003,  # an int cell
        5171031208900000.0,  # what Excel keeps of 5171031208900003: 15 significant digits
        5.17103e15,
        123,  # any numeric XLSX cell: never silently converted
        "5.17103E+15",  # CSV saved by Excel from a number cell in General format
        "5,17103E+15",  # the same from Indonesian-locale Excel
        "5.171031E15",
        "5171031208900000.0",
        "5171031208900000",  # CSV from a number cell formatted "0": serial 0000 is never issued
    ],
)
def test_nik_stored_as_a_number_is_refused_with_the_excel_explanation(raw):
    assert error_of(parse_nik, raw) == NIK_EXCEL


def test_nik_other_types_are_refused():
    assert error_of(parse_nik, True).startswith("NIK harus 16 digit angka")
    assert error_of(parse_nik, date(1990, 8, 5)).startswith("NIK harus 16 digit angka")


KK_FORMS = ["5171032003150007", "5171 0320 0315 0007", "'5171032003150007", "5171.0320.0315.0007"]


@pytest.mark.parametrize("raw", KK_FORMS)
def test_kk_accepted_forms(raw):
    assert parse_kk(raw) == "5171032003150007"


@pytest.mark.parametrize("raw", ["517103200315007", "5171-0320-0315-0007", "KK"])
def test_kk_rejected_forms(raw):
    assert error_of(parse_kk, raw) == "Nomor KK harus 16 digit angka."


@pytest.mark.parametrize("raw", [5171032003150007, 5171032003150000.0, "5.17103E+15", "5,17103E+15"])
def test_kk_stored_as_a_number_is_refused(raw):
    assert error_of(parse_kk, raw) == KK_EXCEL


def test_kk_empty_is_none():
    assert parse_kk("  ") is None
    assert parse_kk(None) is None


# --- dates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("17-08-1980", date(1980, 8, 17)),
        ("17/08/1980", date(1980, 8, 17)),
        ("17.08.1980", date(1980, 8, 17)),
        ("1980-08-17", date(1980, 8, 17)),
        ("1980/08/17", date(1980, 8, 17)),
        ("7-8-1980", date(1980, 8, 7)),
        ("7/8/1980", date(1980, 8, 7)),
        ("  05-08-1990 ", date(1990, 8, 5)),
        ("1980-08-17 00:00:00", date(1980, 8, 17)),
        (date(1980, 8, 17), date(1980, 8, 17)),
        (datetime(1980, 8, 17, 13, 45), date(1980, 8, 17)),  # noqa: DTZ001 - what openpyxl returns
        ("17 Agustus 1980", date(1980, 8, 17)),
        ("3 Januari 1975", date(1975, 1, 3)),
        ("17 Agu 1980", date(1980, 8, 17)),
        ("17 Agt 1980", date(1980, 8, 17)),
        ("17-Agu-1980", date(1980, 8, 17)),
        ("17 AGUSTUS 1980", date(1980, 8, 17)),
        ("1 Mei 2000", date(2000, 5, 1)),
        ("29 Pebruari 2000", date(2000, 2, 29)),
        ("10 Nopember 1945", date(1945, 11, 10)),
        ("25 Des 1999", date(1999, 12, 25)),
        ("9 Okt. 1971", date(1971, 10, 9)),
        ("29-02-2000", date(2000, 2, 29)),
    ],
)
def test_date_accepted_forms(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize("raw", [None, "", "   "])
def test_date_empty_is_none(raw):
    assert parse_date(raw) is None


def test_date_errors_are_raised_every_time_not_cached():
    for _ in range(2):
        assert error_of(parse_date, "31-02-1980") == "Tanggal tidak valid: 31-02-1980."
    assert parse_date("17-08-1980") is parse_date("17-08-1980")


@pytest.mark.parametrize("raw", ["17-08-80", "17/8/80", "80-08-17", "17 Agustus 80"])
def test_date_two_digit_year_is_refused(raw):
    assert error_of(parse_date, raw).startswith("Tahun harus 4 digit")


IMPOSSIBLE_DATES = ["31-02-1980", "29-02-1900", "29-02-2023", "00-01-1980", "12-13-1980", "1980-02-30"]


@pytest.mark.parametrize("raw", IMPOSSIBLE_DATES)
def test_impossible_date_is_refused(raw):
    assert error_of(parse_date, raw) == f"Tanggal tidak valid: {raw}."


@pytest.mark.parametrize("raw", ["kemarin", "17 Foo 1980", "1980-8", "2023-03-15T", True, "17-08-1980-1"])
def test_unrecognised_date_is_refused(raw):
    assert error_of(parse_date, raw)


# Expected values below come from Microsoft's documentation of the 1900 date system, not from the
# parser: "January 1, 1900 is serial number 1, and January 1, 2008 is serial number 39448" (DATE
# function); 1900 is wrongly treated as a leap year (KB 214326), so 60 is the non-existent 29 February
# 1900 and 61 is 1 March 1900; 45000 is 15 March 2023 and 44927 is 1 January 2023.
@pytest.mark.parametrize(
    ("serial", "expected"),
    [
        (1, date(1900, 1, 1)),
        (59, date(1900, 2, 28)),
        (61, date(1900, 3, 1)),
        (39448, date(2008, 1, 1)),
        (44927, date(2023, 1, 1)),
        (45000, date(2023, 3, 15)),
        (45000.0, date(2023, 3, 15)),
        (45000.75, date(2023, 3, 15)),  # 18:00 on that day
        ("45000", date(2023, 3, 15)),
        ("61", date(1900, 3, 1)),
        (32729, date(1989, 8, 9)),
    ],
)
def test_excel_serial_dates(serial, expected):
    assert parse_date(serial) == expected


@pytest.mark.parametrize("serial", [60, "60", 0, -1, 80001, float("nan"), float("inf")])
def test_invalid_excel_serials(serial):
    assert error_of(parse_date, serial).startswith("Tanggal tidak valid")


@pytest.mark.parametrize("raw", [1980, "1980", 1990.0])
def test_a_bare_year_is_not_read_as_an_excel_serial(raw):
    assert "hanya berisi tahun" in error_of(parse_date, raw)


@settings(database=None, max_examples=300)
@given(st.dates(min_value=date(1000, 1, 1), max_value=date(9999, 12, 31)))
def test_date_round_trips_through_dd_mm_yyyy(day):
    assert parse_date(day.strftime("%d-%m-%Y")) == day
    assert parse_date(day.strftime("%d/%m/%Y")) == day
    assert parse_date(day.isoformat()) == day


# --- money ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (1500000, 1_500_000),
        (0, 0),
        ("0", 0),
        ("1500000", 1_500_000),
        ("1.500.000", 1_500_000),
        ("1,500,000", 1_500_000),
        ("Rp 1.500.000", 1_500_000),
        ("Rp1.500.000,00", 1_500_000),
        ("Rp. 1.500.000", 1_500_000),
        ("rp 1.500.000", 1_500_000),
        ("1.500.000,-", 1_500_000),
        ("Rp 1.500.000,-", 1_500_000),
        ("IDR 750000", 750_000),
        ("IDR 750.000", 750_000),
        (750000.0, 750_000),
        ("750000.0", 750_000),
        ("1.500", 1_500),  # dots group thousands, Indonesian-style
        ("1,500", 1_500),  # a comma group of three is English thousands
        ("1,500,000.00", 1_500_000),
        ("1 500 000", 1_500_000),
        ("  2.000.000  ", 2_000_000),
    ],
)
def test_amount_accepted_forms(raw, expected):
    assert parse_amount(raw) == expected


@pytest.mark.parametrize("raw", [None, "", "  "])
def test_amount_empty_is_none(raw):
    assert parse_amount(raw) is None


@pytest.mark.parametrize(
    "raw",
    [
        -1,
        -1500000.0,
        "-1.500.000",
        "Rp -1.500.000",
        "satu juta",
        "1.50.000",
        "1.500.000.00,00",
        "1500.000",  # not grouped, not sen: a thousand times off one way or the other
        "1500,000",
        "1.500.000,000",
        "1.500,000.000",
        ".500",
        "Rp",
        "1,5 juta",
        True,
        float("nan"),
        date(2024, 1, 1),
    ],
)
def test_amount_rejected_forms(raw):
    assert error_of(parse_amount, raw).startswith("Jumlah uang tidak valid:")


@pytest.mark.parametrize("raw", ["1.500.000,50", "1500000,5", "1500000.50", 750000.5, "1,5"])
def test_fractional_rupiah_is_refused(raw):
    assert "rupiah harus bulat" in error_of(parse_amount, raw)


def indonesian(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


@settings(database=None, max_examples=300)
@given(
    st.integers(min_value=0, max_value=10**12),
    st.sampled_from(["{}", "Rp {}", "Rp{}", "Rp. {}", "{},00", "Rp {},-", "IDR {}", " {} "]),
)
def test_amount_round_trips_indonesian_formatting(amount, decoration):
    assert parse_amount(decoration.format(indonesian(amount))) == amount


# --- yes/no, sex, integers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    ["Ya", "ya", "YA", "Y", "y", "Yes", "1", "True", "TRUE", "ada", "Ada", "✓", " ya ", True, 1, 1.0, "iya"],
)
def test_bool_true(raw):
    assert parse_bool(raw) is True


@pytest.mark.parametrize(
    "raw",
    ["Tidak", "tidak", "T", "t", "N", "No", "0", "False", "tidak ada", "Tidak  Ada", False, 0, 0.0, "tdk"],
)
def test_bool_false(raw):
    assert parse_bool(raw) is False


@pytest.mark.parametrize("raw", ["mungkin", "2", 2, "yaa", "x", date(2024, 1, 1)])
def test_bool_rejected(raw):
    assert error_of(parse_bool, raw) == "Isi dengan Ya atau Tidak."


@pytest.mark.parametrize("raw", [None, "", " "])
def test_bool_empty_is_none(raw):
    assert parse_bool(raw) is None


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("L", "L"),
        ("l", "L"),
        ("Laki-laki", "L"),
        ("LAKI-LAKI", "L"),
        ("Laki laki", "L"),
        ("Pria", "L"),
        ("1", "L"),
        (1, "L"),
        (1.0, "L"),
        ("P", "P"),
        ("p", "P"),
        ("Perempuan", "P"),
        ("Wanita", "P"),
        ("2", "P"),
        (2, "P"),
        (" P ", "P"),
    ],
)
def test_sex_accepted_forms(raw, expected):
    assert parse_sex(raw) == expected


@pytest.mark.parametrize("raw", ["X", "3", 3, 0, "Lelaki Perempuan", "M/F", True])
def test_sex_rejected(raw):
    assert error_of(parse_sex, raw) == "Jenis kelamin harus L atau P."


def test_sex_empty_is_none():
    assert parse_sex("") is None
    assert parse_sex(None) is None


@pytest.mark.parametrize(
    ("raw", "expected"), [("3", 3), ("003", 3), (3, 3), (3.0, 3), ("10", 10), (" 1 ", 1), ("7.0", 7)]
)
def test_int_accepted_forms(raw, expected):
    assert parse_int(raw, low=1, high=10, what="Desil") == expected


@pytest.mark.parametrize("raw", ["0", "11", 11, -1, "-2", 99.0])
def test_int_out_of_range_names_the_field(raw):
    assert error_of(parse_int, raw, low=1, high=10, what="Desil") == (
        f"Desil harus antara 1 dan 10 (tertulis: {str(raw).strip()})."
    )


@pytest.mark.parametrize("raw", ["tiga", "3,5", 2.5, "1e3", "RT 3", True, "9" * 5000])
def test_int_not_a_whole_number(raw):
    assert error_of(parse_int, raw, low=0, high=999, what="RT").startswith("RT harus")


def test_int_empty_is_none():
    assert parse_int("  ", low=1, high=10, what="Desil") is None
    assert parse_int(None, low=1, high=10, what="Desil") is None


# --- text -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("  Ni Made  Süryani ", "Ni Made Süryani"),
        ("Jl. Gatot\nSubroto\tNo. 5", "Jl. Gatot Subroto No. 5"),  # Alt+Enter line breaks
        ("Ni\u00a0Luh", "Ni Luh"),
        ("I Wayan\u200b Sudarma", "I Wayan Sudarma"),  # zero-width space from copy-paste
        (12.0, "12"),
        (150, "150"),
        (None, None),
        ("", None),
        ("   ", None),
    ],
)
def test_clean_text(raw, expected):
    assert clean_text(raw, max_length=50) == expected


@pytest.mark.parametrize("raw", ["a\x00b", "nama\x07", "\x1b[31mmerah"])
def test_clean_text_refuses_control_characters(raw):
    assert "karakter kendali" in error_of(clean_text, raw, max_length=50)


def test_clean_text_too_long():
    assert clean_text("x" * 10, max_length=10) == "x" * 10
    assert error_of(clean_text, "x" * 11, max_length=10, what="Nama") == (
        "Nama terlalu panjang (11 karakter; paling banyak 10)."
    )


# --- exports --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+62812", "'+62812"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("Ni Luh", "Ni Luh"),
        ("", ""),
        ("5171031208900003", "5171031208900003"),
    ],
)
def test_neutralise_strings(value, expected):
    assert neutralise(value) == expected


@pytest.mark.parametrize("value", [-5, -1.5, 0, 1_500_000, None, date(2024, 1, 1)])
def test_neutralise_leaves_non_strings_alone(value):
    assert neutralise(value) is value
