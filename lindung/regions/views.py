from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from lindung.accounts.access import access_region_by_code, regions_visible
from lindung.core.http import AuthedRequest
from lindung.regions.models import BranchOffice, Region
from lindung.regions.selectors import region_children, region_counts, village_search


@login_required
def village_list(request: AuthedRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()
    kind = request.GET.get("jenis", "")
    if kind not in Region.Kind.values:
        kind = ""
    page = Paginator(village_search(viewer=request.user, search=search, kind=kind), 50).get_page(
        request.GET.get("page")
    )
    template = "regions/_village_rows.html" if request.htmx else "regions/village_list.html"
    return render(
        request,
        template,
        {
            "page": page,
            "search": search,
            "kind": kind,
            "kinds": [(k, label) for k, label in Region.Kind.choices if k in ("desa", "kelurahan", "desa_adat")],
        },
    )


@login_required
def region_detail(request: AuthedRequest, code: str) -> HttpResponse:
    region = access_region_by_code(request.user, code)
    visible = set(regions_visible(request.user).filter(code__in=region.ancestor_codes()).values_list("code", flat=True))
    ancestors = [(a, a.code in visible) for a in Region.objects.filter(code__in=region.ancestor_codes())]
    regency_code = ".".join(region.code.split(".")[:2]) if region.level >= 2 else None
    branches = BranchOffice.objects.filter(regencies__code=regency_code) if regency_code else []
    return render(
        request,
        "regions/region_detail.html",
        {
            "region": region,
            "ancestors": ancestors,
            "counts": region_counts(viewer=request.user, region=region),
            "children": region_children(viewer=request.user, region=region),
            "branches": branches,
        },
    )
