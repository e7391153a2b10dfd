"""Every boundary of issue 6, with explicit dates (engine called directly; expected values by hand)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from lindung.benefits.engine import (
    Child,
    CoverStatus,
    Event,
    EventType,
    Level,
    Member,
    Month,
    Policy,
    QuoteError,
    quote,
)
from lindung.core.parameters import Parameters, parameters_on, read_rows

D = dt.date
EVENT_DAY = D(2026, 3, 10)  # school year 0 = 2025/2026; ages on 1 July 2025, 2026, ...
START = D(2022, 4, 1)


def member(start: dt.date, paid_through: str, income: int = 1_000_000) -> Member:
    return Member(income, start, Month(int(paid_through[:4]), int(paid_through[5:])))


def run(kind=EventType.DEATH, day=EVENT_DAY, start=START, paid="2026-03", children=(), chosen=None, **event):
    return quote(Event(kind, day, **event), member(start, paid), list(children), parameters_on(day), chosen)


def child(name: str, born: dt.date, level: str = "none", grade: int | None = None, **flags) -> Child:
    return Child(name, born, Level(level), grade, **flags)


def plan(result) -> dict[str, list[tuple[int, str, int, int]]]:
    return {
        c.name: [(y.school_year, y.level.value, y.grade, y.amount) for y in c.years]
        for c in result.scholarship.children
    }


# -- masa iur 35 vs 36 (JKM scholarship condition) -------------------------------------------------------------


def test_masa_iur_35_months_gives_no_scholarship_after_a_non_work_death():
    result = run(start=D(2023, 5, 1), children=[child("Ayu", D(2019, 1, 15), "SD", 1)])  # May 2023 - March 2026
    assert result.masa_iur_months == 35
    assert result.cash_total == 42_000_000
    assert result.scholarship.eligible is False
    assert result.scholarship.total == 0
    assert "35 bulan" in result.scholarship.reason


def test_masa_iur_36_months_gives_the_scholarship():
    result = run(start=D(2023, 4, 30), children=[child("Ayu", D(2019, 1, 15), "SD", 1)])  # April 2023 counts in full
    assert result.masa_iur_months == 36
    assert result.scholarship.eligible is True
    assert result.scholarship.total == 84_000_000


def test_months_prepaid_beyond_the_event_month_do_not_count():
    result = run(start=D(2023, 5, 1), paid="2026-12")
    assert result.masa_iur_months == 35


# -- unpaid months 3 vs 4, and the first unpaid month ----------------------------------------------------------


@pytest.mark.parametrize(
    ("paid_through", "status", "unpaid"),
    [
        ("2026-03", CoverStatus.COVERED, 0),
        ("2026-02", CoverStatus.ARREARS, 1),
        ("2025-12", CoverStatus.ARREARS, 3),
        ("2025-11", CoverStatus.LAPSED, 4),
        ("2024-01", CoverStatus.LAPSED, 26),
    ],
)
def test_unpaid_months_decide_arrears_and_lapse(paid_through, status, unpaid):
    result = run(EventType.WORK_ACCIDENT_DEATH, paid=paid_through, children=[child("Ayu", D(2019, 1, 15), "SD", 1)])
    assert result.status is status
    assert result.unpaid_months == unpaid
    if status is CoverStatus.COVERED:
        assert result.grand_total == 70_000_000 + 84_000_000
    else:
        assert (result.masa_iur_months, result.benefits, result.grand_total) == (0, (), 0)
        assert result.scholarship.children == ()
        assert "bpu_grace_months (Perdir 22/PERDIR.02/072022)" in result.scholarship.reason


def test_an_event_on_the_last_day_of_the_paid_month_is_covered_and_the_first_day_after_is_arrears():
    assert run(day=D(2026, 3, 31), paid="2026-03").status is CoverStatus.COVERED
    assert run(day=D(2026, 4, 1), paid="2026-03").status is CoverStatus.ARREARS


# -- the day before the start vs the start day -----------------------------------------------------------------


def test_the_day_before_the_start_is_before_start():
    result = run(day=D(2026, 3, 9), start=D(2026, 3, 10), paid="2026-03")
    assert result.status is CoverStatus.BEFORE_START
    assert (result.masa_iur_months, result.cash_total, result.grand_total) == (0, 0, 0)


def test_the_start_day_is_covered_with_one_month_of_masa_iur():
    result = run(day=D(2026, 3, 10), start=D(2026, 3, 10), paid="2026-03")
    assert result.status is CoverStatus.COVERED
    assert result.masa_iur_months == 1
    assert result.cash_total == 42_000_000  # no waiting period for JKM cash


def test_a_member_with_nothing_paid_yet_is_in_arrears_on_the_start_day():
    result = run(day=D(2026, 3, 10), start=D(2026, 3, 10), paid="2026-02")
    assert result.status is CoverStatus.ARREARS
    assert result.grand_total == 0


# -- a child turning 23 on 30 June vs 2 July -------------------------------------------------------------------


def test_a_child_turning_23_on_30_june_of_year_0_is_not_eligible():
    late = child("Made", D(2002, 6, 30), "PT", 3)  # 23 on 30 June 2025, so 23 on 1 July 2025
    result = run(EventType.WORK_ACCIDENT_DEATH, children=[late])
    assert result.scholarship.eligible is False
    assert result.scholarship.children == ()
    with pytest.raises(QuoteError) as raised:
        run(EventType.WORK_ACCIDENT_DEATH, children=[late], chosen=["Made"])
    assert raised.value.code == "child_not_eligible"
    assert "23 tahun pada 1 Juli 2025" in raised.value.message


def test_a_child_turning_23_on_2_july_of_year_0_gets_year_0_only():
    result = run(EventType.WORK_ACCIDENT_DEATH, children=[child("Made", D(2002, 7, 2), "PT", 3)])  # 22 on 1 July 2025
    assert plan(result) == {"Made": [(2025, "PT", 3, 12_000_000)]}


def test_turning_23_on_30_june_vs_2_july_of_a_later_year():
    june = run(EventType.WORK_ACCIDENT_DEATH, children=[child("Nyoman", D(2004, 6, 30), "PT", 1)])
    july = run(EventType.WORK_ACCIDENT_DEATH, children=[child("Nyoman", D(2004, 7, 2), "PT", 1)])
    # 23 on 30 June 2027: school year 2027 is not paid; 23 on 2 July 2027: 22 on 1 July 2027, so it is.
    assert plan(june) == {"Nyoman": [(2025, "PT", 1, 12_000_000), (2026, "PT", 2, 12_000_000)]}
    assert plan(july)["Nyoman"][-1] == (2027, "PT", 3, 12_000_000)
    assert july.scholarship.total == 36_000_000


# -- PT grade 4 at year 0 --------------------------------------------------------------------------------------


def test_pt_grade_4_at_year_0_is_paid_for_grades_4_and_5_only():
    result = run(EventType.TOTAL_PERMANENT_DISABILITY, children=[child("Ketut", D(2005, 9, 1), "PT", 4)])
    assert plan(result) == {"Ketut": [(2025, "PT", 4, 12_000_000), (2026, "PT", 5, 12_000_000)]}
    assert result.scholarship.total == 24_000_000


def test_grades_already_passed_are_not_paid():
    result = run(EventType.TOTAL_PERMANENT_DISABILITY, children=[child("Luh", D(2011, 8, 1), "SMP", 3)])
    assert plan(result)["Luh"][:2] == [(2025, "SMP", 3, 2_000_000), (2026, "SMA", 1, 3_000_000)]


# -- a pre-school child -----------------------------------------------------------------------------------------

PRESCHOOL_87M = [(2028, "TK", 1), (2029, "TK", 2)] + [(2029 + g, "SD", g) for g in range(1, 7)]
PRESCHOOL_87M += [(2035 + g, "SMP", g) for g in range(1, 4)] + [(2038 + g, "SMA", g) for g in range(1, 4)]
PRESCHOOL_87M += [(2041 + g, "PT", g) for g in range(1, 6)]


def test_a_pre_school_child_starts_tk_a_in_the_school_year_of_the_calendar_year_they_turn_5():
    # Born September 2023: turns 5 in September 2028, so TK A in 2028/2029 (aged 4 on 1 July 2028); 22 on 1 July 2046.
    result = run(EventType.WORK_ACCIDENT_DEATH, children=[child("Kadek", D(2023, 9, 1))])
    years = plan(result)["Kadek"]
    assert [(year, level, grade) for year, level, grade, _ in years] == PRESCHOOL_87M
    assert result.scholarship.total == 87_000_000  # 8 x 1.5m + 3 x 2m + 3 x 3m + 5 x 12m: the per-child maximum


def test_a_pre_school_child_born_in_march_is_23_before_the_fifth_pt_year():
    # Born March 2023: TK A in 2028/2029 too, but 23 on 1 July 2046, so PT 5 (2046/2047) is not paid.
    result = run(EventType.WORK_ACCIDENT_DEATH, children=[child("Kadek", D(2023, 3, 1))])
    assert plan(result)["Kadek"][-1] == (2045, "PT", 4, 12_000_000)
    assert result.scholarship.total == 75_000_000


def test_a_child_not_in_school_past_school_age_starts_tk_a_in_year_0():
    result = run(EventType.WORK_ACCIDENT_DEATH, children=[child("Komang", D(2019, 5, 1))])  # turned 5 in 2024
    assert plan(result)["Komang"][:3] == [(2025, "TK", 1, 1_500_000), (2026, "TK", 2, 1_500_000),
                                          (2027, "SD", 1, 1_500_000)]  # fmt: skip


def test_an_event_in_july_starts_year_0_that_july():
    result = run(
        EventType.WORK_ACCIDENT_DEATH,
        day=D(2026, 7, 1),
        paid="2026-07",
        children=[child("Ayu", D(2019, 1, 15), "SD", 2)],
    )
    assert plan(result)["Ayu"][0] == (2026, "SD", 2, 1_500_000)


# -- more than two children -------------------------------------------------------------------------------------

FAMILY = [
    child("Putu", D(2012, 2, 1), "SMP", 2),
    child("Wayan", D(2003, 8, 1), "PT", 4, married=True),
    child("Kadek", D(2016, 6, 1), "SD", 4),
    child("Made", D(2002, 5, 1), "PT", 5),  # 23 on 1 July 2025
    child("Nyoman", D(2021, 1, 1)),
    child("Gede", D(2008, 10, 1), "SMA", 2, working=True),
]


def test_the_default_is_the_two_eldest_eligible_children():
    result = run(EventType.WORK_ACCIDENT_DEATH, children=FAMILY)
    assert [c.name for c in result.scholarship.children] == ["Putu", "Kadek"]


def test_the_chosen_children_replace_the_default():
    result = run(EventType.WORK_ACCIDENT_DEATH, children=FAMILY, chosen=["Nyoman", "Kadek"])
    assert [c.name for c in result.scholarship.children] == ["Nyoman", "Kadek"]
    assert plan(result)["Nyoman"][0] == (2026, "TK", 1, 1_500_000)  # turns 5 in 2026


@pytest.mark.parametrize(
    ("chosen", "code"),
    [
        (["Putu", "Wayan"], "child_not_eligible"),  # married
        (["Gede"], "child_not_eligible"),  # working
        (["Made"], "child_not_eligible"),  # 23
        (["Putu", "Kadek", "Nyoman"], "too_many_children"),
        (["Ketut"], "unknown_child"),
    ],
)
def test_choosing_an_ineligible_unknown_or_third_child_is_an_error(chosen, code):
    with pytest.raises(QuoteError) as raised:
        run(EventType.WORK_ACCIDENT_DEATH, children=FAMILY, chosen=chosen)
    assert raised.value.code == code


def test_an_ineligible_choice_is_an_error_even_when_the_case_pays_no_scholarship():
    with pytest.raises(QuoteError):
        run(EventType.DEATH, start=D(2025, 1, 1), children=FAMILY, chosen=["Wayan"])


# -- work accident vs non-work, floors and caps from the rows ---------------------------------------------------


def test_jkk_death_is_at_least_the_jkm_lump_sum():
    day = EVENT_DAY
    rows = [replace(row, value="60000000") if row.name == "jkm_lump_sum" else row for row in read_rows()]
    result = quote(
        Event(EventType.WORK_ACCIDENT_DEATH, day), member(D(2022, 4, 1), "2026-03"), [], Parameters(rows, day)
    )
    assert result.benefits[0].code == "jkk_death_lump_sum"
    assert result.benefits[0].amount == 60_000_000  # the floor, above 48 x Rp1,000,000


def test_stmb_months_at_the_switch_from_100_to_50_percent():
    twelve = run(EventType.TEMPORARY_DISABILITY, months_unable=12)
    thirteen = run(EventType.TEMPORARY_DISABILITY, months_unable=13)
    assert [(line.code, line.amount) for line in twelve.benefits] == [("jkk_stmb_first", 12_000_000)]
    assert [(line.code, line.amount) for line in thirteen.benefits] == [
        ("jkk_stmb_first", 12_000_000),
        ("jkk_stmb_after", 500_000),
    ]


def test_amounts_are_those_in_force_on_the_event_date():
    # PP 44/2015 amounts until 1 December 2019: Rp16.2m + 24 x Rp200,000 + Rp3m; STMB 100% for 6 months.
    old = run(day=D(2019, 6, 10), start=D(2018, 1, 1), paid="2019-06")
    assert [(line.code, line.amount) for line in old.benefits] == [
        ("jkm_lump_sum", 16_200_000),
        ("jkm_periodic", 4_800_000),
        ("jkm_funeral", 3_000_000),
    ]
    assert old.benefits[0].rule == "jkm_lump_sum (PP44/2015)"
    assert old.scholarship.eligible is False


def test_a_sum_of_cents_is_rounded_down_per_line():
    result = quote(
        Event(EventType.TEMPORARY_DISABILITY, EVENT_DAY, months_unable=13),
        member(D(2022, 4, 1), "2026-03", income=1_000_001),
        [],
        parameters_on(EVENT_DAY),
    )
    # 12 x 1,000,001 = 12,000,012; 1 x 50% x 1,000,001 = 500,000.5 -> 500,000
    assert [line.amount for line in result.benefits] == [12_000_012, 500_000]


def test_parameters_of_another_day_are_refused():
    with pytest.raises(ValueError, match="parameters are those of"):
        quote(Event(EventType.DEATH, EVENT_DAY), member(D(2022, 4, 1), "2026-03"), [], parameters_on(D(2026, 1, 1)))


def test_a_parameter_source_function_is_asked_for_the_event_date():
    result = quote(Event(EventType.DEATH, EVENT_DAY), member(D(2022, 4, 1), "2026-03"), [], parameters_on)
    assert result.cash_total == 42_000_000


# -- the RULES.md defaults are settings ------------------------------------------------------------------------


def test_an_administrator_may_cover_events_in_arrears_but_never_after_a_lapse():
    covered = Policy(arrears_covered=True)
    day, start = EVENT_DAY, START
    in_arrears = quote(Event(EventType.DEATH, day), member(start, "2025-12"), [], parameters_on(day), policy=covered)
    assert (in_arrears.status, in_arrears.masa_iur_months, in_arrears.cash_total) == (
        CoverStatus.COVERED,
        45,
        42_000_000,
    )
    lapsed = quote(Event(EventType.DEATH, day), member(start, "2025-11"), [], parameters_on(day), policy=covered)
    assert (lapsed.status, lapsed.grand_total) == (CoverStatus.LAPSED, 0)


def test_an_administrator_may_move_the_school_start_age():
    kadek = child("Kadek", D(2023, 9, 1))
    result = quote(
        Event(EventType.WORK_ACCIDENT_DEATH, EVENT_DAY),
        member(START, "2026-03"),
        [kadek],
        parameters_on(EVENT_DAY),
        policy=Policy(school_start_age=6),
    )
    assert plan(result)["Kadek"][0] == (2029, "TK", 1, 1_500_000)
