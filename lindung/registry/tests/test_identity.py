"""NIK checks by RULES.md, cross-checked against lokal-id's parser (an independent implementation)."""

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st
from lokal import parse_nik
from lokal.wilayah import wilayah_name

from lindung.registry.identity import check_nik, mask_nik

TODAY = dt.date(2026, 11, 25)


def test_check_nik_valid_woman_of_tegal_harum_district():
    verdict = check_nik("5171034508900003", today=TODAY)
    assert verdict.ok and not verdict.warnings
    assert (verdict.birth_date, verdict.sex) == (dt.date(1990, 8, 5), "P")


def test_check_nik_errors_per_rules():
    assert check_nik("517103450890000", today=TODAY).errors  # 15 digits
    assert check_nik("51710345089000x3", today=TODAY).errors
    assert any("provinsi" in e for e in check_nik("9971034508900003", today=TODAY).errors)
    assert any("tidak mungkin" in e for e in check_nik("5171033102900003", today=TODAY).errors)  # 31 Feb
    assert any("0000" in e for e in check_nik("5171034508900000", today=TODAY).errors)


def test_check_nik_unknown_district_is_only_a_warning():
    verdict = check_nik("5171994508900003", today=TODAY)  # Denpasar has no district 99
    assert verdict.ok
    assert any("pemekaran" in w for w in verdict.warnings)


def test_check_nik_stated_birth_date_or_sex_differing_is_a_warning():
    verdict = check_nik("5171034508900003", birth_date=dt.date(1990, 8, 6), sex="L", today=TODAY)
    assert verdict.ok
    assert len(verdict.warnings) == 2


def test_mask_nik_hides_birth_date():
    assert mask_nik("5171034508900003") == "5171********0003"


@settings(max_examples=400, deadline=None)
@given(
    st.sampled_from(["51", "52", "31", "99", "11", "94"]),
    st.integers(0, 99),
    st.integers(0, 99),
    st.integers(0, 79),
    st.integers(0, 14),
    st.integers(0, 99),
    st.integers(0, 9999),
)
def test_check_nik_agrees_with_lokal_parse_nik(pp, kk, cc, dd, mm, yy, serial):
    nik = f"{pp}{kk:02d}{cc:02d}{dd:02d}{mm:02d}{yy:02d}{serial:04d}"
    mine = check_nik(nik, today=TODAY)
    reference = parse_nik(nik, lookup_wilayah=wilayah_name, reference_date=TODAY)
    assert mine.ok == reference.valid
    if reference.valid:
        assert bool(mine.warnings) == bool(reference.warnings)
        assert mine.birth_date.isoformat() == reference.birth_date
        assert mine.sex == reference.gender
