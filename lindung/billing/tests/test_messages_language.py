"""Business-rule messages of billing follow the request's language: English ids, Indonesian catalogue."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from lindung.billing.budget import budget_plan_save
from lindung.billing.services import parse_period, payment_record
from lindung.core.errors import ApplicationError
from lindung.membership.tests.factories import TEGAL_HARUM
from lindung.regions.models import Region

pytestmark = pytest.mark.django_db


def message(call) -> str:
    with pytest.raises(ApplicationError) as caught:
        call()
    return caught.value.message


def test_period_message_in_both_languages() -> None:
    with translation.override("en"):
        assert message(lambda: parse_period("2026/05")) == (
            "The period must have the form YYYY-MM, for example 2026-05, not '2026/05'."
        )
    with translation.override("id"):
        assert message(lambda: parse_period("2026/05")) == (
            "Periode harus berbentuk TTTT-BB, misalnya 2026-05, bukan '2026/05'."
        )


def test_payment_amount_message_in_both_languages(programme) -> None:
    def record():
        payment_record(
            actor=None,
            programme=programme,
            village=Region.objects.get(code=TEGAL_HARUM),
            value_date=dt.date(2025, 1, 10),
            amount=0,
            reference="TRX-1",
            budget_source="apbdes",
        )

    with translation.override("en"):
        with pytest.raises(ApplicationError) as caught:
            record()
        error = caught.value
        assert error.message == "The payment amount must be a whole number of rupiah greater than zero."
        assert error.code == "amount"
    with translation.override("id"):
        assert message(record) == "Jumlah pembayaran harus bilangan bulat rupiah lebih dari nol."


def test_budget_year_message_in_both_languages(programme) -> None:
    def save():
        budget_plan_save(
            actor=None, programme=programme, village=Region.objects.get(code=TEGAL_HARUM), year=1999, budget=0
        )

    with translation.override("en"):
        assert message(save) == "The budget year is not plausible."
    with translation.override("id"):
        assert message(save) == "Tahun anggaran tidak masuk akal."
