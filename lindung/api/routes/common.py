"""Helpers shared by the routes: the authenticated user, pagination with a stable order, role checks."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.http import HttpRequest
from ninja.errors import AuthorizationError

from lindung.accounts.access import user_scope
from lindung.accounts.models import User

M = TypeVar("M", bound=Model)

PAGE_SIZE_DEFAULT = 50
PAGE_SIZE_MAX = 200


def viewer(request: HttpRequest) -> User:
    """The user the token or the session acts for (set by the API's authentication)."""
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)  # noqa: S101
    return user


def require_change_role(user: User) -> None:
    """Read-only roles (viewers, BPJS officers, trainers) get 403 on every write."""
    if not user_scope(user).can_change():
        raise AuthorizationError()


def paginate(queryset: QuerySet[M], page: int, page_size: int, convert: Callable[[M], Any]) -> dict[str, Any]:
    """One page of an already ordered queryset (the order must end on a unique column, so pages never overlap)."""
    count = queryset.count()
    start = (page - 1) * page_size
    items = [convert(obj) for obj in queryset[start : start + page_size]] if start < count else []
    return {
        "count": count,
        "page": page,
        "page_size": page_size,
        "pages": max(math.ceil(count / page_size), 1),
        "items": items,
    }
