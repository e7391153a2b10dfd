"""Which registered workers a training programme should invite, and in which order.

Pure Python on plain data (no Django), so the rule is tested on hand-built cases and the database only
has to deliver the candidates (``selectors.programme_candidates`` loads them in one query).

A worker **matches** a programme when all of these hold:

1. they live in the programme's region: their village code equals the region code or starts with it
   followed by a dot (``51.71`` covers ``51.71.03.2008``, never ``51.710…`` or ``51.03…``);
2. their occupation code is one of the targeted codes, **or** their specialisation contains one of the
   programme's keywords (case-insensitive substring: keyword ``cukur`` matches ``Cukur rambut anak``);
3. they are not already trained in the programme's skill: no enrolment with status *enrolled* or
   *completed* in a programme whose skill key is the same (this programme included). Such workers are
   reported separately, so the page can say how many were left out and why.

Matches are **ordered** by, in turn:

1. extreme poor first (decile 1 or the village deliberation's extreme-poor flag);
2. decile, lowest first; a worker without a decile comes after every worker with one;
3. monthly income, lowest first; unknown income after every known income;
4. how they matched: occupation code before keyword only;
5. NIK ascending (unique nation-wide, so the order is total and never depends on input order).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

__all__ = ["Candidate", "Match", "MatchKind", "Ranking", "Target", "match_kind", "rank", "sort_key"]


class MatchKind(StrEnum):
    OCCUPATION = "occupation"
    KEYWORD = "keyword"


@dataclass(frozen=True)
class Target:
    """What a programme looks for."""

    region_code: str
    occupation_codes: frozenset[int]
    keywords: tuple[str, ...]
    skill_key: str


@dataclass(frozen=True)
class Candidate:
    """One registered worker as the matching sees them."""

    worker_id: int
    nik: str
    name: str
    village_code: str
    occupation_code: int | None
    specialisation: str
    decile: int | None
    extreme_poor: bool
    monthly_income: int | None
    #: skill keys of the programmes this worker is enrolled in or has completed
    trained_skills: frozenset[str] = field(default_factory=frozenset)

    @property
    def is_extreme_poor(self) -> bool:
        return self.decile == 1 or self.extreme_poor


@dataclass(frozen=True)
class Match:
    candidate: Candidate
    kind: MatchKind
    position: int  # 1-based rank


@dataclass(frozen=True)
class Ranking:
    matches: list[Match]
    already_trained: list[Candidate]  # would match, left out: trained in the same skill


def in_region(village_code: str, region_code: str) -> bool:
    return village_code == region_code or village_code.startswith(region_code + ".")


def match_kind(candidate: Candidate, target: Target) -> MatchKind | None:
    """How the candidate matches the target's occupations/keywords (region and training not considered)."""
    if candidate.occupation_code is not None and candidate.occupation_code in target.occupation_codes:
        return MatchKind.OCCUPATION
    text = candidate.specialisation.casefold()
    if text and any(k.strip() and k.strip().casefold() in text for k in target.keywords):
        return MatchKind.KEYWORD
    return None


def sort_key(candidate: Candidate, kind: MatchKind) -> tuple:
    """The documented order, as a tuple compared element by element."""
    return (
        0 if candidate.is_extreme_poor else 1,
        (0, candidate.decile) if candidate.decile is not None else (1, 0),
        (0, candidate.monthly_income) if candidate.monthly_income is not None else (1, 0),
        0 if kind is MatchKind.OCCUPATION else 1,
        candidate.nik,
    )


def rank(candidates: Iterable[Candidate], target: Target) -> Ranking:
    """The ranked matches and, apart, the matching workers left out as already trained in the skill."""
    found: list[tuple[tuple, Candidate, MatchKind]] = []
    trained: list[Candidate] = []
    for candidate in candidates:
        if not in_region(candidate.village_code, target.region_code):
            continue
        kind = match_kind(candidate, target)
        if kind is None:
            continue
        if target.skill_key and target.skill_key in candidate.trained_skills:
            trained.append(candidate)
            continue
        found.append((sort_key(candidate, kind), candidate, kind))
    found.sort(key=lambda item: item[0])
    trained.sort(key=lambda c: c.nik)
    matches = [Match(candidate=c, kind=k, position=i) for i, (_, c, k) in enumerate(found, start=1)]
    return Ranking(matches=matches, already_trained=trained)


def ids(matches: Sequence[Match]) -> list[int]:
    return [m.candidate.worker_id for m in matches]
