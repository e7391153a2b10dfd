"""A village that has just signed its agreement, from zero to its first invoice, through the real pages.

The operator of Tegal Kertha (a Denpasar desa without demo data) sees step 1 on the home page, imports a small worker
file, prepares the recipient list; the village head, in a second browser, approves it; the operator makes the
collective registration file and imports the branch's answer (built here from the downloaded file) with KPJ numbers;
the city officer, in a third browser, starts the monthly billing run on its page, which issues the first invoice.
After each step the home page shows the next one; once the invoice exists it shows the ordinary home page."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.utils import timezone
from openpyxl import Workbook, load_workbook
from playwright.sync_api import expect

from lindung.accounts.models import Role
from lindung.accounts.services import user_create
from lindung.billing.models import Invoice
from lindung.membership.models import Membership
from lindung.programmes.models import Agreement
from lindung.programmes.services import agreement_create, agreement_transition, programme_create
from lindung.regions.models import Region
from lindung.registry.models import Worker
from lindung.targeting.tests.conftest import PDF_BYTES
from tests.browser.test_import import task_worker as task_worker  # the real db_worker process (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEGAL_KERTHA = "51.71.03.2009"  # desa in Denpasar Barat; the demo data lives in Tegal Harum (51.71.03.2008)
PASSWORD = "rahasia-uji-123"
# Five informal workers of Tegal Kertha: women born 1-5 August 1990 (NIK day + 40), all eligible (age, income,
# informal occupation, decile) and within the programme's quota of 100, so all five are selected.
WORKERS = [(f"517103{40 + d:02d}0890{d:04d}", f"Ni Made Pekerja {d}", f"{d:02d}-08-1990") for d in range(1, 6)]
# Contribution of one member at the programme's declared income of Rp1.000.000: JKK 1% = Rp10.000 and JKM Rp6.800
# flat (PP 44/2015 for BPU workers, RULES.md), so five members owe 5 x Rp16.800 = Rp84.000.
MONTHLY_PER_MEMBER = 10_000 + 6_800


def _month_after(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _log_in(page, url: str, username: str) -> None:
    page.goto(f"{url}/masuk/")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(PASSWORD)
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ikhtisar wilayah Anda")


def _expect_next(page, url: str, key: str, done: int) -> None:
    """The home page shows `key` as the next step and `done` of five steps done."""
    page.goto(f"{url}/")
    run = page.get_by_test_id("first-run")
    expect(run).to_be_visible()
    expect(run.get_by_test_id("first-run-progress")).to_have_text(f"{done} dari 5 langkah selesai")
    expect(run.get_by_test_id(f"first-run-step-{key}")).to_have_attribute("data-state", "pending")
    for step in ("workers", "list", "approve", "kpj", "invoice")[:done]:
        expect(run.get_by_test_id(f"first-run-step-{step}")).to_have_attribute("data-state", "done")


def _worker_file(path: Path) -> Path:
    lines = ["NIK;Nama Lengkap;Jenis Kelamin;Tanggal Lahir;Pekerjaan;Penghasilan per Bulan;Desil"]
    lines += [f"{nik};{name};P;{born};petani;Rp 750.000;2" for nik, name, born in WORKERS]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path


def _answer_file(registration: Path, path: Path) -> dict[str, str]:
    """The branch's answer to the downloaded registration file: every NIK with a KPJ number and the start date."""
    rows = list(load_workbook(registration).worksheets[0].iter_rows(min_row=2, values_only=True))
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["NIK", "KPJ", "Tanggal Efektif"])
    kpj = {}
    for index, row in enumerate(rows, start=1):
        kpj[str(row[0])] = f"2511{index:07d}"
        sheet.append([str(row[0]), kpj[str(row[0])], row[9]])  # column J: Tanggal Mulai
    workbook.save(path)
    return kpj


