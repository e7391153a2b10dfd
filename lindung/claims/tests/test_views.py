"""The pages: reporting through the form, the claim page, scope (another village's operator gets 404)."""

from __future__ import annotations

import pytest
from django.test import Client

from lindung.accounts.models import Role
from lindung.claims import services
from lindung.claims.models import Claim
from lindung.claims.tests.conftest import DAUH_PURI_KAUH, pdf, report_death, upload_all

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_report_through_the_form_and_see_the_quote(operator, member):
    client = client_for(operator)
    url = f"/pekerja/{member.worker.pk}/kejadian/baru/"
    page = client.get(url)
    assert page.status_code == 200
    assert "Laporkan kejadian" in page.content.decode()
    response = client.post(url, {
        "date": "2026-03-10", "type": "death", "place": "Rumah", "description": "Sakit", "reporter_name": "Ni Luh",
        "reporter_role": "family",
    })  # fmt: skip
    claim = Claim.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/klaim/{claim.pk}/"
    html = client.get(response["Location"]).content.decode()
    assert "jkm_lump_sum (PP82/2019)" in html
    assert "42.000.000" in html
    assert "Dilaporkan" in html


def test_form_error_is_shown_in_indonesian(operator, member):
    client = client_for(operator)
    response = client.post(f"/pekerja/{member.worker.pk}/kejadian/baru/", {
        "date": "2100-01-01", "type": "death", "place": "Rumah", "description": "Sakit", "reporter_name": "Ni Luh",
        "reporter_role": "family",
    })  # fmt: skip
    assert response.status_code == 200
    assert "tidak boleh setelah hari ini" in response.content.decode()
    assert not Claim.objects.exists()


def test_another_villages_operator_gets_404(operator, make_user, member, city_officer, bpjs_officer):
    claim = upload_all(operator, report_death(operator, member))
    claim = services.claim_submit(actor=city_officer, claim=claim, on=claim.parameters_on)
    claim = services.claim_record_payment(
        actor=bpjs_officer, claim=claim, on=claim.parameters_on, reference="R", amount=42_000_000
    )
    plan = claim.plans.first()
    document = claim.documents.first()
    other = client_for(make_user("op.lain", Role.VILLAGE_OPERATOR, DAUH_PURI_KAUH))
    for url in (
        f"/klaim/{claim.pk}/",
        f"/klaim/{claim.pk}/dokumen/{document.pk}/",
        f"/klaim/{claim.pk}/ajukan/",
        f"/beasiswa/{plan.pk}/",
        f"/pekerja/{member.worker.pk}/kejadian/baru/",
    ):
        assert other.get(url).status_code == 404, url
    assert other.post(f"/klaim/{claim.pk}/dokumen/", {"kind": "family_card"}).status_code == 404
    own = client_for(operator)
    assert own.get(f"/klaim/{claim.pk}/").status_code == 200
    assert own.get(f"/klaim/{claim.pk}/dokumen/{document.pk}/").status_code == 200
    assert own.get(f"/klaim/{claim.pk}/ajukan/").status_code == 403  # an operator is no approver
    page = own.get(f"/beasiswa/{plan.pk}/").content.decode()
    assert "2037/2038" in page or "2033/2034" in page


def test_upload_through_the_page(operator, member):
    claim = report_death(operator, member)
    client = client_for(operator)
    response = client.post(
        f"/klaim/{claim.pk}/dokumen/", {"kind": "family_card", "family_card-kind": "family_card",
                                        "family_card-file": pdf("kk.pdf")},
    )  # fmt: skip
    assert response.status_code == 302
    assert claim.documents.get().kind == "family_card"


def test_liabilities_and_reminders_pages(operator, city_officer, bpjs_officer, member):
    claim = upload_all(operator, report_death(operator, member))
    claim = services.claim_submit(actor=city_officer, claim=claim, on=claim.parameters_on)
    services.claim_record_payment(
        actor=bpjs_officer, claim=claim, on=claim.parameters_on, reference="R", amount=42_000_000
    )
    client = client_for(city_officer)
    html = client.get("/beasiswa/kewajiban/").content.decode()
    # 78,000,000 (Putu Ayu) + 61,000,000 (Kadek Bagus) still to pay.
    assert "139.000.000" in html
    assert "Kota Denpasar" in html
    html = client_for(operator).get("/beasiswa/pengingat/?tahun=2026").content.decode()
    assert "Putu Ayu" in html and "Kadek Bagus" in html


def test_read_only_roles_and_wrong_moments(operator, member, bpjs_officer, make_user):
    claim = report_death(operator, member)
    bpjs = client_for(bpjs_officer)
    assert bpjs.get(f"/klaim/{claim.pk}/").status_code == 200
    assert bpjs.post(f"/klaim/{claim.pk}/dokumen/", {"kind": "family_card"}).status_code == 403
    assert bpjs.post(f"/klaim/{claim.pk}/hitung-ulang/").status_code == 403
    assert client_for(operator).post(f"/klaim/{claim.pk}/penyebab/", {"cause": "work"}).status_code == 403
    # Payouts before BPJS paid: back to the claim with a message.
    response = bpjs.get(f"/klaim/{claim.pk}/pembayaran/", follow=True)
    assert "setelah BPJS membayar" in response.content.decode()
    # Recording a payment on a claim not yet submitted: the page says why, nothing changes.
    response = bpjs.post(f"/klaim/{claim.pk}/dibayar/", {"on": "2026-04-01", "reference": "R", "amount": "42000000"})
    assert response.status_code == 200
    assert "tidak dapat diubah" in response.content.decode()
    assert Claim.objects.get(pk=claim.pk).status == Claim.Status.REPORTED
    trainer = client_for(make_user("pelatih", Role.TRAINER, "51.71"))
    assert trainer.get(f"/pekerja/{member.worker.pk}/kejadian/baru/").status_code == 403
