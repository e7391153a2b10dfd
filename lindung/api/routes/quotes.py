"""Benefit quote: exactly the JSON contract of `lindung quote-benefits --json` (issue 6), same engine."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import get_language
from ninja import Router

from lindung.api.schemas import QuoteIn, QuoteOut, responses
from lindung.benefits.engine import QuoteError, quote
from lindung.benefits.engine.jsonio import parse_request, quote_to_json
from lindung.core.errors import ApplicationError
from lindung.core.parameters import ParameterError, parameters_on

router = Router(tags=["Manfaat"])


@router.post("/quotes/benefits", response=responses(QuoteOut), summary="Hitung manfaat JKK/JKM dan beasiswa")
def quote_benefits(request: HttpRequest, payload: QuoteIn) -> dict[str, Any]:
    """The same input and output as `lindung quote-benefits --json`; regulation parameters in force on the event's
    date. Input errors are 422 with the engine's code (`invalid_input`, `invalid_date`, `unknown_event_type`) and its
    message in the request's language (the quote's own texts stay those of the CLI)."""
    try:
        parsed = parse_request(payload.model_dump(exclude_none=True))
        result = quote(
            parsed.event, parsed.member, parsed.children, parameters_on(parsed.event.date), parsed.chosen_children
        )
    except QuoteError as error:
        raise ApplicationError(error.text(get_language()), code=error.code) from None
    except ParameterError as error:
        raise ApplicationError(str(error), code="no_parameters") from None
    return quote_to_json(result)
