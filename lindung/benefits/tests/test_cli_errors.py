"""`lindung quote-benefits`: invalid input exits 2 with `{"error": {"code", "message"}}`, the message in Indonesian."""

from __future__ import annotations

import pytest

from .conftest import run_quote
from .payloads import changed


def error_of(payload) -> dict:
    code, result = run_quote(payload)
    assert code == 2
    assert set(result) == {"error"}
    assert set(result["error"]) == {"code", "message"}
    return result["error"]


@pytest.mark.parametrize(
    ("payload", "code", "words"),
    [
        (changed(event__type="banjir"), "unknown_event_type", "Jenis peristiwa tidak dikenal"),
        (changed(member__declared_income=999_999), "income_out_of_range", "di luar batas Rp1.000.000"),
        (changed(member__declared_income=20_700_001), "income_out_of_range", "sampai Rp20.700.000"),
        (changed(member__declared_income="1000000"), "invalid_input", "bilangan bulat"),
        (changed(event__date="2026-02-30"), "invalid_date", "YYYY-MM-DD"),
        (changed(event__date="10-03-2026"), "invalid_date", "YYYY-MM-DD"),
        (changed(event__date="20260310"), "invalid_date", "YYYY-MM-DD"),
        (changed(member__paid_through="2026-13"), "invalid_date", "YYYY-MM"),
        (changed(member__paid_through="2026-03-31"), "invalid_date", "YYYY-MM"),
        (changed(children__0__birth_date="15/01/2019"), "invalid_date", "children[0].birth_date"),
        (changed(event__date=KeyError), "invalid_input", "event.date wajib diisi"),
        (changed(member=KeyError), "invalid_input", "member wajib diisi"),
        (changed(event__months_unabel=3), "invalid_input", "Kolom tidak dikenal di event: months_unabel"),
        (changed(children__0__level="SMK"), "invalid_input", "children[0].level tidak dikenal"),
        (changed(children__0__grade=7), "invalid_child", "kelas SD harus 1 sampai 6"),
        (changed(children__0__grade=None), "invalid_child", "kelas SD harus 1 sampai 6"),
        (changed(children__1__name="Ayu"), "invalid_child", "nama yang berbeda"),
        (changed(chosen_children=["Wayan"]), "child_not_eligible", "Wayan sudah bekerja"),
        (changed(chosen_children=["Putu"]), "unknown_child", "Putu"),
        (changed(event__medical_cost=500_000), "not_work_accident", "hanya diganti untuk kecelakaan kerja"),
        (changed(event__type="temporary_disability"), "invalid_input", "months_unable"),
        (changed(event__type="partial_disability"), "invalid_input", "disability_percent"),
        (
            changed(event__type="partial_disability", event__disability_percent=120),
            "invalid_input",
            "persentase 0 sampai 100",
        ),
        (changed(member__paid_through="2022-02"), "invalid_member", "lebih awal"),
    ],
)
def test_invalid_input_exits_2_with_an_indonesian_message(payload, code, words):
    error = error_of(payload)
    assert error["code"] == code
    assert words in error["message"]


def test_not_json_at_all():
    assert error_of("{event: death}")["code"] == "invalid_json"


def test_a_missing_file(tmp_path):
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError

    out = StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("quote-benefits", "--input", str(tmp_path / "tidak-ada.json"), "--json", stdout=out)
    assert raised.value.returncode == 2
    assert '"file_not_found"' in out.getvalue()


def test_income_at_both_ends_of_the_range_is_accepted():
    assert run_quote(changed(member__declared_income=1_000_000))[0] == 0
    code, result = run_quote(changed(member__declared_income=20_700_000, event__type="work_accident_death"))
    assert code == 0
    assert result["benefits"][0] == {
        "code": "jkk_death_lump_sum",
        "amount": 993_600_000,  # 48 x 20,700,000
        "rule": "jkk_death_multiplier (PP82/2019 Lamp.); jkk_death_floor (PP82/2019 Lamp.); jkm_lump_sum (PP82/2019)",
    }


def test_an_event_before_the_rows_exist_is_refused_by_name():
    # parameters.csv has the JKK death multiplier only from PP 82/2019 (2 December 2019).
    error = error_of(
        changed(
            event__type="work_accident_death",
            event__date="2019-06-10",
            member__membership_start="2018-01-01",
            member__paid_through="2019-06",
            children=[],
        )
    )
    assert error["code"] == "parameters_missing"
    assert "jkk_death_multiplier" in error["message"]
