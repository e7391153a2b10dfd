"""The shipped parameter table: effective dating as RULES.md describes (PP 44/2015 → PP 82/2019)."""

import datetime as dt

import pytest

from lindung.core.parameters import ParameterError, parameters_on


def test_jkm_amounts_changed_with_pp82_2019():
    # parameters.csv: Rp16.2m lump sum under PP 44/2015 until 2019-12-01, Rp20m from 2019-12-02.
    assert parameters_on(dt.date(2019, 12, 1)).integer("jkm_lump_sum") == 16_200_000
    assert parameters_on(dt.date(2019, 12, 2)).integer("jkm_lump_sum") == 20_000_000
    assert parameters_on(dt.date(2026, 11, 25)).row("jkm_lump_sum").regulation == "PP82/2019"


def test_discount_rows_are_dated():
    assert parameters_on(dt.date(2026, 3, 31)).has("relief_pp50_2025_factor_other") is False
    assert str(parameters_on(dt.date(2026, 4, 1)).decimal("relief_pp50_2025_factor_other")) == "0.5"
    assert parameters_on(dt.date(2027, 1, 1)).has("relief_pp50_2025_factor_other") is False


def test_non_numeric_value_is_an_error():
    with pytest.raises(ParameterError):
        parameters_on(dt.date(2026, 1, 1)).integer("jkk_medical_cap")
