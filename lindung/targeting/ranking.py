"""Who is eligible, in which order, and who fills the quota (RULES.md, "Eligibility for the programme").

Pure Python on plain data, so the same function ranks a village of 100 or 100,000 workers, is tested by
property, and never depends on the order rows were entered: every candidate gets a sort key ending in the
NIK (unique nation-wide), which makes the order total.

Reasons are written in Indonesian here (this module has no Django, hence no gettext), like the other
messages users read from business rules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from lokal import format_rupiah

__all__ = [
    "DEFAULT_PRIORITY_ORDER",
    "FACTOR_LABELS",
    "RISK_RANK",
    "Candidate",
    "Failure",
    "Outcome",
    "Override",
    "OverrideKind",
    "Placement",
    "Rules",
    "Status",
    "age_on",
    "evaluate",
    "priority_key",
    "rank",
    "select",
]

#: RULES.md default priority; the programme's rules may reorder it (``nik`` is always appended last).
DEFAULT_PRIORITY_ORDER: tuple[str, ...] = (
    "extreme_poor",
    "decile",
    "dependants",
    "occupation_risk",
    "age",
    "registered_at",
    "nik",
)

#: Occupational risk classes, most exposed first (same as ``lindung.registry.occupations.RISK_RANK``).
RISK_RANK: Mapping[str, int] = {"high": 0, "medium": 1, "low": 2}

RISK_LABELS: Mapping[str, str] = {"high": "tinggi", "medium": "sedang", "low": "rendah"}

FACTOR_LABELS: Mapping[str, str] = {
    "extreme_poor": "Miskin ekstrem",
    "decile": "Desil P3KE/DTSEN",
    "dependants": "Tanggungan anak di bawah 18 tahun",
    "occupation_risk": "Risiko pekerjaan",
    "age": "Umur",
    "registered_at": "Waktu pendaftaran",
    "nik": "NIK (urutan terakhir)",
}


@dataclass(frozen=True)
class Candidate:
    """One registered worker as the rules see them."""

    worker_id: int
    nik: str
    name: str
    birth_date: dt.date
    monthly_income: int | None
    decile: int | None
    extreme_poor: bool  # flagged by the village deliberation (decile 1 counts on its own)
    is_wage_earner_member: bool
    occupation_code: int | None
    occupation_risk: str  # "high" | "medium" | "low"
    dependants: int  # children under 18
    registered_at: dt.datetime
    resident: bool = True
    occupation_name: str = ""

    @property
    def is_extreme_poor(self) -> bool:
        return self.decile == 1 or self.extreme_poor


@dataclass(frozen=True)
class Rules:
    """The eligibility rules in force on ``reference_date`` and the priority order."""

    reference_date: dt.date
    min_age: int = 18
    max_age: int = 65
    income_threshold: int = 1_000_000
    excluded_occupations: frozenset[int] = frozenset()
    priority_order: tuple[str, ...] = DEFAULT_PRIORITY_ORDER

    def __post_init__(self) -> None:
        unknown = [f for f in self.priority_order if f not in FACTOR_LABELS]
        if unknown:
            raise ValueError(f"Faktor prioritas tidak dikenal: {', '.join(unknown)}")
        if self.min_age > self.max_age:
            raise ValueError("Umur minimal tidak boleh melebihi umur maksimal.")

    @property
    def order(self) -> tuple[str, ...]:
        """The priority order, each factor once, with the NIK last so that the order is total."""
        seen: list[str] = []
        for factor in self.priority_order:
            if factor not in seen and factor != "nik":
                seen.append(factor)
        return (*seen, "nik")


@dataclass(frozen=True)
class Failure:
    """One rule a candidate does not meet: ``code`` for programs, ``reason`` for people."""

    code: str
    reason: str


class OverrideKind(StrEnum):
    FORCE_IN = "force_in"
    FORCE_OUT = "force_out"


@dataclass(frozen=True)
class Override:
    worker_id: int
    kind: OverrideKind
    reason: str

    def __post_init__(self) -> None:
        if not self.reason.strip():
            raise ValueError("Alasan wajib ditulis untuk setiap pengecualian.")


class Status(StrEnum):
    SELECTED = "selected"
    WAITING = "waiting"
    EXCLUDED = "excluded"  # forced out by an override
    INELIGIBLE = "ineligible"


@dataclass(frozen=True)
class Placement:
    """Where one candidate ended up and why."""

    candidate: Candidate
    status: Status
    rank: int | None  # priority rank among the eligible (1 = first), before overrides
    position: int | None  # number within the selected list or within the waiting list
    factors: list[dict[str, Any]]
    failures: tuple[Failure, ...] = ()
    decided_by: str = ""  # the first factor that put the previous candidate in rank ahead of this one
    override_reason: str = ""
    notes: tuple[str, ...] = ()

    @property
    def eligible(self) -> bool:
        return not self.failures


@dataclass(frozen=True)
class Outcome:
    quota: int
    placements: list[Placement] = field(default_factory=list)

    def with_status(self, status: Status) -> list[Placement]:
        return [p for p in self.placements if p.status == status]

    @property
    def selected(self) -> list[Placement]:
        return self.with_status(Status.SELECTED)

    @property
    def waiting(self) -> list[Placement]:
        return self.with_status(Status.WAITING)


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Completed years on ``day``; a 29 February birthday is reached on 1 March in common years."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def _date(day: dt.date) -> str:
    return f"{day:%d-%m-%Y}"


def evaluate(candidate: Candidate, rules: Rules) -> tuple[Failure, ...]:
    """Every rule the candidate fails, in a fixed order; empty when eligible."""
    failures: list[Failure] = []
    age = age_on(candidate.birth_date, rules.reference_date)
    when = _date(rules.reference_date)
    if age < rules.min_age:
        failures.append(
            Failure("age_min", f"Umur {age} tahun pada {when}, di bawah batas minimal {rules.min_age} tahun.")
        )
    elif age > rules.max_age:
        failures.append(
            Failure("age_max", f"Umur {age} tahun pada {when}, di atas batas maksimal {rules.max_age} tahun.")
        )
    if not candidate.resident:
        failures.append(Failure("resident", "Bukan penduduk desa ini (alamat KTP di luar desa)."))
    if candidate.is_wage_earner_member:
        failures.append(
            Failure(
                "wage_earner",
                "Sudah terdaftar sebagai peserta Penerima Upah (PU) BPJS Ketenagakerjaan; "
                "program ini untuk pekerja bukan penerima upah.",
            )
        )
    if candidate.occupation_code is not None and candidate.occupation_code in rules.excluded_occupations:
        name = f" {candidate.occupation_name}" if candidate.occupation_name else ""
        failures.append(
            Failure(
                "occupation",
                f"Pekerjaan {candidate.occupation_code}{name} (ASN, TNI, Polri atau pejabat) "
                "sudah memiliki skema jaminan sendiri.",
            )
        )
    if candidate.monthly_income is not None and candidate.monthly_income >= rules.income_threshold:
        failures.append(
            Failure(
                "income",
                f"Penghasilan {format_rupiah(candidate.monthly_income)} per bulan, tidak di bawah batas "
                f"{format_rupiah(rules.income_threshold)}.",
            )
        )
    return tuple(failures)


def _factor_key(candidate: Candidate, factor: str) -> tuple[Any, ...]:
    """Smaller sorts first."""
    if factor == "extreme_poor":
        return (0 if candidate.is_extreme_poor else 1,)
    if factor == "decile":
        # A worker with no decile ranks after every worker with one (RULES.md).
        return (0, candidate.decile) if candidate.decile is not None else (1, 0)
    if factor == "dependants":
        return (-candidate.dependants,)
    if factor == "occupation_risk":
        return (RISK_RANK.get(candidate.occupation_risk, len(RISK_RANK)),)
    if factor == "age":
        return (candidate.birth_date.toordinal(),)  # born earlier = older = first
    if factor == "registered_at":
        return (candidate.registered_at.timestamp(),)
    if factor == "nik":
        return (candidate.nik,)
    raise ValueError(factor)


def priority_key(candidate: Candidate, rules: Rules) -> tuple[tuple[Any, ...], ...]:
    return tuple(_factor_key(candidate, f) for f in rules.order)


def _factor_value(candidate: Candidate, factor: str, rules: Rules) -> str:
    if factor == "extreme_poor":
        if candidate.decile == 1 and candidate.extreme_poor:
            return "ya (desil 1 dan musyawarah desa)"
        if candidate.decile == 1:
            return "ya (desil 1)"
        return "ya (musyawarah desa)" if candidate.extreme_poor else "tidak"
    if factor == "decile":
        return str(candidate.decile) if candidate.decile is not None else "tidak ada (di belakang semua yang berdesil)"
    if factor == "dependants":
        return f"{candidate.dependants} anak"
    if factor == "occupation_risk":
        label = RISK_LABELS.get(candidate.occupation_risk, candidate.occupation_risk)
        if candidate.occupation_code is None:
            return f"{label} (pekerjaan belum dicatat)"
        name = f" {candidate.occupation_name}" if candidate.occupation_name else ""
        return f"{label} ({candidate.occupation_code}{name})"
    if factor == "age":
        return f"{age_on(candidate.birth_date, rules.reference_date)} tahun (lahir {_date(candidate.birth_date)})"
    if factor == "registered_at":
        return f"{candidate.registered_at:%d-%m-%Y %H:%M}"
    return candidate.nik


def factors(candidate: Candidate, rules: Rules) -> list[dict[str, Any]]:
    """The factors in priority order with the candidate's value for each, ready to store as JSON."""
    return [
        {"factor": f, "label": FACTOR_LABELS[f], "value": _factor_value(candidate, f, rules)}
        for f in rules.order
        if f != "nik"
    ]


