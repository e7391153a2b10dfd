"""The claim workflow: reported → documents complete → submitted → paid | rejected, with maker-checker."""

from __future__ import annotations

import datetime as dt

import pytest

from lindung.audit.models import AuditEvent
from lindung.claims import services
from lindung.claims.models import Claim, ClaimTransition, ScholarshipPlan
from lindung.claims.tests.conftest import DEATH_DAY, pdf, report_death, upload_all
from lindung.core.errors import ApplicationError
from lindung.membership.models import Membership

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 4, 1)


def test_report_opens_the_claim_with_the_quote_and_ends_the_membership(operator, member):
    claim = report_death(operator, member)

    assert claim.status == Claim.Status.REPORTED
    # RULES.md: JKM death = Rp20,000,000 + Rp12,000,000 + Rp10,000,000.
    assert [(line["code"], line["amount"]) for line in claim.quote["benefits"]] == [
        ("jkm_lump_sum", 20_000_000),
        ("jkm_periodic", 12_000_000),
        ("jkm_funeral", 10_000_000),
    ]
    assert claim.quote["cash_total"] == 42_000_000
    assert claim.quote["masa_iur_months"] == 38  # February 2023 to March 2026
    assert claim.parameters_on == DEATH_DAY
    assert claim.member_inputs == {
        "declared_income": 1_000_000,
        "membership_start": "2023-02-01",
        "paid_through": "2026-10",
    }
    member.refresh_from_db()
    assert member.status == Membership.Status.ENDED
    assert (member.end_reason, member.ended_on) == ("death", DEATH_DAY)
    assert list(claim.transitions.values_list("from_status", "to_status")) == [("", "reported")]
    assert AuditEvent.objects.filter(action="claims.incident.report", target_id=str(claim.pk)).exists()


def test_a_death_is_reported_once(operator, member):
    report_death(operator, member)
    with pytest.raises(ApplicationError, match="sudah dilaporkan"):
        report_death(operator, member, date=DEATH_DAY - dt.timedelta(days=1))


def test_future_date_and_missing_membership_are_refused(operator, member, make_member):
    with pytest.raises(ApplicationError, match="setelah hari ini"):
        report_death(operator, member, date=dt.date(2100, 1, 1))
    worker = member.worker
    Membership.objects.filter(worker=worker).delete()
    with pytest.raises(ApplicationError, match="belum terdaftar sebagai peserta"):
        report_death(operator, member)


def test_full_path_with_maker_checker(operator, head, city_officer, bpjs_officer, member):
    claim = report_death(operator, member)
    # Not yet complete: it cannot be submitted.
    with pytest.raises(ApplicationError, match="tidak dapat diubah"):
        services.claim_submit(actor=head, claim=claim, on=TODAY)
    claim = upload_all(operator, claim)
    assert claim.status == Claim.Status.DOCUMENTS_COMPLETE

    # The operator is no approver; the head is, but not after preparing the claim himself.
    with pytest.raises(ApplicationError, match="kepala desa, petugas dinas kota"):
        services.claim_submit(actor=operator, claim=claim, on=TODAY)
    services.claim_document_upload(actor=head, claim=claim, kind="family_card", upload=pdf())
    with pytest.raises(ApplicationError, match="harus disetujui oleh orang lain"):
        services.claim_submit(actor=head, claim=claim, on=TODAY)

    claim = services.claim_submit(actor=city_officer, claim=claim, on=TODAY, note="Berkas lengkap")
    assert claim.status == Claim.Status.SUBMITTED
    assert claim.submitted_by == city_officer
    # No more documents, no recompute once submitted.
    with pytest.raises(ApplicationError):
        services.claim_document_upload(actor=operator, claim=claim, kind="family_card", upload=pdf())
    with pytest.raises(ApplicationError, match="tidak dihitung ulang"):
        services.claim_recompute(actor=operator, claim=claim)

    # Only BPJS / city officers record BPJS's decision.
    with pytest.raises(ApplicationError, match="petugas BPJS"):
        services.claim_record_payment(actor=operator, claim=claim, on=TODAY, reference="X", amount=42_000_000)
    with pytest.raises(ApplicationError, match="tuliskan alasannya"):
        services.claim_record_payment(actor=bpjs_officer, claim=claim, on=TODAY, reference="X", amount=41_000_000)
    claim = services.claim_record_payment(
        actor=bpjs_officer, claim=claim, on=TODAY, reference="JKM/2026/0001", amount=42_000_000
    )
    assert claim.status == Claim.Status.PAID
    assert (claim.bpjs_reference, claim.bpjs_paid_amount, claim.decided_on) == ("JKM/2026/0001", 42_000_000, TODAY)
    # The two eldest children get a plan (not the third, not yet in school).
    assert sorted(ScholarshipPlan.objects.filter(claim=claim).values_list("child_name", flat=True)) == [
        "Kadek Bagus",
        "Putu Ayu",
    ]
    # Paid is final.
    with pytest.raises(ApplicationError, match="tidak dapat diubah"):
        services.claim_reject(actor=bpjs_officer, claim=claim, on=TODAY, reason="x")
    moves = list(ClaimTransition.objects.filter(claim=claim).values_list("from_status", "to_status", "by__username"))
    assert moves == [
        ("", "reported", "op.tegalharum"),
        ("reported", "documents_complete", "op.tegalharum"),
        ("documents_complete", "submitted", "dinas.denpasar"),
        ("submitted", "paid", "bpjs.denpasar"),
    ]


