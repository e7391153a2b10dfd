from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from lindung.accounts.models import User
from lindung.api.models import ApiToken


def token_list(*, owner: User) -> QuerySet[ApiToken]:
    """The user's own tokens, newest first; nobody sees another person's tokens."""
    return ApiToken.objects.filter(user=owner).order_by("-created_at", "-pk")


def access_token_by_id(owner: User, token_id: int) -> ApiToken:
    token = token_list(owner=owner).filter(pk=token_id).first()
    if token is None:
        raise Http404("Token tidak ditemukan.")
    return token
