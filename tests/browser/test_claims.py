"""A death in Tegal Harum from report to scholarship plan: the operator reports and uploads the documents, a city
officer approves the submission (maker-checker), a BPJS officer records the payment and the payout to the heir, and
the children's scholarship plans show their projected years."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from lindung.accounts.models import Role
from lindung.claims.models import Claim, Payout, PlannedYear, ScholarshipPlan
from lindung.membership.models import Membership
from lindung.programmes.models import Programme
from lindung.registry.models import Child, Heir, Worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEGAL_HARUM = "51.71.03.2008"
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def log_in(page, url: str, username: str) -> None:
    page.goto(f"{url}/masuk/")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill("rahasia-uji-123")
    page.get_by_role("button", name="Masuk").click()


@pytest.fixture
def member(bali, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    programme = Programme.objects.create(
        name="Gerakan 1 Desa 100 Pekerja Rentan", region_id="51.71", starts_on=dt.date(2023, 1, 1)
    )
    worker = Worker.objects.create(
        nik="5171031501800001", name="I Wayan Darma", sex="L", birth_date=dt.date(1980, 1, 15),
        village_id=TEGAL_HARUM, occupation_code=11, monthly_income=800_000,
    )  # fmt: skip
    Child.objects.create(worker=worker, name="Putu Ayu", birth_date=dt.date(2014, 9, 15), school_level="SD", grade=5)
    Child.objects.create(worker=worker, name="Kadek Bagus", birth_date=dt.date(2011, 6, 1), school_level="SMP", grade=2)
    Heir.objects.create(worker=worker, name="Ni Luh Sari", relation="spouse", phone="081234567890")
    return Membership.objects.create(
        programme=programme, worker=worker, kpj_number="KPJ00000001", starts_on=dt.date(2023, 2, 1),
        declared_income=1_000_000, status=Membership.Status.ACTIVE, paid_through=dt.date(2026, 10, 1),
    )  # fmt: skip


def test_death_report_to_scholarship_plan(page, live_server, make_user, member, tmp_path, guide_shot):
    make_user("op.tegalharum", Role.VILLAGE_OPERATOR, TEGAL_HARUM)
    make_user("dinas.denpasar", Role.CITY_OFFICER, "51.71")
    make_user("bpjs.denpasar", Role.BPJS_OFFICER, "51.71")
    worker = member.worker
    document = tmp_path / "dokumen.pdf"
    document.write_bytes(PDF_BYTES)

    # 1. The village operator reports the death from the worker's page.
    log_in(page, live_server.url, "op.tegalharum")
    page.goto(f"{live_server.url}/pekerja/{worker.pk}/kejadian/baru/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Laporkan kejadian")
    page.get_by_label("Tanggal kejadian").fill("2026-03-10")
    page.get_by_label("Jenis").select_option("death")
    page.get_by_label("Tempat").fill("Rumah, Banjar Tegal")
    page.get_by_label("Uraian kejadian").fill("Meninggal dunia karena sakit jantung.")
    page.get_by_label("Nama pelapor").fill("Ni Luh Sari")
    page.get_by_label("Hubungan pelapor").select_option("family")
    page.get_by_role("button", name="Laporkan kejadian").click()

    expect(page.get_by_test_id("claim-status")).to_have_text("Dilaporkan")
    expect(page.get_by_test_id("cash-total-main")).to_have_text("42.000.000")
    expect(page.get_by_test_id("benefit-line")).to_have_count(3)
    expect(page.get_by_test_id("benefit-line").first).to_contain_text("jkm_lump_sum (PP82/2019)")
    expect(page.get_by_test_id("scholarship-reason")).to_contain_text("masa iur 38 bulan")
    guide_shot("klaim-perhitungan", full_page=True)

    # 2. The documents of the checklist, one upload each.
    forms = page.get_by_test_id("doc-form")
    count = forms.count()
    assert count == 7  # six for a death, plus the school statement (the quote carries scholarships)
    for index in range(count):
        form = page.get_by_test_id("doc-form").nth(index)
        form.locator("input[type=file]").set_input_files(str(document))
        form.get_by_role("button", name="Unggah").click()
        expect(page.get_by_role("status").first).to_contain_text("Dokumen diunggah")
    expect(page.get_by_test_id("claim-status")).to_have_text("Dokumen lengkap")
    expect(page.get_by_test_id("documents-complete")).to_be_visible()
    expect(page.get_by_test_id("submit-link")).to_have_count(0)  # the operator cannot approve
    page.get_by_role("button", name="Keluar", exact=True).click()

    # 3. A second person, the city officer, approves the submission to BPJS.
    log_in(page, live_server.url, "dinas.denpasar")
    claim = Claim.objects.get()
    page.goto(f"{live_server.url}/klaim/{claim.pk}/")
    page.get_by_test_id("submit-link").click()
    expect(page.get_by_test_id("confirm-question")).to_contain_text("orang kedua")
    page.get_by_test_id("confirm").click()
    expect(page.get_by_test_id("claim-status")).to_have_text("Diajukan ke BPJS")
    page.get_by_role("button", name="Keluar", exact=True).click()

    # 4. The BPJS officer records the payment, then the payout to the widow.
    log_in(page, live_server.url, "bpjs.denpasar")
    page.goto(f"{live_server.url}/klaim/{claim.pk}/")
    page.get_by_test_id("paid-link").click()
    page.get_by_label("Nomor referensi pembayaran BPJS").fill("JKM/DPS/2026/0042")
    expect(page.get_by_label("Jumlah yang dibayar BPJS (Rp)")).to_have_value("42000000")
    page.get_by_test_id("confirm").click()
    expect(page.get_by_test_id("claim-status")).to_have_text("Dibayar BPJS")

    page.get_by_test_id("payout-link").click()
    expect(page.get_by_test_id("heirs-basis")).to_contain_text("suami/istri menerima")
    payee = page.get_by_test_id("payee")
    expect(payee).to_contain_text("Ni Luh Sari")
    payee.get_by_label("Bank").fill("BPD Bali")
    payee.get_by_label("Nomor rekening penerima").fill("0102030405060708")
    page.get_by_test_id("confirm").click()
    expect(page.get_by_test_id("payouts")).to_contain_text("••••••••••••0708")
    expect(page.get_by_test_id("payouts")).not_to_contain_text("0102030405060708")
    expect(page.get_by_test_id("payout-total")).to_have_text("42.000.000")

    # 5. The scholarship plans with their projected years: 13 for Putu Ayu (SD 5 to PT 5), 9 for Kadek Bagus.
    expect(page.get_by_test_id("plan-years")).to_have_count(2)
    expect(page.get_by_test_id("plan-year")).to_have_count(22)
    expect(page.get_by_test_id("plan-years").filter(has_text="2037/2038")).to_contain_text("PT 5")
    guide_shot("klaim-rencana-beasiswa", full_page=True)
    page.get_by_role("link", name="Putu Ayu").click()
    expect(page.get_by_test_id("plan-status")).to_have_text("Aktif")
    expect(page.get_by_test_id("plan-year").first).to_contain_text("2025/2026")

    # The database agrees with the pages.
    claim.refresh_from_db()
    assert claim.status == Claim.Status.PAID
    assert list(claim.transitions.values_list("to_status", "by__username")) == [
        ("reported", "op.tegalharum"),
        ("documents_complete", "op.tegalharum"),
        ("submitted", "dinas.denpasar"),
        ("paid", "bpjs.denpasar"),
    ]
    assert claim.documents.count() == 7
    payout = Payout.objects.get()
    assert (payout.recipient_name, payout.amount, payout.quoted_amount) == ("Ni Luh Sari", 42_000_000, 42_000_000)
    assert payout.account_number == "0102030405060708"
    plans = {plan.child_name: plan for plan in ScholarshipPlan.objects.all()}
    assert set(plans) == {"Putu Ayu", "Kadek Bagus"}
    assert PlannedYear.objects.filter(plan=plans["Putu Ayu"]).count() == 13
    assert sum(PlannedYear.objects.filter(plan=plans["Putu Ayu"]).values_list("amount", flat=True)) == 78_000_000
    member.refresh_from_db()
    assert (member.status, member.end_reason) == (Membership.Status.ENDED, "death")
