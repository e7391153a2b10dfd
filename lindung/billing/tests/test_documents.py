"""Invoice and receipt PDFs (text read back with pypdf) and the invoice list as XLSX (read back with openpyxl).

Expected amounts are worked by hand from ../shared/domain/parameters.csv: JKK 1% of the declared income (min
Rp10,000), JKM Rp6,800 flat, JHT 2% (min Rp20,000). At Rp1,000,000 and JKK + JKM: 10,000 + 6,800 = Rp16,800. At
Rp2,500,000 with JHT: 25,000 + 6,800 + 50,000 = Rp81,800.
"""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from lindung.accounts.models import Role
from lindung.audit.models import AuditEvent
from lindung.billing.models import Invoice
from lindung.billing.services import billing_run, payment_record
from lindung.membership.tests.factories import SESETAN, TEGAL_HARUM, make_member
from lindung.programmes.models import Agreement
from lindung.regions.models import Region

pytestmark = pytest.mark.django_db

JAN, FEB = dt.date(2025, 1, 1), dt.date(2025, 2, 1)
DEFAULT_DUE = 10_000 + 6_800
JHT_DUE = 25_000 + 6_800 + 50_000
TOTAL = 2 * DEFAULT_DUE + JHT_DUE  # 115,400


def _text(response) -> str:
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))
    # pypdf splits kerned pairs ("T egal") and wraps lines: compare without any whitespace.
    return "".join("".join(page.extract_text() for page in reader.pages).split())


def _has(text: str, expected: str) -> bool:
    return "".join(expected.split()) in text


@pytest.fixture
def village_members(programme):
    members = [
        make_member(programme, TEGAL_HARUM, JAN, kpj="23020000101"),
        make_member(programme, TEGAL_HARUM, JAN, kpj="23020000102"),
        make_member(programme, TEGAL_HARUM, JAN, kpj="23020000103", income=2_500_000, package="jkk_jkm_jht"),
    ]
    make_member(programme, SESETAN, JAN, kpj="23020000201")
    billing_run(period=JAN)
    return members


def _invoice(village: str, period: dt.date = JAN) -> Invoice:
    return Invoice.objects.get(village_id=village, period=period)


