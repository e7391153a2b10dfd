"""The import of a messy office file: row-level reasons, nothing bad stored, idempotent re-import.

The expected counts and reasons are written by hand from the rows below, not computed by the importer.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook, load_workbook

from lindung.audit.models import AuditEvent
from lindung.registry.models import ImportBatch, Worker

HEADER = "No;NIK;Nama;JK;Tgl Lahir;Kode Desa;Pekerjaan;Penghasilan;Desil;Miskin Ekstrim"
ROWS = [  # spreadsheet rows 3.. (row 1 is a title, row 2 the header)
    "1;5171034508900003;Ni Made Süryani;P;05-08-1990;51.71.03.2008;Tukang cukur;Rp 750.000;1;Ya",  # 3 valid
    "2;5171 0112 0385 0001;I Wayan Darma;L;12/03/1985;5171011001;Petani;1.500.000;2;Tidak",  # 4 valid
    "3;517102550792000;Komang Ayu;P;15-07-1992;51.71.02.1003;pedagang;500000;;",  # 5 NIK 15 digits
    "4;5171040101800004;Ketut Budi;L;31-02-1980;51.71.04.2001;sopir;800000;3;",  # 6 impossible date
    "5;5171034508900003;Ni Made Suryani;P;05-08-1990;51.71.03.2008;;;;",  # 7 duplicate of row 3
    "6;5171036610880005;Luh Sari;P;26-10-1988;51.71.03.2008;astronot;600000;4;",  # 8 valid, warning
    "7;5103050505900007;Made Badung;L;05-05-1990;51.03.05.2001;nelayan;700000;2;",  # 9 outside scope
    "8;5171031712750006;Gede Lain;L;17-12-1975;51.71.03.2008;buruh harian lepas;900000;2;",  # 10 elsewhere
    "9;5171025507920002;Kadek Ayu;X;15-07-1992;51.71.02.1003;;abc;11;mungkin",  # 11 four errors
]


def write_messy_csv(path: Path, rows: list[str] = ROWS) -> Path:
    text = "DAFTAR PEKERJA RENTAN KOTA DENPASAR;;;;\r\n" + HEADER + "\r\n" + "\r\n".join(rows) + "\r\n"
    path.write_bytes(text.encode("cp1252"))  # Indonesian-locale Excel: ';' and Windows-1252
    return path


def run_import(path: Path, *args: str) -> dict:
    from io import StringIO

    out = StringIO()
    call_command("import-workers", str(path), "--json", *args, stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])


@pytest.fixture
def registered_elsewhere(bali):
    return Worker.objects.create(
        nik="5171031712750006", name="Gede Lain", sex="L", birth_date="1975-12-17", village_id="51.71.04.2001"
    )


def test_import_messy_file_reasons_counts_and_nothing_bad_stored(tmp_path, city_officer, registered_elsewhere):
    result = run_import(write_messy_csv(tmp_path / "pekerja.csv"), "--user", city_officer.username)
    assert {k: result[k] for k in ("rows", "valid", "warnings", "rejected", "duplicates", "created")} == {
        "rows": 9, "valid": 3, "warnings": 1, "rejected": 5, "duplicates": 1, "created": 3,
    }  # fmt: skip
    stored = dict(Worker.objects.exclude(pk=registered_elsewhere.pk).values_list("nik", "name"))
    assert stored == {
        "5171034508900003": "Ni Made Süryani",
        "5171011203850001": "I Wayan Darma",
        "5171036610880005": "Luh Sari",
    }
    suryani = Worker.objects.get(nik="5171034508900003")
    assert (suryani.occupation_code, suryani.monthly_income, suryani.decile, suryani.extreme_poor) == (
        24,
        750_000,
        1,
        True,
    )
    darma = Worker.objects.get(nik="5171011203850001")
    assert (darma.village_id, darma.occupation_code, darma.monthly_income) == ("51.71.01.1001", 9, 1_500_000)
    sari = Worker.objects.get(nik="5171036610880005")
    assert (sari.occupation_code, sari.specialisation) == (None, "astronot")
    assert Worker.objects.get(nik="5171031712750006").village_id == "51.71.04.2001"  # untouched

    report = load_workbook(result["errors_file"], read_only=True)
    lines = {row[0]: row for row in report.worksheets[0].iter_rows(min_row=2, values_only=True)}
    reason = {number: line[-1] for number, line in lines.items()}
    status = {number: line[-2] for number, line in lines.items()}
    assert set(reason) == {5, 6, 7, 8, 9, 10, 11}
    assert "16 digit" in reason[5]
    assert "Tanggal tidak valid" in reason[6]
    assert "baris 3" in reason[7] and status[7] == "Duplikat"
    assert "astronot" in reason[8] and status[8].startswith("Peringatan")
    assert "di luar wilayah Anda" in reason[9]
    assert "sudah terdaftar" in reason[10] and "51.71.04.2001" in reason[10]
    for column in ("Jenis Kelamin", "Penghasilan per Bulan", "Desil P3KE/DTSEN", "Miskin Ekstrem"):
        assert column in reason[11]
    assert AuditEvent.objects.filter(action="registry.cross_village_lookup").count() == 1


def test_import_other_village_outside_scope_is_not_named(tmp_path, operator_tegal_harum, registered_elsewhere):
    rows = [ROWS[7]]  # Gede Lain, registered in 51.71.04.2001, which a Tegal Harum operator may not see
    result = run_import(write_messy_csv(tmp_path / "satu.csv", rows), "--user", operator_tegal_harum.username)
    assert result["rejected"] == 1
    reason = next(load_workbook(result["errors_file"]).worksheets[0].iter_rows(min_row=2, values_only=True))[-1]
    assert "terdaftar di desa lain" in reason
    assert "51.71.04" not in reason


def test_import_rerun_changes_nothing_and_a_changed_row_updates(tmp_path, city_officer):
    path = write_messy_csv(tmp_path / "pekerja.csv")
    first = run_import(path, "--user", city_officer.username)
    again = run_import(path, "--user", city_officer.username)
    # Without a prior registration elsewhere, row 10 (Gede Lain) is valid too: 4 workers.
    assert (first["created"], again["created"], again["updated"], again["unchanged"]) == (4, 0, 0, 4)
    rows = list(ROWS)
    rows[1] = rows[1].replace("1.500.000", "1.750.000")
    changed = run_import(write_messy_csv(tmp_path / "ubah.csv", rows), "--user", city_officer.username)
    assert (changed["created"], changed["updated"], changed["unchanged"]) == (0, 1, 3)
    assert Worker.objects.get(nik="5171011203850001").monthly_income == 1_750_000
    applies = list(AuditEvent.objects.filter(action="registry.import.apply").order_by("seq"))
    assert [e.changes["updated"] for e in applies] == [0, 0, 1]


def test_import_dry_run_stores_nothing(tmp_path, city_officer):
    result = run_import(write_messy_csv(tmp_path / "pekerja.csv"), "--dry-run", "--user", city_officer.username)
    assert (result["valid"], result["created"]) == (4, 4)
    assert not Worker.objects.exists()


def test_import_xlsx_nik_stored_as_number_rejected_with_explanation(tmp_path, city_officer):
    book = Workbook()
    sheet = book.active
    sheet.append(["NIK", "Nama Lengkap", "Jenis Kelamin", "Tanggal Lahir", "Kode Desa"])
    sheet.append([5171034508900003, "Ni Made Suryani", "P", "05-08-1990", "51.71.03.2008"])
    sheet.append(["5171036610880005", "Luh Sari", "P", "26-10-1988", "51.71.03.2008"])
    book.save(tmp_path / "angka.xlsx")
    result = run_import(tmp_path / "angka.xlsx", "--user", city_officer.username)
    assert (result["rejected"], result["created"]) == (1, 1)
    reason = next(load_workbook(result["errors_file"]).worksheets[0].iter_rows(min_row=2, values_only=True))[-1]
    assert "NIK tersimpan sebagai angka oleh Excel" in reason


def test_import_fixed_village_without_village_column(tmp_path, operator_tegal_harum):
    path = tmp_path / "desa.csv"
    path.write_text("NIK,Nama,Jenis Kelamin,Tanggal Lahir\n5171036610880005,Luh Sari,P,1988-10-26\n")
    result = run_import(path, "--village", "51.71.03.2008", "--user", operator_tegal_harum.username)
    assert result["created"] == 1
    assert Worker.objects.get().village_id == "51.71.03.2008"


def test_import_unreadable_file_exit_code_2(tmp_path, bali):
    missing_column = tmp_path / "salah.csv"
    missing_column.write_text("Nama,Alamat\nA,B\n")
    with pytest.raises(CommandError) as exc:
        run_import(missing_column)
    assert exc.value.returncode == 2
    with pytest.raises(CommandError) as exc:
        run_import(tmp_path / "tidak-ada.csv")
    assert exc.value.returncode == 2


def test_import_apply_failure_commits_nothing(tmp_path, city_officer, monkeypatch):
    import lindung.registry.services as services

    def broken(**kwargs):
        if kwargs.get("action") == "registry.import.apply":
            raise RuntimeError("disk full")
        return original(**kwargs)

    original = services.audit_record
    monkeypatch.setattr(services, "audit_record", broken)
    with pytest.raises(RuntimeError):
        run_import(write_messy_csv(tmp_path / "pekerja.csv"), "--user", city_officer.username)
    assert not Worker.objects.exists()
    assert ImportBatch.objects.get().status == ImportBatch.Status.FAILED


def test_import_query_count_does_not_grow_with_rows(tmp_path, city_officer):
    def make(n: int, name: str) -> Path:
        rows = [
            f"{i};51710345089{i:05d};Pekerja {i};P;05-08-1990;51.71.03.2008;petani;500000;2;" for i in range(1, n + 1)
        ]
        return write_messy_csv(tmp_path / name, rows)

    small, large = make(10, "kecil.csv"), make(300, "besar.csv")
    with CaptureQueriesContext(connection) as few:
        run_import(small, "--user", city_officer.username)
    Worker.objects.all().delete()
    with CaptureQueriesContext(connection) as many:
        run_import(large, "--user", city_officer.username)
    assert Worker.objects.count() == 300
    assert len(many.captured_queries) == len(few.captured_queries)


def test_import_error_report_neutralises_formulas(tmp_path, city_officer):
    rows = ['1;517103450890000;=HYPERLINK("http://x");P;05-08-1990;51.71.03.2008;;;;']
    result = run_import(write_messy_csv(tmp_path / "rumus.csv", rows), "--user", city_officer.username)
    assert result["rejected"] == 1
    line = next(load_workbook(result["errors_file"]).worksheets[0].iter_rows(min_row=2, values_only=True))
    assert line[2] == '\'=HYPERLINK("http://x")'  # the Nama cell, shown as text, never a formula


def test_import_downloadable_template_imports_cleanly(tmp_path, operator_tegal_harum):
    from lindung.registry.importing.reading import write_template

    for file_format in ("xlsx", "csv"):
        path = tmp_path / f"templat.{file_format}"
        write_template(path, file_format)
        result = run_import(path, "--dry-run", "--user", operator_tegal_harum.username)
        assert (result["rows"], result["valid"], result["rejected"]) == (1, 1, 0), file_format


def test_import_web_upload_over_the_cap_refused(client, operator_tegal_harum, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    settings.LINDUNG_UPLOAD_MAX_BYTES = 1024
    client.force_login(operator_tegal_harum)
    big = SimpleUploadedFile("besar.csv", b"NIK;Nama\n" + b"5171034508900003;Nama\n" * 200)
    response = client.post(reverse("registry:import_start"), {"file": big})
    assert response.status_code == 200
    assert "terlalu besar" in response.content.decode()
    assert not ImportBatch.objects.exists()


def test_import_control_character_row_rejected_and_import_completes(tmp_path, city_officer):
    rows = ["1;5171034508900003;Ni Made\x07 Suryani;P;05-08-1990;51.71.03.2008;;;;", ROWS[1]]
    result = run_import(write_messy_csv(tmp_path / "kontrol.csv", rows), "--user", city_officer.username)
    assert (result["rejected"], result["created"]) == (1, 1)
    line = next(load_workbook(result["errors_file"]).worksheets[0].iter_rows(min_row=2, values_only=True))
    assert line[0] == 3 and "\ufffd" in line[2]
