"""NIK structure checks by RULES.md: what is an error, what is only a warning.

A fast path over precomputed code sets, because a bulk import checks a million NIKs; its verdicts are
tested against `lokal.parse_nik` (the reference implementation) in the test suite.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache

from lokal import PROVINCES
from lokal import wilayah as _wilayah


@dataclass
class NikCheck:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    birth_date: dt.date | None = None
    sex: str | None = None  # "L" or "P"

    @property
    def ok(self) -> bool:
        return not self.errors


@cache
def _known_codes() -> tuple[frozenset[str], frozenset[str]]:
    """Regency (4-digit) and district (6-digit) codes in the current Kemendagri data, without dots."""
    regencies: set[str] = set()
    districts: set[str] = set()
    for code in _wilayah._base():
        parts = code.split(".")
        if len(parts) == 2:
            regencies.add("".join(parts))
        elif len(parts) == 3:
            districts.add("".join(parts))
    return frozenset(regencies), frozenset(districts)


_PROVINCES = frozenset(PROVINCES)


def check_nik(
    nik: str,
    *,
    birth_date: dt.date | None = None,
    sex: str | None = None,
    today: dt.date | None = None,
) -> NikCheck:
    """Check a cleaned 16-character NIK; compare its encoded birth date and sex with the stated ones."""
    result = NikCheck()
    if len(nik) != 16 or not nik.isdigit() or not nik.isascii():
        result.errors.append("NIK harus terdiri dari 16 digit angka.")
        return result
    if nik[:2] not in _PROVINCES:
        result.errors.append(f"Kode provinsi {nik[:2]} pada NIK tidak dikenal.")
    elif nik[2:4] == "00" or nik[4:6] == "00":
        result.errors.append("Kode kabupaten/kota dan kecamatan pada NIK tidak boleh 00.")
    else:
        regencies, districts = _known_codes()
        if nik[:4] not in regencies or nik[:6] not in districts:
            # Old NIKs keep the code of a district that has since been split or renamed.
            result.warnings.append(
                f"Kode wilayah {nik[:2]}.{nik[2:4]}.{nik[4:6]} pada NIK tidak ada di data Kemendagri terbaru "
                "(mungkin kode lama sebelum pemekaran)."
            )
    day, month, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    encoded_sex = "P" if day > 40 else "L"
    if day > 40:
        day -= 40
    ref = today or dt.date.today()  # noqa: DTZ011 - a calendar date, not an instant
    year = 2000 + yy if yy <= ref.year % 100 else 1900 + yy
    try:
        encoded_birth = dt.date(year, month, day)
    except ValueError:
        result.errors.append("Tanggal lahir yang tersandi dalam NIK (digit 7-12) tidak mungkin.")
        encoded_birth = None
    if nik[12:] == "0000":
        result.errors.append("Nomor urut NIK (4 digit terakhir) tidak boleh 0000.")
    if encoded_birth is not None:
        result.birth_date, result.sex = encoded_birth, encoded_sex
        if birth_date is not None and (birth_date.day, birth_date.month, birth_date.year % 100) != (
            encoded_birth.day,
            encoded_birth.month,
            encoded_birth.year % 100,
        ):
            result.warnings.append(
                f"Tanggal lahir {birth_date:%d-%m-%Y} berbeda dengan yang tersandi di NIK ({encoded_birth:%d-%m-%y})."
            )
        if sex is not None and sex != encoded_sex:
            result.warnings.append(
                "Jenis kelamin berbeda dengan yang tersandi di NIK (tanggal lahir +40 untuk perempuan)."
            )
    return result


def mask_nik(nik: str) -> str:
    """`5171********0003`: region and serial stay readable for the operator, the birth date does not."""
    if len(nik) != 16:
        return "*" * len(nik)
    return f"{nik[:4]}{'*' * 8}{nik[12:]}"
