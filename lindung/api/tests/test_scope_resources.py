"""A token of Tegal Harum's operator cannot read, list or change another village's memberships, invoices, payments,
claims (transitions included) or enrolments by any endpoint: 404 (exactly as for a missing object) or absent from
lists, and nothing changes."""

from __future__ import annotations

import json

import pytest
from django.forms.models import model_to_dict

from lindung.api.tests.conftest import SESETAN, bearer
from lindung.audit.models import AuditEvent
from lindung.billing.models import Invoice, Payment
from lindung.claims.models import Claim, ClaimTransition
from lindung.membership.models import Membership
from lindung.membership.tests.factories import TEGAL_HARUM

pytestmark = pytest.mark.django_db

NOT_FOUND = {"error": {"code": "not_found", "message": "Tidak ditemukan.", "details": None}}


def _snapshot():
    return [
        sorted((model_to_dict(row) for row in model.objects.all()), key=lambda d: d["id"])
        for model in (Membership, Invoice, Payment)
    ]


def test_operator_token_cannot_touch_another_villages_billing(api_client, operator_token, billing_data):
    auth = bearer(operator_token)
    before, audited = _snapshot(), AuditEvent.objects.count()
    other_invoice = Invoice.objects.filter(village_id=SESETAN).first()
    assert other_invoice is not None
    payment = {"programme": billing_data.programme.pk, "value_date": "2025-01-20", "amount": 16_800,
               "reference": "TRF-1", "budget_source": "dana_desa"}  # fmt: skip

    reads = [
        f"/api/v1/memberships/{billing_data.other.pk}",
        f"/api/v1/invoices/{other_invoice.pk}",
        f"/api/v1/payments/{billing_data.other_payment.pk}",
        f"/api/v1/villages/{SESETAN}/invoices",
        f"/api/v1/villages/{SESETAN}/payments",
        "/api/v1/villages/51.03.05.2001/invoices",
    ]
    for url in reads:
        response = api_client.get(url, **auth)
        assert (response.status_code, response.json()) == (404, NOT_FOUND), url
    for url, body in (
        (f"/api/v1/villages/{SESETAN}/payments", payment),
        (f"/api/v1/payments/{billing_data.other_payment.pk}/reverse", {"reason": "Salah"}),
    ):
        response = api_client.post(url, json.dumps(body), content_type="application/json", **auth)
        assert (response.status_code, response.json()) == (404, NOT_FOUND), url
    # 404 for out of scope is exactly the 404 for a missing invoice.
    assert api_client.get("/api/v1/invoices/999999", **auth).json() == NOT_FOUND

    for query in ("", "?village=51.71.01", f"?village={SESETAN}", "?status=lapsed", "?page_size=200"):
        items = api_client.get(f"/api/v1/memberships{query}", **auth).json()["items"]
        assert {i["village"] for i in items} <= {TEGAL_HARUM}, query
    assert _snapshot() == before
    assert AuditEvent.objects.count() == audited


def test_operator_token_cannot_see_another_villages_claims(api_client, operator_token, claim_data):
    auth = bearer(operator_token)
    response = api_client.get(f"/api/v1/claims/{claim_data.other.pk}", **auth)
    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    for query in ("", f"?village={SESETAN}", "?village=51.71", "?status=reported"):
        ids = [c["id"] for c in api_client.get(f"/api/v1/claims{query}", **auth).json()["items"]]
        assert claim_data.other.pk not in ids, query
    before = list(Claim.objects.values_list("pk", "status", "bpjs_reference", "rejection_reason"))
    transitions = ClaimTransition.objects.count()
    for step, body in (
        ("submit", {"on": "2026-03-20"}),
        ("reject", {"on": "2026-03-20", "reason": "Ditolak"}),
        ("pay", {"on": "2026-03-20", "reference": "BPJS-1", "amount": 1, "note": "x"}),
    ):
        url = f"/api/v1/claims/{claim_data.other.pk}/{step}"
        response = api_client.post(url, json.dumps(body), content_type="application/json", **auth)
        assert (response.status_code, response.json()) == (404, NOT_FOUND), step
    assert list(Claim.objects.values_list("pk", "status", "bpjs_reference", "rejection_reason")) == before
    assert ClaimTransition.objects.count() == transitions


def test_operator_token_cannot_see_another_villages_enrolments(api_client, operator_token, training_data):
    auth = bearer(operator_token)
    for query in ("", f"?village={SESETAN}", f"?programme={training_data.programme.pk}", "?status=invited"):
        items = api_client.get(f"/api/v1/training/enrolments{query}", **auth).json()["items"]
        assert {e["village"] for e in items} <= {TEGAL_HARUM}, query
