"""The "API token" page: create a token (its secret shown once) and revoke tokens, with confirmation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from lindung.api.forms import TokenForm
from lindung.api.selectors import access_token_by_id, token_list
from lindung.api.services import token_create, token_revoke
from lindung.core.errors import ApplicationError
from lindung.core.http import AuthedRequest


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: AuthedRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            token, secret = token_create(
                acting_user=request.user,
                name=form.cleaned_data["name"],
                last_day=form.cleaned_data["last_day"],
                request=request,
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            # Rendered, not redirected: the secret exists only in this response and is never stored.
            return render(request, "api/token_created.html", {"token": token, "secret": secret})
    return render(
        request,
        "api/tokens.html",
        {"form": form, "tokens": token_list(owner=request.user), "now": timezone.now()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def token_revoke_view(request: AuthedRequest, token_id: int) -> HttpResponse:
    token = access_token_by_id(request.user, token_id)
    if request.method == "POST":
        try:
            token_revoke(acting_user=request.user, token=token, request=request)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Token revoked: it no longer works."))
        return redirect("api:tokens")
    return render(request, "api/token_revoke.html", {"token": token})
