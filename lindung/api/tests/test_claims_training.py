"""Claims and training through the API: the apps' scoped selectors, the stored quote, enrolments by role."""

from __future__ import annotations

import json

import pytest

from lindung.api.tests.conftest import SESETAN, bearer, documents_complete, make_token
from lindung.audit.models import AuditEvent
from lindung.claims.models import Claim
from lindung.membership.tests.factories import TEGAL_HARUM

pytestmark = pytest.mark.django_db


# --- claims ---------------------------------------------------------------------------------------


def test_claims_list_in_scope(api_client, operator_token, city_token, claim_data):
    mine, other = claim_data.mine, claim_data.other
    page = api_client.get("/api/v1/claims", **bearer(operator_token)).json()
    assert [c["id"] for c in page["items"]] == [mine.pk]
    item = page["items"][0]
    assert (item["status"], item["incident"]["type"], item["incident"]["village"]) == ("reported", "death", TEGAL_HARUM)
    assert item["incident"]["date"] == "2026-03-10"
    assert item["cash_total"] == mine.quote["cash_total"] > 0

    city = bearer(city_token)
    assert {c["id"] for c in api_client.get("/api/v1/claims", **city).json()["items"]} == {mine.pk, other.pk}
    assert [c["id"] for c in api_client.get(f"/api/v1/claims?village={SESETAN}", **city).json()["items"]] == [other.pk]
    assert api_client.get("/api/v1/claims?status=paid", **city).json()["count"] == 0


def test_claim_detail_carries_the_stored_quote_and_history(api_client, operator_token, claim_data):
    claim = claim_data.mine
    response = api_client.get(f"/api/v1/claims/{claim.pk}", **bearer(operator_token))
    assert response.status_code == 200
    data = response.json()
    stored = Claim.objects.get(pk=claim.pk)
    assert data["quote"] == stored.quote  # exactly the engine's output as stored with the claim
    assert data["quote"]["status"] == "covered" and data["alternative_quote"] is None
    assert data["parameters_on"] == "2026-03-10"
    assert [(t["from_status"], t["to_status"]) for t in data["transitions"]] == [
        (t.from_status, t.to_status) for t in stored.transitions.order_by("recorded_at", "pk")
    ]
    assert data["transitions"][-1]["to_status"] == "reported"


# --- training -------------------------------------------------------------------------------------


def test_training_programmes_by_role(api_client, operator_token, city_token, training_data):
    programme = training_data.programme
    # Village roles have no programme pages: an empty list and 404, as on the pages.
    assert api_client.get("/api/v1/training/programmes", **bearer(operator_token)).json()["count"] == 0
    url = f"/api/v1/training/programmes/{programme.pk}"
    assert api_client.get(url, **bearer(operator_token)).status_code == 404

    city = bearer(city_token)
    assert [p["id"] for p in api_client.get("/api/v1/training/programmes", **city).json()["items"]] == [programme.pk]
    detail = api_client.get(url, **city).json()
    assert (detail["title"], detail["region"], detail["capacity"], detail["cost"]) == (
        "Pelatihan Pangkas Rambut", "51.71", 20, 15_000_000,
    )  # fmt: skip
    assert (detail["target_occupations"], detail["target_keywords"]) == ([24], ["cukur"])
    assert detail["fill"] == {"invited": 1, "enrolled": 1, "completed": 0, "dropped": 0, "taken": 2, "free": 18}


def test_enrolments_by_role(api_client, operator_token, city_token, training_data, make_user):
    mine, other = training_data.mine, training_data.other
    items = api_client.get("/api/v1/training/enrolments", **bearer(operator_token)).json()["items"]
    assert [(e["id"], e["village"], e["status"]) for e in items] == [(mine.pk, TEGAL_HARUM, "enrolled")]
    assert items[0]["programme_title"] == "Pelatihan Pangkas Rambut" and items[0]["enrolled_on"] == "2026-02-10"

    city = bearer(city_token)
    assert [e["id"] for e in api_client.get("/api/v1/training/enrolments", **city).json()["items"]] == [
        mine.pk, other.pk,
    ]  # fmt: skip
    assert [e["id"] for e in api_client.get("/api/v1/training/enrolments?status=invited", **city).json()["items"]] == [
        other.pk
    ]
    assert api_client.get("/api/v1/training/enrolments?village=51.71.03", **city).json()["count"] == 1

    # A trainer sees the enrolments of their own programmes; another trainer none.
    owner = bearer(make_token(training_data.trainer))
    assert api_client.get("/api/v1/training/enrolments", **owner).json()["count"] == 2
    stranger = bearer(make_token(make_user("pelatih.lain", "trainer", "51.71")))
    assert api_client.get("/api/v1/training/enrolments", **stranger).json()["count"] == 0
    assert api_client.get(f"/api/v1/training/programmes/{training_data.programme.pk}", **stranger).status_code == 404


