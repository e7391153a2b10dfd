"""Payouts follow the order of heirs (engine's `receiving_heirs`); a minor's share goes to a guardian's account; an
amount other than the quoted share needs a reason."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from lindung.claims import services
from lindung.claims.models import Payout
from lindung.claims.services import PayoutEntry
from lindung.claims.tests.conftest import report_death, upload_all
from lindung.core.errors import ApplicationError
from lindung.registry.models import Heir

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 4, 20)


@pytest.fixture
def paid(operator, city_officer, bpjs_officer):
    def _paid(membership):
        claim = upload_all(operator, report_death(operator, membership))
        claim = services.claim_submit(actor=city_officer, claim=claim, on=DAY)
        return services.claim_record_payment(
            actor=bpjs_officer, claim=claim, on=DAY, reference="JKM-1", amount=claim.cash_total
        )

    return _paid


def test_spouse_receives_and_a_difference_needs_a_reason(paid, bpjs_officer, member):
    claim = paid(member)
    spouse = Heir.objects.get(worker=member.worker, relation="spouse")
    child = Heir.objects.get(worker=member.worker, relation="child")
    payees, basis = services.expected_payees(claim)
    assert [(p.name, p.share) for p in payees] == [("Ni Luh Sari", 42_000_000)]
    assert "suami/istri menerima" in basis

    entry = PayoutEntry(spouse.pk, 41_500_000, "BPD Bali", "0123456789012")
    with pytest.raises(ApplicationError, match="tuliskan alasannya"):
        services.payouts_record(actor=bpjs_officer, claim=claim, paid_on=DAY, entries=[entry])
    with pytest.raises(ApplicationError, match="tidak menerima menurut urutan ahli waris"):
        services.payouts_record(
            actor=bpjs_officer, claim=claim, paid_on=DAY,
            entries=[PayoutEntry(spouse.pk, 42_000_000, "BPD Bali", "0123456789012"),
                     PayoutEntry(child.pk, 1, "BRI", "555")],
        )  # fmt: skip
    assert not Payout.objects.exists()

    reasoned = PayoutEntry(spouse.pk, 41_500_000, "BPD Bali", "0123456789012", difference_reason="Biaya transfer")
    [payout] = services.payouts_record(actor=bpjs_officer, claim=claim, paid_on=DAY, entries=[reasoned])
    assert (payout.recipient_name, payout.quoted_amount, payout.amount) == ("Ni Luh Sari", 42_000_000, 41_500_000)
    assert payout.masked_account == "•••••••••9012"
    with pytest.raises(ApplicationError, match="sudah dicatat"):
        services.payouts_record(actor=bpjs_officer, claim=claim, paid_on=DAY, entries=[reasoned])


def test_the_database_refuses_a_difference_without_reason(paid, bpjs_officer, member):
    claim = paid(member)
    with pytest.raises(IntegrityError), transaction.atomic():
        Payout.objects.create(
            claim=claim, recipient_name="X", quoted_amount=10, amount=9, paid_on=DAY, bank="B", account_number="1",
            recorded_by=bpjs_officer,
        )  # fmt: skip


def test_children_share_equally_and_a_minors_share_goes_to_the_guardian(paid, bpjs_officer, make_member):
    membership = make_member(
        heirs=({"name": "Kadek Bagus", "relation": "child"}, {"name": "Putu Ayu", "relation": "child"},
               {"name": "Wayan Tua", "relation": "parent"}),
    )  # fmt: skip
    claim = paid(membership)
    adult, minor = Heir.objects.filter(worker=membership.worker, relation="child").order_by("pk")
    payees, _basis = services.expected_payees(claim)
    # Rp42,000,000 between two children: Rp21,000,000 each; the parent receives nothing (children come first).
    assert [(p.name, p.share) for p in payees] == [("Kadek Bagus", 21_000_000), ("Putu Ayu", 21_000_000)]

    adult_entry = PayoutEntry(adult.pk, 21_000_000, "BRI", "111122223333")
    no_guardian_account = PayoutEntry(minor.pk, 21_000_000, "BRI", "", is_minor=True, guardian_name="Ni Luh")
    with pytest.raises(ApplicationError, match="rekening wali"):
        services.payouts_record(
            actor=bpjs_officer, claim=claim, paid_on=DAY, entries=[adult_entry, no_guardian_account]
        )
    no_guardian_name = PayoutEntry(minor.pk, 21_000_000, "BRI", "", is_minor=True, guardian_account="999988887777")
    with pytest.raises(ApplicationError, match="isi nama wali"):
        services.payouts_record(actor=bpjs_officer, claim=claim, paid_on=DAY, entries=[adult_entry, no_guardian_name])

    minor_entry = PayoutEntry(
        minor.pk, 21_000_000, "BRI", "", is_minor=True, guardian_name="Ni Luh Sari", guardian_account="999988887777"
    )
    services.payouts_record(actor=bpjs_officer, claim=claim, paid_on=DAY, entries=[adult_entry, minor_entry])
    rows = list(Payout.objects.filter(claim=claim).order_by("pk").values_list(
        "recipient_name", "amount", "account_number", "is_minor", "guardian_name"))  # fmt: skip
    assert rows == [
        ("Kadek Bagus", 21_000_000, "111122223333", False, ""),
        ("Putu Ayu", 21_000_000, "999988887777", True, "Ni Luh Sari"),
    ]


def test_three_heirs_split_to_the_rupiah(paid, bpjs_officer, make_member):
    membership = make_member(
        heirs=tuple({"name": f"Anak {i}", "relation": "child"} for i in range(3)),
    )
    claim = paid(membership)
    payees, _basis = services.expected_payees(claim)
    # 42,000,000 / 3 = 14,000,000 exactly.
    assert [p.share for p in payees] == [14_000_000, 14_000_000, 14_000_000]


def test_payouts_only_after_bpjs_paid(operator, bpjs_officer, member):
    claim = report_death(operator, member)
    spouse = Heir.objects.get(worker=member.worker, relation="spouse")
    with pytest.raises(ApplicationError, match="setelah BPJS membayar"):
        services.payouts_record(
            actor=bpjs_officer, claim=claim, paid_on=DAY, entries=[PayoutEntry(spouse.pk, 42_000_000, "B", "1")]
        )


def test_a_disability_is_paid_to_the_worker(operator, city_officer, bpjs_officer, make_member):
    membership = make_member(heirs=({"name": "Ni Luh", "relation": "spouse"},))
    claim = services.incident_report(
        actor=operator, worker=membership.worker, date=dt.date(2026, 3, 10), type="temporary_disability",
        place="Pelabuhan Benoa", description="Kaki patah saat menurunkan jaring", reporter_name="Ni Luh",
        reporter_role="family", details=services.IncidentDetails(months_unable=14),
    )  # fmt: skip
    # STMB: 12 months at 100% of Rp1,000,000, then 2 at 50%: 12,000,000 + 1,000,000.
    assert claim.quote["cash_total"] == 13_000_000
    assert claim.quote["scholarship"]["children"] == []
    membership.refresh_from_db()
    assert membership.status == "active"  # only a death ends the membership
    claim = upload_all(operator, claim)
    claim = services.claim_submit(actor=city_officer, claim=claim, on=DAY)
    claim = services.claim_record_payment(actor=bpjs_officer, claim=claim, on=DAY, reference="S", amount=13_000_000)
    payees, _basis = services.expected_payees(claim)
    assert [(p.heir, p.name, p.share) for p in payees] == [(None, membership.worker.name, 13_000_000)]
    spouse = Heir.objects.get(worker=membership.worker)
    with pytest.raises(ApplicationError, match="peserta sendiri"):
        services.payouts_record(
            actor=bpjs_officer, claim=claim, paid_on=DAY, entries=[PayoutEntry(spouse.pk, 13_000_000, "BRI", "1")]
        )
    [payout] = services.payouts_record(
        actor=bpjs_officer, claim=claim, paid_on=DAY, entries=[PayoutEntry(None, 13_000_000, "BRI", "123456789")]
    )
    assert (payout.heir, payout.amount, payout.account_number) == (None, 13_000_000, "123456789")
    assert not claim.plans.exists()
