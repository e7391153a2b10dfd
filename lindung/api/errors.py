"""One error envelope for every error the API gives: {"error": {"code", "message", "details"}}.

Messages follow the request's language (Bahasa Indonesia unless the language cookie says English): ours through
gettext, Django's form messages through Django's catalogue, business-rule messages as the services wrote them.
"""

from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING, Any

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from lindung.core.errors import ApplicationError

if TYPE_CHECKING:
    from ninja import NinjaAPI

logger = logging.getLogger("lindung.api")

#: HTTP status for each ApplicationError code a service raises; anything else is a 400.
APPLICATION_STATUS = {
    "forbidden": 403,
    "scope": 403,
    "nik_taken": 409,
    "conflict": 409,
    "state": 409,
    "move": 422,
    "file": 422,
    "village": 422,
    # the benefit engine's input errors (the codes of `lindung quote-benefits`)
    "invalid_input": 422,
    "invalid_date": 422,
    "unknown_event_type": 422,
    "parameters_missing": 422,
    "no_parameters": 422,
    # payments and their reversals (`lindung.billing.services`)
    "amount": 422,
    "value_date": 422,
    "reference": 422,
    "budget_source": 422,
    "agreement": 422,
    "reason": 422,
    "reversal": 409,
    "reversed": 409,
    # claim transitions (`lindung.claims.services`)
    "transition": 409,
    "not_covered": 409,
    "maker_checker": 409,
    "date": 422,
    "required": 422,
    "cause": 422,
    "difference": 422,
}


def envelope(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details}}


def error_response(status: int, code: str, message: str, details: Any = None) -> JsonResponse:
    return JsonResponse(envelope(code, message, details), status=status)


class FormInvalid(Exception):
    """A Django form refused the input: 422 with its messages per field."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


class TokenAuthError(AuthenticationError):
    """A bearer token was sent but cannot be used (invalid, expired or revoked)."""

    def __init__(self, reason: str) -> None:
        super().__init__(401, reason)
        self.reason = reason


def _token_message(reason: str) -> str:
    return {
        "expired": _("This API token has expired. Create a new one on the API token page."),
        "revoked": _("This API token has been revoked."),
    }.get(reason, _("The API token is not valid."))


def _pydantic_message(error: dict[str, Any]) -> str:
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind == "missing":
        return _("This field is required.")
    if kind in ("string_too_long", "too_long"):
        return _("At most %(n)s characters.") % {"n": ctx.get("max_length", "?")}
    if kind in ("string_too_short", "too_short"):
        return _("At least %(n)s characters.") % {"n": ctx.get("min_length", "?")}
    if kind in ("greater_than_equal", "greater_than"):
        return _("The number must be at least %(n)s.") % {"n": ctx.get("ge", ctx.get("gt", "?"))}
    if kind in ("less_than_equal", "less_than"):
        return _("The number must be at most %(n)s.") % {"n": ctx.get("le", ctx.get("lt", "?"))}
    if kind.startswith("int_"):
        return _("Enter a whole number.")
    if kind.startswith(("date_", "datetime_")):
        return _("Enter a date as YYYY-MM-DD.")
    if kind.startswith("bool"):
        return _("Enter true or false.")
    if kind in ("enum", "literal_error"):
        return _("Choose one of: %(choices)s.") % {"choices": ctx.get("expected", "")}
    if kind.startswith("string_"):
        return _("Enter text.")
    if kind in ("json_invalid", "model_attributes_type", "dict_type", "model_type"):
        return _("The request body must be a JSON object.")
    return _("This value is not valid.")


def _field_name(loc: Any) -> str:
    """`("body", "payload", "nik")` → `nik` (as the form names it); `("query", "page")` → `query.page`."""
    parts = [str(part) for part in loc] if isinstance(loc, list | tuple) else [str(loc)]
    if parts[:1] == ["body"] and len(parts) > 2:
        parts = parts[2:]
    return ".".join(parts)


def validation_details(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [
        {"field": _field_name(e.get("loc", ())), "message": _pydantic_message(e), "type": str(e.get("type", ""))}
        for e in errors
    ]


def install_handlers(api: NinjaAPI) -> None:
    """Replace ninja's default handlers (bare {"detail"} bodies, tracebacks in DEBUG) with the envelope."""

    def on_validation(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(422, "validation_error", _("The request is not valid."), validation_details(exc.errors))

    def on_form(request: HttpRequest, exc: Any) -> HttpResponse:
        details = [
            {"field": field, "message": " ".join(messages), "type": "form"} for field, messages in exc.errors.items()
        ]
        return error_response(422, "validation_error", _("The request is not valid."), details)

    def on_http(request: HttpRequest, exc: Any) -> HttpResponse:
        status = exc.status_code
        if isinstance(exc, TokenAuthError):
            response = error_response(401, f"token_{exc.reason}", _token_message(exc.reason))
            response["WWW-Authenticate"] = 'Bearer realm="lindung", error="invalid_token"'
            return response
        if isinstance(exc, Throttled):
            return error_response(
                429,
                "rate_limited",
                _("Too many requests. Try again later."),
                {"retry_after": math.ceil(exc.wait) if exc.wait is not None else None},
            )
        if status == 401:
            response = error_response(
                401, "unauthenticated", _("Log in, or send an API token in the header Authorization: Bearer <token>.")
            )
            response["WWW-Authenticate"] = 'Bearer realm="lindung"'
            return response
        if status == 400:
            return error_response(400, "bad_request", _("The request body cannot be read: send valid JSON."))
        if status == 403 and "CSRF" in exc.message:
            return error_response(403, "csrf_failed", _("The CSRF check failed. Reload the page and try again."))
        if status == 403:
            return error_response(403, "forbidden", _("Your role may not do this."))
        if status == 404:
            return error_response(404, "not_found", _("Not found."))
        return error_response(status, "error", exc.message)

    def on_404(request: HttpRequest, exc: Any) -> HttpResponse:
        return error_response(404, "not_found", _("Not found."))

    def on_application(request: HttpRequest, exc: Any) -> HttpResponse:
        status = APPLICATION_STATUS.get(exc.code, 400)
        return error_response(status, exc.code, exc.message, exc.extra or None)

    def on_exception(request: HttpRequest, exc: Any) -> HttpResponse:
        logger.exception("API error on %s %s", request.method, request.path, exc_info=exc)
        return error_response(500, "internal_error", _("Something went wrong on the server."))

    api.add_exception_handler(ValidationError, on_validation)
    api.add_exception_handler(FormInvalid, on_form)
    api.add_exception_handler(HttpError, on_http)
    api.add_exception_handler(Http404, on_404)
    api.add_exception_handler(ApplicationError, on_application)
    api.add_exception_handler(Exception, on_exception)