@pytest.fixture
def new_village(bali, make_user):
    """Tegal Kertha has just signed: the programme, its agreement moved to signed, an operator and a head created
    by a city officer through the account service."""
    today = timezone.localdate()
    city = make_user("dinas.denpasar", Role.CITY_OFFICER, "51.71")
    programme = programme_create(
        acting_user=None, name="Gerakan 1 Desa 100 Pekerja Rentan", region=Region.objects.get(code="51.71"),
        starts_on=today.replace(month=1, day=1), legal_basis="Inpres 4/2022",
    )  # fmt: skip
    agreement = agreement_create(
        acting_user=city, programme=programme, village=Region.objects.get(code=TEGAL_KERTHA),
        village_number="141/05/TK/2026", partner_number="PKS-DPS-0042",
    )  # fmt: skip
    for status in (Agreement.Status.IN_DISCUSSION, Agreement.Status.SIGNED):
        agreement = agreement_transition(agreement, status, today, city)
    for username, role in (("op.tegalkertha", Role.VILLAGE_OPERATOR), ("kades.tegalkertha", Role.VILLAGE_HEAD)):
        user_create(
            acting_user=city, username=username, full_name=username.title(), role=role,
            region_codes=[TEGAL_KERTHA], password=PASSWORD,
        )  # fmt: skip
    return agreement


