"""The document checklist per claim type, and what an upload must be (content, not name; size)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lindung.claims import services
from lindung.claims.checklist import required_items
from lindung.claims.models import Claim, ClaimDocument
from lindung.claims.tests.conftest import DEATH_DAY, PNG, pdf, report_death
from lindung.core.errors import ApplicationError

NO_SCHOLARSHIP: dict = {"scholarship": {"children": []}}
WITH_SCHOLARSHIP: dict = {"scholarship": {"children": [{"name": "A", "years": []}]}}


def codes(types, *, costs=False, quote=NO_SCHOLARSHIP):
    return [item.code for item in required_items(types, costs_claimed=costs, quote=quote)]


def test_checklists_per_type():
    assert codes({"death"}) == [
        "member_card", "family_card", "death_certificate", "heir_ktp", "heir_statement", "bank_book",
    ]  # fmt: skip
    assert codes({"work_accident_death"}, costs=True, quote=WITH_SCHOLARSHIP) == [
        "member_card", "family_card", "death_certificate", "heir_ktp", "heir_statement", "accident_report",
        "medical_receipts", "bank_book", "school_statement",
    ]  # fmt: skip
    assert codes({"partial_disability"}) == [
        "member_card", "family_card", "worker_ktp", "accident_report", "medical_statement", "bank_book",
    ]  # fmt: skip
    assert codes({"temporary_disability"}, costs=True) == [
        "member_card", "family_card", "worker_ktp", "accident_report", "medical_statement", "medical_receipts",
        "bank_book",
    ]  # fmt: skip


@pytest.mark.django_db
def test_claim_becomes_complete_with_the_last_document_only(operator, make_member):
    membership = make_member(children=(), heirs=({"name": "Ni Luh", "relation": "spouse"},))
    claim = report_death(operator, membership)
    missing = [item.code for item in services.claim_missing_documents(claim)]
    assert missing == ["member_card", "family_card", "death_certificate", "heir_ktp", "heir_statement", "bank_book"]
    for code in missing[:-1]:
        services.claim_document_upload(actor=operator, claim=claim, kind=code, upload=pdf())
        assert Claim.objects.get(pk=claim.pk).status == Claim.Status.REPORTED
    services.claim_document_upload(actor=operator, claim=claim, kind="bank_book", upload=pdf())
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.DOCUMENTS_COMPLETE


@pytest.mark.django_db
def test_scholarship_children_add_the_school_statement(operator, member):
    claim = report_death(operator, member)  # masa iur 38 months: scholarship
    assert "school_statement" in [item.code for item in services.claim_checklist(claim)]


@pytest.mark.django_db
def test_work_accident_with_costs_needs_receipts(operator, make_member):
    membership = make_member(children=(), heirs=())
    claim = services.incident_report(
        actor=operator, worker=membership.worker, date=DEATH_DAY, type="partial_disability", place="Laut",
        description="Tangan terluka", reporter_name="Istri", reporter_role="family",
        details=services.IncidentDetails(disability_percent=Decimal("10"), medical_cost=2_500_000),
    )  # fmt: skip
    assert [item.code for item in services.claim_checklist(claim)] == [
        "member_card", "family_card", "worker_ktp", "accident_report", "medical_statement", "medical_receipts",
        "bank_book",
    ]  # fmt: skip
    # 10% x 80 x Rp1,000,000 = 8,000,000, plus the medical bill as billed.
    assert [(line["code"], line["amount"]) for line in claim.quote["benefits"]] == [
        ("jkk_partial_disability", 8_000_000),
        ("jkk_medical", 2_500_000),
    ]


@pytest.mark.django_db
def test_uploads_are_checked_by_content_and_size(operator, member, settings):
    claim = report_death(operator, member)
    fake = SimpleUploadedFile("akta.pdf", b"MZ\x90\x00 not a pdf at all", content_type="application/pdf")
    with pytest.raises(ApplicationError, match="PDF, PNG atau JPEG"):
        services.claim_document_upload(actor=operator, claim=claim, kind="death_certificate", upload=fake)
    png = SimpleUploadedFile("akta.txt", PNG, content_type="text/plain")  # a PNG under another name is fine
    document = services.claim_document_upload(actor=operator, claim=claim, kind="death_certificate", upload=png)
    assert document.file.name.endswith(".png")
    settings.LINDUNG_DOCUMENT_MAX_BYTES = 20
    with pytest.raises(ApplicationError, match="terlalu besar"):
        services.claim_document_upload(actor=operator, claim=claim, kind="family_card", upload=pdf())
    settings.LINDUNG_DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
    with pytest.raises(ApplicationError, match="tidak ada dalam daftar periksa"):
        services.claim_document_upload(actor=operator, claim=claim, kind="worker_ktp", upload=png)
    assert ClaimDocument.objects.filter(claim=claim).count() == 1


@pytest.mark.django_db
def test_operator_of_another_village_cannot_upload(make_user, operator, member):
    from lindung.accounts.models import Role
    from lindung.claims.tests.conftest import DAUH_PURI_KAUH

    other = make_user("op.lain", Role.VILLAGE_OPERATOR, DAUH_PURI_KAUH)
    claim = report_death(operator, member)
    with pytest.raises(ApplicationError, match="di luar wilayah"):
        services.claim_document_upload(actor=other, claim=claim, kind="family_card", upload=pdf())
    with pytest.raises(ApplicationError, match="di luar wilayah"):
        report_death(other, member, date=dt.date(2026, 1, 1))