def test_invoice_pdf_shows_lines_total_in_words_rules_and_instructions(client, operator_tegal_harum, village_members):
    client.force_login(operator_tegal_harum)
    invoice = _invoice(TEGAL_HARUM)
    assert invoice.total == TOTAL == 115_400
    response = client.get(reverse("billing:invoice_pdf", args=[invoice.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    text = _text(response)
    assert _has(text, "TAGIHAN IURAN BPJS KETENAGAKERJAAN")
    assert _has(text, "PERIODE JANUARI 2025")
    assert _has(text, "Tegal Harum") and _has(text, "Gerakan 1 Desa 100 Pekerja Rentan")
    assert _has(text, "Anggaran Pendapatan dan Belanja Desa (APBDes)")  # the funder
    for member in village_members:
        assert _has(text, member.worker.name)
        assert _has(text, member.kpj_number)
        nik = member.worker.nik
        assert _has(text, f"{nik[:4]}********{nik[12:]}")  # masked by default
        assert not _has(text, nik)
    assert _has(text, "16.800") and _has(text, "81.800") and _has(text, "50.000")  # lines, the JHT line's JHT
    assert _has(text, "Rp115.400")
    assert _has(text, "seratus lima belas ribu empat ratus rupiah")
    assert _has(text, "bpu_jkm_flat (PP44/2015)") and _has(text, "bpu_jht_rate (PP46/2015)")
    assert _has(text, "31 Januari 2025")  # pay by the end of the month billed
    assert _has(text, "31 Maret 2025")  # after it the 4th unpaid month (April) lapses the membership
    event = AuditEvent.objects.get(action="billing.invoice.download")
    assert (event.actor_id, event.target_id, event.changes["full_nik"]) == (
        operator_tegal_harum.pk,
        str(invoice.pk),
        False,
    )


def test_full_nik_only_for_roles_that_need_it_and_audited(client, operator_tegal_harum, city_officer, village_members):
    invoice = _invoice(TEGAL_HARUM)
    url = reverse("billing:invoice_pdf", args=[invoice.pk]) + "?nik=lengkap"
    client.force_login(operator_tegal_harum)
    text = _text(client.get(url))
    assert all(_has(text, m.worker.nik) for m in village_members)
    assert AuditEvent.objects.get(action="billing.invoice.download").changes["full_nik"] is True
    client.force_login(city_officer)  # the city officer does not reveal NIKs (registry policy)
    assert client.get(url).status_code == 403
    assert AuditEvent.objects.filter(action="billing.invoice.download").count() == 1


def test_documents_outside_the_village_are_not_found(client, operator_tegal_harum, village_members, programme):
    sesetan = Region.objects.get(code=SESETAN)
    payment = payment_record(actor=None, programme=programme, village=sesetan, value_date=dt.date(2025, 1, 10),
                             amount=16_800, reference="SS-1", budget_source="apbd")  # fmt: skip
    client.force_login(operator_tegal_harum)
    other = _invoice(SESETAN)
    for name, pk in (
        ("billing:invoice_pdf", other.pk),
        ("billing:invoice_detail", other.pk),
        ("billing:payment_receipt", payment.pk),
        ("billing:payment_detail", payment.pk),
        ("billing:invoice_pdf", 987_654),
        ("billing:payment_receipt", 987_654),
    ):
        assert client.get(reverse(name, args=[pk])).status_code == 404, name
    assert not AuditEvent.objects.filter(action__endswith=".download").exists()


def test_receipt_pdf_lists_the_invoices_it_settled_and_the_credit(
    client, operator_tegal_harum, village_members, programme
):
    billing_run(period=FEB)
    village = Region.objects.get(code=TEGAL_HARUM)
    amount = 2 * TOTAL + 10_000  # two months and Rp10,000 left as credit
    payment = payment_record(actor=operator_tegal_harum, programme=programme, village=village,
                             value_date=dt.date(2025, 2, 5), amount=amount, reference="TH-TRF-7",
                             budget_source="dana_desa", account_code="5.4.01.01")  # fmt: skip
    client.force_login(operator_tegal_harum)
    page = client.get(reverse("billing:payment_detail", args=[payment.pk]))
    assert page.status_code == 200 and reverse("billing:payment_receipt", args=[payment.pk]) in page.content.decode()
    response = client.get(reverse("billing:payment_receipt", args=[payment.pk]))
    assert response.status_code == 200
    text = _text(response)
    assert _has(text, "TANDA TERIMA PEMBAYARAN IURAN")
    assert _has(text, "Rp240.800")
    assert _has(text, "dua ratus empat puluh ribu delapan ratus rupiah")
    assert _has(text, "TH-TRF-7") and _has(text, "5.4.01.01") and _has(text, "5 Februari 2025")
    jan, feb = _invoice(TEGAL_HARUM, JAN), _invoice(TEGAL_HARUM, FEB)
    assert _has(text, f"TAG/{TEGAL_HARUM}/2025-01/{jan.pk}") and _has(text, f"TAG/{TEGAL_HARUM}/2025-02/{feb.pk}")
    assert _has(text, "Januari 2025") and _has(text, "Februari 2025")
    assert text.count("115.400") >= 4  # each invoice's total and its allocation
    assert _has(text, "230.800")  # allocated in all
    assert _has(text, "Rp10.000")  # carried forward as credit
    assert AuditEvent.objects.filter(action="billing.receipt.download", target_id=str(payment.pk)).count() == 1


def test_invoice_page_has_the_download_button(client, operator_tegal_harum, village_members):
    client.force_login(operator_tegal_harum)
    invoice = _invoice(TEGAL_HARUM)
    body = client.get(reverse("billing:invoice_detail", args=[invoice.pk])).content.decode()
    assert 'data-testid="invoice-pdf"' in body
    assert village_members[0].worker.nik not in body  # masked on the page too


def _sheet(response):
    workbook = load_workbook(io.BytesIO(response.content))
    return workbook["Tagihan"]


def test_invoice_list_xlsx_applies_the_filters_scope_and_neutralises_text(
    client, operator_tegal_harum, city_officer, village_members, programme
):
    Agreement.objects.filter(village_id=TEGAL_HARUM).update(funder_name='=HYPERLINK("http://x")')
    Invoice.objects.filter(village_id=TEGAL_HARUM).update(funder_name='=HYPERLINK("http://x")')
    billing_run(period=FEB)
    village = Region.objects.get(code=TEGAL_HARUM)
    payment_record(actor=None, programme=programme, village=village, value_date=dt.date(2025, 1, 20),
                   amount=TOTAL, reference="TH-1", budget_source="dana_desa")  # fmt: skip
    client.force_login(city_officer)
    url = reverse("billing:invoices_export")
    sheet = _sheet(client.get(url, {"periode": "2025-01"}))
    header = [c.value for c in sheet[3]]
    assert header[:4] == ["Nomor Tagihan", "Periode", "Kode Desa", "Desa/Kelurahan"]
    assert header[8:11] == ["Jumlah Tagihan (Rp)", "Terbayar (Rp)", "Sisa (Rp)"]
    rows = [[c.value for c in r] for r in sheet.iter_rows(min_row=4) if r[0].value not in (None, "Jumlah")]
    by_village = {r[2]: r for r in rows}
    assert set(by_village) == {TEGAL_HARUM, SESETAN}  # only January, both villages of the city
    th = by_village[TEGAL_HARUM]
    assert (th[1], th[7], th[8], th[9], th[10], th[11]) == ("2025-01", 3, 115_400, 115_400, 0, "Lunas")
    assert th[5] == '\'=HYPERLINK("http://x")'  # neutralised: no formula
    ss = by_village[SESETAN]
    assert (ss[7], ss[8], ss[9], ss[10], ss[11]) == (1, 16_800, 0, 16_800, "Belum lunas")
    total_row = next(r for r in sheet.iter_rows(min_row=4) if r[0].value == "Jumlah")
    assert (total_row[8].value, total_row[9].value) == (115_400 + 16_800, 115_400)
    assert sheet["I4"].number_format == "#,##0"
    assert sheet.freeze_panes == "A4"
    open_only = _sheet(client.get(url, {"status": "open", "wilayah": TEGAL_HARUM}))
    open_rows = [[c.value for c in r] for r in open_only.iter_rows(min_row=4) if r[0].value not in (None, "Jumlah")]
    assert [(r[1], r[2]) for r in open_rows] == [("2025-02", TEGAL_HARUM)]
    client.force_login(operator_tegal_harum)  # the operator's XLSX never holds another village
    mine = _sheet(client.get(url))
    villages = {r[2].value for r in mine.iter_rows(min_row=4) if r[0].value not in (None, "Jumlah")}
    assert villages == {TEGAL_HARUM}
    page = client.get(reverse("billing:invoices"), {"wilayah": SESETAN})
    assert page.status_code == 200 and "Sesetan" not in page.content.decode().split('data-testid="invoice-list"')[1]


def test_bpjs_officer_reads_documents_of_the_city(client, bali, make_user, village_members):
    officer = make_user("bpjs.denpasar", Role.BPJS_OFFICER, "51.71")
    client.force_login(officer)
    invoice = _invoice(SESETAN)
    assert client.get(reverse("billing:invoice_pdf", args=[invoice.pk])).status_code == 200


def test_an_export_too_large_for_one_file_asks_for_a_filter(client, city_officer, village_members, monkeypatch):
    from lindung.billing import document_views

    monkeypatch.setattr(document_views, "MAX_EXPORT_ROWS", 1)  # two invoices in January: one too many
    client.force_login(city_officer)
    response = client.get(reverse("billing:invoices_export"), {"periode": "2025-01"})
    assert response.status_code == 302 and response["Location"] == reverse("billing:invoices") + "?periode=2025-01"
    assert client.get(reverse("billing:invoices_export"), {"periode": "2025-01", "wilayah": SESETAN}).status_code == 200
