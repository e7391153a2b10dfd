"""Billing pages: scoped, payment recorded only after confirmation, reversal, warnings."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from lindung.billing.models import Payment
from lindung.billing.services import billing_run
from lindung.membership.tests.factories import SESETAN, TEGAL_HARUM, make_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client(client, operator_tegal_harum):
    client.force_login(operator_tegal_harum)
    return client


def test_village_page_lists_invoices(operator_client, programme) -> None:
    make_member(programme, TEGAL_HARUM, dt.date(2025, 1, 1), kpj="1")
    billing_run(period=dt.date(2025, 1, 1))
    page = operator_client.get(reverse("billing:village", args=[TEGAL_HARUM]))
    assert page.status_code == 200
    assert "16.800" in page.content.decode() or "16,800" in page.content.decode()


def test_other_village_is_not_found(operator_client, programme) -> None:
    assert operator_client.get(reverse("billing:village", args=[SESETAN])).status_code == 404
    assert operator_client.get(reverse("billing:payment_new", args=[SESETAN])).status_code == 404


def test_payment_needs_confirmation(operator_client, programme) -> None:
    make_member(programme, TEGAL_HARUM, dt.date(2025, 1, 1), kpj="1")
    billing_run(period=dt.date(2025, 1, 1))
    url = reverse("billing:payment_new", args=[TEGAL_HARUM])
    data = {
        "programme": programme.pk, "value_date": "2025-01-10", "amount": "16800", "reference": "TRX-1",
        "budget_source": "dana_desa", "account_code": "5.4.01.01", "note": "",
    }  # fmt: skip
    first = operator_client.post(url, data)
    assert first.status_code == 200 and 'data-testid="confirm-question"' in first.content.decode()
    assert not Payment.objects.exists()
    done = operator_client.post(url, {**data, "confirm": "1"})
    assert done.status_code == 302
    payment = Payment.objects.get()
    assert (payment.amount, payment.account_code) == (16_800, "5.4.01.01")
    reverse_url = reverse("billing:payment_reverse", args=[payment.pk])
    assert operator_client.post(reverse_url, {"reason": "Salah input"}).status_code == 302
    assert Payment.objects.get(reversal_of=payment).amount == -16_800
    # The reversed payment no longer offers "Batalkan"; it says it was reversed.
    page = operator_client.get(reverse("billing:village", args=[TEGAL_HARUM])).content.decode()
    assert reverse_url not in page
    assert "Dibatalkan" in page and "Pembatalan" in page


def test_warnings_page(operator_client, programme) -> None:
    page = operator_client.get(reverse("billing:warnings"))
    assert page.status_code == 200
    assert 'data-testid="arrears-warnings"' in page.content.decode()
