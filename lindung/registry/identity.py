"""NIK structure checks by RULES.md: what is an error, what is only a warning.

A fast path over precomputed code sets, because a bulk import checks a million NIKs; its verdicts are
tested against `lokal.parse_nik` (the reference implementation) in the test suite.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache

from django.utils.translation import gettext as _
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
        result.errors.append(_("The NIK must be 16 digits."))
        return result
    if nik[:2] not in _PROVINCES:
        result.errors.append(_("Province code %(code)s in the NIK is unknown.") % {"code": nik[:2]})
    elif nik[2:4] == "00" or nik[4:6] == "00":
        result.errors.append(_("The regency/city and district codes in the NIK cannot be 00."))
    else:
        regencies, districts = _known_codes()
        if nik[:4] not in regencies or nik[:6] not in districts:
            # Old NIKs keep the code of a district that has since been split or renamed.
            result.warnings.append(
                _(
                    "Region code %(code)s in the NIK is not in the latest Kemendagri data (perhaps an old code from "
                    "before a region was split)."
                )
                % {"code": f"{nik[:2]}.{nik[2:4]}.{nik[4:6]}"}
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
        result.errors.append(_("The birth date encoded in the NIK (digits 7-12) is impossible."))
        encoded_birth = None
    if nik[12:] == "0000":
        result.errors.append(_("The NIK serial number (last 4 digits) cannot be 0000."))
    if encoded_birth is not None:
        result.birth_date, result.sex = encoded_birth, encoded_sex
        if birth_date is not None and (birth_date.day, birth_date.month, birth_date.year % 100) != (
            encoded_birth.day,
            encoded_birth.month,
            encoded_birth.year % 100,
        ):
            result.warnings.append(
                _("Birth date %(stated)s differs from the one encoded in the NIK (%(encoded)s).")
                % {"stated": f"{birth_date:%d-%m-%Y}", "encoded": f"{encoded_birth:%d-%m-%y}"}
            )
        if sex is not None and sex != encoded_sex:
            result.warnings.append(_("Sex differs from the one encoded in the NIK (birth day +40 for women)."))
    return result


def mask_nik(nik: str) -> str:
    """`5171********0003`: region and serial stay readable for the operator, the birth date does not."""
    if len(nik) != 16:
        return "*" * len(nik)
    return f"{nik[:4]}{'*' * 8}{nik[12:]}"
