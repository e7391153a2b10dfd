from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from lindung.accounts.access import user_scope
from lindung.api.auth import configured_rate, parse_rate
from lindung.api.routes.common import viewer
from lindung.api.schemas import MeOut, responses

router = Router(tags=["Akun"])


@router.get("/me", response=responses(MeOut), summary="Siapa yang memanggil: peran, cakupan wilayah, batas laju")
def me(request: HttpRequest) -> dict[str, Any]:
    user = viewer(request)
    scope = user_scope(user)
    token = getattr(request, "api_token", None)
    limit, remaining, _reset = getattr(request, "rate_limit", (parse_rate(configured_rate())[0], 0, 0))
    return {
        "username": user.username,
        "full_name": user.full_name,
        "roles": list(scope.roles),
        "national": scope.national,
        "regions": list(scope.codes),
        "auth": "token" if token is not None else "session",
        "token_expires_at": token.expires_at if token is not None else None,
        "rate_limit": limit,
        "rate_remaining": remaining,
    }
