"""Memberships, invoices and payments through the API: the billing app's selectors and the payment page's form
and services, with their effects on the derived cover."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from lindung.api.tests.conftest import SESETAN, bearer, make_token
from lindung.audit.models import AuditEvent
from lindung.billing.models import Invoice, Payment
from lindung.billing.services import payment_record
from lindung.membership.models import Membership
from lindung.membership.tests.factories import TEGAL_HARUM

pytestmark = pytest.mark.django_db


def post(client, url: str, body: dict, token: str):
    return client.post(url, json.dumps(body), content_type="application/json", **bearer(token))


def payment_body(programme_id: int, amount: int, **fields) -> dict:
    return {
        "programme": programme_id,
        "value_date": "2025-01-20",
        "amount": amount,
        "reference": "TRF-0001",
        "budget_source": "dana_desa",
        "account_code": "5.4.01.01",
        **fields,
    }


# --- memberships ----------------------------------------------------------------------------------


def test_memberships_list_in_scope_with_filters(api_client, operator_token, city_token, billing_data):
    mine, other = billing_data.mine, billing_data.other
    page = api_client.get("/api/v1/memberships", **bearer(operator_token)).json()
    assert page["count"] == 1
    item = page["items"][0]
    assert (item["id"], item["village"], item["status"], item["kpj_number"]) == (
        mine.pk, TEGAL_HARUM, "active", "23011234567",
    )  # fmt: skip
    assert item["nik_masked"].startswith(mine.worker.nik[:4]) and mine.worker.nik not in json.dumps(page)
    assert item["status_label"] == "Aktif"

    city = bearer(city_token)
    assert [i["id"] for i in api_client.get("/api/v1/memberships", **city).json()["items"]] == [mine.pk, other.pk]
    assert [i["id"] for i in api_client.get("/api/v1/memberships?village=51.71.01", **city).json()["items"]] == [
        other.pk
    ]
    # Sesetan's payment recomputed its cover (lapsed long ago); Tegal Harum's was never recomputed (still active).
    for status in ("active", "lapsed", "ended"):
        expected = list(Membership.objects.filter(status=status).order_by("pk").values_list("pk", flat=True))
        items = api_client.get(f"/api/v1/memberships?status={status}", **city).json()["items"]
        assert [i["id"] for i in items] == expected, status
    assert api_client.get("/api/v1/memberships?page_size=1&page=2", **city).json()["items"][0]["id"] == other.pk
    response = api_client.get("/api/v1/memberships?status=unknown", **city)
    assert response.status_code == 422 and response.json()["error"]["code"] == "validation_error"


def test_membership_detail_has_history_and_paid_through(api_client, operator_token, billing_data):
    mine = billing_data.mine
    response = api_client.get(f"/api/v1/memberships/{mine.pk}", **bearer(operator_token))
    assert response.status_code == 200
    data = response.json()
    assert (data["paid_through"], data["paid_through_month"]) == (None, None)  # no payment recomputed it yet
    assert data["history"][0] == {
        "from_status": "pending", "to_status": "active", "on": "2025-01-10", "reason": "KPJ terbit",
        "recorded_at": data["history"][0]["recorded_at"],
    }  # fmt: skip


# --- invoices -------------------------------------------------------------------------------------


def test_invoices_of_a_village_newest_first_with_lines(api_client, operator_token, billing_data):
    auth = bearer(operator_token)
    page = api_client.get(f"/api/v1/villages/{TEGAL_HARUM}/invoices", **auth).json()
    assert [i["period_month"] for i in page["items"]] == ["2025-02", "2025-01"]
    assert {i["village"] for i in page["items"]} == {TEGAL_HARUM}
    assert all(i["status"] == "open" and i["paid_amount"] == 0 for i in page["items"])
    january = page["items"][1]
    detail = api_client.get(f"/api/v1/invoices/{january['id']}", **auth).json()
    assert [line["membership"] for line in detail["lines"]] == [billing_data.mine.pk]
    line = detail["lines"][0]
    assert line["jkk"] + line["jkm"] + line["jht"] == line["amount"] == detail["total"] > 0
    assert api_client.get(f"/api/v1/villages/{TEGAL_HARUM}/invoices?status=paid", **auth).json()["count"] == 0


# --- payments -------------------------------------------------------------------------------------


def test_recording_a_payment_settles_the_oldest_invoice(api_client, operator_tegal_harum, operator_token, billing_data):
    january = Invoice.objects.get(village_id=TEGAL_HARUM, period=dt.date(2025, 1, 1))
    url = f"/api/v1/villages/{TEGAL_HARUM}/payments"
    response = post(api_client, url, payment_body(billing_data.programme.pk, january.total), operator_token)
    assert response.status_code == 201, response.content
    payment = response.json()
    assert (payment["amount"], payment["village"], payment["reversal_of"], payment["reversed_by"]) == (
        january.total, TEGAL_HARUM, None, None,
    )  # fmt: skip
    assert payment["budget_source_label"] == "Dana Desa (APBDes)"
    stored = Payment.objects.get(pk=payment["id"])
    assert stored.recorded_by == operator_tegal_harum and stored.account_code == "5.4.01.01"
    assert AuditEvent.objects.filter(action="billing.payment.record", target_id=str(stored.pk)).exists()

    auth = bearer(operator_token)
    invoices = api_client.get(f"{url.replace('payments', 'invoices')}", **auth).json()["items"]
    assert [(i["period_month"], i["status"]) for i in invoices] == [("2025-02", "open"), ("2025-01", "paid")]
    member = api_client.get(f"/api/v1/memberships/{billing_data.mine.pk}", **auth).json()
    assert member["paid_through_month"] == "2025-01"
    assert [p["id"] for p in api_client.get(url, **auth).json()["items"]] == [stored.pk]


@pytest.mark.parametrize(
    ("fields", "status", "where"),
    [
        ({"value_date": "2099-01-01"}, 422, "value_date"),  # the service: no payment dated in the future
        ({"amount": 0}, 422, "amount"),  # the schema
        ({"reference": ""}, 422, "reference"),
        ({"budget_source": "kas"}, 422, "budget_source"),
        ({"programme": 999_999}, 422, "programme"),  # the form: only programmes the village has an agreement in
    ],
)
def test_invalid_payments_are_refused_and_nothing_is_written(
    api_client, operator_token, billing_data, fields, status, where
):
    before = Payment.objects.count()
    body = {**payment_body(billing_data.programme.pk, 1000), **fields}
    response = post(api_client, f"/api/v1/villages/{TEGAL_HARUM}/payments", body, operator_token)
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == where or where in [d["field"] for d in error["details"]]
    assert Payment.objects.count() == before


def test_reversal_undoes_the_cover_and_cannot_be_repeated(api_client, operator_token, billing_data):
    january = Invoice.objects.get(village_id=TEGAL_HARUM, period=dt.date(2025, 1, 1))
    url = f"/api/v1/villages/{TEGAL_HARUM}/payments"
    payment = post(api_client, url, payment_body(billing_data.programme.pk, january.total), operator_token).json()

    response = post(api_client, f"/api/v1/payments/{payment['id']}/reverse", {"reason": ""}, operator_token)
    assert response.status_code == 422  # a reason is required
    response = post(api_client, f"/api/v1/payments/{payment['id']}/reverse", {"reason": "Salah input"}, operator_token)
    assert response.status_code == 201, response.content
    reversal = response.json()
    assert (reversal["amount"], reversal["reversal_of"], reversal["note"]) == (
        -january.total,
        payment["id"],
        "Salah input",
    )
    auth = bearer(operator_token)
    assert api_client.get(f"/api/v1/payments/{payment['id']}", **auth).json()["reversed_by"] == reversal["id"]
    january.refresh_from_db()
    assert january.status == "open"
    # Nothing paid any more: paid through the month before the start month (RULES.md "Cover and lapse").
    assert api_client.get(f"/api/v1/memberships/{billing_data.mine.pk}", **auth).json()["paid_through_month"] == (
        "2024-12"
    )

    again = post(api_client, f"/api/v1/payments/{payment['id']}/reverse", {"reason": "Lagi"}, operator_token)
    assert (again.status_code, again.json()["error"]["code"]) == (409, "reversed")
    twice = post(api_client, f"/api/v1/payments/{reversal['id']}/reverse", {"reason": "Lagi"}, operator_token)
    assert (twice.status_code, twice.json()["error"]["code"]) == (409, "reversal")
    assert Payment.objects.filter(village_id=TEGAL_HARUM).count() == 2


def test_read_only_role_reads_but_gets_403_on_writes(api_client, bpjs_officer, billing_data):
    token = make_token(bpjs_officer)
    auth = bearer(token)
    assert api_client.get(f"/api/v1/villages/{TEGAL_HARUM}/invoices", **auth).json()["count"] == 2
    assert api_client.get(f"/api/v1/villages/{SESETAN}/payments", **auth).json()["count"] == 1
    before = list(Payment.objects.values_list("pk", "amount"))
    response = post(
        api_client, f"/api/v1/villages/{TEGAL_HARUM}/payments", payment_body(billing_data.programme.pk, 1), token
    )
    assert (response.status_code, response.json()["error"]["code"]) == (403, "forbidden")
    response = post(api_client, f"/api/v1/payments/{billing_data.other_payment.pk}/reverse", {"reason": "x"}, token)
    assert response.status_code == 403
    assert list(Payment.objects.values_list("pk", "amount")) == before


def test_a_district_is_not_a_village(api_client, city_token, billing_data):
    assert api_client.get("/api/v1/villages/51.71.03/invoices", **bearer(city_token)).status_code == 404
    assert api_client.get("/api/v1/villages/51.71.03/payments", **bearer(city_token)).status_code == 404


def test_session_needs_csrf_to_record_a_payment(api_client, operator_tegal_harum, billing_data):
    api_client.force_login(operator_tegal_harum)
    body = json.dumps(payment_body(billing_data.programme.pk, 1000))
    url = f"/api/v1/villages/{TEGAL_HARUM}/payments"
    response = api_client.post(url, body, content_type="application/json")
    assert (response.status_code, response.json()["error"]["code"]) == (403, "csrf_failed")
    assert not Payment.objects.filter(village_id=TEGAL_HARUM).exists()


def test_lists_take_the_same_queries_whatever_their_length(api_client, city_token, billing_data):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from lindung.billing.services import payment_reverse
    from lindung.regions.models import Region

    auth = bearer(city_token)
    urls = [f"/api/v1/villages/{SESETAN}/payments", "/api/v1/memberships", f"/api/v1/villages/{SESETAN}/invoices"]

    def queries() -> list[int]:
        counts = []
        for url in urls:
            with CaptureQueriesContext(connection) as captured:
                assert api_client.get(url, **auth).status_code == 200
            counts.append(len(captured))
        return counts

    api_client.get("/api/v1/me", **auth)  # the token's first use of the minute writes its rate window
    before = queries()
    sesetan = Region.objects.get(code=SESETAN)
    for n in range(3):
        payment = payment_record(
            actor=None, programme=billing_data.programme, village=sesetan, value_date=dt.date(2025, 2, 1 + n),
            amount=1_000, reference=f"SP2D-{n}", budget_source="apbd",
        )  # fmt: skip
    payment_reverse(actor=None, payment=payment, reason="Ganda")
    assert api_client.get(urls[0], **auth).json()["count"] == 5
    assert queries() == before
