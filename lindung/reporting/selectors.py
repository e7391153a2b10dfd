"""Dashboard reads: a region's figures from the summary tables, scoped by the viewer (`lindung.accounts.access`).

A page reads a handful of rows whatever the region: the region's summary row, its children's rows, its months.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.accounts.access import access_region_by_code, user_scope
from lindung.accounts.models import User
from lindung.regions.models import Region
from lindung.reporting.models import (
    COUNTRY,
    CURRENT_FIELDS,
    MONTH_FIELDS,
    PovertyRate,
    RefreshState,
    Summary,
    SummaryMonth,
)

STALE_AFTER = dt.timedelta(seconds=60)


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    level: int
    kind: str


@dataclass
class Dashboard:
    region: Place
    breadcrumb: list[Place]
    as_of: dt.datetime | None
    figures: dict[str, int]
    children: list[tuple[Place, dict[str, int]]]
    months: list[dt.date]
    trend: dict[str, list[int]]
    poverty: list[PovertyRate] = field(default_factory=list)
    refresh_requested_at: dt.datetime | None = None


def _place(region: Region) -> Place:
    return Place(region.code, region.name, int(region.level), str(region.kind))


def country_place() -> Place:
    return Place(COUNTRY, _("Indonesia"), 0, "negara")


def access_dashboard_region(viewer: User, code: str) -> Place:
    """The region `code` ("ID" for the whole country) if the viewer may see it; Http404 otherwise."""
    if code == COUNTRY:
        if not user_scope(viewer).national:
            raise Http404("Wilayah tidak ditemukan.")
        return country_place()
    return _place(access_region_by_code(viewer, code))


def dashboard_home_code(viewer: User) -> str | None:
    """Where the viewer's dashboard starts: the country, their only region, or None when they have several."""
    scope = user_scope(viewer)
    if scope.national:
        return COUNTRY
    if len(scope.codes) == 1:
        return scope.codes[0]
    return None


def data_as_of() -> dt.datetime | None:
    state = RefreshState.objects.filter(pk=1).values_list("refreshed_at", flat=True).first()
    return state


def _month_range(first: dt.date, last: dt.date) -> list[dt.date]:
    months = []
    index = first.year * 12 + first.month - 1
    end = last.year * 12 + last.month - 1
    while index <= end:
        months.append(dt.date(index // 12, index % 12 + 1, 1))
        index += 1
    return months


def dashboard_get(*, viewer: User, code: str, today: dt.date | None = None) -> Dashboard:
    """The dashboard of region `code` as the viewer may see it (Http404 out of scope). ~7 small queries."""
    region = access_dashboard_region(viewer, code)
    scope = user_scope(viewer)
    above: list[str] = []
    if code != COUNTRY:
        parts = code.split(".")
        above = [".".join(parts[:i]) for i in range(1, len(parts))]
    # One query for the regions above (breadcrumb) and below (children), one for their summary rows and this one's.
    if code == COUNTRY:
        nearby = Region.objects.filter(level=Region.Level.PROVINCE)
    else:
        nearby = Region.objects.filter(Q(code__in=above) | Q(parent_id=code))
    regions = list(nearby.order_by("code"))
    child_regions = [r for r in regions if r.code not in above]
    by_code = {r.code: r for r in regions}
    breadcrumb: list[Place] = []
    if code != COUNTRY:
        if scope.national:
            breadcrumb.append(country_place())
        breadcrumb.extend(_place(by_code[c]) for c in above if c in by_code and scope.covers(c))
    rows = {
        r["region_code"]: r
        for r in Summary.objects.filter(region_code__in=[code, *(c.code for c in child_regions)]).values(
            "region_code", *CURRENT_FIELDS
        )
    }
    figures = {name: int(rows.get(code, {}).get(name) or 0) for name in CURRENT_FIELDS}
    children = [
        (_place(c), {name: int(rows.get(c.code, {}).get(name) or 0) for name in CURRENT_FIELDS}) for c in child_regions
    ]
    month_rows = list(SummaryMonth.objects.filter(region_code=code).order_by("month").values("month", *MONTH_FIELDS))
    today = today or timezone.localdate()
    if month_rows:
        months = _month_range(month_rows[0]["month"], max(month_rows[-1]["month"], today.replace(day=1)))
    else:
        months = []
    by_month = {r["month"]: r for r in month_rows}
    trend = {name: [int(by_month.get(m, {}).get(name) or 0) for m in months] for name in MONTH_FIELDS}
    poverty: list[PovertyRate] = []
    if region.level == Region.Level.REGENCY:
        poverty = list(PovertyRate.objects.filter(city_id=code).order_by("as_of"))
    state = RefreshState.objects.filter(pk=1).values_list("refreshed_at", "requested_at").first()
    return Dashboard(
        region=region,
        breadcrumb=breadcrumb,
        as_of=state[0] if state else None,
        refresh_requested_at=state[1] if state else None,
        figures=figures,
        children=children,
        months=months,
        trend=trend,
        poverty=poverty,
    )


def summary_is_stale(as_of: dt.datetime | None, now: dt.datetime | None = None) -> bool:
    now = now or timezone.now()
    return as_of is None or now - as_of > STALE_AFTER


def refresh_request_due(dashboard: Dashboard, now: dt.datetime | None = None) -> bool:
    """Claim the right to enqueue a refresh: true for one request per minute while the data is stale (no query while
    a request made in the last minute is pending)."""
    now = now or timezone.now()
    if not summary_is_stale(dashboard.as_of, now):
        return False
    requested = dashboard.refresh_requested_at
    if requested is not None and now - requested <= STALE_AFTER:
        return False
    RefreshState.objects.get_or_create(pk=1)
    claimed = (
        RefreshState.objects.filter(pk=1)
        .filter(Q(refreshed_at__isnull=True) | Q(refreshed_at__lt=now - STALE_AFTER))
        .filter(Q(requested_at__isnull=True) | Q(requested_at__lt=now - STALE_AFTER))
        .update(requested_at=now)
    )
    return claimed == 1


def dashboard_json(dashboard: Dashboard) -> dict[str, Any]:
    """The dashboard as JSON (the page's charts, the API and the exports read the same)."""
    from lindung.reporting.charts import chart_specs

    return {
        "region": _place_json(dashboard.region),
        "breadcrumb": [_place_json(p) for p in dashboard.breadcrumb],
        "as_of": dashboard.as_of.isoformat() if dashboard.as_of else None,
        "figures": dashboard.figures,
        "children": [{**_place_json(p), "figures": figures} for p, figures in dashboard.children],
        "months": [m.strftime("%Y-%m") for m in dashboard.months],
        "trend": dashboard.trend,
        "poverty_rates": [
            {
                "as_of": p.as_of.isoformat(),
                "poverty_rate": float(p.poverty_rate),
                "extreme_poverty_rate": float(p.extreme_poverty_rate),
            }
            for p in dashboard.poverty
        ],
        "charts": chart_specs(dashboard),
    }


def _place_json(place: Place) -> dict[str, Any]:
    return {"code": place.code, "name": place.name, "level": place.level, "kind": place.kind}