# --- claim transitions ----------------------------------------------------------------------------


def _post(client, url: str, body: dict, token: str):
    return client.post(url, json.dumps(body), content_type="application/json", **bearer(token))


def test_submit_then_pay_through_the_claims_services(
    api_client, operator_tegal_harum, operator_token, city_token, bpjs_officer, claim_data
):
    claim = documents_complete(operator_tegal_harum, claim_data.mine)  # the operator prepared it (the maker)
    assert claim.status == "documents_complete"
    url = f"/api/v1/claims/{claim.pk}"
    # The operator may prepare but not approve: 403, nothing moves.
    response = _post(api_client, f"{url}/submit", {"on": "2026-03-20"}, operator_token)
    assert (response.status_code, response.json()["error"]["code"]) == (403, "scope")
    response = _post(api_client, f"{url}/submit", {"on": "2099-01-01"}, city_token)
    assert (response.status_code, response.json()["error"]["code"]) == (422, "date")
    response = _post(api_client, f"{url}/submit", {"on": "2026-03-20", "note": "Lengkap"}, city_token)
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "submitted"
    assert response.json()["transitions"][-1]["to_status"] == "submitted"

    bpjs = make_token(bpjs_officer)
    cash = Claim.objects.get(pk=claim.pk).cash_total
    body = {"on": "2026-04-02", "reference": "BPJS-0001", "amount": cash - 1}
    response = _post(api_client, f"{url}/pay", body, bpjs)  # differs from the quote without a reason
    assert (response.status_code, response.json()["error"]["code"]) == (422, "difference")
    response = _post(api_client, f"{url}/pay", {**body, "amount": cash}, bpjs)
    assert response.status_code == 200, response.content
    data = response.json()
    assert (data["status"], data["bpjs_reference"], data["bpjs_paid_amount"], data["decided_on"]) == (
        "paid", "BPJS-0001", cash, "2026-04-02",
    )  # fmt: skip
    response = _post(api_client, f"{url}/reject", {"on": "2026-04-03", "reason": "Terlambat"}, bpjs)
    assert (response.status_code, response.json()["error"]["code"]) == (409, "transition")
    assert AuditEvent.objects.filter(action="claims.claim.paid", target_id=str(claim.pk)).exists()


def test_the_maker_cannot_approve_and_bpjs_rejects(api_client, city_officer, city_token, bpjs_officer, claim_data):
    claim = documents_complete(city_officer, claim_data.other)  # the city officer reported and prepared it
    url = f"/api/v1/claims/{claim.pk}"
    response = _post(api_client, f"{url}/submit", {"on": "2026-03-20"}, city_token)
    assert (response.status_code, response.json()["error"]["code"]) == (409, "maker_checker")
    assert Claim.objects.get(pk=claim.pk).status == "documents_complete"

    bpjs = make_token(bpjs_officer)
    response = _post(api_client, f"{url}/reject", {"on": "2026-04-03", "reason": "Belum diajukan"}, bpjs)
    assert (response.status_code, response.json()["error"]["code"]) == (409, "transition")
    Claim.objects.filter(pk=claim.pk).update(status="submitted")
    response = _post(api_client, f"{url}/reject", {"on": "2026-04-03", "reason": ""}, bpjs)
    assert response.status_code == 422  # a reason is required
    response = _post(api_client, f"{url}/reject", {"on": "2026-04-03", "reason": "Bukan peserta aktif"}, bpjs)
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["rejection_reason"]) == ("rejected", "Bukan peserta aktif")
