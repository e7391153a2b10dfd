"""The quote endpoint's input errors come in the request's language (issue 10): English for `Accept-Language: en` or
the language cookie, Indonesian (exactly the CLI's message) by default; the quote itself stays the CLI contract."""

from __future__ import annotations

import copy
import json

from django.conf import settings

from lindung.api.tests.conftest import bearer
from lindung.api.tests.test_resources import QUOTE
from lindung.benefits.tests.conftest import run_quote

URL = "/api/v1/quotes/benefits"


def _post(client, body, token, **headers):
    return client.post(URL, json.dumps(body), content_type="application/json", **bearer(token), **headers)


def _error(response, status: int = 422) -> dict:
    assert response.status_code == status, response.content
    error = response.json()["error"]
    return {"code": error["code"], "message": error["message"]}


def test_quote_errors_in_english_and_indonesian(api_client, operator_token):
    wrong_date = copy.deepcopy(QUOTE)
    wrong_date["event"]["date"] = "2026-02-30"
    english = _error(_post(api_client, wrong_date, operator_token, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9"))
    assert english == {
        "code": "invalid_date",
        "message": "event.date must be a valid date in the format YYYY-MM-DD: '2026-02-30'.",
    }
    _code, cli = run_quote(wrong_date)
    assert _error(_post(api_client, wrong_date, operator_token)) == cli["error"]  # Indonesian, as the CLI says it
    assert cli["error"]["message"].startswith("event.date harus tanggal yang benar")

    poor = copy.deepcopy(QUOTE)
    poor["member"]["declared_income"] = 999_999
    api_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = _error(_post(api_client, poor, operator_token), 400)
    del api_client.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert english["code"] == "income_out_of_range"
    assert english["message"].startswith("The declared income Rp999.999 is outside the range Rp1.000.000 to ")
    indonesian = _error(_post(api_client, poor, operator_token), 400)
    assert indonesian["message"].startswith("Penghasilan yang dilaporkan Rp999.999 di luar batas Rp1.000.000")

    chosen = {**QUOTE, "chosen_children": ["Made"]}
    english = _error(_post(api_client, chosen, operator_token, HTTP_ACCEPT_LANGUAGE="en"), 400)
    assert english == {"code": "unknown_child", "message": "The chosen child is not in the list of children: Made."}


def test_an_english_request_gets_the_same_quote_as_the_cli(api_client, operator_token):
    response = _post(api_client, QUOTE, operator_token, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, response.content
    _code, cli = run_quote(QUOTE)
    assert response.json() == cli
