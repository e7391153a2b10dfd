"""One error type for business rules; views show its message, the API maps it to one envelope."""

from __future__ import annotations

from typing import Any


class ApplicationError(Exception):
    """A rule was broken. `message` is for the user (already translated); `code` is for programs."""

    def __init__(self, message: str, code: str = "invalid", extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.extra = extra or {}
