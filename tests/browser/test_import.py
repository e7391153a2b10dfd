"""A village operator uploads a worker file, watches the check finish, downloads the error report, saves."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from openpyxl import load_workbook
from playwright.sync_api import expect

from lindung.accounts.models import Role
from lindung.registry.models import Worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEGAL_HARUM = "51.71.03.2008"


@pytest.fixture
def task_worker(live_server):
    """The real django-tasks database worker, in its own process, on the same (file) test database."""
    name = settings.DATABASES["default"]["NAME"]
    if not name or str(name).startswith(("file:memorydb", ":memory:")):
        pytest.fail("Browser tests need a file SQLite test database: run them with `make test-browser`.")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{name}"}
    process = subprocess.Popen(
        [sys.executable, "-m", "lindung", "db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.3"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    yield process
    process.terminate()
    process.wait(10)


def _worker_file(path: Path) -> Path:
    lines = ["NIK;Nama Lengkap;Jenis Kelamin;Tanggal Lahir;Pekerjaan;Penghasilan per Bulan;Desil"]
    for i in range(1, 12_001):
        day, serial = 41 + i % 28, i // 28 + 1  # women born 1-28 August 1990, distinct NIKs
        lines.append(f"517103{day:02d}0890{serial:04d};Pekerja {i};P;{day - 40:02d}-08-1990;Tukang cukur;Rp 750.000;2")
    lines.append("517103450890;Salah NIK;P;05-08-1990;petani;500000;2")  # row 12002: 12 digits
    lines.append("5171036610880005;Luh Sari;P;31-02-1988;petani;500000;2")  # row 12003: impossible date
    lines.append("5171034208900001;Pekerja 1 lagi;P;02-08-1990;petani;500000;2")  # row 12004: duplicate of row 2
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path


def test_upload_watch_progress_download_errors_and_save(
    page, live_server, bali, make_user, tmp_path, task_worker, guide_shot
):
    make_user("op.tegalharum", Role.VILLAGE_OPERATOR, TEGAL_HARUM)
    page.goto(f"{live_server.url}/masuk/")
    page.get_by_label("Nama pengguna").fill("op.tegalharum")
    page.get_by_label("Kata sandi").fill("rahasia-uji-123")
    page.get_by_role("button", name="Masuk").click()

    page.goto(f"{live_server.url}/impor/")
    page.locator("input[type=file]").set_input_files(str(_worker_file(tmp_path / "pekerja.csv")))
    page.get_by_role("button", name="Unggah dan periksa").click()

    # The check runs in the task worker; the page polls and shows progress until the summary appears.
    status = page.get_by_test_id("import-status")
    expect(page.get_by_test_id("progress")).to_be_visible()
    expect(page.get_by_test_id("summary")).to_be_visible(timeout=60_000)
    expect(page.get_by_test_id("progress")).to_have_count(0)
    expect(page.get_by_test_id("valid")).to_have_text("12.000")
    expect(page.get_by_test_id("rejected")).to_have_text("2")
    expect(page.get_by_test_id("duplicates")).to_have_text("1")
    guide_shot("impor-ringkasan", full_page=True)
    assert not Worker.objects.exists()  # nothing saved before the operator decides

    # A reload keeps the state: the job lives in the database, not in the page.
    page.reload()
    expect(page.get_by_test_id("valid")).to_have_text("12.000")

    with page.expect_download() as download_info:
        page.get_by_test_id("errors-download").click()
    report = tmp_path / "kesalahan.xlsx"
    download_info.value.save_as(report)
    rows = {r[0]: r for r in load_workbook(report).worksheets[0].iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {12_002, 12_003, 12_004}
    assert "16 digit" in rows[12_002][-1]
    assert "Tanggal tidak valid" in rows[12_003][-1]
    assert "baris 2" in rows[12_004][-1]

    page.get_by_role("button", name="Simpan 12.000 baris yang valid").click()
    expect(status).to_have_text("Tersimpan", timeout=60_000)
    assert Worker.objects.filter(village_id=TEGAL_HARUM).count() == 12_000
