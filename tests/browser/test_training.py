"""A trainer of Kota Denpasar creates a barbers' course, invites the matched workers, records attendance and
completion — in a real browser, checking what the pages show and what the database holds."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from lindung.accounts.models import Role
from lindung.registry.models import Worker
from lindung.training.models import Attendance, Enrolment, TrainingProgramme

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEGAL_HARUM = "51.71.03.2008"
DAUH_PURI = "51.71.01.1001"
BADUNG_VILLAGE = "51.03.05.2001"


@pytest.fixture(autouse=True)
def _workers_removed_before_flush(live_server):
    """The registry's SQLite trigger refuses to delete a region that workers live in, and Django's flush after a
    transactional test deletes tables in an arbitrary order: remove this test's rows first, children first."""
    yield
    Attendance.objects.all().delete()
    Enrolment.objects.all().delete()
    TrainingProgramme.objects.all().delete()
    Worker.objects.all().delete()


def _worker(nik: str, name: str, village: str, occupation: int, **fields) -> Worker:
    return Worker.objects.create(
        nik=nik, name=name, sex="L", birth_date=dt.date(1985, 1, 1), village_id=village,
        occupation_code=occupation, **fields,
    )  # fmt: skip


def test_trainer_runs_a_barbers_course(page, live_server, bali, make_user):
    make_user("pelatih.denpasar", Role.TRAINER, "51.71")
    _worker("5171030101850001", "Made Tukang Cukur", TEGAL_HARUM, 24, decile=2, monthly_income=800_000)
    _worker("5171010101850002", "Wayan Pangkas", DAUH_PURI, 24, decile=1, monthly_income=600_000)
    _worker("5103050101850003", "Nyoman Cukur Badung", BADUNG_VILLAGE, 24, decile=1)
    _worker("5171030101850004", "Ketut Petani", TEGAL_HARUM, 9, decile=1)

    page.goto(f"{live_server.url}/masuk/")
    page.get_by_label("Nama pengguna").fill("pelatih.denpasar")
    page.get_by_label("Kata sandi").fill("rahasia-uji-123")
    page.get_by_role("button", name="Masuk").click()

    page.goto(f"{live_server.url}/pelatihan/")
    page.get_by_role("link", name="Program baru").click()
    page.get_by_label("Judul").fill("Pelatihan Pangkas Rambut Angkatan 1")
    page.get_by_label("OPD penyelenggara").fill("Dinas Tenaga Kerja Kota Denpasar")
    page.get_by_label("Wilayah sasaran").select_option("51.71")
    page.get_by_label("Pekerjaan sasaran").select_option("24")
    page.get_by_label("Keterampilan yang dilatihkan").fill("Pangkas rambut")
    page.get_by_label("Tempat").fill("BLK Denpasar")
    page.get_by_label("Hari pertama").fill("2026-03-02")
    page.get_by_label("Hari terakhir").fill("2026-03-20")
    page.get_by_label("Kapasitas").fill("10")
    page.get_by_label("Biaya").fill("15000000")
    page.get_by_role("button", name="Simpan dan cari pekerja").click()

    # The matched list: Denpasar barbers, decile 1 first; not the Badung barber, not the farmer; NIKs masked.
    rows = page.get_by_test_id("candidate-row")
    expect(rows).to_have_count(2)
    expect(rows.nth(0)).to_contain_text("Wayan Pangkas")
    expect(rows.nth(0)).to_contain_text("miskin ekstrem")
    expect(rows.nth(1)).to_contain_text("Made Tukang Cukur")
    expect(page.get_by_test_id("candidates")).not_to_contain_text("Nyoman Cukur Badung")
    expect(page.get_by_test_id("candidates")).not_to_contain_text("Ketut Petani")
    expect(page.get_by_test_id("candidates")).to_contain_text("5171********0002")
    expect(page.get_by_test_id("candidates")).not_to_contain_text("5171010101850002")
    expect(page.get_by_test_id("capacity")).to_have_text("Kapasitas 10 · terisi 0 · sisa 10")
    programme = TrainingProgramme.objects.get()
    assert programme.region_id == "51.71" and programme.target_occupations == [24]
    assert [u.username for u in programme.trainers.all()] == ["pelatih.denpasar"]

    # Both are ticked (within capacity); inviting asks for a confirmation first.
    expect(page.get_by_label("Undang Wayan Pangkas")).to_be_checked()
    expect(page.get_by_label("Undang Made Tukang Cukur")).to_be_checked()
    page.get_by_role("button", name="Undang", exact=True).click()
    expect(page.get_by_test_id("invite-summary")).to_contain_text("Undang 2 pekerja")
    assert not Enrolment.objects.exists()
    page.get_by_role("button", name="Ya, undang 2 pekerja").click()

    expect(page.get_by_role("status")).to_contain_text("2 pekerja diundang")
    enrolment_rows = page.get_by_test_id("enrolment-row")
    expect(enrolment_rows).to_have_count(2)
    expect(page.get_by_test_id("enrolments")).not_to_contain_text("Nyoman Cukur Badung")
    assert set(Enrolment.objects.values_list("worker__name", "status")) == {
        ("Made Tukang Cukur", "invited"),
        ("Wayan Pangkas", "invited"),
    }

    # A session, then its attendance sheet: both present.
    today = timezone.localdate()
    page.get_by_label("Tanggal").fill(today.isoformat())
    page.get_by_label("Topik").fill("Teknik dasar pangkas rambut")
    page.get_by_role("button", name="Tambahkan sesi").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Teknik dasar pangkas rambut")
    page.get_by_label("Wayan Pangkas").check()
    page.get_by_label("Made Tukang Cukur").check()
    page.get_by_role("button", name="Simpan kehadiran").click()
    expect(page.get_by_role("status")).to_contain_text("Kehadiran disimpan: 2 hadir")
    expect(page.get_by_label("Wayan Pangkas")).to_be_checked()
    assert Attendance.objects.filter(present=True).count() == 2
    assert set(Enrolment.objects.values_list("status", flat=True)) == {"enrolled"}

    # Completion of both, confirmed.
    page.get_by_role("link", name=programme.title).click()
    page.get_by_label("Pilih Wayan Pangkas").check()
    page.get_by_label("Pilih Made Tukang Cukur").check()
    page.get_by_role("button", name="Tandai selesai").click()
    expect(page.get_by_test_id("status-summary")).to_contain_text("Ubah 2 peserta menjadi: Selesai?")
    page.get_by_role("button", name="Ya, ubah").click()
    expect(page.get_by_role("status")).to_contain_text("2 peserta kini: Selesai")
    expect(enrolment_rows.get_by_test_id("status")).to_have_text(["Selesai", "Selesai"])
    expect(page.get_by_test_id("capacity")).to_have_text(re.compile(r"terisi 2 · sisa 8"))
    done = Enrolment.objects.filter(status="completed", completed_on=today)
    assert sorted(done.values_list("worker__name", flat=True)) == ["Made Tukang Cukur", "Wayan Pangkas"]
