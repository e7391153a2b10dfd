"""The REST API at /api/v1/ (django-ninja, lindung/api/v1.py) and the API token page at /akun/token/."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path, re_path
from django.utils.translation import gettext as _

from lindung.api import views
from lindung.api.docs import docs_asset
from lindung.api.errors import error_response
from lindung.api.v1 import api

app_name = "api"


def _enveloped(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """ninja answers a wrong method with a bare 405 (and its root path with a bare 404) outside its exception
    handlers: give those the envelope too, and tell callers their rate limit."""

    @functools.wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response = view(request, *args, **kwargs)
        except Http404:  # ninja's root view /api/v1/ raises it outside the API's handlers
            return not_found(request)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith("application/json"):
            allowed = response.get("Allow", "")
            response = error_response(
                405, "method_not_allowed", _("This method is not allowed here."), {"allowed": allowed.split(", ")}
            )
            response["Allow"] = allowed
        rate = getattr(request, "rate_limit", None)
        if rate is not None:
            response["X-RateLimit-Limit"], response["X-RateLimit-Remaining"], response["X-RateLimit-Reset"] = (
                str(rate[0]),
                str(rate[1]),
                str(rate[2]),
            )
        return response

    return wrapper


def _wrap(patterns: list[URLPattern | URLResolver]) -> list[URLPattern | URLResolver]:
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = _enveloped(pattern.callback)
    return patterns


def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    return error_response(404, "not_found", _("Not found."))


ninja_patterns, ninja_app, ninja_namespace = api.urls

urlpatterns = [
    path("api/v1/", (_wrap(ninja_patterns), ninja_app, ninja_namespace)),
    path("api/v1/docs/aset/<str:name>", docs_asset, name="docs_asset"),
    re_path(r"^api/v1/(?P<rest>.*)$", not_found, name="not_found"),
    path("akun/token/", views.tokens, name="tokens"),
    path("akun/token/<int:token_id>/cabut/", views.token_revoke_view, name="token_revoke"),
]
