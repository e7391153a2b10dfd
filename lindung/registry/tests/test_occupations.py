"""The Dukcapil occupation list shipped as data, and matching spreadsheet text to it."""

from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lindung.registry.occupations import (
    CSV_PATH,
    RISK_RANK,
    match_occupation,
    normalise,
    occupation_by_code,
    occupations,
)

# Copied by hand from RULES.md, "Eligibility for the programme" -- do not derive from the CSV.
HIGH_RISK = {11, 13, 14, 21, 25, 26, 27, 29, 35, 79, 81}
MEDIUM_RISK = {8, 9, 10, 12, 19, 20, 22, 23, 46, 84}
EXCLUDED = {5, 6, 7, *range(48, 64)}

OPENSID_TEMPLATE = Path(__file__).resolve().parents[3].parent / "shared/interop/opensid/FormatImporExcel.xlsm"


def test_exactly_the_89_codes():
    assert sorted(occupations()) == list(range(1, 90))
    assert all(code == occupation.code for code, occupation in occupations().items())


def test_csv_has_the_documented_columns():
    with CSV_PATH.open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    assert header == ["code", "name", "isco_major", "risk_class", "excluded", "synonyms"]


def test_risk_classes_are_those_of_the_rules():
    expected = {
        code: "high" if code in HIGH_RISK else "medium" if code in MEDIUM_RISK else "low" for code in range(1, 90)
    }
    assert {code: occupation.risk_class for code, occupation in occupations().items()} == expected


def test_exclusions_are_civil_servants_soldiers_police_and_office_holders():
    assert {code for code, occupation in occupations().items() if occupation.excluded} == EXCLUDED


def test_risk_rank_sorts_high_first():
    assert sorted(["low", "high", "medium"], key=RISK_RANK.__getitem__) == ["high", "medium", "low"]


def test_isco_major_groups():
    by_code = occupations()
    assert all(o.isco_major is None or 0 <= o.isco_major <= 9 for o in by_code.values())
    assert [by_code[code].isco_major for code in (1, 2, 3, 4)] == [None, None, None, None]
    assert by_code[6].isco_major == 0
    assert by_code[9].isco_major == 6
    assert by_code[19].isco_major == 9
    assert by_code[24].isco_major == 5
    assert by_code[26].isco_major == 7
    assert by_code[81].isco_major == 8


@pytest.mark.parametrize(
    ("code", "name"),
    [
        (1, "BELUM/TIDAK BEKERJA"),
        (5, "PEGAWAI NEGERI SIPIL (PNS)"),
        (9, "PETANI/PEKEBUN"),
        (11, "NELAYAN/PERIKANAN"),
        (24, "TUKANG CUKUR"),
        (29, "TUKANG LAS/PANDAI BESI"),
        (48, "ANGGOTA DPR-RI"),
        (81, "SOPIR"),
        (84, "PEDAGANG"),
        (88, "WIRASWASTA"),
        (89, "LAINNYA"),
    ],
)
def test_known_names(code, name):
    occupation = occupation_by_code(code)
    assert occupation is not None
    assert occupation.name == name


def test_unknown_code():
    assert occupation_by_code(0) is None
    assert occupation_by_code(90) is None


@pytest.mark.skipif(not OPENSID_TEMPLATE.exists(), reason="OpenSID template not available")
def test_names_are_those_of_the_opensid_template():
    openpyxl = pytest.importorskip("openpyxl")
    workbook = openpyxl.load_workbook(OPENSID_TEMPLATE, read_only=True, data_only=True)
    rows = workbook["Kode Data"].iter_rows(values_only=True)
    column = next(rows).index("pekerjaan_id")
    template = {int(row[column + 1]): row[column] for row in rows if row[column + 1] is not None}
    workbook.close()
    assert {code: occupation.name for code, occupation in occupations().items()} == template


def test_no_synonym_maps_to_two_codes():
    keys = Counter()
    for occupation in occupations().values():
        keys.update({normalise(occupation.name), *occupation.synonyms})
    assert [key for key, count in keys.items() if count > 1] == []


def test_synonyms_are_lower_case_and_normalised():
    for occupation in occupations().values():
        for synonym in occupation.synonyms:
            assert synonym == normalise(synonym), (occupation.code, synonym)


def test_every_synonym_matches_its_own_code():
    for occupation in occupations().values():
        for synonym in occupation.synonyms:
            assert match_occupation(synonym) == occupation, synonym


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Tukang cukur", 24),
        ("PETANI", 9),
        (" petani/pekebun ", 9),
        ("Petani / Pekebun", 9),
        ("24", 24),
        ("24.0", 24),
        (" 9 ", 9),
        ("24 - TUKANG CUKUR", 24),
        ("24. Tukang Cukur", 24),
        ("TUKANG CUKUR (24)", 24),
        ("pkl", 84),
        ("Pedagang Kaki Lima", 84),
        ("Ojek", 14),
        ("sopir", 81),
        ("SUPIR", 81),
        ("Buruh Harian Lepas", 19),
        ("buruh tani", 20),
        ("Nelayan", 11),
        ("Pegawai Negeri Sipil (PNS)", 5),
        ("pns", 5),
        ("Anggota DPR-RI", 48),
        ("Ibu Rumah Tangga", 2),
        ("Wiraswasta", 88),
    ],
)
def test_match_messy_inputs(text, code):
    occupation = match_occupation(text)
    assert occupation is not None
    assert occupation.code == code


@pytest.mark.parametrize(
    "text",
    ["astronot", "", "   ", "-", "0", "90", "24.5", "24 - PETANI", "9 tukang cukur", "swasta", "dukun"],
)
def test_no_match(text):
    assert match_occupation(text) is None


@st.composite
def mangled_names(draw):
    code = draw(st.integers(min_value=1, max_value=89))
    name = occupations()[code].name
    out = [" " * draw(st.integers(0, 3))]
    for char in name:
        if char in " /-()":
            out.append(" " * draw(st.integers(0, 3)) + char + " " * draw(st.integers(0, 3)))
        else:
            out.append(char.lower() if draw(st.booleans()) else char)
    out.append(" " * draw(st.integers(0, 3)))
    return code, "".join(out)


@given(mangled_names())
def test_official_names_round_trip_through_case_and_spacing(case):
    code, text = case
    occupation = match_occupation(text)
    assert occupation is not None, text
    assert occupation.code == code
