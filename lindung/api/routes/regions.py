from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from ninja import Query, Router

from lindung.accounts.access import access_region_by_code, regions_visible
from lindung.api.routes.common import PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX, paginate, viewer
from lindung.api.schemas import RegionOut, RegionPage, responses
from lindung.regions.models import Region

router = Router(tags=["Wilayah"])


def region_out(region: Region) -> dict[str, Any]:
    return {
        "code": region.code,
        "name": region.name,
        "level": region.level,
        "kind": region.kind,
        "parent": region.parent_id,
    }


@router.get("/regions", response=responses(RegionPage), summary="Daftar wilayah dalam cakupan Anda")
def region_list(
    request: HttpRequest,
    parent: str | None = Query(None, max_length=13, description="Hanya anak langsung dari kode ini."),
    level: int | None = Query(None, ge=1, le=4),
    q: str | None = Query(None, max_length=100, description="Cari menurut nama."),
    page: int = Query(1, ge=1, le=100_000),
    page_size: int = Query(PAGE_SIZE_DEFAULT, ge=1, le=PAGE_SIZE_MAX),
) -> dict[str, Any]:
    regions = regions_visible(viewer(request))
    if parent:
        regions = regions.filter(parent_id=parent)
    if level:
        regions = regions.filter(level=level)
    if q:
        regions = regions.filter(Q(name__icontains=q))
    return paginate(regions.order_by("code"), page, page_size, region_out)


@router.get("/regions/{code}", response=responses(RegionOut), summary="Satu wilayah")
def region_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    return region_out(access_region_by_code(viewer(request), code))
