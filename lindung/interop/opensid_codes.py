"""OpenSID's code tables for the population columns Lindung reads, and their text labels.

Source: OpenSID's population import template ``FormatImporExcel.xlsm`` (release v2410.0.0, ``assets/import/``),
sheet ``Kode Data``. Only the tables Lindung uses are copied, as plain facts (code -> label); the occupation
table (``pekerjaan_id``) is the registry's own (`lindung.registry.occupations`). A cell may hold the code
(``4``, ``"4"``, ``4.0``) or the label in any case and spacing (``"anak"``, ``"SEDANG SD/SEDERAJAT"``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from lindung.registry.occupations import normalise

SEX = {1: "LAKI-LAKI", 2: "PEREMPUAN"}
KK_LEVEL = {
    1: "KEPALA KELUARGA", 2: "SUAMI", 3: "ISTRI", 4: "ANAK", 5: "MENANTU", 6: "CUCU", 7: "ORANGTUA",
    8: "MERTUA", 9: "FAMILI LAIN", 10: "PEMBANTU", 11: "LAINNYA",
}  # fmt: skip
STATUS_KAWIN = {1: "BELUM KAWIN", 2: "KAWIN", 3: "CERAI HIDUP", 4: "CERAI MATI"}
STATUS_DASAR = {1: "HIDUP", 2: "MATI", 3: "PINDAH", 4: "HILANG", 6: "PERGI", 9: "TIDAK VALID"}
PENDIDIKAN_SEDANG = {
    1: "BELUM MASUK TK/KELOMPOK BERMAIN", 2: "SEDANG TK/KELOMPOK BERMAIN", 3: "TIDAK PERNAH SEKOLAH",
    4: "SEDANG SD/SEDERAJAT", 5: "TIDAK TAMAT SD/SEDERAJAT", 6: "SEDANG SLTP/SEDERAJAT", 7: "SEDANG SLTA/SEDERAJAT",
    8: "SEDANG D-1/SEDERAJAT", 9: "SEDANG D-2/SEDERAJAT", 10: "SEDANG D-3/SEDERAJAT", 11: "SEDANG S-1/SEDERAJAT",
    12: "SEDANG S-2/SEDERAJAT", 13: "SEDANG S-3/SEDERAJAT", 14: "SEDANG SLB A/SEDERAJAT",
    15: "SEDANG SLB B/SEDERAJAT", 16: "SEDANG SLB C/SEDERAJAT",
    17: "TIDAK DAPAT MEMBACA DAN MENULIS HURUF LATIN/ARAB", 18: "TIDAK SEDANG SEKOLAH",
}  # fmt: skip
CACAT = {
    1: "CACAT FISIK", 2: "CACAT NETRA/BUTA", 3: "CACAT RUNGU/WICARA", 4: "CACAT MENTAL/JIWA",
    5: "CACAT FISIK DAN MENTAL", 6: "CACAT LAINNYA", 7: "TIDAK CACAT",
}  # fmt: skip

#: ``pendidikan_sedang_id`` -> the scholarship level (README of the interop folder): "SLB" when the level
#: comes from the child's age, "" when the child is not in school.
SCHOOL_LEVEL = {1: "", 2: "TK", 3: "", 4: "SD", 5: "", 6: "SMP", 7: "SMA", 8: "PT", 9: "PT", 10: "PT", 11: "PT",
                12: "PT", 13: "PT", 14: "SLB", 15: "SLB", 16: "SLB", 17: "", 18: ""}  # fmt: skip

#: Age on 1 July of the school year at which a child is in grade 1 of each level, and the level's last grade
#: (RULES.md "Grades": TK 1-2, SD 1-6, SMP 1-3, SMA 1-3, PT 1-5; SD starts at 7 by Permendikbud 1/2021).
GRADE_ONE_AGE = {"TK": (5, 2), "SD": (7, 6), "SMP": (13, 3), "SMA": (16, 3), "PT": (19, 5)}

#: Occupation codes of people who are not working (not working, housekeeping, pupil/student, pensioner).
NOT_WORKING = frozenset({1, 3, 4})
DAILY_LABOUR = frozenset({19, 20, 21, 22})
SELF_EMPLOYED = frozenset({88})


class CodeError(ValueError):
    """A cell that is neither a code of the table nor one of its labels."""


def _index(table: dict[int, str]) -> dict[str, int]:
    return {normalise(label): code for code, label in table.items()}


_LABELS = {id(t): _index(t) for t in (SEX, KK_LEVEL, STATUS_KAWIN, STATUS_DASAR, PENDIDIKAN_SEDANG, CACAT)}
_SEX_EXTRA = {"l": 1, "p": 2, "laki laki": 1, "lk": 1, "pr": 2, "wanita": 2, "pria": 1}


def code_of(raw: Any, table: dict[int, str], *, label: str) -> int | None:
    """The code a cell means, ``None`` for an empty cell; :class:`CodeError` (Indonesian) otherwise."""
    if raw is None:
        return None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, int) and not isinstance(raw, bool):
        if raw in table:
            return raw
        raise CodeError(f"kode {raw} tidak ada dalam tabel {label} OpenSID.")
    text = str(raw).strip()
    if not text:
        return None
    key = normalise(text)
    if key.isdigit() and int(key) in table:
        return int(key)
    if key.endswith(" 0") and key[:-2].isdigit() and int(key[:-2]) in table:  # "4.0"
        return int(key[:-2])
    code = _LABELS[id(table)].get(key)
    if code is None and table is SEX:
        code = _SEX_EXTRA.get(key)
    if code is None:
        raise CodeError(f"'{text}' bukan kode atau label {label} OpenSID.")
    return code


def age_on(born: dt.date, day: dt.date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def school_year_start(today: dt.date) -> dt.date:
    """1 July of the school year containing `today` (RULES.md: a school year runs 1 July to 30 June)."""
    return dt.date(today.year if today.month >= 7 else today.year - 1, 7, 1)


def level_by_age(age: int) -> str:
    """The level a child of this age (on 1 July) is normally in: for special schools (SLB A/B/C)."""
    if age < 7:
        return "TK"
    if age < 13:
        return "SD"
    if age < 16:
        return "SMP"
    if age < 19:
        return "SMA"
    return "PT"


def estimated_grade(level: str, born: dt.date, today: dt.date) -> int | None:
    """The grade a child of this age is normally in, kept within the level (the export records no grade)."""
    if level not in GRADE_ONE_AGE:
        return None
    first_age, last = GRADE_ONE_AGE[level]
    age = age_on(born, school_year_start(today))
    return min(max(age - first_age + 1, 1), last)
