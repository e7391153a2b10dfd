"""Reads of regions for the pages: counts per scope and children with their village counts."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr

from lindung.accounts.access import regions_visible, user_scope, villages_visible
from lindung.accounts.models import User
from lindung.regions.models import Region


@dataclass(frozen=True)
class RegionCounts:
    villages: int
    desa: int
    kelurahan: int
    desa_adat: int
    districts: int
    regencies: int
    provinces: int


def _counts(regions: QuerySet[Region]) -> RegionCounts:
    figures = regions.aggregate(
        villages=Count("code", filter=Q(level=4)),
        desa=Count("code", filter=Q(kind=Region.Kind.DESA)),
        kelurahan=Count("code", filter=Q(kind=Region.Kind.KELURAHAN)),
        desa_adat=Count("code", filter=Q(kind=Region.Kind.DESA_ADAT)),
        districts=Count("code", filter=Q(level=3)),
        regencies=Count("code", filter=Q(level=2)),
        provinces=Count("code", filter=Q(level=1)),
    )
    return RegionCounts(**figures)


def scope_counts(*, viewer: User) -> RegionCounts:
    """How many regions of each kind the viewer's scope holds (one query)."""
    return _counts(regions_visible(viewer))


def region_counts(*, viewer: User, region: Region) -> RegionCounts:
    """Counts below `region`, limited to what the viewer may see."""
    below = regions_visible(viewer).filter(code__startswith=f"{region.code}.")
    return _counts(below)


def scope_roots(*, viewer: User) -> list[Region]:
    """The top regions of the viewer's scope (the provinces for a national user)."""
    scope = user_scope(viewer)
    if scope.national:
        return list(Region.objects.filter(level=1))
    return list(Region.objects.filter(code__in=scope.codes).select_related("parent"))


@dataclass(frozen=True)
class ChildRow:
    region: Region
    villages: int
    desa: int
    kelurahan: int


def region_children(*, viewer: User, region: Region | None) -> list[ChildRow]:
    """Visible children of `region` (provinces when None) with the villages under each, in two queries."""
    visible = regions_visible(viewer)
    children = list(visible.filter(parent=region) if region else visible.filter(level=1))
    if not children:
        return []
    width = len(children[0].code)
    parent_prefix = f"{region.code}." if region else ""
    villages = villages_visible(viewer)
    if parent_prefix:
        villages = villages.filter(code__startswith=parent_prefix)
    rows = (
        villages.annotate(child=Substr("code", 1, width))
        .values("child")
        .annotate(
            n=Count("code"),
            desa=Count("code", filter=Q(kind=Region.Kind.DESA)),
            kel=Count("code", filter=Q(kind=Region.Kind.KELURAHAN)),
        )
    )
    per_child = {r["child"]: r for r in rows}
    out = []
    for child in children:
        r = per_child.get(child.code, {})
        out.append(ChildRow(child, r.get("n", 0), r.get("desa", 0), r.get("kel", 0)))
    return out


def village_search(*, viewer: User, search: str = "", kind: str = "") -> QuerySet[Region]:
    villages = villages_visible(viewer).select_related("parent", "parent__parent")
    if search:
        villages = villages.filter(Q(name__icontains=search) | Q(code__startswith=search))
    if kind:
        villages = villages.filter(kind=kind)
    return villages.order_by("code")
