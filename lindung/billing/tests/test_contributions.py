"""Monthly due: worked examples of regulations-research.md §2 and RULES.md "Contributions"."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lindung.billing.contributions import ContributionError, discount_allowed, monthly_due


def test_default_income_jkk_jkm_is_16800() -> None:
    due = monthly_due(1_000_000, "jkk_jkm", dt.date(2025, 5, 17))
    assert (due.jkk, due.jkm, due.jht, due.total) == (10_000, 6_800, 0, 16_800)
    assert due.month == dt.date(2025, 5, 1)
    assert "bpu_jkm_flat (PP44/2015)" in due.rules
    assert "bpu_jkk_rate (PP44/2015)" in due.rules
    assert not due.discounted


def test_default_income_with_jht_is_36800() -> None:
    due = monthly_due(1_000_000, "jkk_jkm_jht", dt.date(2025, 5, 1))
    assert (due.jkk, due.jkm, due.jht, due.total) == (10_000, 6_800, 20_000, 36_800)
    assert "bpu_jht_rate (PP46/2015)" in due.rules


def test_maximum_income_hits_caps() -> None:
    due = monthly_due(20_700_000, "jkk_jkm_jht", dt.date(2024, 1, 1))
    assert (due.jkk, due.jht) == (207_000, 414_000)


def test_income_rounded_down_to_whole_rupiah() -> None:
    assert monthly_due(1_234_567, "jkk_jkm", dt.date(2024, 1, 1)).jkk == 12_345


@pytest.mark.parametrize("income", [999_999, 20_700_001, 0])
def test_income_outside_bounds_is_refused(income: int) -> None:
    with pytest.raises(ContributionError):
        monthly_due(income, "jkk_jkm", dt.date(2024, 1, 1))


def test_unknown_package_is_refused() -> None:
    with pytest.raises(ContributionError):
        monthly_due(1_000_000, "jp", dt.date(2024, 1, 1))


def test_pp50_discount_only_april_to_december_2026() -> None:
    # regulations-research.md §2.2: Rp16,800 → Rp8,400; JHT is not discounted.
    months = [dt.date(2026, m, 1) for m in range(1, 13)]
    dues = [monthly_due(1_000_000, "jkk_jkm", m, discount=True).total for m in months]
    assert dues == [16_800] * 3 + [8_400] * 9
    # Example 6: 3 x 16,800 + 9 x 8,400 = Rp126,000 per worker for 2026.
    assert sum(dues) == 126_000
    assert monthly_due(1_000_000, "jkk_jkm", dt.date(2027, 1, 1), discount=True).total == 16_800
    with_jht = monthly_due(1_000_000, "jkk_jkm_jht", dt.date(2026, 6, 1), discount=True)
    assert (with_jht.jkk, with_jht.jkm, with_jht.jht) == (5_000, 3_400, 20_000)
    assert with_jht.discounted
    assert "relief_pp50_2025_factor_other (PP50/2025 Ps.4(1))" in with_jht.rules


def test_no_discount_when_not_allowed() -> None:
    assert monthly_due(1_000_000, "jkk_jkm", dt.date(2026, 6, 1)).total == 16_800


def test_transport_sector_discount_period() -> None:
    # Transport workers: Jan 2026 - Mar 2027; 12 x 8,400 = Rp100,800 for 2026 (Example 6).
    dues = [
        monthly_due(1_000_000, "jkk_jkm", dt.date(2026, m, 1), discount=True, transport_sector=True).total
        for m in range(1, 13)
    ]
    assert sum(dues) == 100_800
    assert monthly_due(1_000_000, "jkk_jkm", dt.date(2027, 3, 1), discount=True, transport_sector=True).total == 8_400
    assert monthly_due(1_000_000, "jkk_jkm", dt.date(2027, 4, 1), discount=True, transport_sector=True).total == 16_800


def test_discount_allowed_by_funder() -> None:
    assert not discount_allowed("apbd", apply_discount_for_apbdes=True)
    assert not discount_allowed("apbdes", apply_discount_for_apbdes=False)
    assert discount_allowed("apbdes", apply_discount_for_apbdes=True)
    assert discount_allowed("other", apply_discount_for_apbdes=False)


@settings(deadline=None)  # no time limit per example: the suite runs under load
@given(st.integers(1_000_000, 20_700_000), st.integers(2016, 2030), st.integers(1, 12))
def test_due_matches_formula(income: int, year: int, month: int) -> None:
    due = monthly_due(income, "jkk_jkm_jht", dt.date(year, month, 1))
    assert due.jkk == min(max(income // 100, 10_000), 207_000)
    assert due.jht == min(max(income * 2 // 100, 20_000), 414_000)
    assert due.jkm == 6_800
