from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from lindung.accounts.access import user_scope
from lindung.accounts.models import Role
from lindung.billing.selectors import arrears_warnings
from lindung.core.http import AuthedRequest
from lindung.regions.selectors import scope_counts, scope_roots
from lindung.registry.selectors import worker_list
from lindung.targeting.selectors import approval_tasks


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    """Real figures for the user's scope. A village's own people come first: arrears warnings (members about to
    lose cover) and lists awaiting the head's approval."""
    scope = user_scope(request.user)
    village_roles = scope.has_role(Role.VILLAGE_OPERATOR, Role.VILLAGE_HEAD, Role.CITY_OFFICER)
    warnings = arrears_warnings(viewer=request.user) if village_roles and not scope.national else []
    return render(
        request,
        "core/home.html",
        {
            "counts": scope_counts(viewer=request.user),
            "roots": scope_roots(viewer=request.user),
            "workers": worker_list(viewer=request.user).count(),
            "approval_tasks": list(approval_tasks(viewer=request.user)[:20]),
            "show_warnings": village_roles and not scope.national,
            "warnings": warnings,
        },
    )


def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
