"""Property tests of the benefit engine against a small simulator written here from RULES.md (not from the code).

The simulator has its own table of amounts and its own projection: one grade a year from the grade of year 0
(TK A for a child not in school, in the school year starting in the calendar year the child turns 5, or year 0),
a year paid only while the child is under 23 on 1 July.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from lindung.benefits.engine import Child, CoverStatus, Event, EventType, Level, Member, Month, Transport, quote
from lindung.core.parameters import parameters_on

AMOUNT = {"TK": 1_500_000, "SD": 1_500_000, "SMP": 2_000_000, "SMA": 3_000_000, "PT": 12_000_000}  # PP 82/2019
LADDER = [("TK", 1), ("TK", 2)] + [("SD", g) for g in range(1, 7)] + [("SMP", g) for g in range(1, 4)]
LADDER += [("SMA", g) for g in range(1, 4)] + [("PT", g) for g in range(1, 6)]
PER_CHILD, PER_CASE, AGE_LIMIT = 87_000_000, 174_000_000, 23
PROPERTY_SETTINGS = settings(max_examples=100, deadline=None)


def age(born: dt.date, on: dt.date) -> int:
    years = on.year - born.year
    return years - 1 if (on.month, on.day) < (born.month, born.day) else years


def year_zero(day: dt.date) -> int:
    return day.year if day >= dt.date(day.year, 7, 1) else day.year - 1


def expected_schedule(child: Child, day: dt.date) -> list[tuple[int, str, int, int]]:
    y0 = year_zero(day)
    if child.level is Level.NONE:
        start, first_year = 0, max(y0, child.birth_date.year + 5)
    else:
        start, first_year = LADDER.index((child.level.value, child.grade)), y0
    out = []
    for step, (level, grade) in enumerate(LADDER[start:]):
        school_year = first_year + step
        if age(child.birth_date, dt.date(school_year, 7, 1)) >= AGE_LIMIT:
            break
        out.append((school_year, level, grade, AMOUNT[level]))
    return out


event_days = st.dates(dt.date(2020, 1, 1), dt.date(2032, 12, 31))
rarely = st.integers(0, 5).map(lambda n: n == 0)  # married or working: one child in six
stages = st.one_of(st.just(("none", None)), st.sampled_from(LADDER))


@st.composite
def children_for(draw, day: dt.date) -> list[Child]:
    out = []
    for index in range(draw(st.integers(0, 4))):
        level, grade = draw(stages)
        born = draw(st.dates(day - dt.timedelta(days=25 * 366), day))
        married, working = draw(rarely), draw(rarely)
        out.append(Child(f"anak-{index}", born, Level(level), grade, married, working))
    return out


@st.composite
def covered_cases(draw):
    day = draw(event_days)
    kind = draw(st.sampled_from([EventType.WORK_ACCIDENT_DEATH, EventType.TOTAL_PERMANENT_DISABILITY]))
    return kind, day, draw(children_for(day))


def covered_member(day: dt.date) -> Member:
    return Member(1_000_000, dt.date(2019, 12, 2), Month(day.year, day.month))


@PROPERTY_SETTINGS
@given(covered_cases())
def test_each_year_pays_the_table_amount_of_its_projected_level_under_23_within_the_caps(case):
    kind, day, children = case
    result = quote(Event(kind, day), covered_member(day), children, parameters_on(day))
    y0 = year_zero(day)
    eligible = [c for c in children if age(c.birth_date, dt.date(y0, 7, 1)) < AGE_LIMIT and not c.married]
    eligible = [c for c in eligible if not c.working]
    expected_names = [c.name for c in sorted(eligible, key=lambda c: c.birth_date)[:2]]
    assert [c.name for c in result.scholarship.children] == expected_names
    by_name = {c.name: c for c in children}
    for schedule in result.scholarship.children:
        got = [(y.school_year, y.level.value, y.grade, y.amount) for y in schedule.years]
        assert got == expected_schedule(by_name[schedule.name], day)
        for year in schedule.years:
            assert age(by_name[schedule.name].birth_date, dt.date(year.school_year, 7, 1)) < AGE_LIMIT
        assert schedule.total <= PER_CHILD
    assert result.scholarship.total <= PER_CASE
    assert result.scholarship.eligible is bool(expected_names)


def expected_status(start: dt.date, paid: Month, day: dt.date) -> CoverStatus:
    unpaid = (day.year * 12 + day.month) - (paid.year * 12 + paid.month)
    if day < start:
        return CoverStatus.BEFORE_START
    if unpaid >= 4:
        return CoverStatus.LAPSED
    if unpaid >= 1:
        return CoverStatus.ARREARS
    return CoverStatus.COVERED


@st.composite
def any_cases(draw):
    start = draw(st.dates(dt.date(2022, 7, 1), dt.date(2030, 12, 31)))
    paid_index = start.year * 12 + start.month - 2 + draw(st.integers(0, 30))  # from "nothing paid yet"
    paid = Month(paid_index // 12, paid_index % 12 + 1)
    day = start + dt.timedelta(days=draw(st.integers(-200, 1200)))
    kind = draw(st.sampled_from(list(EventType)))
    extra: dict = {}
    if kind is EventType.TEMPORARY_DISABILITY:
        extra["months_unable"] = draw(st.integers(0, 30))
    if kind is EventType.PARTIAL_DISABILITY:
        extra["disability_percent"] = draw(st.decimals(0, 100, places=1))
    if kind.is_work_accident:
        extra["medical_cost"] = draw(st.integers(0, 50_000_000))
        extra["transport"] = Transport(*(draw(st.integers(0, 15_000_000)) for _ in range(3)))
    income = draw(st.integers(1_000_000, 20_700_000))
    return Event(kind, day, **extra), Member(income, start, paid), draw(children_for(day))


@PROPERTY_SETTINGS
@given(any_cases())
def test_a_member_not_covered_gets_nothing_and_jkk_and_jkm_death_are_never_both_paid(case):
    event, member, children = case
    result = quote(event, member, children, parameters_on(event.date))
    status = expected_status(member.membership_start, member.paid_through, event.date)
    assert result.status is status
    codes = {line.code for line in result.benefits}
    assert not (codes & {"jkm_lump_sum", "jkm_periodic", "jkm_funeral"} and codes & {"jkk_death_lump_sum"})
    if status is not CoverStatus.COVERED:
        assert result.benefits == ()
        assert (result.masa_iur_months, result.cash_total, result.scholarship.total, result.grand_total) == (0,) * 4
        assert result.scholarship.eligible is False
    else:
        assert result.cash_total > 0 or event.type in (EventType.TEMPORARY_DISABILITY, EventType.PARTIAL_DISABILITY)
        assert all(line.amount >= 0 and line.rule for line in result.benefits)
        assert result.grand_total == result.cash_total + result.scholarship.total
