"""The pure ranking on hand-built villages, and properties of the order."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lindung.targeting.ranking import (
    Candidate,
    Override,
    OverrideKind,
    Rules,
    Status,
    age_on,
    evaluate,
    rank,
    select,
)

DAY = dt.date(2026, 11, 25)
RULES = Rules(reference_date=DAY, excluded_occupations=frozenset({5, 6, 7, *range(48, 64)}))
NOON = dt.datetime(2026, 1, 5, 12, 0, tzinfo=dt.UTC)


def worker(
    worker_id: int,
    *,
    nik: str | None = None,
    born: dt.date = dt.date(1980, 5, 1),
    income: int | None = 500_000,
    decile: int | None = 3,
    extreme_poor: bool = False,
    wage_earner: bool = False,
    occupation: int | None = 88,
    risk: str = "low",
    dependants: int = 0,
    registered: dt.datetime = NOON,
    resident: bool = True,
) -> Candidate:
    return Candidate(
        worker_id=worker_id,
        nik=nik or f"517103010180{worker_id:04d}",
        name=f"Pekerja {worker_id}",
        birth_date=born,
        monthly_income=income,
        decile=decile,
        extreme_poor=extreme_poor,
        is_wage_earner_member=wage_earner,
        occupation_code=occupation,
        occupation_risk=risk,
        dependants=dependants,
        registered_at=registered,
        resident=resident,
    )


def ids(placements) -> list[int]:
    return [p.candidate.worker_id for p in placements]


def niks(placements) -> list[str]:
    return [p.candidate.nik for p in placements]


# --- eligibility ---------------------------------------------------------------------------------


def test_age_on_counts_completed_years():
    assert age_on(dt.date(2008, 11, 25), DAY) == 18
    assert age_on(dt.date(2008, 11, 26), DAY) == 17
    assert age_on(dt.date(2004, 2, 29), dt.date(2026, 2, 28)) == 21
    assert age_on(dt.date(2004, 2, 29), dt.date(2026, 3, 1)) == 22


def test_evaluate_eligible_worker_has_no_failures():
    assert evaluate(worker(1), RULES) == ()


def test_evaluate_age_bounds_are_inclusive():
    assert evaluate(worker(1, born=dt.date(2008, 11, 25)), RULES) == ()  # 18 today
    assert evaluate(worker(1, born=dt.date(1960, 11, 26)), RULES) == ()  # 65, turns 66 tomorrow
    young = evaluate(worker(1, born=dt.date(2008, 11, 26)), RULES)
    old = evaluate(worker(1, born=dt.date(1960, 11, 25)), RULES)
    assert [f.code for f in young] == ["age_min"]
    assert "17 tahun" in young[0].reason and "minimal 18" in young[0].reason
    assert [f.code for f in old] == ["age_max"]
    assert "66 tahun" in old[0].reason and "maksimal 65" in old[0].reason


def test_evaluate_reports_every_failing_rule_with_its_reason():
    c = worker(
        1,
        born=dt.date(2010, 1, 1),
        income=1_000_000,
        wage_earner=True,
        occupation=6,
        resident=False,
    )
    failures = evaluate(c, RULES)
    assert [f.code for f in failures] == ["age_min", "resident", "wage_earner", "occupation", "income"]
    reasons = " ".join(f.reason for f in failures)
    assert "Penerima Upah" in reasons
    assert "Rp1.000.000 per bulan, tidak di bawah batas Rp1.000.000" in reasons
    assert "Pekerjaan 6" in reasons


def test_income_just_below_threshold_and_unknown_income_are_eligible():
    assert evaluate(worker(1, income=999_999), RULES) == ()
    assert evaluate(worker(1, income=None), RULES) == ()


def test_rules_from_settings_change_the_verdict():
    strict = Rules(reference_date=DAY, min_age=20, max_age=60, income_threshold=800_000)
    assert [f.code for f in evaluate(worker(1, born=dt.date(2007, 1, 1), income=900_000), strict)] == [
        "age_min",
        "income",
    ]


# --- priority ------------------------------------------------------------------------------------


def test_priority_follows_the_rules_md_default_order():
    a = worker(1, decile=4, extreme_poor=True)  # extreme-poor by deliberation beats any decile
    b = worker(2, decile=1)  # decile 1 is extreme-poor too; lower decile wins among them
    c = worker(3, decile=2, dependants=0)
    d = worker(4, decile=3, dependants=3)
    e = worker(5, decile=3, dependants=1, risk="high")
    f = worker(6, decile=3, dependants=1, risk="medium", born=dt.date(1970, 1, 1))
    g = worker(7, decile=3, dependants=1, risk="medium", born=dt.date(1990, 1, 1))
    h = worker(8, decile=None, dependants=5, risk="high")  # no decile: after every worker with one
    order = rank([h, g, f, e, d, c, b, a], RULES)
    assert ids_of(order) == [2, 1, 3, 4, 5, 6, 7, 8]


def ids_of(candidates) -> list[int]:
    return [c.worker_id for c in candidates]


def test_ties_go_down_to_registration_then_nik():
    early = worker(1, nik="5171030101800009", registered=NOON)
    late = worker(2, nik="5171030101800001", registered=NOON + dt.timedelta(seconds=1))
    same_a = worker(3, nik="5171030101800005", registered=NOON + dt.timedelta(days=1))
    same_b = worker(4, nik="5171030101800004", registered=NOON + dt.timedelta(days=1))
    assert ids_of(rank([same_a, late, same_b, early], RULES)) == [1, 2, 4, 3]


def test_select_explains_which_factor_decided_each_place():
    outcome = select([worker(2, decile=2), worker(1, decile=1), worker(3, decile=2, dependants=1)], RULES, 5)
    decided = {p.candidate.worker_id: p.decided_by for p in outcome.placements}
    assert decided == {1: "", 3: "extreme_poor", 2: "dependants"}
    first = outcome.placements[0]
    assert first.factors[0] == {"factor": "extreme_poor", "label": "Miskin ekstrem", "value": "ya (desil 1)"}
    values = {f["factor"]: f["value"] for f in outcome.placements[2].factors}
    assert values["decile"] == "2"
    assert values["dependants"] == "0 anak"
    assert values["age"].startswith("46 tahun")


def test_workers_without_a_decile_rank_after_every_decile_even_decile_ten():
    order = rank([worker(1, decile=None, dependants=9, risk="high"), worker(2, decile=10)], RULES)
    assert ids_of(order) == [2, 1]


def test_custom_priority_order_and_nik_always_last():
    rules = Rules(reference_date=DAY, priority_order=("dependants", "decile"))
    assert rules.order == ("dependants", "decile", "nik")
    order = rank([worker(1, decile=1), worker(2, decile=5, dependants=2)], rules)
    assert ids_of(order) == [2, 1]


def test_unknown_priority_factor_is_refused():
    with pytest.raises(ValueError, match="tidak dikenal"):
        Rules(reference_date=DAY, priority_order=("height",))


# --- quota and waiting list ----------------------------------------------------------------------


def test_quota_smaller_than_eligible_fills_quota_and_ranks_the_rest():
    village = [worker(i, decile=1 + i % 4, dependants=i % 3) for i in range(1, 11)]
    village.append(worker(99, income=2_000_000))
    outcome = select(village, RULES, 4)
    expected = ids_of(rank(village, RULES))
    assert ids(outcome.selected) == expected[:4]
    assert ids(outcome.waiting) == expected[4:]
    assert [p.position for p in outcome.selected] == [1, 2, 3, 4]
    assert [p.position for p in outcome.waiting] == [1, 2, 3, 4, 5, 6]
    assert ids(outcome.with_status(Status.INELIGIBLE)) == [99]
    assert outcome.with_status(Status.INELIGIBLE)[0].failures[0].code == "income"


def test_fewer_eligible_than_quota_selects_all_eligible_and_no_waiting_list():
    village = [worker(1), worker(2, decile=1), worker(3, born=dt.date(1950, 1, 1))]
    outcome = select(village, RULES, 100)
    assert ids(outcome.selected) == [2, 1]
    assert outcome.waiting == []
    assert ids(outcome.with_status(Status.INELIGIBLE)) == [3]


def test_quota_zero_puts_everyone_on_the_waiting_list():
    outcome = select([worker(1), worker(2)], RULES, 0)
    assert outcome.selected == [] and ids(outcome.waiting) == [1, 2]


# --- overrides -----------------------------------------------------------------------------------


def test_force_in_takes_a_seat_and_pushes_the_last_ranked_to_the_waiting_list():
    village = [worker(i, decile=i) for i in range(1, 6)]
    outcome = select(village, RULES, 3, [Override(5, OverrideKind.FORCE_IN, "Korban bencana, hasil musyawarah")])
    assert ids(outcome.selected) == [1, 2, 5]
    assert ids(outcome.waiting) == [3, 4]
    forced = next(p for p in outcome.placements if p.candidate.worker_id == 5)
    assert forced.override_reason == "Korban bencana, hasil musyawarah"
    assert forced.rank == 5  # the priority rank stays visible


def test_force_out_leaves_both_lists_and_the_next_moves_up():
    village = [worker(i, decile=i) for i in range(1, 6)]
    outcome = select(village, RULES, 2, [Override(1, OverrideKind.FORCE_OUT, "Sudah pindah kerja tetap")])
    assert ids(outcome.selected) == [2, 3]
    assert ids(outcome.waiting) == [4, 5]
    assert ids(outcome.with_status(Status.EXCLUDED)) == [1]


def test_force_in_beyond_quota_heads_the_waiting_list():
    village = [worker(i, decile=i) for i in range(1, 6)]
    overrides = [Override(i, OverrideKind.FORCE_IN, "musyawarah") for i in (3, 4, 5)]
    outcome = select(village, RULES, 2, overrides)
    assert ids(outcome.selected) == [3, 4]
    assert ids(outcome.waiting) == [5, 1, 2]
    assert outcome.waiting[0].notes


def test_override_on_an_ineligible_worker_changes_nothing():
    village = [worker(1), worker(2, wage_earner=True)]
    outcome = select(village, RULES, 5, [Override(2, OverrideKind.FORCE_IN, "diminta warga")])
    assert ids(outcome.selected) == [1]
    ineligible = outcome.with_status(Status.INELIGIBLE)[0]
    assert ineligible.notes and ineligible.failures[0].code == "wage_earner"


def test_override_without_reason_is_refused():
    with pytest.raises(ValueError, match="Alasan wajib"):
        Override(1, OverrideKind.FORCE_OUT, "   ")


# --- properties ----------------------------------------------------------------------------------

_BASE = dt.date(1955, 1, 1)


@st.composite
def villages(draw):
    n = draw(st.integers(min_value=0, max_value=40))
    niks = draw(st.lists(st.integers(min_value=1, max_value=9999), min_size=n, max_size=n, unique=True))
    people = []
    for i, serial in enumerate(niks):
        people.append(
            worker(
                i + 1,
                nik=f"51710301018{serial:05d}",
                born=_BASE + dt.timedelta(days=draw(st.integers(0, 365 * 60))),
                income=draw(st.sampled_from([None, 300_000, 999_999, 1_000_000, 1_500_000])),
                decile=draw(st.sampled_from([None, 1, 2, 3, 4, 5])),
                extreme_poor=draw(st.booleans()),
                wage_earner=draw(st.sampled_from([False, False, False, True])),
                occupation=draw(st.sampled_from([None, 6, 9, 11, 24, 88])),
                risk=draw(st.sampled_from(["high", "medium", "low"])),
                dependants=draw(st.integers(0, 3)),
                registered=NOON + dt.timedelta(hours=draw(st.integers(0, 5))),
            )
        )
    return people


def independent_order(people: list[Candidate]) -> list[int]:
    """RULES.md written out again, without the module under test: filter, then one sort per factor
    from the least significant to the most (Python's sort is stable)."""
    eligible = []
    for p in people:
        years = DAY.year - p.birth_date.year - ((DAY.month, DAY.day) < (p.birth_date.month, p.birth_date.day))
        if not 18 <= years <= 65 or p.is_wage_earner_member or not p.resident:
            continue
        if p.occupation_code in (5, 6, 7) or (p.occupation_code or 0) in range(48, 64):
            continue
        if p.monthly_income is not None and p.monthly_income >= 1_000_000:
            continue
        eligible.append(p)
    eligible.sort(key=lambda p: p.nik)
    eligible.sort(key=lambda p: p.registered_at)
    eligible.sort(key=lambda p: p.birth_date)
    eligible.sort(key=lambda p: {"high": 0, "medium": 1, "low": 2}[p.occupation_risk])
    eligible.sort(key=lambda p: p.dependants, reverse=True)
    eligible.sort(key=lambda p: 99 if p.decile is None else p.decile)
    eligible.sort(key=lambda p: not (p.decile == 1 or p.extreme_poor))
    return [p.worker_id for p in eligible]


@settings(max_examples=60, deadline=None)
@given(people=villages(), quota=st.integers(min_value=0, max_value=30), seed=st.integers(0, 2**32 - 1))
def test_selection_ignores_input_order_and_equals_first_k_of_an_independent_sort(people, quota, seed):
    # Registered in another order: other database ids, listed in another order.
    shuffled = list(people)
    random.Random(seed).shuffle(shuffled)
    shuffled = [replace(p, worker_id=1000 + i) for i, p in enumerate(shuffled)]
    first = select(people, RULES, quota)
    second = select(shuffled, RULES, quota)
    assert niks(first.selected) == niks(second.selected)
    assert niks(first.waiting) == niks(second.waiting)
    expected = independent_order(people)
    assert ids(first.selected) == expected[:quota]
    assert ids(first.waiting) == expected[quota:]
    assert len(first.placements) == len(people)


def test_risk_order_matches_the_registry_occupation_table():
    from lindung.registry.occupations import RISK_RANK as REGISTRY_RISK_RANK
    from lindung.targeting.ranking import RISK_RANK

    assert dict(RISK_RANK) == REGISTRY_RISK_RANK
