"""The civil-registry (Dukcapil) occupation list: 89 codes, their risk class and everyday synonyms.

Source
    Codes and names come from OpenSID's population import template ``FormatImporExcel.xlsm`` (release
    v2410.0.0, ``assets/import/``), sheet ``Kode Data``, column ``pekerjaan_id``: the same list printed on
    KTP and family cards and stored by OpenSID as ``pekerjaan_id``. Names are kept exactly as OpenSID
    writes them (upper case, with ``/`` and parentheses). The data lives in ``data/occupations.csv``,
    which is Lindung's own file; the template itself is not shipped.

Columns
    ``risk_class`` is copied from RULES.md ("Eligibility for the programme"): high -- 11, 13, 14, 21, 25,
    26, 27, 29, 35, 79, 81; medium -- 8, 9, 10, 12, 19, 20, 22, 23, 46, 84; low -- every other code.
    ``excluded`` is 1 for codes 5-7 and 48-63 (civil servants, soldiers, police and office holders, who
    have their own schemes and are never eligible).

ISCO mapping (``isco_major``, KBJI 2014 = ISCO-08 major group)
    The major group whose unit groups best describe the work the label names:

    - 0 armed forces: TNI. Police (POLRI) is 5 (ISCO 5412, protective services), not 0.
    - 1 managers, legislators, senior officials: DPR/DPD/DPRD members, BPK, president, ministers,
      ambassadors, governors, regents, mayors and their deputies (1111/1112); village head (1113).
    - 2 professionals: lecturers, teachers, doctors, pharmacists, psychologists, lawyers, notaries,
      architects, accountants, consultants, researchers, journalists, translators, broadcasters, artists,
      fashion designers, clergy (imam, pendeta, pastor: 2636), constitutional judges (2612).
    - 3 technicians and associate professionals: midwives and nurses (3222/3221, most Indonesian bidan and
      perawat hold a D3 diploma), pilots (3153), brokers, event promoters (3332), traditional healers and
      birth attendants (3230), denture makers (tukang gigi, 3214), stylists (3435), preachers and nuns
      (3413).
    - 4 clerical support: village staff (perangkat desa).
    - 5 services and sales: traders, barbers, hairdressers, beauticians, cooks, police, fortune-tellers.
    - 6 skilled agricultural, forestry and fishery: farmers, livestock keepers, fishers.
    - 7 craft and related trades: construction, masons, carpenters, electricians, welders, smiths,
      mechanics, tailors, shoe repairers.
    - 8 plant and machine operators, drivers: industry (factory operatives), transport (ojek), drivers,
      seafarers (ship deck crew, 8350).
    - 9 elementary occupations: day labourers, farm/fishery/livestock labourers, domestic helpers.
    - empty: the label names no occupation (1-4: not working, housekeeping, pupil, pensioner) or only an
      employer or status and not the work done (5 PNS, 15-18 private/state-company/honorary employees,
      88 self-employed, 89 other).

Synonyms
    Lower-case words villages write in spreadsheets, already in the normalised form used for matching (no
    punctuation, single spaces). A synonym that could mean two codes ("dukun", "swasta", "dprd", "penyiar",
    "suster", "lurah") is left out on purpose, so that :func:`match_occupation` returns ``None`` and the
    importer keeps the text as a free specialisation with a warning.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import NamedTuple

__all__ = [
    "RISK_RANK",
    "Occupation",
    "match_occupation",
    "normalise",
    "occupation_by_code",
    "occupations",
]

CSV_PATH = Path(__file__).resolve().parent / "data" / "occupations.csv"
COLUMNS = ("code", "name", "isco_major", "risk_class", "excluded", "synonyms")

RISK_RANK: dict[str, int] = {"high": 0, "medium": 1, "low": 2}


@dataclass(frozen=True)
class Occupation:
    code: int
    name: str
    isco_major: int | None
    risk_class: str
    excluded: bool
    synonyms: tuple[str, ...]


# Every ASCII character that is not a letter or a digit, plus common typographic punctuation, becomes a space.
_PUNCTUATION = (
    "".join(chr(c) for c in range(128) if not chr(c).isalnum()) + "\u2013\u2014\u2018\u2019\u201c\u201d\u00b7\u2022"
)
_TO_SPACE = str.maketrans(dict.fromkeys(_PUNCTUATION, " "))


def normalise(text: str) -> str:
    """Lower case, punctuation to spaces, runs of whitespace to one space, no leading/trailing space."""
    return " ".join(text.lower().translate(_TO_SPACE).split())


class _Index(NamedTuple):
    by_code: dict[int, Occupation]
    exact: dict[str, Occupation]  # raw cell text seen often (codes, official names, synonyms) -> occupation
    normalised: dict[str, Occupation]  # normalised name or synonym -> occupation


def _parse_row(row: dict[str, str], line: int) -> Occupation:
    try:
        code = int(row["code"])
        isco_text = row["isco_major"].strip()
        isco = int(isco_text) if isco_text else None
    except ValueError as exc:
        raise ValueError(f"{CSV_PATH.name}:{line}: {exc}") from exc
    risk = row["risk_class"]
    if risk not in RISK_RANK:
        raise ValueError(f"{CSV_PATH.name}:{line}: unknown risk_class {risk!r}")
    if row["excluded"] not in ("0", "1"):
        raise ValueError(f"{CSV_PATH.name}:{line}: excluded must be 0 or 1, not {row['excluded']!r}")
    if isco is not None and not 0 <= isco <= 9:
        raise ValueError(f"{CSV_PATH.name}:{line}: isco_major {isco} is not a major group 0-9")
    synonyms = tuple(s for s in row["synonyms"].split("|") if s)
    for synonym in synonyms:
        if normalise(synonym) != synonym:
            raise ValueError(f"{CSV_PATH.name}:{line}: synonym {synonym!r} is not in normalised form")
    return Occupation(
        code=code,
        name=row["name"],
        isco_major=isco,
        risk_class=risk,
        excluded=row["excluded"] == "1",
        synonyms=synonyms,
    )


@cache
def _index() -> _Index:
    by_code: dict[int, Occupation] = {}
    with CSV_PATH.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise ValueError(f"{CSV_PATH.name}: columns must be {','.join(COLUMNS)}")
        for line, row in enumerate(reader, start=2):
            occupation = _parse_row(row, line)
            if occupation.code in by_code:
                raise ValueError(f"{CSV_PATH.name}:{line}: code {occupation.code} appears twice")
            by_code[occupation.code] = occupation

    normalised: dict[str, Occupation] = {}
    for occupation in by_code.values():
        for key in (normalise(occupation.name), *occupation.synonyms):
            other = normalised.setdefault(key, occupation)
            if other.code != occupation.code:
                raise ValueError(f"{CSV_PATH.name}: {key!r} would match both {other.code} and {occupation.code}")

    exact: dict[str, Occupation] = {}
    for occupation in by_code.values():
        code = occupation.code
        for key in (str(code), f"{code}.0", f"{code},0", occupation.name, occupation.name.lower()):
            exact[key] = occupation
    for key, occupation in normalised.items():
        exact.setdefault(key, occupation)
        exact.setdefault(key.upper(), occupation)
        exact.setdefault(key.title(), occupation)
    return _Index(by_code=by_code, exact=exact, normalised=normalised)


def occupations() -> dict[int, Occupation]:
    """Every occupation by code (a fresh dict each call; the CSV itself is read only once)."""
    return dict(_index().by_code)


def occupation_by_code(code: int) -> Occupation | None:
    return _index().by_code.get(code)


def _split_code(key: str, index: _Index) -> Occupation | None:
    """``"24 tukang cukur"`` or ``"tukang cukur 24"``: the code and the name must agree."""
    head, _, rest = key.partition(" ")
    if head.isdigit():
        occupation = index.by_code.get(int(head))
        if rest.strip("0 ") == "":  # "24 0", "24 00": a number written as "24.0" or "24,00"
            return occupation
        return occupation if occupation is not None and index.normalised.get(rest) is occupation else None
    rest, _, tail = key.rpartition(" ")
    if tail.isdigit():
        occupation = index.by_code.get(int(tail))
        return occupation if occupation is not None and index.normalised.get(rest) is occupation else None
    return None


def match_occupation(text: str) -> Occupation | None:
    """The occupation a spreadsheet cell means, or ``None`` when nothing matches unambiguously.

    Accepts the code (``"24"``, ``"24.0"``), the official name in any case, spacing and punctuation
    (``"petani / pekebun"``), a synonym (``"pkl"``), or a code with its name (``"24 - TUKANG CUKUR"``,
    ``"24. Tukang Cukur"``); a code whose name disagrees (``"24 - PETANI"``) matches nothing.
    """
    index = _index()
    hit = index.exact.get(text)
    if hit is not None:
        return hit
    key = normalise(text)
    hit = index.normalised.get(key)
    if hit is not None or not key:
        return hit
    if key[0].isdigit() or key[-1].isdigit():
        return _split_code(key, index)
    return None
