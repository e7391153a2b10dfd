"""regulations-research.md §9, examples 1-5, through `lindung quote-benefits --json`.

Every expected number is typed from the worked examples (declared income Rp1,000,000, JKK+JKM, no lapse, normal
school progression, school year from July), never computed by the engine. The dates are chosen to match them:
the event is on 10 March 2026, so year 0 is the school year 2025/2026 and ages are taken on 1 July 2025, 2026, ...
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys

from .conftest import run_quote

MEMBER_48_MONTHS = {"declared_income": 1_000_000, "membership_start": "2022-04-01", "paid_through": "2026-03"}
CHILD_A = {"name": "Ayu", "birth_date": "2019-01-15", "level": "SD", "grade": 1, "married": False, "working": False}
CHILD_B = {"name": "Bagus", "birth_date": "2010-02-20", "level": "SMA", "grade": 1, "married": False, "working": False}
EXAMPLE_1 = {
    "event": {"type": "death", "date": "2026-03-10"},
    "member": MEMBER_48_MONTHS,
    "children": [CHILD_A, CHILD_B],
}


def years(child: dict) -> list[tuple[int, str, int, int]]:
    return [(y["school_year"], y["level"], y["grade"], y["amount"]) for y in child["years"]]


def benefit_amounts(result: dict) -> dict[str, int]:
    return {line["code"]: line["amount"] for line in result["benefits"]}


def schedule(first_year: int, plan: list[tuple[str, int, int, int]]) -> list[tuple[int, str, int, int]]:
    """Expand (level, first grade, number of years, amount) rows of a worked-example table into school years."""
    out, year = [], first_year
    for level, grade, count, amount in plan:
        for step in range(count):
            out.append((year, level, grade + step, amount))
            year += 1
    return out


# Example 1, child A (aged 6, SD grade 1): years 0-5 SD 1.5m, 6-8 SMP 2m, 9-11 SMA 3m, 12-16 PT 12m = Rp84,000,000.
CHILD_A_YEARS = schedule(2025, [("SD", 1, 6, 1_500_000), ("SMP", 1, 3, 2_000_000), ("SMA", 1, 3, 3_000_000),
                                ("PT", 1, 5, 12_000_000)])  # fmt: skip
# Child B (aged 15, SMA grade 10 = SMA 1): years 0-2 SMA 3m, 3-7 PT 12m = Rp69,000,000.
CHILD_B_YEARS = schedule(2025, [("SMA", 1, 3, 3_000_000), ("PT", 1, 5, 12_000_000)])


def test_example_1_non_work_death_after_four_years():
    code, result = run_quote(EXAMPLE_1)
    assert code == 0
    assert result["status"] == "covered"
    assert result["masa_iur_months"] == 48
    assert benefit_amounts(result) == {
        "jkm_lump_sum": 20_000_000,
        "jkm_periodic": 12_000_000,
        "jkm_funeral": 10_000_000,
    }
    assert result["cash_total"] == 42_000_000
    scholarship = result["scholarship"]
    assert scholarship["eligible"] is True
    by_name = {child["name"]: child for child in scholarship["children"]}
    assert years(by_name["Ayu"]) == CHILD_A_YEARS
    assert by_name["Ayu"]["total"] == 84_000_000
    assert years(by_name["Bagus"]) == CHILD_B_YEARS
    assert by_name["Bagus"]["total"] == 69_000_000
    assert scholarship["total"] == 153_000_000
    assert result["grand_total"] == 195_000_000


def test_example_1_every_line_names_its_rows_and_regulation():
    _, result = run_quote(EXAMPLE_1)
    rules = {line["code"]: line["rule"] for line in result["benefits"]}
    assert rules == {
        "jkm_lump_sum": "jkm_lump_sum (PP82/2019)",
        "jkm_periodic": "jkm_periodic_total (PP82/2019)",
        "jkm_funeral": "jkm_funeral (PP82/2019)",
    }
    assert "jkm_scholarship_min_contrib_period (PP82/2019;Permenaker5/2021)" in result["scholarship"]["reason"]


def test_example_1_variant_child_b_in_smp_grade_9_loses_the_fifth_pt_year_at_23():
    payload = copy.deepcopy(EXAMPLE_1)
    payload["children"][1].update(level="SMP", grade=3)
    _, result = run_quote(payload)
    bagus = next(child for child in result["scholarship"]["children"] if child["name"] == "Bagus")
    # SMP 2m, SMA 9m, PT in years 4-7 (ages 19-22) 48m; the 5th PT year falls at 23: Rp59,000,000.
    assert years(bagus) == schedule(
        2025, [("SMP", 3, 1, 2_000_000), ("SMA", 1, 3, 3_000_000), ("PT", 1, 4, 12_000_000)]
    )
    assert bagus["total"] == 59_000_000


def test_example_1_variant_child_a_still_in_tk_b_adds_one_tk_year():
    # "If the child were still in TK B, add one TK year: 7 TK/SD years, total Rp85.5m" - for the fifth PT year to be
    # paid the child must be 5 on 1 July 2025 (a 6-year-old in TK B would be 23 in that year).
    payload = copy.deepcopy(EXAMPLE_1)
    payload["children"][0].update(birth_date="2020-01-15", level="TK", grade=2)
    _, result = run_quote(payload)
    ayu = next(child for child in result["scholarship"]["children"] if child["name"] == "Ayu")
    assert years(ayu)[0] == (2025, "TK", 2, 1_500_000)
    assert sum(1 for year in years(ayu) if year[1] in ("TK", "SD")) == 7
    assert ayu["total"] == 85_500_000


def test_example_1_with_masa_iur_under_36_months_pays_only_the_cash():
    payload = copy.deepcopy(EXAMPLE_1)
    payload["member"]["membership_start"] = "2023-05-01"  # May 2023 - March 2026 = 35 months
    code, result = run_quote(payload)
    assert code == 0
    assert result["masa_iur_months"] == 35
    assert result["cash_total"] == 42_000_000
    scholarship = result["scholarship"]
    assert (scholarship["eligible"], scholarship["children"], scholarship["total"]) == (False, [], 0)
    assert "masa iur 35 bulan" in scholarship["reason"]
    assert result["grand_total"] == 42_000_000


def test_example_2_work_accident_death():
    payload = copy.deepcopy(EXAMPLE_1)
    payload["event"]["type"] = "work_accident_death"
    code, result = run_quote(payload)
    assert code == 0
    assert benefit_amounts(result) == {
        "jkk_death_lump_sum": 48_000_000,
        "jkk_periodic": 12_000_000,
        "jkk_funeral": 10_000_000,
    }  # JKM is not paid on top
    assert result["cash_total"] == 70_000_000
    assert result["scholarship"]["total"] == 153_000_000
    assert result["grand_total"] == 223_000_000
    death_rule = next(line["rule"] for line in result["benefits"] if line["code"] == "jkk_death_lump_sum")
    assert (
        death_rule
        == "jkk_death_multiplier (PP82/2019 Lamp.); jkk_death_floor (PP82/2019 Lamp.); jkm_lump_sum (PP82/2019)"
    )


def test_example_2_work_accident_death_needs_no_three_years():
    payload = copy.deepcopy(EXAMPLE_1)
    payload["event"]["type"] = "work_accident_death"
    payload["member"]["membership_start"] = "2026-03-01"  # masa iur 1 month
    _, result = run_quote(payload)
    assert result["masa_iur_months"] == 1
    assert result["scholarship"]["eligible"] is True
    assert result["scholarship"]["total"] == 153_000_000


def test_example_2_with_medical_and_transport_before_death():
    payload = copy.deepcopy(EXAMPLE_1)
    payload["event"].update(type="work_accident_death", medical_cost=7_250_000, transport={"land": 800_000})
    _, result = run_quote(payload)
    assert benefit_amounts(result)["jkk_medical"] == 7_250_000
    assert benefit_amounts(result)["jkk_transport_land"] == 800_000
    assert result["cash_total"] == 70_000_000 + 7_250_000 + 800_000


STMB_14_MONTHS = {
    "event": {"type": "temporary_disability", "date": "2026-03-10", "months_unable": 14},
    "member": MEMBER_48_MONTHS,
    "children": [CHILD_A, CHILD_B],
}


def test_example_3_fourteen_months_unable_to_work():
    code, result = run_quote(STMB_14_MONTHS)
    assert code == 0
    # months 1-12: 12 x 100% x Rp1,000,000 = Rp12,000,000; months 13-14: 2 x 50% x Rp1,000,000 = Rp1,000,000.
    assert benefit_amounts(result) == {"jkk_stmb_first": 12_000_000, "jkk_stmb_after": 1_000_000}
    assert result["cash_total"] == 13_000_000
    assert result["scholarship"]["eligible"] is False
    assert result["scholarship"]["children"] == []
    assert result["grand_total"] == 13_000_000


def test_example_3_plus_medical_without_cap_and_land_transport_up_to_5m():
    payload = copy.deepcopy(STMB_14_MONTHS)
    payload["event"].update(medical_cost=95_000_000, transport={"land": 6_500_000, "sea": 1_000_000, "air": 12_000_000})
    _, result = run_quote(payload)
    amounts = benefit_amounts(result)
    assert amounts["jkk_medical"] == 95_000_000  # as billed, no cap
    assert amounts["jkk_transport_land"] == 5_000_000  # cap Rp5m
    assert amounts["jkk_transport_sea"] == 1_000_000  # under the Rp2m cap
    assert amounts["jkk_transport_air"] == 10_000_000  # cap Rp10m
    assert result["cash_total"] == 13_000_000 + 95_000_000 + 5_000_000 + 1_000_000 + 10_000_000


def test_example_4_total_permanent_disability():
    payload = copy.deepcopy(EXAMPLE_1)
    payload["event"]["type"] = "total_permanent_disability"
    code, result = run_quote(payload)
    assert code == 0
    assert benefit_amounts(result) == {"jkk_total_permanent_disability": 56_000_000, "jkk_periodic": 12_000_000}
    assert result["cash_total"] == 68_000_000
    assert result["scholarship"]["eligible"] is True  # 2 children, no minimum period
    assert len(result["scholarship"]["children"]) == 2
    assert result["scholarship"]["total"] == 153_000_000
    assert result["grand_total"] == 221_000_000


def test_example_5_partial_anatomic_disability_hypothetical_ten_percent():
    payload = {
        "event": {"type": "partial_disability", "date": "2026-03-10", "disability_percent": 10},
        "member": MEMBER_48_MONTHS,
        "children": [CHILD_A],
    }
    _, result = run_quote(payload)
    assert benefit_amounts(result) == {"jkk_partial_disability": 8_000_000}  # 10% x 80 x Rp1,000,000
    assert result["benefits"][0]["rule"] == "jkk_partial_anatomic_formula (PP82/2019 Lamp.)"
    assert result["scholarship"]["eligible"] is False


def test_partial_loss_of_function_rounds_down():
    payload = {
        "event": {
            "type": "partial_disability",
            "date": "2026-03-10",
            "disability_percent": 12.5,
            "function_loss_percent": 33.3,
        },
        "member": {"declared_income": 1_234_567, "membership_start": "2022-04-01", "paid_through": "2026-03"},
    }
    _, result = run_quote(payload)
    # 33.3% x 12.5% x 80 x 1,234,567 = 4,111,108.11 -> Rp4,111,108 (rounded down)
    assert benefit_amounts(result) == {"jkk_partial_disability": 4_111_108}
    assert result["benefits"][0]["rule"] == "jkk_partial_function_formula (PP82/2019 Lamp.)"


def test_the_installed_console_script_reads_stdin_and_exits_0_or_2():
    ok = subprocess.run(
        [sys.executable, "-m", "lindung", "quote-benefits", "--input", "-", "--json"],
        input=json.dumps(EXAMPLE_1),
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["grand_total"] == 195_000_000
    bad = copy.deepcopy(EXAMPLE_1)
    bad["event"]["type"] = "flood"
    failed = subprocess.run(
        [sys.executable, "-m", "lindung", "quote-benefits", "--input", "-", "--json"],
        input=json.dumps(bad),
        capture_output=True,
        text=True,
        check=False,
    )
    assert failed.returncode == 2
    assert json.loads(failed.stdout)["error"]["code"] == "unknown_event_type"


def test_input_from_a_file_and_text_output(tmp_path):
    from io import StringIO

    from django.core.management import call_command

    path = tmp_path / "kematian.json"
    path.write_text(json.dumps(EXAMPLE_1), encoding="utf-8")
    out = StringIO()
    call_command("quote-benefits", "--input", str(path), "--json", stdout=out)
    assert json.loads(out.getvalue())["grand_total"] == 195_000_000
    text = StringIO()
    call_command("quote-benefits", "--input", str(path), stdout=text)
    assert "Total keseluruhan: Rp195.000.000" in text.getvalue()
