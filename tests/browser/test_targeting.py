"""The operator prepares Tegal Harum's list, the village head finds it in "Tugas saya", approves it, and
downloads the decree; the PDF's text names the selected workers."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from lindung.accounts.models import Role
from lindung.programmes.services import programme_create
from lindung.regions.models import Region
from lindung.targeting.models import SelectionVersion
from lindung.targeting.tests.conftest import PDF_BYTES, make_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEGAL_HARUM = "51.71.03.2008"
SELECTED = ("Ni Luh Putu Sari", "I Made Wirawan", "Ni Ketut Suarni")
WAITING = "I Wayan Gede Arta"


def log_in(page, url: str, username: str) -> None:
    page.goto(f"{url}/masuk/")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill("rahasia-uji-123")
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ikhtisar wilayah Anda")


def test_operator_prepares_head_approves_and_downloads_the_decree(
    page, live_server, bali, make_user, settings, tmp_path, guide_shot
):
    settings.MEDIA_ROOT = tmp_path / "media"
    make_user("op.tegalharum", Role.VILLAGE_OPERATOR, TEGAL_HARUM)
    make_user("perbekel.tegalharum", Role.VILLAGE_HEAD, TEGAL_HARUM)
    programme = programme_create(
        acting_user=None,
        name="Gerakan 1 Desa 100 Pekerja Rentan",
        region=Region.objects.get(code="51.71"),
        starts_on=dt.date(2026, 1, 1),
        quota_per_village=3,
        legal_basis="Inpres 4/2022\nPermendesa PDTT 8/2022",
    )
    for decile, name in enumerate(SELECTED, start=1):
        make_worker(name=name, decile=decile)
    make_worker(name=WAITING, decile=None)
    make_worker(name="Kadek Pegawai", occupation_code=5)

    # The operator opens the 2026 list: it is computed at once.
    log_in(page, live_server.url, "op.tegalharum")
    page.goto(f"{live_server.url}/penerima/")
    page.get_by_label("Program").select_option(str(programme.pk))
    page.get_by_label("Tahun anggaran").fill("2026")
    page.get_by_role("button", name="Buka daftar").click()
    expect(page.get_by_test_id("version-status")).to_have_text("Draf")
    expect(page.get_by_test_id("selected-count")).to_have_text("3")
    expect(page.get_by_test_id("waiting-count")).to_have_text("1")
    expect(page.get_by_test_id("entry-ineligible")).to_contain_text("skema jaminan sendiri")
    expect(page.get_by_test_id("entry-waiting")).to_contain_text("tidak ada (di belakang semua yang berdesil)")
    guide_shot("penerima-daftar", full_page=True)

    # The deliberation is recorded with its minutes, then the list goes to the head.
    minutes = tmp_path / "berita-acara.pdf"
    minutes.write_bytes(PDF_BYTES)
    form = page.get_by_test_id("deliberation-form")
    form.get_by_label("Tanggal musyawarah").fill("2026-11-20")
    form.get_by_label("Jumlah peserta").fill("42")
    form.get_by_label("Berita acara").set_input_files(str(minutes))
    form.get_by_role("button", name="Simpan hasil musyawarah").click()
    expect(page.get_by_test_id("deliberation")).to_contain_text("42 peserta")
    page.get_by_role("button", name="Ajukan untuk persetujuan kepala desa").click()
    expect(page.get_by_test_id("version-status")).to_have_text("Menunggu persetujuan")
    page.get_by_role("button", name="Keluar").click()

    # The head finds it in "Tugas saya" and approves.
    log_in(page, live_server.url, "perbekel.tegalharum")
    tasks = page.get_by_test_id("my-tasks")
    expect(tasks).to_contain_text("Tugas saya")
    guide_shot("penerima-tugas-saya")
    tasks.get_by_role("link").first.click()
    page.get_by_label("Nomor surat keputusan").fill("141/12/TH/2026")
    page.get_by_test_id("approval").scroll_into_view_if_needed()
    guide_shot("penerima-persetujuan")
    page.get_by_role("button", name="Setujui versi ini").click()
    expect(page.get_by_test_id("version-status")).to_have_text("Disetujui")
    assert SelectionVersion.objects.get().approved_by.username == "perbekel.tegalharum"

    with page.expect_download() as download_info:
        page.get_by_test_id("decree").click()
    pdf = tmp_path / "sk.pdf"
    download_info.value.save_as(pdf)
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(pdf).pages).split())
    assert "SURAT KEPUTUSAN PERBEKEL TEGAL HARUM" in text
    assert "141/12/TH/2026" in text
    for name in SELECTED:
        assert name in text
    assert WAITING not in text
    assert "Rp604.800 (enam ratus empat ribu delapan ratus rupiah)" in text