def test_reporter_cannot_approve_own_claim(city_officer, head, member):
    claim = upload_all(head, report_death(city_officer, member))
    with pytest.raises(ApplicationError, match="prinsip empat mata"):
        services.claim_submit(actor=city_officer, claim=claim, on=TODAY)


def test_rejection_needs_a_reason_and_ends_the_claim(operator, city_officer, bpjs_officer, member):
    claim = upload_all(operator, report_death(operator, member))
    claim = services.claim_submit(actor=city_officer, claim=claim, on=TODAY)
    with pytest.raises(ApplicationError, match="Alasan penolakan"):
        services.claim_reject(actor=bpjs_officer, claim=claim, on=TODAY, reason=" ")
    claim = services.claim_reject(actor=bpjs_officer, claim=claim, on=TODAY, reason="Akta kematian tidak sah")
    assert claim.status == Claim.Status.REJECTED
    assert not claim.plans.exists()
    with pytest.raises(ApplicationError, match="tidak dapat diubah"):
        services.claim_record_payment(actor=bpjs_officer, claim=claim, on=TODAY, reference="X", amount=0)


def test_arrears_claim_is_not_submitted_until_recomputed(operator, city_officer, make_member):
    # Paid through December 2025, death in March 2026: 3 unpaid months → arrears, not covered.
    membership = make_member(paid_through=dt.date(2025, 12, 1), children=(), heirs=())
    claim = upload_all(operator, report_death(operator, membership))
    assert claim.quote["status"] == "arrears"
    assert claim.quote["cash_total"] == 0
    with pytest.raises(ApplicationError, match="tidak ditanggung"):
        services.claim_submit(actor=city_officer, claim=claim, on=TODAY)
    # The arrears are paid (billing moves paid_through): computing again covers the event.
    Membership.objects.filter(pk=membership.pk).update(paid_through=dt.date(2026, 3, 1))
    claim = services.claim_recompute(actor=operator, claim=claim)
    assert claim.quote["status"] == "covered"
    assert claim.quote["cash_total"] == 42_000_000
    assert services.claim_submit(actor=city_officer, claim=claim, on=TODAY).status == Claim.Status.SUBMITTED


def test_cause_under_assessment_shows_both_quotes_until_decided(operator, city_officer, bpjs_officer, member):
    claim = report_death(operator, member, cause_under_assessment=True)
    # JKM 42,000,000; JKK death at income Rp1,000,000: 48 x 1,000,000 + 12,000,000 + 10,000,000 = 70,000,000.
    assert claim.quote["cash_total"] == 42_000_000
    assert claim.alternative_quote["cash_total"] == 70_000_000
    assert [line["code"] for line in claim.alternative_quote["benefits"]] == [
        "jkk_death_lump_sum",
        "jkk_periodic",
        "jkk_funeral",
    ]
    # The checklist asks for the accident report too, while the cause is open.
    assert "accident_report" in [item.code for item in services.claim_checklist(claim)]
    claim = upload_all(operator, claim)
    claim = services.claim_submit(actor=city_officer, claim=claim, on=TODAY)
    with pytest.raises(ApplicationError, match="pilih keputusan BPJS"):
        services.claim_record_payment(actor=bpjs_officer, claim=claim, on=TODAY, reference="R", amount=70_000_000)
    claim = services.claim_record_payment(
        actor=bpjs_officer, claim=claim, on=TODAY, reference="R", amount=70_000_000, work_accident=True
    )
    assert claim.status == Claim.Status.PAID
    assert not claim.cause_under_assessment
    assert claim.alternative_quote is None
    assert claim.incident.type == "work_accident_death"
    assert claim.quote["cash_total"] == 70_000_000
    assert not any(line["code"].startswith("jkm_") for line in claim.quote["benefits"])


def test_cause_flag_only_for_deaths(operator, member):
    with pytest.raises(ApplicationError, match="hanya berlaku untuk kematian"):
        services.incident_report(
            actor=operator, worker=member.worker, date=DEATH_DAY, type="temporary_disability", place="Pasar",
            description="Jatuh", reporter_name="X", reporter_role="family", cause_under_assessment=True,
            details=services.IncidentDetails(months_unable=2),
        )  # fmt: skip


def test_chosen_children_replace_the_default_and_must_be_eligible(operator, member):
    from lindung.registry.models import Child

    claim = report_death(operator, member)
    assert [c["name"] for c in claim.quote["scholarship"]["children"]] == ["Kadek Bagus", "Putu Ayu"]
    putu, komang = (Child.objects.get(worker=member.worker, name=n) for n in ("Putu Ayu", "Komang Sari"))
    # Computing again reads the membership as billing keeps it. This test membership has no payments behind its
    # paid_through, so ending it at the death recomputed paid_through from nothing; put back what payments through
    # the month of death would give.
    Membership.objects.filter(pk=member.pk).update(paid_through=dt.date(2026, 3, 1))
    claim = services.claim_recompute(actor=operator, claim=claim, chosen_children=[putu.pk, komang.pk])
    children = {c["name"]: c["years"] for c in claim.quote["scholarship"]["children"]}
    assert set(children) == {"Putu Ayu", "Komang Sari"}
    # Born 20-04-2022: TK A in the school year starting in 2027, the year she turns 5 (RULES.md default).
    assert (children["Komang Sari"][0]["school_year"], children["Komang Sari"][0]["level"]) == (2027, "TK")
    assert claim.quote_children == {"Putu Ayu": putu.pk, "Komang Sari": komang.pk}
    Child.objects.filter(pk=komang.pk).update(married=True)
    with pytest.raises(ApplicationError, match="tidak memenuhi syarat beasiswa"):
        services.claim_recompute(actor=operator, claim=claim, chosen_children=[komang.pk])
