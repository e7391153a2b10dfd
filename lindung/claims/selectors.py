"""Reads of the claims app, always through the viewer's region scope (`lindung.accounts.access`)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, QuerySet, Sum
from django.http import Http404

from lindung.accounts.access import user_scope
from lindung.accounts.models import User
from lindung.claims.models import Claim, PlannedYear, ScholarshipDisbursement, ScholarshipPlan
from lindung.regions.models import Region

VILLAGE = "claim__incident__village__code"


def claim_list(*, viewer: User, status: str = "") -> QuerySet[Claim]:
    claims = Claim.objects.filter(user_scope(viewer).q("incident__village__code")).select_related(
        "incident__worker", "incident__village"
    )
    if status:
        claims = claims.filter(status=status)
    return claims.order_by("-incident__date", "-pk")


def access_claim_by_id(viewer: User, claim_id: int) -> Claim:
    """A claim in the viewer's scope, or Http404 (missing and out of scope alike)."""
    claim = (
        claim_list(viewer=viewer)
        .select_related("incident__membership", "incident__reported_by", "submitted_by")
        .filter(pk=claim_id)
        .first()
    )
    if claim is None:
        raise Http404("Klaim tidak ditemukan.")
    return claim


def plan_list(*, viewer: User) -> QuerySet[ScholarshipPlan]:
    return ScholarshipPlan.objects.filter(user_scope(viewer).q(VILLAGE)).select_related(
        "claim__incident__worker", "claim__incident__village", "child"
    )


def access_plan_by_id(viewer: User, plan_id: int) -> ScholarshipPlan:
    plan = plan_list(viewer=viewer).filter(pk=plan_id).first()
    if plan is None:
        raise Http404("Rencana beasiswa tidak ditemukan.")
    return plan


@dataclass(frozen=True)
class YearRow:
    school_year: int
    level: str
    grade: int
    projected: int
    paid: int | None
    paid_on: object
    disbursement_id: int | None


def plan_years(plan: ScholarshipPlan) -> list[YearRow]:
    """Projected vs paid per school year of one plan (two queries)."""
    paid = {d.school_year: d for d in plan.disbursements.all()}
    rows = []
    for year in plan.planned_years.all():
        d = paid.get(year.school_year)
        rows.append(
            YearRow(
                year.school_year,
                year.level,
                year.grade,
                year.amount,
                d.amount if d else None,
                d.paid_on if d else None,
                d.pk if d else None,
            )
        )
    return rows


def _still_due() -> QuerySet[PlannedYear]:
    """Planned years of active plans without a disbursement: the money still to be paid."""
    paid = ScholarshipDisbursement.objects.filter(plan=OuterRef("plan"), school_year=OuterRef("school_year"))
    return PlannedYear.objects.filter(plan__status=ScholarshipPlan.Status.ACTIVE).exclude(Exists(paid))


@dataclass
class Liabilities:
    years: list[int]
    # (code, name) -> {school_year: amount}; totals per row and per year
    villages: list[tuple[str, str, dict[int, int], int]] = field(default_factory=list)
    cities: list[tuple[str, str, dict[int, int], int]] = field(default_factory=list)
    per_year: dict[int, int] = field(default_factory=dict)
    total: int = 0
    children: int = 0


def city_code(village_code: str) -> str:
    return ".".join(village_code.split(".")[:2])


def scholarship_liabilities(*, viewer: User, from_year: int | None = None) -> Liabilities:
    """Scholarship money still to be paid, per school year, per village and per city/regency: one grouped query
    over the planned years (no query per plan), one for the region names."""
    scope = user_scope(viewer)
    due = _still_due().filter(scope.q(f"plan__{VILLAGE}"))
    if from_year is not None:
        due = due.filter(school_year__gte=from_year)
    grouped = due.values(f"plan__{VILLAGE}", "school_year").annotate(amount=Sum("amount")).order_by()
    children = due.aggregate(n=Count("plan", distinct=True))["n"] or 0
    by_village: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    by_city: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    per_year: dict[int, int] = defaultdict(int)
    for row in grouped:
        code, year, amount = row[f"plan__{VILLAGE}"], row["school_year"], int(row["amount"])
        by_village[code][year] += amount
        by_city[city_code(code)][year] += amount
        per_year[year] += amount
    names = dict(Region.objects.filter(code__in=[*by_village, *by_city]).values_list("code", "name"))
    result = Liabilities(years=sorted(per_year), per_year=dict(per_year), children=children)
    result.villages = [
        (code, names.get(code, code), dict(years), sum(years.values())) for code, years in sorted(by_village.items())
    ]
    result.cities = [
        (code, names.get(code, code), dict(years), sum(years.values())) for code, years in sorted(by_city.items())
    ]
    result.total = sum(per_year.values())
    return result


def scholarship_due(*, viewer: User, school_year: int) -> QuerySet[PlannedYear]:
    """The July list: active plans whose school year `school_year` is planned and not yet paid — the yearly claims
    the village must file with the proof of enrolment."""
    return (
        _still_due()
        .filter(user_scope(viewer).q(f"plan__{VILLAGE}"), school_year=school_year)
        .select_related("plan__child", "plan__claim__incident__worker", "plan__claim__incident__village")
        .order_by(f"plan__{VILLAGE}", "plan__child_name", "plan__pk")
    )
