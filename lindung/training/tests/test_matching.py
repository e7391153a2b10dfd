"""The pure matching on hand-built cases; every expected order below was written by hand from the rules in
the module docstring, not produced by the code."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from lindung.training.matching import Candidate, MatchKind, Target, match_kind, rank

BARBERS = Target(region_code="51.71", occupation_codes=frozenset({24}), keywords=("cukur",), skill_key="pangkas rambut")


def person(
    key: str,
    nik: str,
    *,
    village: str = "51.71.03.2008",
    code: int | None = 24,
    spec: str = "",
    decile: int | None = 3,
    flagged: bool = False,
    income: int | None = 900_000,
    trained: frozenset[str] = frozenset(),
) -> Candidate:
    return Candidate(
        worker_id=int(nik[-4:]),
        nik=nik,
        name=key,
        village_code=village,
        occupation_code=code,
        specialisation=spec,
        decile=decile,
        extreme_poor=flagged,
        monthly_income=income,
        trained_skills=trained,
    )


# The village of Tegal Harum, a second Denpasar village, Badung, and a code that only looks like a prefix.
CASES = [
    person("F-no-decile", "5171030101900001", decile=None, income=100_000),
    person("A-barber-d3", "5171030101900020", decile=3, income=900_000),
    person("B-keyword-d3", "5171030101900010", code=19, spec="Tukang CUKUR keliling", decile=3, income=900_000),
    person("T1-income-unknown", "5171030101900050", decile=3, income=None),
    person("T2-income-unknown", "5171030101900040", decile=3, income=None),
    person("K-trained-other-skill", "5171030101900060", decile=5, income=100_000, trained=frozenset({"menjahit"})),
    person("E-d2", "5171010101900070", village="51.71.01.1001", decile=2, income=1_200_000),
    person("C-flag-no-decile", "5171030101900080", decile=None, flagged=True, income=400_000),
    person("C2-flag-d4", "5171030101900090", decile=4, flagged=True, income=300_000),
    person("D-d1", "5171030101900100", decile=1, income=500_000),
    person("G-farmer", "5171030101900110", code=9, spec="sawah", decile=1),
    person("H-badung-barber", "5103050101900120", village="51.03.05.2001", decile=1),
    person("I-look-alike-prefix", "5171030101900130", village="51.711.01.1001", decile=1),
    person("J-already-trained", "5171030101900140", decile=1, trained=frozenset({"pangkas rambut"})),
    person("N-no-occupation-no-spec", "5171030101900150", code=None, decile=1),
]

# By hand: extreme poor first (D: decile 1; C2: flag, decile 4; C: flag, no decile -> D, C2, C), then decile 2 (E),
# decile 3 with income 900k (A by occupation before B by keyword, although B's NIK is smaller), decile 3 with
# unknown income (T2 before T1 by NIK), decile 5 (K: a different skill does not exclude), no decile last (F).
EXPECTED = [
    "D-d1",
    "C2-flag-d4",
    "C-flag-no-decile",
    "E-d2",
    "A-barber-d3",
    "B-keyword-d3",
    "T2-income-unknown",
    "T1-income-unknown",
    "K-trained-other-skill",
    "F-no-decile",
]


def test_hand_built_order_and_exclusions():
    ranking = rank(CASES, BARBERS)
    assert [m.candidate.name for m in ranking.matches] == EXPECTED
    assert [m.position for m in ranking.matches] == list(range(1, 11))
    assert [c.name for c in ranking.already_trained] == ["J-already-trained"]
    left_out = {c.name for c in CASES} - set(EXPECTED) - {"J-already-trained"}
    assert left_out == {"G-farmer", "H-badung-barber", "I-look-alike-prefix", "N-no-occupation-no-spec"}


def test_match_kinds():
    by_name = {m.candidate.name: m.kind for m in rank(CASES, BARBERS).matches}
    assert by_name["A-barber-d3"] is MatchKind.OCCUPATION
    assert by_name["B-keyword-d3"] is MatchKind.KEYWORD


def test_keyword_is_case_insensitive_substring_and_blank_keywords_match_nothing():
    target = Target(region_code="51.71", occupation_codes=frozenset(), keywords=("Pangkas", " "), skill_key="x")
    service = person("a", "5171030101900001", code=None, spec="jasa pangkas rambut")
    assert match_kind(service, target) is MatchKind.KEYWORD
    assert match_kind(person("b", "5171030101900002", code=None, spec="PANGKAS"), target) is MatchKind.KEYWORD
    assert match_kind(person("c", "5171030101900003", code=24, spec=""), target) is None  # code 24 is not targeted
    assert match_kind(person("d", "5171030101900004", code=None, spec="tukang kayu"), target) is None


def test_occupation_match_wins_over_keyword_when_both_apply():
    both = person("both", "5171030101900001", code=24, spec="cukur")
    assert match_kind(both, BARBERS) is MatchKind.OCCUPATION


def test_region_itself_and_district_prefix():
    district = Target(region_code="51.71.03", occupation_codes=frozenset({24}), keywords=(), skill_key="x")
    inside = person("in", "5171030101900001", village="51.71.03.2008")
    other_district = person("out", "5171010101900002", village="51.71.01.1001")
    assert [m.candidate.name for m in rank([inside, other_district], district).matches] == ["in"]


@settings(max_examples=30, deadline=None)
@given(st.randoms(use_true_random=False))
def test_order_does_not_depend_on_input_order(rnd: random.Random):
    shuffled = list(CASES)
    rnd.shuffle(shuffled)
    assert [m.candidate.name for m in rank(shuffled, BARBERS).matches] == EXPECTED
