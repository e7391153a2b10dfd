"""The benefit engine's texts inside claim messages follow the request's language: English when it is English,
Indonesian (the engine's own text, unchanged) otherwise (issue 10)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from lindung.claims import services
from lindung.claims.models import Claim
from lindung.claims.services import PayoutEntry
from lindung.claims.tests.conftest import report_death, upload_all
from lindung.core.errors import ApplicationError
from lindung.membership.models import Membership
from lindung.registry.models import Child, Heir

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 4, 1)
DAY = dt.date(2026, 4, 20)


def _error(call) -> ApplicationError:
    with pytest.raises(ApplicationError) as excinfo:
        call()
    return excinfo.value


@pytest.fixture
def paid(operator, city_officer, bpjs_officer):
    def _paid(membership):
        claim = upload_all(operator, report_death(operator, membership))
        claim = services.claim_submit(actor=city_officer, claim=claim, on=DAY)
        return services.claim_record_payment(
            actor=bpjs_officer, claim=claim, on=DAY, reference="JKM-1", amount=claim.cash_total
        )

    return _paid


def test_the_not_covered_reason_follows_the_language(operator, city_officer, make_member):
    membership = make_member(paid_through=dt.date(2025, 12, 1), children=(), heirs=())
    claim = upload_all(operator, report_death(operator, membership))
    stored = claim.quote["scholarship"]["reason"]
    assert stored.startswith("Tidak ada manfaat: iuran menunggak 3 bulan (lunas sampai 2025-12)")

    def submit():
        services.claim_submit(actor=city_officer, claim=claim, on=TODAY)

    with translation.override("en"):
        error = _error(submit)
    assert error.code == "not_covered"
    assert error.message.startswith(
        "This incident is not covered according to the quote (No benefit: contributions are 3 months in arrears "
        "(paid through 2025-12); the event is covered only after the arrears are paid — "
    )
    assert error.message.endswith("). Recompute after the arrears are paid.")
    assert "menunggak" not in error.message
    with translation.override("id"):
        error = _error(submit)
    assert error.code == "not_covered" and f"({stored})" in error.message
    assert claim.quote == Claim.objects.get(pk=claim.pk).quote  # the stored quote is the engine's, as it was


def test_a_stored_reason_the_engine_does_not_give_again_is_shown_as_it_is(operator, city_officer, make_member):
    membership = make_member(paid_through=dt.date(2025, 12, 1), children=(), heirs=())
    claim = upload_all(operator, report_death(operator, membership))
    quote = {**claim.quote, "scholarship": {**claim.quote["scholarship"], "reason": "Tidak ada manfaat: catatan lama."}}
    Claim.objects.filter(pk=claim.pk).update(quote=quote)
    claim = Claim.objects.get(pk=claim.pk)
    with translation.override("en"):
        error = _error(lambda: services.claim_submit(actor=city_officer, claim=claim, on=TODAY))
    assert "(Tidak ada manfaat: catatan lama.)" in error.message


def test_an_engine_error_on_recompute_follows_the_language(operator, member):
    claim = report_death(operator, member)
    Membership.objects.filter(pk=member.pk).update(paid_through=dt.date(2026, 3, 1))
    komang = Child.objects.get(worker=member.worker, name="Komang Sari")
    Child.objects.filter(pk=komang.pk).update(married=True)

    def recompute():
        services.claim_recompute(actor=operator, claim=claim, chosen_children=[komang.pk])

    with translation.override("en"):
        error = _error(recompute)
    assert (error.code, error.message) == (
        "child_not_eligible",
        "The chosen child does not meet the scholarship conditions: Komang Sari is married.",
    )
    with translation.override("id"):
        error = _error(recompute)
    assert (error.code, error.message) == (
        "child_not_eligible",
        "Anak yang dipilih tidak memenuhi syarat beasiswa: Komang Sari sudah menikah.",
    )


def test_the_order_of_heirs_follows_the_language(paid, bpjs_officer, member, make_member):
    claim = paid(member)
    spouse = Heir.objects.get(worker=member.worker, relation="spouse")
    child = Heir.objects.get(worker=member.worker, relation="child")
    with translation.override("en"):
        _payees, basis = services.expected_payees(claim)
        assert basis == "Order of heirs (PP 44/2015 jo. PP 82/2019): the benefit goes to the husband or wife."
        error = _error(
            lambda: services.payouts_record(
                actor=bpjs_officer,
                claim=claim,
                paid_on=DAY,
                entries=[
                    PayoutEntry(spouse.pk, 42_000_000, "BPD Bali", "0123456789012"),
                    PayoutEntry(child.pk, 1, "BRI", "555"),
                ],
            )
        )
        assert (error.code, error.message) == (
            "not_heir",
            "Putu Ayu do not receive according to the order of heirs (Order of heirs (PP 44/2015 jo. PP 82/2019): the "
            "benefit goes to the husband or wife.)",
        )
    with translation.override("id"):
        _payees, basis = services.expected_payees(claim)
        assert basis == "Urutan ahli waris (PP 44/2015 jo. PP 82/2019): suami/istri menerima."

    nobody = paid(make_member(children=(), heirs=()))
    entry = PayoutEntry(None, nobody.cash_total, "BRI", "555")
    with translation.override("en"):
        error = _error(lambda: services.payouts_record(actor=bpjs_officer, claim=nobody, paid_on=DAY, entries=[entry]))
    assert error.code == "no_heir"
    assert error.message.startswith("No heirs: the funeral costs are paid to whoever arranged the funeral")
    with translation.override("id"):
        error = _error(lambda: services.payouts_record(actor=bpjs_officer, claim=nobody, paid_on=DAY, entries=[entry]))
    assert error.message.startswith("Tidak ada ahli waris")


def test_a_minor_without_guardian_account_follows_the_language(paid, bpjs_officer, make_member):
    membership = make_member(
        heirs=({"name": "Kadek Bagus", "relation": "child"}, {"name": "Putu Ayu", "relation": "child"})
    )
    claim = paid(membership)
    adult, minor = Heir.objects.filter(worker=membership.worker, relation="child").order_by("pk")
    entries = [
        PayoutEntry(adult.pk, 21_000_000, "BRI", "111122223333"),
        PayoutEntry(minor.pk, 21_000_000, "BRI", "", is_minor=True, guardian_name="Ni Luh"),
    ]

    def record():
        services.payouts_record(actor=bpjs_officer, claim=claim, paid_on=DAY, entries=entries)

    with translation.override("en"):
        error = _error(record)
    assert (error.code, error.message) == (
        "guardian_required",
        "The heir Putu Ayu is a minor: their share is paid into a guardian's account; enter the guardian's account.",
    )
    with translation.override("id"):
        assert "rekening wali" in _error(record).message
