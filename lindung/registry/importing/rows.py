"""Turn one spreadsheet row into a clean worker record, collecting every problem of the row.

Pure Python (no ORM): the caller supplies the villages the user may change and the date of today, so a
million rows are checked without a query per row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from lindung.registry.identity import check_nik
from lindung.registry.importing.cells import (
    CellError,
    clean_text,
    parse_amount,
    parse_bool,
    parse_date,
    parse_int,
    parse_kk,
    parse_nik,
    parse_sex,
)
from lindung.registry.occupations import match_occupation

#: The worker fields an import writes, in the order of the staged CSV and of the database merge.
WORKER_FIELDS: tuple[str, ...] = (
    "nik", "kk_number", "name", "sex", "birth_place", "birth_date", "address", "rt", "rw", "hamlet",
    "village_id", "phone", "occupation_code", "specialisation", "monthly_income", "employment_status",
    "decile", "extreme_poor", "extreme_poor_note", "has_disability", "is_wage_earner_member",
    "consent_given", "consent_on",
)  # fmt: skip

#: Import column → the worker fields it fills (a column missing from the file leaves those fields as they are).
COLUMN_FIELDS: dict[str, tuple[str, ...]] = {
    "kode_desa": ("village_id",), "nik": ("nik",), "no_kk": ("kk_number",), "nama": ("name",),
    "jenis_kelamin": ("sex",), "tempat_lahir": ("birth_place",), "tanggal_lahir": ("birth_date",),
    "alamat": ("address",), "rt": ("rt",), "rw": ("rw",), "dusun": ("hamlet",), "telepon": ("phone",),
    "pekerjaan": ("occupation_code",), "keahlian": ("specialisation",), "penghasilan": ("monthly_income",),
    "status_pekerjaan": ("employment_status",), "desil": ("decile",), "miskin_ekstrem": ("extreme_poor",),
    "catatan_musdes": ("extreme_poor_note",), "disabilitas": ("has_disability",),
    "peserta_pu": ("is_wage_earner_member",), "persetujuan": ("consent_given",),
    "tanggal_persetujuan": ("consent_on",),
}  # fmt: skip

#: How each column is named to the user (the template's headers).
COLUMN_LABELS: dict[str, str] = {
    "kode_desa": "Kode Desa", "nik": "NIK", "no_kk": "Nomor KK", "nama": "Nama Lengkap",
    "jenis_kelamin": "Jenis Kelamin", "tempat_lahir": "Tempat Lahir", "tanggal_lahir": "Tanggal Lahir",
    "alamat": "Alamat", "rt": "RT", "rw": "RW", "dusun": "Banjar/Dusun", "telepon": "Nomor HP",
    "pekerjaan": "Pekerjaan", "keahlian": "Keahlian/Spesialisasi", "penghasilan": "Penghasilan per Bulan",
    "status_pekerjaan": "Status Pekerjaan", "desil": "Desil P3KE/DTSEN", "miskin_ekstrem": "Miskin Ekstrem",
    "catatan_musdes": "Catatan Musdes", "disabilitas": "Disabilitas", "peserta_pu": "Peserta PU",
    "persetujuan": "Persetujuan Data", "tanggal_persetujuan": "Tanggal Persetujuan",
}  # fmt: skip

_EMPLOYMENT = {
    "informal": "informal", "pekerja informal": "informal", "tidak tetap": "informal",
    "serabutan": "informal", "bekerja tidak tetap": "informal", "bukan penerima upah": "informal",
    "pekerja bukan penerima upah": "informal", "bpu": "informal", "pekerja mandiri": "informal",
    "usaha sendiri": "self_employed", "berusaha sendiri": "self_employed", "wiraswasta": "self_employed",
    "wirausaha": "self_employed", "self_employed": "self_employed",
    "buruh harian": "daily_labourer", "buruh harian lepas": "daily_labourer", "harian lepas": "daily_labourer",
    "daily_labourer": "daily_labourer",
    "tidak bekerja": "not_working", "belum bekerja": "not_working", "menganggur": "not_working",
    "not_working": "not_working",
}  # fmt: skip


@dataclass
class RowResult:
    row_number: int
    record: dict[str, Any] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column, message)
    warnings: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def normalise_village_code(raw: Any) -> str | None:
    """`5171032008`, `51.71.03.2008` or `51 71 03 2008` → `51.71.03.2008`; None when it cannot be one."""
    if raw is None:
        return None
    text = str(raw).strip()
    if isinstance(raw, float) and raw.is_integer():
        text = str(int(raw))
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) != 10 or any(ch not in "0123456789. " for ch in text):
        return None
    return f"{digits[:2]}.{digits[2:4]}.{digits[4:6]}.{digits[6:]}"


def _phone(raw: Any) -> str | None:
    if raw is None or str(raw).strip() == "":
        return None
    text = str(raw).strip()
    if isinstance(raw, float) and raw.is_integer():
        text = str(int(raw))
    digits = "".join(ch for ch in text if ch.isdigit())
    if text.startswith("+62") or digits.startswith("62"):
        digits = "0" + digits[2:]
    elif digits.startswith("8"):
        digits = "0" + digits
    if not 9 <= len(digits) <= 14 or not digits.startswith("0"):
        raise CellError(f"Nomor HP tidak valid: {text}.")
    return digits


def check_row(
    row_number: int,
    values: dict[str, Any],
    *,
    villages: dict[str, str],
    fixed_village: str | None,
    today: dt.date,
) -> RowResult:
    """Validate one row. `villages` maps the codes of the villages the user may change to their names."""
    result = RowResult(row_number)
    rec = result.record

    def cell(column: str, parse: Any, **kwargs: Any) -> Any:
        try:
            return parse(values.get(column), **kwargs)
        except CellError as exc:
            result.errors.append((column, exc.message))
            return None

    # Identity.
    nik = cell("nik", parse_nik)
    if nik is None and not any(c == "nik" for c, _ in result.errors):
        result.errors.append(("nik", "NIK wajib diisi."))
    name = cell("nama", clean_text, max_length=150)
    if name is None and not any(c == "nama" for c, _ in result.errors):
        result.errors.append(("nama", "Nama wajib diisi."))
    sex = cell("jenis_kelamin", parse_sex)
    if sex is None and not any(c == "jenis_kelamin" for c, _ in result.errors):
        result.errors.append(("jenis_kelamin", "Jenis kelamin wajib diisi (L atau P)."))
    birth_date = cell("tanggal_lahir", parse_date)
    if birth_date is None and not any(c == "tanggal_lahir" for c, _ in result.errors):
        result.errors.append(("tanggal_lahir", "Tanggal lahir wajib diisi."))
    elif birth_date is not None and (birth_date > today or birth_date.year < 1900):
        result.errors.append(("tanggal_lahir", f"Tanggal lahir {birth_date:%d-%m-%Y} tidak masuk akal."))
        birth_date = None
    if nik is not None:
        verdict = check_nik(nik, birth_date=birth_date, sex=sex, today=today)
        result.errors.extend(("nik", m) for m in verdict.errors)
        result.warnings.extend(("nik", m) for m in verdict.warnings)

    # Where they live.
    village: str | None
    if fixed_village is not None:
        village = fixed_village
        raw_code = values.get("kode_desa")
        if raw_code not in (None, "") and normalise_village_code(raw_code) != fixed_village:
            result.errors.append(("kode_desa", f"Kode desa {raw_code} berbeda dengan desa impor ({fixed_village})."))
    else:
        raw_code = values.get("kode_desa")
        village = normalise_village_code(raw_code)
        if raw_code in (None, ""):
            result.errors.append(("kode_desa", "Kode desa wajib diisi."))
        elif village is None:
            result.errors.append(("kode_desa", f"Kode desa tidak valid: {raw_code} (contoh: 51.71.03.2008)."))
        elif village not in villages:
            result.errors.append(("kode_desa", f"Desa {village} tidak dikenal atau di luar wilayah Anda."))
            village = None

    rec.update(
        nik=nik, name=name, sex=sex, birth_date=birth_date, village_id=village,
        kk_number=cell("no_kk", parse_kk) or "",
        birth_place=cell("tempat_lahir", clean_text, max_length=100) or "",
        address=cell("alamat", clean_text, max_length=255) or "",
        hamlet=cell("dusun", clean_text, max_length=100) or "",
    )  # fmt: skip
    for column in ("rt", "rw"):
        number = cell(column, parse_int, low=0, high=999, what=column.upper())
        rec[column] = f"{number:03d}" if number is not None else ""
    try:
        rec["phone"] = _phone(values.get("telepon")) or ""
    except CellError as exc:
        result.errors.append(("telepon", exc.message))

    # Work and income.
    occupation_text = cell("pekerjaan", clean_text, max_length=150)
    specialisation = cell("keahlian", clean_text, max_length=150) or ""
    rec["occupation_code"] = None
    if occupation_text:
        occupation = match_occupation(occupation_text)
        if occupation is None:
            result.warnings.append(
                ("pekerjaan", f"Pekerjaan '{occupation_text}' tidak dikenali; disimpan sebagai keahlian.")
            )
            specialisation = specialisation or occupation_text
        else:
            rec["occupation_code"] = occupation.code
            if occupation.excluded:
                result.warnings.append(
                    (
                        "pekerjaan",
                        f"{occupation.name}: ASN/TNI/Polri/pejabat punya skema sendiri, tidak memenuhi syarat program.",
                    )
                )
    rec["specialisation"] = specialisation
    income = cell("penghasilan", parse_amount)
    if income is not None and income > 1_000_000_000:
        result.errors.append(("penghasilan", f"Penghasilan Rp{income:,} per bulan tidak masuk akal.".replace(",", ".")))
        income = None
    rec["monthly_income"] = income
    status_text = cell("status_pekerjaan", clean_text, max_length=40)
    rec["employment_status"] = "informal"
    if status_text:
        status = _EMPLOYMENT.get(status_text.lower())
        if status is None:
            result.errors.append(
                (
                    "status_pekerjaan",
                    f"Status pekerjaan '{status_text}' tidak dikenal; isi salah satu: informal, "
                    "usaha sendiri, buruh harian, tidak bekerja.",
                )
            )
        else:
            rec["employment_status"] = status

    # Poverty and protection.
    rec["decile"] = cell("desil", parse_int, low=1, high=10, what="Desil")
    rec["extreme_poor"] = bool(cell("miskin_ekstrem", parse_bool))
    rec["extreme_poor_note"] = cell("catatan_musdes", clean_text, max_length=255) or ""
    if rec["extreme_poor"] and not rec["extreme_poor_note"] and rec["decile"] != 1:
        result.warnings.append(
            ("miskin_ekstrem", "Tanda miskin ekstrem dari musyawarah desa sebaiknya disertai catatan musdes.")
        )
    rec["has_disability"] = bool(cell("disabilitas", parse_bool))
    rec["is_wage_earner_member"] = bool(cell("peserta_pu", parse_bool))
    rec["consent_given"] = bool(cell("persetujuan", parse_bool))
    consent_on = cell("tanggal_persetujuan", parse_date)
    if consent_on is not None and consent_on > today:
        result.errors.append(("tanggal_persetujuan", "Tanggal persetujuan tidak boleh di masa depan."))
        consent_on = None
    rec["consent_on"] = consent_on
    return result


# --- the whole file: a fast path for the rows that are already clean ---------------------------------
#
# `check_row` is the definition. `RowChecker` gives exactly its verdict for every row, but first tries a
# fast path that only accepts a row whose every cell is in its common clean shape (text without stray
# spaces, 16 plain digits, a date or a yes/no seen before…); anything else goes through `check_row`.
# Values that recur (dates, village codes, yes/no, amounts, occupations) are parsed once per file: the
# parsers are pure functions of the cell, so a remembered verdict is the verdict.

_SEP = "\x1f"  # joins a clean record's CSV values; no clean value contains it (control characters are refused)
_MEMO_MAX = 65_536
_FAIL: Any = object()  # "not in the clean shape": let check_row decide
_MISS: Any = object()
_MEMO_NAMES = ("sex", "born", "village", "rt", "rw", "occupation", "income", "status", "decile", "flag", "consent_on")


def csv_value(value: Any) -> str:
    """A record value as written to the staged CSV (and compared with the stored worker)."""
    if value is None:
        return ""
    if value is True:
        return "1"
    if value is False:
        return "0"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _good_nik_regions() -> frozenset[str]:
    """The 6-digit NIK prefixes on which `check_nik` has nothing to say (known province, regency, district)."""
    from lokal import PROVINCES

    from lindung.registry.identity import _known_codes

    regencies, districts = _known_codes()
    return frozenset(
        d for d in districts if d[:2] in PROVINCES and d[2:4] != "00" and d[4:6] != "00" and d[:4] in regencies
    )


def _is_clean_text(text: str) -> bool:
    # For a printable str the only whitespace is " " (every other whitespace character is unprintable), so
    # `" ".join(text.split()) == text` unless the text has a leading, trailing or double space.
    return text.isprintable() and text[0] != " " and text[-1] != " " and "  " not in text


class RowChecker:
    """`check_row` for every row of one file, as `(nik, staged CSV values or None, problems)`.

    Rows are tuples of raw cells in the order of `columns`; `fast` is for text cells (CSV), where every
    cell is a `str`. `problems` is None for a clean row, else `(errors, warnings, {column: raw cell})`.
    """

    def __init__(
        self,
        columns: tuple[str, ...] | list[str],
        *,
        villages: dict[str, str],
        fixed_village: str | None,
        today: dt.date,
        fast: bool = True,
    ) -> None:
        self.columns = tuple(columns)
        self.villages = villages
        self.fixed_village = fixed_village
        self.today = today
        self.fast = fast
        width = len(self.columns)
        self._at = {c: self.columns.index(c) if c in self.columns else width for c in COLUMN_FIELDS}
        self._good_regions = _good_nik_regions() if fast else frozenset()
        self._memos: dict[str, dict[Any, Any]] = {name: {} for name in _MEMO_NAMES}
        self._memo_dicts = tuple(self._memos[name] for name in _MEMO_NAMES)
        self._pick = itemgetter(*(self._at[c] for c in COLUMN_FIELDS))  # every column, absent ones as None

    # -- the reference ----------------------------------------------------------------------------

    def slow(self, row_number: int, values: tuple[Any, ...]) -> tuple[str | None, list[str] | None, Any]:
        cells = dict(zip(self.columns, values, strict=True))
        fixed, today = self.fixed_village, self.today
        result = check_row(row_number, cells, villages=self.villages, fixed_village=fixed, today=today)
        rec = result.record
        staged = [csv_value(rec.get(f)) for f in WORKER_FIELDS] if result.ok else None
        problems = (result.errors, result.warnings, cells) if result.errors or result.warnings else None
        return rec.get("nik"), staged, problems

    def check(self, row_number: int, values: tuple[Any, ...]) -> tuple[str | None, list[str] | None, Any]:
        if self.fast:
            done = self._fast((*values, None))
            if done is not None:
                nik, staged, warnings = done
                return nik, staged, ([], warnings, dict(zip(self.columns, values, strict=True))) if warnings else None
        return self.slow(row_number, values)

    # -- remembered cells -------------------------------------------------------------------------

    @staticmethod
    def _memo(memo: dict[Any, Any], raw: Any, compute: Any) -> Any:
        try:
            value = compute(raw)
        except CellError:
            value = _FAIL
        if len(memo) >= _MEMO_MAX:
            memo.clear()
        memo[raw] = value
        return value

    def _date_of_birth(self, raw: Any) -> Any:
        born = parse_date(raw)
        if born is None or born > self.today or born.year < 1900:
            return _FAIL
        day, month, yy = born.day, born.month, born.year % 100
        return born.isoformat(), f"{day:02d}{month:02d}{yy:02d}", f"{day + 40:02d}{month:02d}{yy:02d}"

    def _village(self, raw: Any) -> Any:
        if self.fixed_village is not None:
            if raw in (None, "") or normalise_village_code(raw) == self.fixed_village:
                return self.fixed_village
            return _FAIL
        if raw in (None, ""):
            return _FAIL
        village = normalise_village_code(raw)
        return village if village is not None and village in self.villages else _FAIL

    @staticmethod
    def _sex(raw: Any) -> Any:
        sex = parse_sex(raw)
        return _FAIL if sex is None else sex

    @staticmethod
    def _rt(raw: Any) -> Any:
        number = parse_int(raw, low=0, high=999, what="RT")
        return f"{number:03d}" if number is not None else ""

    @staticmethod
    def _rw(raw: Any) -> Any:
        number = parse_int(raw, low=0, high=999, what="RW")
        return f"{number:03d}" if number is not None else ""

    @staticmethod
    def _occupation(raw: Any) -> Any:
        """(code as staged, warning or None, text to keep as the specialisation or None)."""
        text = clean_text(raw, max_length=150)
        if not text:
            return "", None, None
        occupation = match_occupation(text)
        if occupation is None:
            return "", ("pekerjaan", f"Pekerjaan '{text}' tidak dikenali; disimpan sebagai keahlian."), text
        if occupation.excluded:
            message = f"{occupation.name}: ASN/TNI/Polri/pejabat punya skema sendiri, tidak memenuhi syarat program."
            return str(occupation.code), ("pekerjaan", message), None
        return str(occupation.code), None, None

    @staticmethod
    def _income(raw: Any) -> Any:
        income = parse_amount(raw)
        if income is None:
            return ""
        return str(income) if income <= 1_000_000_000 else _FAIL

    @staticmethod
    def _status(raw: Any) -> Any:
        text = clean_text(raw, max_length=40)
        if not text:
            return "informal"
        status = _EMPLOYMENT.get(text.lower())
        return _FAIL if status is None else status

    @staticmethod
    def _decile(raw: Any) -> Any:
        decile = parse_int(raw, low=1, high=10, what="Desil")
        return (str(decile), decile == 1) if decile is not None else ("", False)

    @staticmethod
    def _flag(raw: Any) -> Any:
        return "1" if parse_bool(raw) else "0"

    def _consent_date(self, raw: Any) -> Any:
        given = parse_date(raw)
        if given is None:
            return ""
        return _FAIL if given > self.today else given.isoformat()

    @staticmethod
    def _text(raw: Any, max_length: int) -> Any:
        if raw is None or raw == "":
            return ""
        if len(raw) <= max_length and _is_clean_text(raw):
            return raw
        try:
            return clean_text(raw, max_length=max_length) or ""
        except CellError:
            return _FAIL

    # -- the fast path ----------------------------------------------------------------------------

    def _fast(self, v: tuple[Any, ...]) -> tuple[str, list[str], list[tuple[str, str]]] | None:
        """`fast` for the values in `columns` order followed by None (the value of an absent column)."""
        return self.fast_canonical(self._pick(v))

    def fast_canonical(self, cells: tuple[Any, ...]) -> tuple[str, list[str], list[tuple[str, str]]] | None:
        """(nik, staged values, warnings) of a row check_row would accept, else None (then check_row decides).

        `cells`: the raw cells in `COLUMN_FIELDS` order, None for a column the file does not have.
        """
        (kode_desa, nik, kk, name, raw_sex, birth_place, raw_born, address, raw_rt, raw_rw, hamlet, phone,
         raw_occupation, specialisation, raw_income, raw_status, raw_decile, raw_poor, note, raw_disability,
         raw_wage_earner, raw_consent, raw_consent_on) = cells  # fmt: skip
        m_sex, m_born, m_village, m_rt, m_rw, m_occupation, m_income, m_status, m_decile, m_flag, m_consent_on = (
            self._memo_dicts
        )

        if type(nik) is not str or len(nik) != 16 or not nik.isdigit() or not nik.isascii() or nik[12:] == "0000":
            return None
        sex = m_sex.get(raw_sex, _MISS)
        if sex is _MISS:
            sex = self._memo(m_sex, raw_sex, self._sex)
        born = m_born.get(raw_born, _MISS)
        if born is _MISS:
            born = self._memo(m_born, raw_born, self._date_of_birth)
        if sex is _FAIL or born is _FAIL:
            return None
        # check_nik has nothing to say: a known district, and the birth date and sex it encodes are the row's.
        if nik[:6] not in self._good_regions or nik[6:12] != born[2 if sex == "P" else 1]:
            return None
        village = m_village.get(kode_desa, _MISS)
        if village is _MISS:
            village = self._memo(m_village, kode_desa, self._village)
        if village is _FAIL:
            return None
        if kk is None or kk == "":
            kk = ""
        elif len(kk) != 16 or not kk.isdigit() or not kk.isascii() or kk[12:] == "0000":
            return None

        # Free text: one look at all of it when it is clean (a printable text's only whitespace is " ", so no
        # leading, trailing or double space means clean_text keeps it as it is), else clean_text cell by cell.
        texts = (name or "", birth_place or "", address or "", hamlet or "", specialisation or "", note or "")
        joined = "|".join(texts)
        if (
            joined.isprintable()
            and "  " not in joined
            and " |" not in joined
            and "| " not in joined
            and joined[0] != " "
            and joined[-1] != " "
            and len(texts[0]) <= 150
            and len(texts[1]) <= 100
            and len(texts[2]) <= 255
            and len(texts[3]) <= 100
            and len(texts[4]) <= 150
            and len(texts[5]) <= 255
        ):
            name, birth_place, address, hamlet, specialisation, note = texts
        else:
            text = self._text
            name = text(name, 150)
            birth_place = text(birth_place, 100)
            address = text(address, 255)
            hamlet = text(hamlet, 100)
            specialisation = text(specialisation, 150)
            note = text(note, 255)
            if _FAIL in (name, birth_place, address, hamlet, specialisation, note):
                return None
        if not name:
            return None

        rt = m_rt.get(raw_rt, _MISS)
        if rt is _MISS:
            rt = self._memo(m_rt, raw_rt, self._rt)
        rw = m_rw.get(raw_rw, _MISS)
        if rw is _MISS:
            rw = self._memo(m_rw, raw_rw, self._rw)
        if rt is _FAIL or rw is _FAIL:
            return None
        if phone is None or phone == "":
            phone = ""
        elif not (phone[0] == "0" and 9 <= len(phone) <= 14 and phone.isdigit() and phone.isascii()):
            try:
                phone = _phone(phone) or ""
            except CellError:
                return None

        occupation = m_occupation.get(raw_occupation, _MISS)
        if occupation is _MISS:
            occupation = self._memo(m_occupation, raw_occupation, self._occupation)
        income = m_income.get(raw_income, _MISS)
        if income is _MISS:
            income = self._memo(m_income, raw_income, self._income)
        status = m_status.get(raw_status, _MISS)
        if status is _MISS:
            status = self._memo(m_status, raw_status, self._status)
        decile = m_decile.get(raw_decile, _MISS)
        if decile is _MISS:
            decile = self._memo(m_decile, raw_decile, self._decile)
        if occupation is _FAIL or income is _FAIL or status is _FAIL or decile is _FAIL:
            return None
        extreme_poor = m_flag.get(raw_poor) or self._memo(m_flag, raw_poor, self._flag)
        disability = m_flag.get(raw_disability) or self._memo(m_flag, raw_disability, self._flag)
        wage_earner = m_flag.get(raw_wage_earner) or self._memo(m_flag, raw_wage_earner, self._flag)
        consent = m_flag.get(raw_consent) or self._memo(m_flag, raw_consent, self._flag)
        if extreme_poor is _FAIL or disability is _FAIL or wage_earner is _FAIL or consent is _FAIL:
            return None
        consent_on = m_consent_on.get(raw_consent_on, _MISS)
        if consent_on is _MISS:
            consent_on = self._memo(m_consent_on, raw_consent_on, self._consent_date)
        if consent_on is _FAIL:
            return None

        warnings: list[tuple[str, str]] = []
        occupation_code, occupation_warning, kept_text = occupation
        if occupation_warning is not None:
            warnings.append(occupation_warning)
            if kept_text is not None and not specialisation:
                specialisation = kept_text
        if extreme_poor == "1" and not note and not decile[1]:
            warnings.append(
                ("miskin_ekstrem", "Tanda miskin ekstrem dari musyawarah desa sebaiknya disertai catatan musdes.")
            )
        staged = [
            nik, kk, name, sex, birth_place, born[0], address, rt, rw, hamlet, village, phone, occupation_code,
            specialisation, income, status, decile[0], extreme_poor, note, disability, wage_earner, consent,
            consent_on,
        ]  # fmt: skip
        return nik, staged, warnings
