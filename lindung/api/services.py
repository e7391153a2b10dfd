"""Creating, revoking and checking API tokens. The secret is returned once and only its SHA-256 is stored."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.accounts.models import User
from lindung.api.models import ApiToken
from lindung.audit.recording import audit_record
from lindung.core.errors import ApplicationError

TOKEN_PREFIX = "ldg_"  # noqa: S105 (a marker, not a secret)
#: Characters of the token kept in clear as its prefix ("ldg_" and eight more).
PREFIX_LENGTH = 12
DEFAULT_VALIDITY_DAYS = 90
MAX_VALIDITY_DAYS = 366  # one year, a leap year included
#: How often "last used" is written at most (one write per request would be needless).
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def expiry_for(last_day: dt.date) -> dt.datetime:
    """A token valid through `last_day` (local time) stops at the next local midnight."""
    return timezone.make_aware(dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time.min))


def default_last_day(today: dt.date | None = None) -> dt.date:
    return (today or timezone.localdate()) + dt.timedelta(days=DEFAULT_VALIDITY_DAYS)


def latest_last_day(today: dt.date | None = None) -> dt.date:
    today = today or timezone.localdate()
    try:
        return today.replace(year=today.year + 1)
    except ValueError:  # 29 February
        return today + dt.timedelta(days=365)


@transaction.atomic
def token_create(
    *, acting_user: User, name: str, last_day: dt.date, request: HttpRequest | None = None
) -> tuple[ApiToken, str]:
    """A new token for the acting user; returns it with its secret, which is never shown again."""
    today = timezone.localdate()
    name = name.strip()
    if not name:
        raise ApplicationError(_("Give the token a name."), code="name")
    if last_day < today:
        raise ApplicationError(_("The expiry date cannot be in the past."), code="expiry")
    if last_day > latest_last_day(today):
        raise ApplicationError(_("A token is valid for at most one year."), code="expiry")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=acting_user,
        name=name[:100],
        prefix=secret[:PREFIX_LENGTH],
        secret_hash=token_hash(secret),
        expires_at=expiry_for(last_day),
    )
    audit_record(
        actor=acting_user,
        action="api.token.create",
        target_type="api_token",
        target_id=token.pk,
        changes={"name": token.name, "prefix": token.prefix, "expires_at": token.expires_at.isoformat()},
        request=request,
    )
    return token, secret


@transaction.atomic
def token_revoke(*, acting_user: User, token: ApiToken, request: HttpRequest | None = None) -> ApiToken:
    """Revoke one of the acting user's tokens; it stops working at once."""
    if token.user_id != acting_user.pk:
        raise ApplicationError(_("This is not your token."), code="forbidden")
    if token.revoked_at is not None:
        raise ApplicationError(_("This token has already been revoked."), code="state")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit_record(
        actor=acting_user,
        action="api.token.revoke",
        target_type="api_token",
        target_id=token.pk,
        changes={"name": token.name, "prefix": token.prefix},
        request=request,
    )
    return token


class TokenRejected(Exception):
    """The presented token cannot be used; `code` says why (for the 401 envelope)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def token_authenticate(secret: str) -> ApiToken:
    """The token for `secret`, with its active user; TokenRejected("invalid" | "expired" | "revoked") otherwise."""
    secret = secret.strip()
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        raise TokenRejected("invalid")
    token = ApiToken.objects.select_related("user").filter(secret_hash=token_hash(secret)).first()
    if token is None or not token.user.is_active:
        raise TokenRejected("invalid")
    if token.revoked_at is not None:
        raise TokenRejected("revoked")
    now = timezone.now()
    if token.expires_at <= now:
        raise TokenRejected("expired")
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
