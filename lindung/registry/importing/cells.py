"""Parse one spreadsheet cell the way Indonesian village offices actually fill them in.

Each parser takes the raw value as the readers deliver it (always `str` from CSV; `str`, `int`,
`float`, `bool`, `datetime` or `None` from XLSX) and returns a clean value, `None` for an empty cell
(the caller decides whether the column is required), or raises `CellError` with a message in Bahasa
Indonesia that a village operator can act on. They run over a million rows per import, so the common
shapes are handled on a fast path before any regular expression.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, timedelta
from typing import Final, TypeVar, overload

__all__ = [
    "CellError",
    "clean_text",
    "neutralise",
    "parse_amount",
    "parse_bool",
    "parse_date",
    "parse_int",
    "parse_kk",
    "parse_nik",
    "parse_sex",
]


class CellError(ValueError):
    """A cell cannot be read; `message` is shown to the operator next to the row number."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


_SHOW_MAX: Final = 40


def _shown(raw: object) -> str:
    """The cell as the operator typed it, shortened so one bad cell cannot flood the error report."""
    text = raw.strip() if isinstance(raw, str) else str(raw)
    return text if len(text) <= _SHOW_MAX else text[: _SHOW_MAX - 1] + "…"


def _is_number(raw: object) -> bool:
    # bool is an int subclass, but a TRUE/FALSE cell is not a number anyone typed.
    return isinstance(raw, int | float) and not isinstance(raw, bool)


# --- NIK and Nomor KK -----------------------------------------------------------------------------

# "5.17103E+15", "5,17103E+15", "5171031208900000.0": what Excel or a float-happy tool writes for a number.
_SCIENTIFIC = re.compile(r"[0-9]+(?:[.,][0-9]*)?[eE][+-]?[0-9]+")
_FLOAT_TEXT = re.compile(r"[0-9]{15,16}\.0+")
_ID_SEPARATORS = str.maketrans("", "", " .\u00a0\t")


def _excel_number_message(label: str) -> str:
    return (
        f"{label} tersimpan sebagai angka oleh Excel sehingga digit setelah ke-15 hilang; "
        f"format kolom {label} sebagai Teks lalu ketik ulang."
    )


_NIK_EXCEL: Final = _excel_number_message("NIK")
_KK_EXCEL: Final = _excel_number_message("Nomor KK")


def _parse_id16(raw: object, excel_message: str, bad_message: str) -> str | None:
    """Clean a 16-digit Dukcapil number; a value that went through an Excel number is refused, never fixed.

    Excel keeps 15 significant digits, so the 16th digit of a NIK stored as a number is already a zero
    and no amount of reformatting brings it back: only retyping does.
    """
    if raw is None:
        return None
    if _is_number(raw):
        raise CellError(excel_message)
    if not isinstance(raw, str):
        raise CellError(bad_message.format(shown=_shown(raw)))
    text = raw.strip()
    if text.startswith("'"):  # Excel users type a leading apostrophe to force text.
        text = text[1:].strip()
    if not text:
        return None
    compact = text.replace(" ", "").replace("\u00a0", "")
    if ("e" in compact or "E" in compact) and _SCIENTIFIC.fullmatch(compact):
        raise CellError(excel_message)
    if "." in compact and _FLOAT_TEXT.fullmatch(compact):
        raise CellError(excel_message)
    digits = compact.translate(_ID_SEPARATORS)
    if len(digits) != 16 or not digits.isascii() or not digits.isdigit():
        raise CellError(bad_message.format(shown=_shown(raw)))
    if digits.endswith("0000"):
        # Dukcapil serials start at 0001; "…0000" is the mark of serial 0001-0009 after Excel zeroed
        # the 16th digit (a CSV exported from a number cell formatted "0").
        raise CellError(excel_message)
    return digits


_NIK_BAD: Final = "NIK harus 16 digit angka (tertulis: {shown})."
_KK_BAD: Final = "Nomor KK harus 16 digit angka."


def parse_nik(raw: object) -> str | None:
    """NIK as 16 ASCII digits; separators and a leading apostrophe are dropped, numeric cells refused."""
    if isinstance(raw, str) and len(raw) == 16 and raw.isascii() and raw.isdigit():
        if raw.endswith("0000"):
            raise CellError(_NIK_EXCEL)
        return raw
    return _parse_id16(raw, _NIK_EXCEL, _NIK_BAD)


