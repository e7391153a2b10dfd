"""Who is calling: a bearer token (for other systems) or the session (the pages' own JSON calls, CSRF enforced)."""

from __future__ import annotations

import math
import os
import threading
import time
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth
from ninja.throttling import BaseThrottle

from lindung.accounts.models import User
from lindung.api.errors import TokenAuthError
from lindung.api.models import ApiRateWindow
from lindung.api.services import TokenRejected, token_authenticate


class TokenAuth(HttpBearer):
    """`Authorization: Bearer ldg_…`. A token that is sent but unusable is a 401 at once (no fallback)."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        try:
            api_token = token_authenticate(token)
        except TokenRejected as exc:
            raise TokenAuthError(exc.code) from None
        request.api_token = api_token  # type: ignore[attr-defined]
        request.user = api_token.user
        return api_token.user


class SessionCsrfAuth(SessionAuth):
    """The logged-in user of the pages; ninja checks the CSRF token on unsafe methods."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None


_PERIODS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hour": 3600, "d": 86400, "day": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'600/min' → (600, 60); '100/10s' style is not needed."""
    count, _, unit = rate.partition("/")
    return int(count), _PERIODS[unit.strip() or "min"]


def configured_rate() -> str:
    return str(getattr(settings, "LINDUNG_API_RATE_LIMIT", None) or os.environ.get("LINDUNG_API_RATE_LIMIT", "600/min"))


def hit(key: str, period: int, now: float | None = None) -> tuple[int, float]:
    """Count one request in the caller's current fixed window; returns (count so far, seconds until it resets)."""
    now = time.time() if now is None else now
    window = int(now // period)
    with transaction.atomic():
        row, _ = ApiRateWindow.objects.select_for_update().get_or_create(key=key, defaults={"window": window})
        if row.window != window:
            row.window, row.count = window, 0
        row.count += 1
        row.save(update_fields=["window", "count"])
    return row.count, (window + 1) * period - now


class FixedWindowThrottle(BaseThrottle):
    """A fixed-window counter per token (per user for the session), kept in the database so that every server
    process shares it. The limit is `settings.LINDUNG_API_RATE_LIMIT` (or the environment variable of that name),
    default 600 requests a minute."""

    def __init__(self) -> None:
        self._local = threading.local()  # one instance serves every request; the wait belongs to this thread's

    def allow_request(self, request: HttpRequest) -> bool:
        token = getattr(request, "api_token", None)
        if token is not None:
            key = f"token:{token.pk}"
        else:
            user = getattr(request, "auth", None)
            if user is None or getattr(user, "pk", None) is None:
                return True
            key = f"user:{user.pk}"
        limit, period = parse_rate(configured_rate())
        count, reset_in = hit(key, period)
        self._local.wait = None
        request.rate_limit = (limit, max(limit - count, 0), math.ceil(reset_in))  # type: ignore[attr-defined]
        if count > limit:
            self._local.wait = reset_in
            return False
        return True

    def wait(self) -> float | None:
        return getattr(self._local, "wait", None)