def rank(candidates: Iterable[Candidate], rules: Rules) -> list[Candidate]:
    """The eligible candidates in priority order (the input order never matters)."""
    eligible = [c for c in candidates if not evaluate(c, rules)]
    return sorted(eligible, key=lambda c: priority_key(c, rules))


def _decided_by(previous: Candidate, current: Candidate, rules: Rules) -> str:
    for factor in rules.order:
        if _factor_key(previous, factor) != _factor_key(current, factor):
            return factor
    return "nik"


def select(
    candidates: Sequence[Candidate],
    rules: Rules,
    quota: int,
    overrides: Iterable[Override] = (),
) -> Outcome:
    """Rank, fill the quota, keep the rest as a ranked waiting list, then apply the overrides.

    A forced-in eligible worker takes a seat before the ranked ones (the seats stay ``quota``); one forced
    in beyond the quota heads the waiting list. A forced-out worker leaves both lists. An override on an
    ineligible worker changes nothing and is noted (eligibility rules are not overridable).
    """
    if quota < 0:
        raise ValueError("Kuota tidak boleh negatif.")
    by_worker: dict[int, Override] = {}
    for given in overrides:
        by_worker[given.worker_id] = given  # the last one given for a worker wins

    failures = {c.worker_id: evaluate(c, rules) for c in candidates}
    ordered = sorted((c for c in candidates if not failures[c.worker_id]), key=lambda c: priority_key(c, rules))
    ranks = {c.worker_id: i for i, c in enumerate(ordered, start=1)}
    decided = {c.worker_id: (_decided_by(ordered[i - 1], c, rules) if i else "") for i, c in enumerate(ordered)}

    def kind(c: Candidate) -> OverrideKind | None:
        o = by_worker.get(c.worker_id)
        return o.kind if o else None

    forced_in = [c for c in ordered if kind(c) == OverrideKind.FORCE_IN]
    forced_out = {c.worker_id for c in ordered if kind(c) == OverrideKind.FORCE_OUT}
    rest = [c for c in ordered if kind(c) is None]
    seats_for_ranked = max(quota - len(forced_in), 0)
    selected_ids = {c.worker_id for c in forced_in[:quota]} | {c.worker_id for c in rest[:seats_for_ranked]}
    waiting_order = forced_in[quota:] + rest[seats_for_ranked:]
    waiting_pos = {c.worker_id: i for i, c in enumerate(waiting_order, start=1)}
    selected_pos = {c.worker_id: i for i, c in enumerate((c for c in ordered if c.worker_id in selected_ids), 1)}

    in_lists: list[Placement] = []
    for c in ordered:
        override = by_worker.get(c.worker_id)
        notes: tuple[str, ...] = ()
        if c.worker_id in forced_out:
            status, position = Status.EXCLUDED, None
        elif c.worker_id in selected_ids:
            status, position = Status.SELECTED, selected_pos[c.worker_id]
        else:
            status, position = Status.WAITING, waiting_pos[c.worker_id]
            if override is not None and override.kind == OverrideKind.FORCE_IN:
                notes = ("Dimasukkan paksa tetapi kuota sudah penuh oleh pengecualian lain.",)
        in_lists.append(
            Placement(
                candidate=c,
                status=status,
                rank=ranks[c.worker_id],
                position=position,
                factors=factors(c, rules),
                decided_by=decided[c.worker_id],
                override_reason=override.reason if override else "",
                notes=notes,
            )
        )
    # Selected by seat, then the waiting list by its number, then those forced out by rank.
    display = {Status.SELECTED: 0, Status.WAITING: 1, Status.EXCLUDED: 2}
    placements = sorted(in_lists, key=lambda p: (display[p.status], p.position or 0, p.rank or 0))
    ineligible = sorted((c for c in candidates if failures[c.worker_id]), key=lambda c: (c.name, c.nik))
    for c in ineligible:
        override = by_worker.get(c.worker_id)
        placements.append(
            Placement(
                candidate=c,
                status=Status.INELIGIBLE,
                rank=None,
                position=None,
                factors=factors(c, rules),
                failures=failures[c.worker_id],
                override_reason=override.reason if override else "",
                notes=("Pengecualian tidak berlaku: syarat kelayakan tidak dapat dikecualikan.",) if override else (),
            )
        )
    return Outcome(quota=quota, placements=placements)