def parse_kk(raw: object) -> str | None:
    """Nomor Kartu Keluarga as 16 ASCII digits, cleaned and checked like the NIK."""
    if isinstance(raw, str) and len(raw) == 16 and raw.isascii() and raw.isdigit():
        if raw.endswith("0000"):
            raise CellError(_KK_EXCEL)
        return raw
    return _parse_id16(raw, _KK_EXCEL, _KK_BAD)


# --- dates ----------------------------------------------------------------------------------------

_EXCEL_EPOCH: Final = date(1899, 12, 30)  # serial 61 and later: Excel day 0 if 1900 had no 29 February
_EXCEL_SERIAL_MAX: Final = 80_000  # 2119-01-10; anything bigger is not a date someone meant

_MONTH_NAMES: Final = (  # Indonesian full and short names, old spellings (Pebruari, Nopember), English
    ("januari", "jan", "january"),
    ("februari", "feb", "pebruari", "peb", "february"),
    ("maret", "mar", "march"),
    ("april", "apr"),
    ("mei", "may"),
    ("juni", "jun", "june"),
    ("juli", "jul", "july"),
    ("agustus", "agu", "agt", "ags", "agus", "aug", "august"),
    ("september", "sep", "sept"),
    ("oktober", "okt", "oct", "october"),
    ("november", "nov", "nopember", "nop"),
    ("desember", "des", "dec", "december"),
)
_MONTHS: Final = {name: number for number, names in enumerate(_MONTH_NAMES, start=1) for name in names}

_NUMERIC_DATE = re.compile(r"([0-9]{1,4})[-/.]([0-9]{1,2})[-/.]([0-9]{1,4})")
_TIME_OF_DAY = r"[0-9]{1,2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]+)?)?"
_ISO_DATETIME = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})[T ]" + _TIME_OF_DAY)
_NAMED_DATE = re.compile(r"([0-9]{1,2})[\s.\-/]*([^\W\d_]+)\.?[\s.,\-/]*([0-9]{1,4})")
_SERIAL_TEXT = re.compile(r"[0-9]{1,5}(?:\.[0-9]+)?")

# Parsed strings are remembered: the same birth dates and incomes recur across a million rows. The dicts
# are emptied when full, which bounds memory; date and int results are immutable, so sharing is safe.
_CACHE_SIZE: Final = 32_768
_DATE_CACHE: dict[str, date] = {}
_AMOUNT_CACHE: dict[str, int] = {}

_DATE_HINT: Final = "gunakan format HH-BB-TTTT, misalnya 17-08-1980"


def _make_date(year: int, month: int, day: int, raw: object) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise CellError(f"Tanggal tidak valid: {_shown(raw)}.") from None


def _from_serial(serial: float, raw: object) -> date:
    """Excel's 1900 date system, including Lotus 1-2-3's fictitious 29 February 1900 (serial 60)."""
    if not math.isfinite(serial) or serial < 1 or serial >= _EXCEL_SERIAL_MAX + 1:
        raise CellError(f"Tanggal tidak valid: {_shown(raw)}.")
    day = int(serial)  # a fraction is the time of day
    if day == 60:
        raise CellError(f"Tanggal tidak valid: {_shown(raw)} (29-02-1900 tidak pernah ada).")
    if 1800 <= day <= 2199:
        # Serials 1800-2199 are dates in 1904-1906: nobody means those; somebody typed only a year.
        raise CellError(f"Tanggal hanya berisi tahun ({_shown(raw)}); tulis lengkap, {_DATE_HINT}.")
    if day < 60:
        return _EXCEL_EPOCH + timedelta(days=day + 1)
    return _EXCEL_EPOCH + timedelta(days=day)


def _four_digit_year(year_text: str, raw: object) -> int:
    if len(year_text) != 4:
        raise CellError(f"Tahun harus 4 digit (tertulis: {_shown(raw)}).")
    return int(year_text)


