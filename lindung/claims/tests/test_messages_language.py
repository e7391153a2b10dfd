"""Business-rule messages follow the request's language: English msgids, Indonesian from the claims catalogue."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from lindung.claims import services
from lindung.claims.tests.conftest import report_death, upload_all
from lindung.core.errors import ApplicationError

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 4, 1)


def _message(call) -> str:
    with pytest.raises(ApplicationError) as excinfo:
        call()
    return excinfo.value.message


def test_future_date_names_the_date_in_the_language(operator, member):
    def report():
        report_death(operator, member, date=dt.date(2100, 1, 1))

    with translation.override("en"):
        assert _message(report) == "Incident date cannot be after today."
    with translation.override("id"):
        assert _message(report) == "Tanggal kejadian tidak boleh setelah hari ini."


def test_forbidden_transition_names_both_statuses_in_the_language(operator, head, member):
    claim = report_death(operator, member)

    def submit():
        services.claim_submit(actor=head, claim=claim, on=TODAY)

    with translation.override("en"):
        assert _message(submit) == "A claim with status “Reported” cannot be changed to “Submitted to BPJS”."
    with translation.override("id"):
        assert _message(submit) == "Klaim berstatus “Dilaporkan” tidak dapat diubah menjadi “Diajukan ke BPJS”."


def test_payment_difference_keeps_the_rupiah_format(operator, city_officer, bpjs_officer, member):
    claim = upload_all(operator, report_death(operator, member))
    claim = services.claim_submit(actor=city_officer, claim=claim, on=TODAY)

    def pay():
        services.claim_record_payment(actor=bpjs_officer, claim=claim, on=TODAY, reference="X", amount=41_500_000)

    with translation.override("en"):
        assert _message(pay) == (
            "The amount BPJS paid (Rp41.500.000) differs from the quote (Rp42.000.000): give the reason."
        )
    with translation.override("id"):
        assert _message(pay) == (
            "Jumlah yang dibayar BPJS (Rp41.500.000) berbeda dari perhitungan (Rp42.000.000): tuliskan alasannya."
        )
