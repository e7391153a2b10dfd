"""Scholarship schedules (RULES.md "Scholarships"; regulations-research.md §5; PP 82/2019, Permenaker 5/2021).

School year Y runs 1 July Y to 30 June Y+1; year 0 contains the event date. A child's level, grade, marriage and work
are those of year 0; ages are taken on 1 July of each school year, and a year is paid only while the child is under
`scholarship_age_limit` then. The projection assumes one grade a year from the current grade through PT 5, the
amount of each year being that of its level; a child not yet in school starts TK A in the school year that starts in
the calendar year the child turns 5 (year 0 if that is past; RULES.md default). Years per level and totals per
child and per case stay within their parameter caps.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from lindung.core.parameters import Parameters

from .model import DEFAULT_POLICY, Child, ChildSchedule, Level, Policy, QuoteError, ScholarshipYear

# Grades within each level (RULES.md): TK A-B, SD 1-6, SMP 1-3 (kelas 7-9), SMA 1-3 (kelas 10-12), PT 1-5.
GRADES: dict[Level, int] = {Level.TK: 2, Level.SD: 6, Level.SMP: 3, Level.SMA: 3, Level.PT: 5}
STAGES: tuple[tuple[Level, int], ...] = tuple(
    (level, grade) for level, count in GRADES.items() for grade in range(1, count + 1)
)
# The parameter rows for each level's amount and for the years each group of levels may be paid.
AMOUNT_ROW = {
    Level.TK: "scholarship_tk_sd_amount",
    Level.SD: "scholarship_tk_sd_amount",
    Level.SMP: "scholarship_smp_amount",
    Level.SMA: "scholarship_sma_amount",
    Level.PT: "scholarship_pt_amount",
}
MAX_YEARS_ROW = {
    Level.TK: "scholarship_tk_sd_max_years",
    Level.SD: "scholarship_tk_sd_max_years",
    Level.SMP: "scholarship_smp_max_years",
    Level.SMA: "scholarship_sma_max_years",
    Level.PT: "scholarship_pt_max_years",
}
SCHEDULE_ROWS = (
    *dict.fromkeys(AMOUNT_ROW.values()),
    *dict.fromkeys(MAX_YEARS_ROW.values()),
    "scholarship_age_limit",
    "scholarship_max_children",
    "scholarship_max_per_child",
    "scholarship_max_total",
    "scholarship_preschool_child",
)


def school_year_of(day: dt.date) -> int:
    """The calendar year in which the school year containing `day` starts (1 July)."""
    return day.year if day.month >= 7 else day.year - 1


def age_on(birth_date: dt.date, day: dt.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def first_of_july(school_year: int) -> dt.date:
    return dt.date(school_year, 7, 1)


def ineligibility(child: Child, year0: int, parameters: Parameters) -> tuple[str, str] | None:
    """Why a child cannot be chosen, as (Indonesian, English), or None: under the age limit on 1 July of year 0,
    unmarried, not working."""
    limit = parameters.integer("scholarship_age_limit")
    age = age_on(child.birth_date, first_of_july(year0))
    if age >= limit:
        return (
            f"{child.name} berumur {age} tahun pada 1 Juli {year0} (batas: di bawah {limit} tahun)",
            f"{child.name} is {age} years old on 1 July {year0} (limit: under {limit} years)",
        )
    if child.married:
        return f"{child.name} sudah menikah", f"{child.name} is married"
    if child.working:
        return f"{child.name} sudah bekerja", f"{child.name} is working"
    return None


def choose_children(
    children: Sequence[Child], chosen: Sequence[str] | None, year0: int, parameters: Parameters
) -> list[Child]:
    """The children who get a schedule: the named ones, or by default the eldest eligible, at most
    `scholarship_max_children`. Naming an unknown or ineligible child is an error."""
    most = parameters.integer("scholarship_max_children")
    if chosen:
        by_name = {child.name: child for child in children}
        if len(set(chosen)) != len(chosen):
            raise QuoteError(
                "invalid_input",
                "Nama anak yang dipilih tidak boleh berulang.",
                english="A chosen child cannot be named twice.",
            )
        if len(chosen) > most:
            raise QuoteError(
                "too_many_children",
                f"Paling banyak {most} anak dapat dipilih untuk beasiswa.",
                english=f"At most {most} children can be chosen for the scholarship.",
            )
        picked = []
        for name in chosen:
            if name not in by_name:
                raise QuoteError(
                    "unknown_child",
                    f"Anak yang dipilih tidak ada dalam daftar anak: {name}.",
                    english=f"The chosen child is not in the list of children: {name}.",
                )
            reason = ineligibility(by_name[name], year0, parameters)
            if reason:
                raise QuoteError(
                    "child_not_eligible",
                    f"Anak yang dipilih tidak memenuhi syarat beasiswa: {reason[0]}.",
                    english=f"The chosen child does not meet the scholarship conditions: {reason[1]}.",
                )
            picked.append(by_name[name])
        return picked
    eligible = [child for child in children if ineligibility(child, year0, parameters) is None]
    eligible.sort(key=lambda child: child.birth_date)  # stable: same birth date keeps the input order
    return eligible[:most]


def projected_schedule(
    child: Child, year0: int, parameters: Parameters, case_left: int, policy: Policy = DEFAULT_POLICY
) -> ChildSchedule:
    """The child's projected years, within the age limit, the years per level and the caps."""
    limit = parameters.integer("scholarship_age_limit")
    child_left = min(parameters.integer("scholarship_max_per_child"), case_left)
    if child.level is Level.NONE:
        first_stage, first_year = 0, max(year0, child.birth_date.year + policy.school_start_age)
    else:
        first_stage, first_year = STAGES.index((child.level, child.grade or 1)), year0  # grade checked by quote()
    years_used: dict[str, int] = {}
    years: list[ScholarshipYear] = []
    for offset, (level, grade) in enumerate(STAGES[first_stage:]):
        school_year = first_year + offset
        age = age_on(child.birth_date, first_of_july(school_year))
        if age >= limit:
            break
        group = MAX_YEARS_ROW[level]
        if years_used.get(group, 0) >= parameters.integer(group):
            continue
        amount = min(parameters.integer(AMOUNT_ROW[level]), child_left)
        if amount <= 0:
            break
        years_used[group] = years_used.get(group, 0) + 1
        child_left -= amount
        years.append(ScholarshipYear(school_year, level, grade, amount, age))
    return ChildSchedule(child.name, tuple(years))