def test_new_village_walks_from_zero_to_its_first_invoice(
    browser, page, live_server, new_village, task_worker, settings, tmp_path, guide_shot
):
    url = live_server.url
    today = timezone.localdate()
    settings.FORM_RENDERER = "lindung.core.forms.HintFormRenderer"  # context help after domain fields' labels

    # Step 1: the operator's home page shows the path, with importing workers as the next step.
    _log_in(page, url, "op.tegalkertha")
    _expect_next(page, url, "workers", 0)
    expect(page.get_by_test_id("first-run-next")).to_contain_text("Impor data pekerja desa")
    guide_shot("first-run-mulai", full_page=True)
    page.get_by_test_id("first-run-action").click()
    page.locator("input[type=file]").set_input_files(str(_worker_file(tmp_path / "pekerja.csv")))
    page.get_by_role("button", name="Unggah dan periksa").click()
    expect(page.get_by_test_id("valid")).to_have_text("5", timeout=60_000)
    page.get_by_role("button", name="Simpan 5 baris yang valid").click()
    expect(page.get_by_test_id("import-status")).to_have_text("Tersimpan", timeout=60_000)
    assert Worker.objects.filter(village_id=TEGAL_KERTHA).count() == 5

    # Step 2: the list, the deliberation, and the submission to the head.
    _expect_next(page, url, "list", 1)
    page.get_by_test_id("first-run-action").click()
    page.get_by_role("button", name="Buka daftar").click()
    expect(page.get_by_test_id("selected-count")).to_have_text("5")
    minutes = tmp_path / "berita-acara.pdf"
    minutes.write_bytes(PDF_BYTES)
    form = page.get_by_test_id("deliberation-form")
    form.get_by_label("Tanggal musyawarah").fill(today.isoformat())
    form.get_by_label("Jumlah peserta").fill("35")
    form.get_by_label("Berita acara").set_input_files(str(minutes))
    form.get_by_role("button", name="Simpan hasil musyawarah").click()
    page.get_by_role("button", name="Ajukan untuk persetujuan kepala desa").click()
    expect(page.get_by_test_id("version-status")).to_have_text("Menunggu persetujuan")
    _expect_next(page, url, "approve", 2)

    # Step 3: the head, in a browser of their own, follows the home page's link and approves.
    head_context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-US")
    head = head_context.new_page()
    head.set_default_timeout(15_000)
    _log_in(head, url, "kades.tegalkertha")
    _expect_next(head, url, "approve", 2)
    head.get_by_test_id("first-run-action").click()
    hint = head.locator("[data-hint=sk]")
    expect(hint).to_contain_text("surat keputusan (SK) kepala desa")
    expect(hint.get_by_role("link", name="Glosarium")).to_have_attribute("href", "/panduan/glosarium.html#sk")
    head.get_by_label("Nomor surat keputusan").fill("141/07/TK/2026")
    head.get_by_role("button", name="Setujui versi ini").click()
    expect(head.get_by_test_id("version-status")).to_have_text("Disetujui")
    _expect_next(head, url, "kpj", 3)
    head_context.close()
    starts_on = _month_after(today)
    assert set(Membership.objects.values_list("status", "kpj_number", "starts_on")) == {("pending", "", starts_on)}

    # Step 4: the registration file for the BPJS branch, and the branch's answer with the KPJ numbers.
    _expect_next(page, url, "kpj", 3)
    guide_shot("first-run-bpjs", full_page=True)
    page.get_by_test_id("first-run-action").click()
    page.get_by_label("Program").select_option(str(new_village.programme_id))
    page.get_by_label("Desa/Kelurahan").select_option(TEGAL_KERTHA)
    page.get_by_test_id("create-file").click()
    with page.expect_download() as download_info:
        page.get_by_test_id("download").click()
    registration = tmp_path / "pendaftaran.xlsx"
    download_info.value.save_as(registration)
    kpj = _answer_file(registration, tmp_path / "jawaban.xlsx")
    assert sorted(kpj) == sorted(nik for nik, _name, _born in WORKERS)
    _expect_next(page, url, "kpj", 3)  # the file is made, the answer not yet imported: the step stays open
    page.get_by_test_id("first-run-action").click()  # now leads straight to the file, to import the answer
    page.locator("input[type=file]").set_input_files(str(tmp_path / "jawaban.xlsx"))
    page.get_by_test_id("import-answer").click()
    expect(page.locator(".messages")).to_contain_text("5")
    assert dict(Membership.objects.values_list("worker__nik", "kpj_number")) == kpj

    # Step 5: the city officer starts the monthly billing run on its page; it runs in the task worker, the page
    # shows its progress, then the result: one new invoice of 5 x Rp16.800.
    _expect_next(page, url, "invoice", 4)
    expect(page.get_by_test_id("first-run-next")).to_contain_text(starts_on.strftime("%m-%Y"))
    city_context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="en-US")
    city = city_context.new_page()
    city.set_default_timeout(15_000)
    _log_in(city, url, "dinas.denpasar")
    city.goto(f"{url}/tagihan/daftar/")
    city.get_by_test_id("billing-runs").click()
    expect(city.get_by_role("heading", level=1)).to_have_text("Penagihan bulanan")
    city.get_by_label("Bulan yang ditagih").fill(starts_on.strftime("%Y-%m"))
    city.get_by_label("Wilayah").select_option("51.71")
    city.get_by_role("button", name="Jalankan penagihan").click()
    expect(city.get_by_test_id("confirm-question")).to_contain_text(starts_on.strftime("%m-%Y"))
    city.get_by_role("button", name="Ya, jalankan penagihan").click()
    expect(city.get_by_test_id("run-status")).to_be_visible()
    expect(city.get_by_test_id("run-state")).to_have_text("Selesai", timeout=60_000)  # the worker ran it
    expect(city.get_by_test_id("progress")).to_have_count(0)
    expect(city.get_by_test_id("run-result")).to_contain_text("1 tagihan baru (5 baris, Rp84.000); 0 sudah ada.")
    city.get_by_role("link", name="Lihat tagihan").click()
    expect(city.get_by_test_id("invoice-list")).to_contain_text("84.000")
    city_context.close()
    invoice = Invoice.objects.get(village_id=TEGAL_KERTHA)
    assert (invoice.period, invoice.total) == (starts_on, 5 * MONTHLY_PER_MEMBER)

    # Running: the ordinary home page, and the invoice one click away on the village's billing page.
    page.goto(f"{url}/")
    expect(page.get_by_test_id("first-run")).to_have_count(0)
    expect(page.get_by_test_id("members")).to_have_text("5")
    page.goto(f"{url}/tagihan/{TEGAL_KERTHA}/")
    expect(page.get_by_test_id("invoices")).to_contain_text("84.000")