def parse_date(raw: object) -> date | None:
    """A calendar date from the shapes Indonesian offices use; day-first, never guessing two-digit years."""
    if isinstance(raw, str):
        known = _DATE_CACHE.get(raw)  # a village has a few thousand distinct birth dates, not a million
        if known is not None:
            return known
        parsed = _parse_date_text(raw)
        if parsed is not None:
            if len(_DATE_CACHE) >= _CACHE_SIZE:
                _DATE_CACHE.clear()
            _DATE_CACHE[raw] = parsed
        return parsed
    if raw is None:
        return None
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        return _from_serial(raw, raw)
    raise CellError(f"Tanggal tidak dikenali: {_shown(raw)}; {_DATE_HINT}.")


def _parse_date_text(raw: str) -> date | None:
    if len(raw) == 10:  # fast path: DD-MM-YYYY, DD/MM/YYYY, DD.MM.YYYY, YYYY-MM-DD, YYYY/MM/DD
        sep = raw[2]
        if (sep == "-" or sep == "/" or sep == ".") and raw[5] == sep:  # faster than `in` on a str
            digits = raw.replace(sep, "")
            if len(digits) == 8 and digits.isdigit() and digits.isascii():
                number = int(digits)  # DDMMYYYY
                return _make_date(number % 10_000, number // 10_000 % 100, number // 1_000_000, raw)
        sep = raw[4]
        if (sep == "-" or sep == "/") and raw[7] == sep:
            digits = raw.replace(sep, "")
            if len(digits) == 8 and digits.isdigit() and digits.isascii():
                number = int(digits)  # YYYYMMDD
                return _make_date(number // 10_000, number // 100 % 100, number % 100, raw)
    text = raw.strip()
    if not text:
        return None
    if match := _NUMERIC_DATE.fullmatch(text):
        first, month, last = match.groups()
        if len(first) == 4:  # YYYY-MM-DD
            return _make_date(int(first), int(month), int(last), raw)
        if len(first) > 2:
            raise CellError(f"Tanggal tidak dikenali: {_shown(raw)}; {_DATE_HINT}.")
        return _make_date(_four_digit_year(last, raw), int(month), int(first), raw)
    if match := _ISO_DATETIME.fullmatch(text):  # "1980-08-17 00:00:00" from a database export
        year, month, day = match.groups()
        return _make_date(int(year), int(month), int(day), raw)
    if match := _NAMED_DATE.fullmatch(text):
        day, month_name, year = match.groups()
        month_number = _MONTHS.get(month_name.lower())
        if month_number is None:
            raise CellError(f"Nama bulan tidak dikenali: {_shown(raw)}; {_DATE_HINT}.")
        return _make_date(_four_digit_year(year, raw), month_number, int(day), raw)
    if _SERIAL_TEXT.fullmatch(text):  # an Excel serial that reached a CSV as text
        return _from_serial(float(text), raw)
    raise CellError(f"Tanggal tidak dikenali: {_shown(raw)}; {_DATE_HINT}.")


# --- money ----------------------------------------------------------------------------------------

_CURRENCY_PREFIX = re.compile(r"(?:rp\.?|idr)\s*", re.IGNORECASE)
_GROUPED_DOT = re.compile(r"[0-9]{1,3}(?:\.[0-9]{3})+")
_GROUPED_COMMA = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+")
_AMOUNT_DIGITS: Final = 18  # a billion billion rupiah; also keeps int() far from its digit limit
_AMOUNT_SPACES = str.maketrans("", "", " \u00a0\u202f\t")


def parse_amount(raw: object) -> int | None:
    """Whole rupiah: `.` groups thousands and `,` marks decimals, unless commas group thousands (English)."""
    if isinstance(raw, str) and raw.isascii() and raw.isdigit() and len(raw) <= _AMOUNT_DIGITS:
        return int(raw)
    if raw is None:
        return None
    if type(raw) is int:
        if raw < 0 or raw >= 10**_AMOUNT_DIGITS:
            raise CellError(f"Jumlah uang tidak valid: {_shown(raw)}.")
        return raw
    if isinstance(raw, float) and not isinstance(raw, bool):
        if not math.isfinite(raw) or raw < 0 or raw >= 10**_AMOUNT_DIGITS:
            raise CellError(f"Jumlah uang tidak valid: {_shown(raw)}.")
        if not raw.is_integer():
            raise CellError(f"Jumlah uang tidak valid: {_shown(raw)} (rupiah harus bulat, tanpa sen).")
        return int(raw)
    if not isinstance(raw, str):
        raise CellError(f"Jumlah uang tidak valid: {_shown(raw)}.")
    known = _AMOUNT_CACHE.get(raw)
    if known is not None:
        return known
    amount = _parse_amount_text(raw)
    if amount is not None:
        if len(_AMOUNT_CACHE) >= _CACHE_SIZE:
            _AMOUNT_CACHE.clear()
        _AMOUNT_CACHE[raw] = amount
    return amount


def _parse_amount_text(raw: str) -> int | None:
    groups = raw.count(".")
    if groups and "," not in raw and 0 < len(raw) - 4 * groups <= 3 and raw[-4::-4] == "." * groups:
        # Fast path for "1.500.000": a dot every fourth character from the right, 1-3 digits in front.
        digits = raw.replace(".", "")
        if digits.isdigit() and digits.isascii() and len(digits) <= _AMOUNT_DIGITS:
            return int(digits)
    text = raw.strip()
    if not text:
        return None
    text = _CURRENCY_PREFIX.sub("", text, count=1) if text[0] in "RrIi" else text
    text = text.translate(_AMOUNT_SPACES)
    if text.endswith("-") and len(text) > 1 and text[-2] in ",.":  # "1.500.000,-"
        text = text[:-2]
    if not text or not text.isascii():
        raise CellError(f"Jumlah uang tidak valid: {_shown(raw)}.")
    whole, fraction = _split_amount(text, raw)
    if not whole.isdigit() or len(whole) > _AMOUNT_DIGITS or (fraction and not fraction.isdigit()):
        raise CellError(f"Jumlah uang tidak valid: {_shown(raw)}.")
    if fraction.strip("0"):
        raise CellError(f"Jumlah uang tidak valid: {_shown(raw)} (rupiah harus bulat, tanpa sen).")
    return int(whole)


def _split_amount(text: str, raw: str) -> tuple[str, str]:
    """Return (whole digits, fraction digits) after deciding which of `.` and `,` groups thousands.

    A decimal part has at most two digits (sen); "1500.000" or "1500,000" could be a thousand times
    off either way, so it is refused rather than guessed.
    """
    dot, comma = "." in text, "," in text
    if not dot and not comma:
        return text, ""
    if dot and comma:
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
        group = "." if decimal == "," else ","
        whole, _, fraction = text.rpartition(decimal)
        grouped = _GROUPED_DOT if group == "." else _GROUPED_COMMA
        if not grouped.fullmatch(whole) or len(fraction) > 2:
            raise CellError(f"Jumlah uang tidak valid: {_shown(raw)}.")
        return whole.replace(group, ""), fraction
    if dot and _GROUPED_DOT.fullmatch(text):  # 1.500.000 (and 1.500 is fifteen hundred, not 1,5)
        return text.replace(".", ""), ""
    if comma and _GROUPED_COMMA.fullmatch(text):  # 1,500,000 English-style
        return text.replace(",", ""), ""
    whole, _, fraction = text.partition("." if dot else ",")  # 750000.0 from a float, 750000,00
    if len(fraction) > 2:
        raise CellError(f"Jumlah uang tidak valid: {_shown(raw)}.")
    return whole, fraction  # a second separator in `fraction` fails the digit check


# --- yes/no, sex, small integers ------------------------------------------------------------------

_TRUE: Final = frozenset({"ya", "y", "iya", "yes", "1", "true", "benar", "ada", "✓", "✔"})
_FALSE: Final = frozenset({"tidak", "t", "tdk", "n", "no", "0", "false", "salah", "tidak ada", "bukan"})
_BOOL_MESSAGE: Final = "Isi dengan Ya atau Tidak."


def parse_bool(raw: object) -> bool | None:
    """Yes/no in the Indonesian and English spellings offices use (note: T is Tidak, not True)."""
    if raw is None:
        return None
    if isinstance(raw, bool):
        return raw
    if _is_number(raw):
        if raw == 1:
            return True
        if raw == 0:
            return False
        raise CellError(_BOOL_MESSAGE)
    if not isinstance(raw, str):
        raise CellError(_BOOL_MESSAGE)
    key = " ".join(raw.lower().split())
    if not key:
        return None
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise CellError(_BOOL_MESSAGE)


_SEX: Final[dict[str, str]] = {  # keys without spaces, hyphens or dots
    "l": "L",
    "lk": "L",
    "lakilaki": "L",
    "laki": "L",
    "laki2": "L",
    "pria": "L",
    "1": "L",  # OpenSID / Prodeskel code
    "p": "P",
    "perempuan": "P",
    "wanita": "P",
    "2": "P",
}
_SEX_MESSAGE: Final = "Jenis kelamin harus L atau P."
_SEX_IGNORED = str.maketrans("", "", " -.\u00a0\t")


def parse_sex(raw: object) -> str | None:
    """L or P from the words and the OpenSID codes (1 laki-laki, 2 perempuan) that villages use."""
    if raw is None:
        return None
    if _is_number(raw):
        if raw == 1:
            return "L"
        if raw == 2:
            return "P"
        raise CellError(_SEX_MESSAGE)
    if not isinstance(raw, str):
        raise CellError(_SEX_MESSAGE)
    key = raw.lower().translate(_SEX_IGNORED)
    if not key:
        return None
    sex = _SEX.get(key)
    if sex is None:
        raise CellError(_SEX_MESSAGE)
    return sex


_INT_DIGITS: Final = 18
_INT_TEXT = re.compile(r"[+-]?[0-9]{1,18}(?:[.,]0+)?")


def parse_int(raw: object, *, low: int, high: int, what: str) -> int | None:
    """A small whole number within [low, high], e.g. desil 1-10 or RT "003"; `what` names it in messages."""
    if raw is None:
        return None
    value: int
    if type(raw) is int:
        value = raw
    elif isinstance(raw, float):
        if not raw.is_integer():
            raise CellError(f"{what} harus bilangan bulat (tertulis: {_shown(raw)}).")
        value = int(raw)
    elif isinstance(raw, str):
        text = raw.strip()
        if not text:
            return None
        if text.isascii() and text.isdigit() and len(text) <= _INT_DIGITS:
            value = int(text)
        elif _INT_TEXT.fullmatch(text):  # "-1", "3.0" from a float that went through a CSV
            value = int(re.split("[.,]", text, maxsplit=1)[0])
        else:
            raise CellError(f"{what} harus bilangan bulat (tertulis: {_shown(raw)}).")
    else:
        raise CellError(f"{what} harus bilangan bulat (tertulis: {_shown(raw)}).")
    if not low <= value <= high:
        raise CellError(f"{what} harus antara {low} dan {high} (tertulis: {_shown(raw)}).")
    return value


# --- free text ------------------------------------------------------------------------------------

# Invisible formatting characters that come along with copy-paste (zero-width space, soft hyphen, BOM,
# word joiner): dropped. Real control characters (NUL, BEL, ESC…) are refused.
_INVISIBLE = str.maketrans("", "", "\u200b\u200c\u200d\u00ad\ufeff\u2060")


def clean_text(raw: object, *, max_length: int, what: str = "Teks") -> str | None:
    """Trimmed text with runs of whitespace (line breaks from Alt+Enter too) collapsed to one space."""
    if raw is None:
        return None
    if isinstance(raw, str):
        text = raw
    elif isinstance(raw, float) and raw.is_integer():
        text = str(int(raw))
    elif isinstance(raw, datetime):
        text = raw.strftime("%d-%m-%Y %H:%M") if (raw.hour or raw.minute) else raw.strftime("%d-%m-%Y")
    elif isinstance(raw, date):
        text = raw.strftime("%d-%m-%Y")
    elif isinstance(raw, bool):
        text = "Ya" if raw else "Tidak"
    else:
        text = str(raw)
    text = " ".join(text.split())
    if not text.isprintable():
        text = " ".join(text.translate(_INVISIBLE).split())
        if not text.isprintable():
            bad = next(c for c in text if not c.isprintable())
            name = unicodedata.name(bad, f"U+{ord(bad):04X}")
            raise CellError(f"{what} berisi karakter kendali yang tidak diizinkan ({name}).")
    if not text:
        return None
    if len(text) > max_length:
        raise CellError(f"{what} terlalu panjang ({len(text)} karakter; paling banyak {max_length}).")
    return text


# --- exports --------------------------------------------------------------------------------------

_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")
_T = TypeVar("_T")


@overload
def neutralise(value: str) -> str: ...
@overload
def neutralise(value: _T) -> _T: ...
def neutralise(value: object) -> object:
    """Stop a spreadsheet from running a cell as a formula (CSV injection); numbers pass untouched."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
