"""In real Chromium: the operator of Tegal Harum downloads an invoice PDF from the invoice page; the BPJS officer of
Denpasar imports the branch's statement and downloads the reconciliation. Both files are read back."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from playwright.sync_api import expect
from pypdf import PdfReader

from lindung.accounts.models import Role
from lindung.billing.models import Invoice, StatementImport
from lindung.billing.services import billing_run, payment_record
from lindung.membership.tests.factories import TEGAL_HARUM, make_member
from lindung.membership.tests.factories import programme as programme  # the fixture
from lindung.regions.models import Region

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
JAN = dt.date(2025, 1, 1)
DUE = 16_800  # Rp1,000,000 declared: JKK 10,000 + JKM 6,800


def _login(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/masuk/")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill("rahasia-uji-123")
    page.get_by_role("button", name="Masuk").click()


def test_operator_downloads_an_invoice_and_bpjs_officer_reconciles(page, live_server, programme, make_user, tmp_path):
    members = [make_member(programme, TEGAL_HARUM, JAN, kpj=f"2302000030{i}") for i in range(3)]
    billing_run(period=JAN, region_prefix=TEGAL_HARUM)
    payment_record(actor=None, programme=programme, village=Region.objects.get(code=TEGAL_HARUM),
                   value_date=dt.date(2025, 1, 10), amount=2 * DUE, reference="TH-SEBAGIAN",
                   budget_source="dana_desa")  # fmt: skip  # not enough for the invoice: nothing settled
    invoice = Invoice.objects.get()
    make_user("op.tegalharum", Role.VILLAGE_OPERATOR, TEGAL_HARUM)
    make_user("bpjs.denpasar", Role.BPJS_OFFICER, "51.71")

    _login(page, live_server, "op.tegalharum")
    page.goto(f"{live_server.url}/tagihan/{TEGAL_HARUM}/")
    page.get_by_test_id("invoices").get_by_role("link", name="01-2025").click()
    expect(page.get_by_test_id("invoice-lines").locator("tbody tr")).to_have_count(3)
    with page.expect_download() as info:
        page.get_by_test_id("invoice-pdf").click()
    pdf = Path(info.value.path()).read_bytes()
    text = "".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "Rp50.400" in text  # 3 x 16,800
    assert "limapuluhribuempatratusrupiah" in text.lower()
    assert f"TAG/{TEGAL_HARUM}/2025-01/{invoice.pk}" in text
    assert all(m.worker.name.replace(" ", "") in text for m in members)
    assert members[0].worker.nik not in text  # masked

    page.context.clear_cookies()
    _login(page, live_server, "bpjs.denpasar")
    statement = tmp_path / "rekening-januari.xlsx"
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Periode", "KPJ", "NIK", "Nama", "Iuran"])
    sheet.append(["2025-01", members[0].kpj_number, None, "A", DUE])  # paid at BPJS, not settled in Lindung
    sheet.append(["2025-01", "99999999999", None, "Tak Dikenal", DUE])  # unknown KPJ
    workbook.save(statement)
    page.goto(f"{live_server.url}/tagihan/rekening-bpjs/")
    page.locator("[name=period]").fill("2025-01")
    page.locator("[name=region]").fill(TEGAL_HARUM)
    page.locator("[name=statement]").set_input_files(str(statement))
    page.get_by_test_id("statement-import").click()
    expect(page.get_by_test_id("differences").locator("tbody tr")).to_have_count(2)
    expect(page.get_by_test_id("statement-summary")).to_contain_text("33.600")
    with page.expect_download() as info:
        page.get_by_test_id("statement-xlsx").click()
    result = load_workbook(io.BytesIO(Path(info.value.path()).read_bytes()))
    rows = [[c.value for c in row] for row in result["Selisih"].iter_rows(min_row=2)]
    assert sorted((r[0], r[1], r[6], r[7]) for r in rows) == [
        ("Dibayar di BPJS, belum tercatat di Lindung", 2, DUE, 0),
        ("KPJ/NIK atau desa tidak dikenal", 3, DUE, 0),
    ]
    assert StatementImport.objects.get().created_by.username == "bpjs.denpasar"
