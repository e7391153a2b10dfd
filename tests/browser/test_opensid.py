"""A village operator imports an OpenSID population export, reviews the summary, applies it, and sees the
imported candidates ranked on the recipient-list page."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from lindung.accounts.models import Role
from lindung.interop.tests.opensid_files import household_rows, write
from lindung.programmes.services import programme_create
from lindung.regions.models import Region
from lindung.registry.models import Child, Worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEGAL_HARUM = "51.71.03.2008"


def test_operator_imports_opensid_reviews_applies_and_sees_the_ranking(
    page, live_server, bali, make_user, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    make_user("op.tegalharum", Role.VILLAGE_OPERATOR, TEGAL_HARUM)
    programme = programme_create(
        acting_user=None,
        name="Gerakan 1 Desa 100 Pekerja Rentan",
        region=Region.objects.get(code="51.71"),
        starts_on=dt.date(2026, 1, 1),
        quota_per_village=3,
    )
    export = write(tmp_path / "penduduk_tegal_harum.xlsx", household_rows())

    page.goto(f"{live_server.url}/masuk/")
    page.get_by_label("Nama pengguna").fill("op.tegalharum")
    page.get_by_label("Kata sandi").fill("rahasia-uji-123")
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ikhtisar wilayah Anda")

    page.goto(f"{live_server.url}/opensid/")
    upload = page.get_by_test_id("opensid-upload")
    upload.get_by_label("Ekspor penduduk OpenSID (XLSX)").set_input_files(str(export))
    upload.get_by_role("button", name="Unggah dan periksa").click()

    # The summary: 12 residents, 3 candidates and 5 children to create, 6 rows skipped with their reasons.
    expect(page.get_by_test_id("status")).to_have_text("Sudah diperiksa, menunggu keputusan Anda")
    expect(page.get_by_test_id("rows")).to_have_text("12")
    expect(page.get_by_test_id("workers-create")).to_have_text("3")
    expect(page.get_by_test_id("children-create")).to_have_text("5")
    expect(page.get_by_test_id("skipped")).to_have_text("6")
    skipped = page.get_by_test_id("skipped-rows")
    expect(skipped).to_contain_text("ASN/TNI/Polri/pejabat")
    expect(skipped).to_contain_text("NIK harus 16 digit")
    assert not Worker.objects.exists()  # nothing saved before the decision

    page.get_by_role("button", name="Simpan ke registri").click()
    expect(page.get_by_test_id("status")).to_have_text("Tersimpan")
    assert Worker.objects.count() == 3 and Child.objects.count() == 5

    # The candidates ranked: the recipient list for 2026 (quota 3) computed from the imported workers.
    page.get_by_role("link", name="Urutkan calon (daftar penerima)").click()
    page.get_by_label("Program").select_option(str(programme.pk))
    page.get_by_label("Tahun anggaran").fill("2026")
    page.get_by_role("button", name="Buka daftar").click()
    expect(page.get_by_test_id("selected-count")).to_have_text("3")
    rows = page.get_by_test_id("entry-selected")
    expect(rows).to_have_count(3)
    # Worked by hand (RULES.md priority, no deciles): Made and Luh have 2 children under 18, Putu 1; between the
    # two parents the farmer (9, medium risk) ranks before housekeeping (2, low).
    expect(rows.nth(0)).to_contain_text("MADE PETANI")
    expect(rows.nth(1)).to_contain_text("LUH RUMAH TANGGA")
    expect(rows.nth(2)).to_contain_text("PUTU SOPIR")
