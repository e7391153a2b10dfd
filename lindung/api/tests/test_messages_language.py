"""Business-rule messages in the API envelope follow the request's language (the language cookie, or for the API the
Accept-Language header)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.conf import settings
from django.utils import timezone, translation

from lindung.api.services import token_create
from lindung.api.tests.conftest import bearer, documents_complete
from lindung.core.errors import ApplicationError


def _message(response, status: int, code: str) -> str:
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code
    return error["message"]


def test_claim_rules_in_english_and_indonesian(api_client, city_officer, city_token, claim_data):
    claim = documents_complete(city_officer, claim_data.other)  # the city officer prepared it: no approving it
    url = f"/api/v1/claims/{claim.pk}/submit"

    def submit(on: str):
        return api_client.post(url, json.dumps({"on": on}), content_type="application/json", **bearer(city_token))

    api_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert _message(submit("2099-01-01"), 422, "date") == "Submission date cannot be after today."
    assert _message(submit("2026-03-20"), 409, "maker_checker") == (
        "The submission to BPJS must be approved by someone else: you reported this claim or prepared its documents "
        "(four-eyes principle)."
    )
    del api_client.cookies[settings.LANGUAGE_COOKIE_NAME]

    # A program's Accept-Language header is honoured by the API (the pages ignore it, see below).
    english = api_client.post(
        url, json.dumps({"on": "2099-01-01"}), content_type="application/json", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9",
        **bearer(city_token),
    )  # fmt: skip
    assert _message(english, 422, "date") == "Submission date cannot be after today."
    assert "Accept-Language" in english.headers.get("Vary", "")

    # Indonesian by default.
    assert _message(submit("2099-01-01"), 422, "date") == "Tanggal pengajuan tidak boleh setelah hari ini."
    assert _message(submit("2026-03-20"), 409, "maker_checker") == (
        "Pengajuan ke BPJS harus disetujui oleh orang lain: Anda yang melaporkan atau menyiapkan dokumen klaim ini "
        "(prinsip empat mata)."
    )


@pytest.mark.django_db
def test_token_rules_in_english_and_indonesian(operator_tegal_harum):
    yesterday = timezone.localdate() - dt.timedelta(days=1)

    def create(name: str, last_day: dt.date) -> str:
        with pytest.raises(ApplicationError) as excinfo:
            token_create(acting_user=operator_tegal_harum, name=name, last_day=last_day)
        return excinfo.value.message

    with translation.override("en"):
        assert create(" ", yesterday) == "Give the token a name."
        assert create("uji", yesterday) == "The expiry date cannot be in the past."
    with translation.override("id"):
        assert create(" ", yesterday) == "Beri nama token ini."
        assert create("uji", yesterday) == "Tanggal berakhir tidak boleh di masa lalu."


@pytest.mark.django_db
def test_pages_ignore_accept_language(client):
    """Shared village PCs are often set to English: the pages stay Indonesian unless the user switches."""
    page = client.get("/masuk/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert page.status_code == 200
    assert page.headers["Content-Language"] == "id"
