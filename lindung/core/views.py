from django.contrib.auth.decorators import login_required
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from lindung.accounts.access import user_scope
from lindung.accounts.models import Role
from lindung.billing.selectors import arrears_warnings
from lindung.core.http import AuthedRequest
from lindung.core.selectors import area_figures, arrears_summary, first_run_progress
from lindung.regions.selectors import scope_counts, scope_roots
from lindung.registry.selectors import worker_list
from lindung.targeting.selectors import approval_tasks


@login_required
def home(request: AuthedRequest) -> HttpResponse:
    """Real figures for the user's scope. A village's own work comes first: the first-run path of a village that has
    signed but has no invoice yet, arrears (summed, the rows one click away) and lists awaiting the head's approval."""
    scope = user_scope(request.user)
    village_roles = scope.has_role(Role.VILLAGE_OPERATOR, Role.VILLAGE_HEAD, Role.CITY_OFFICER)
    show_warnings = village_roles and not scope.national
    warnings = arrears_warnings(viewer=request.user) if show_warnings else []
    return render(
        request,
        "core/home.html",
        {
            "counts": scope_counts(viewer=request.user),
            "roots": scope_roots(viewer=request.user),
            "workers": worker_list(viewer=request.user).count(),
            "approval_tasks": list(approval_tasks(viewer=request.user)[:20]),
            "first_runs": first_run_progress(viewer=request.user),
            "arrears": arrears_summary(warnings) if warnings else None,
            "figures": area_figures(viewer=request.user),
        },
    )


def health(request: HttpRequest) -> HttpResponse:
    """For monitoring: 200 and "ok" when the web process answers and the database answers one small query (503
    otherwise); the second line counts background tasks waiting for the task worker (rising: the worker is down)."""
    from django_tasks_db.models import DBTaskResult

    try:
        waiting = DBTaskResult.objects.ready().count()
    except DatabaseError:
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse(f"ok\ntasks waiting: {waiting}\n", content_type="text/plain")
