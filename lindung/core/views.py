from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from lindung.core.http import AuthedRequest
from lindung.regions.selectors import scope_counts, scope_roots
from lindung.registry.selectors import worker_list
from lindung.targeting.selectors import approval_tasks


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    """Real figures for the user's scope; later issues add agreements, members and money here."""
    return render(
        request,
        "core/home.html",
        {
            "counts": scope_counts(viewer=request.user),
            "roots": scope_roots(viewer=request.user),
            "workers": worker_list(viewer=request.user).count(),
            "approval_tasks": list(approval_tasks(viewer=request.user)[:20]),
        },
    )


def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
