"""`import_batch_check_and_apply` (what `lindung import-workers` runs): on PostgreSQL the new workers are stored by
a COPY that the check feeds while it runs; the result must be exactly that of checking, then applying.

These tests commit (`transaction=True`): the check looks registered NIKs up through a second connection, which
sees only committed rows. The expected figures are the hand-written ones of `test_import.py`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from openpyxl import load_workbook

from lindung.audit.models import AuditEvent
from lindung.core.errors import ApplicationError
from lindung.registry import services
from lindung.registry.importing import pipeline
from lindung.registry.models import ImportBatch, Worker
from lindung.registry.tests.test_import import ROWS, run_import, write_messy_csv

pytestmark = pytest.mark.django_db(transaction=True)

EXPECTED_STORED = {
    "5171034508900003": "Ni Made Süryani",
    "5171011203850001": "I Wayan Darma",
    "5171036610880005": "Luh Sari",
}


@pytest.fixture
def postgresql_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the check feeds a COPY on PostgreSQL only; SQLite checks, then applies")


@pytest.fixture
def sink_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The text each check handed to the COPY (proof that the import took the path that streams)."""
    calls: list[str] = []
    original = services.validate_file

    def spying(*args: Any, sink: Any = None, **kwargs: Any) -> Any:
        def recording(text: str) -> None:
            calls.append(text)
            sink(text)

        return original(*args, sink=recording if sink is not None else None, **kwargs)

    monkeypatch.setattr(services, "validate_file", spying)
    return calls


def _report_reasons(path: str) -> dict[int, tuple[str, str]]:
    sheet = load_workbook(path, read_only=True).worksheets[0]
    return {row[0]: (row[-2], row[-1]) for row in sheet.iter_rows(min_row=2, values_only=True)}


def test_streamed_import_stores_and_reports_what_check_then_apply_does(
    tmp_path, city_officer, postgresql_only, sink_calls
):
    elsewhere = Worker.objects.create(
        nik="5171031712750006", name="Gede Lain", sex="L", birth_date="1975-12-17", village_id="51.71.04.2001"
    )
    path = write_messy_csv(tmp_path / "pekerja.csv")
    result = run_import(path, "--user", city_officer.username)
    assert {k: result[k] for k in ("rows", "valid", "warnings", "rejected", "duplicates", "created", "updated")} == {
        "rows": 9, "valid": 3, "warnings": 1, "rejected": 5, "duplicates": 1, "created": 3, "updated": 0,
    }  # fmt: skip
    assert len(sink_calls) == 1 and sink_calls[0].count("\r\n") == 3  # the three new workers, as they were checked
    assert dict(Worker.objects.exclude(pk=elsewhere.pk).values_list("nik", "name")) == EXPECTED_STORED
    stamps = set(Worker.objects.exclude(pk=elsewhere.pk).values_list("registered_at", "updated_at"))
    assert len(stamps) == 1 and next(iter(stamps))[0] is not None  # the transaction's now(), both columns
    reasons = _report_reasons(result["errors_file"])
    assert set(reasons) == {5, 6, 7, 8, 9, 10, 11}
    assert reasons[7][0] == "Duplikat" and "sudah terdaftar" in reasons[10][1]
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.created, batch.updated, batch.unchanged) == (ImportBatch.Status.APPLIED, 3, 0, 0)
    assert AuditEvent.objects.filter(action="registry.cross_village_lookup").count() == 1
    apply = AuditEvent.objects.get(action="registry.import.apply")
    assert (apply.changes["created"], apply.changes["updated"], apply.changes["rejected"]) == (3, 0, 5)

    again = run_import(path, "--user", city_officer.username)
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 3)
    assert len(sink_calls) == 1  # nothing new: nothing copied
    rows = list(ROWS)
    rows[1] = rows[1].replace("1.500.000", "1.750.000")
    rows.append("10;5171034107950001;Ni Luh Baru;P;01-07-1995;51.71.03.2008;petani;400000;1;")
    changed = run_import(write_messy_csv(tmp_path / "ubah.csv", rows), "--user", city_officer.username)
    assert (changed["created"], changed["updated"], changed["unchanged"]) == (1, 1, 2)
    assert len(sink_calls) == 2 and "5171034107950001" in sink_calls[1] and "5171011203850001" not in sink_calls[1]
    assert Worker.objects.get(nik="5171011203850001").monthly_income == 1_750_000
    assert Worker.objects.get(nik="5171034107950001").name == "Ni Luh Baru"
    assert [
        e.changes["updated"] for e in AuditEvent.objects.filter(action="registry.import.apply").order_by("seq")
    ] == [
        0,
        0,
        1,
    ]


def test_a_nik_registered_after_its_lookup_is_stored_the_usual_way(
    tmp_path, city_officer, postgresql_only, monkeypatch
):
    """Someone registers a NIK of the file between the check's lookup and the COPY: the unique index refuses the
    COPY, nothing of it stays, and the checked rows are merged as `import_batch_apply` merges them."""
    Worker.objects.create(
        nik="5171034508900003", name="Ni Made S.", sex="P", birth_date="1990-08-05", village_id="51.71.03.2008"
    )
    monkeypatch.setattr(services, "registered_workers", lambda niks, fields, db=None: {})  # the lookup misses it
    result = run_import(write_messy_csv(tmp_path / "pekerja.csv"), "--user", city_officer.username)
    # Row 10 (Gede Lain) is valid here: nobody registered him elsewhere.
    assert (result["created"], result["updated"], result["unchanged"]) == (3, 1, 0)
    assert Worker.objects.get(nik="5171034508900003").name == "Ni Made Süryani"
    assert Worker.objects.count() == 4
    batch = ImportBatch.objects.get()
    assert batch.status == ImportBatch.Status.APPLIED


def test_a_nik_registered_elsewhere_after_its_lookup_stops_the_import(
    tmp_path, city_officer, postgresql_only, monkeypatch
):
    Worker.objects.create(
        nik="5171034508900003", name="Ni Made S.", sex="P", birth_date="1990-08-05", village_id="51.71.01.1001"
    )
    monkeypatch.setattr(services, "registered_workers", lambda niks, fields, db=None: {})
    path = write_messy_csv(tmp_path / "pekerja.csv")
    batch = services.import_batch_create(acting_user=city_officer, source=path, original_name=path.name)
    with pytest.raises(ApplicationError) as caught:
        services.import_batch_check_and_apply(batch=batch, acting_user=city_officer)
    assert caught.value.code == "conflict"
    assert Worker.objects.count() == 1  # nothing of the file
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED and "desa lain" in batch.message


def test_a_file_broken_after_rows_were_copied_stores_nothing(tmp_path, bali, postgresql_only, monkeypatch, sink_calls):
    monkeypatch.setattr(pipeline, "CHUNK_CHARS", 400)  # several chunks: the first ones are copied before the break
    rows = [f"{i};51710345089{i:05d};Ni Luh {i};P;05-08-1990;51.71.03.2008;petani;400000;1;" for i in range(1, 40)]
    rows.append('40;"5171034508940040;Ni Luh 40;P;05-08-1990;51.71.03.2008;petani;400000;1;')  # a quote never closed
    rows += rows[:3]
    path = write_messy_csv(tmp_path / "rusak.csv", rows)
    path.write_bytes(path.read_bytes() + b"x" * 140_000)  # the open quote runs past the csv module's field limit
    batch = services.import_batch_create(acting_user=None, source=path, original_name=path.name)
    with pytest.raises(ApplicationError) as caught:
        services.import_batch_check_and_apply(batch=batch, acting_user=None)
    assert caught.value.code == "file"
    assert sink_calls  # rows had gone to the COPY …
    assert not Worker.objects.exists()  # … and none of them stayed
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED


def test_inside_a_transaction_or_on_sqlite_it_checks_then_applies(tmp_path, city_officer, sink_calls):
    from django.db import transaction

    path = write_messy_csv(tmp_path / "pekerja.csv")
    batch = services.import_batch_create(acting_user=city_officer, source=path, original_name=path.name)
    with transaction.atomic():
        summary = services.import_batch_check_and_apply(batch=batch, acting_user=city_officer)
    assert not sink_calls
    assert (summary.valid, summary.created) == (4, 4)
    assert Worker.objects.count() == 4
    assert isinstance(Path(batch.valid_path), Path)


def test_an_xlsx_file_is_streamed_too(tmp_path, city_officer, postgresql_only, sink_calls):
    """An XLSX is checked block by block (`_Validation.block`); its new workers go to the COPY the same way."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["DAFTAR PEKERJA RENTAN KOTA DENPASAR"])
    for line in ["No;NIK;Nama;JK;Tgl Lahir;Kode Desa;Pekerjaan;Penghasilan;Desil;Miskin Ekstrim", *ROWS]:
        sheet.append(line.split(";"))
    path = tmp_path / "pekerja.xlsx"
    book.save(path)
    result = run_import(path, "--user", city_officer.username)
    # Without a prior registration elsewhere, row 10 (Gede Lain) is valid too: 4 workers.
    assert (result["valid"], result["rejected"], result["duplicates"], result["created"]) == (4, 4, 1, 4)
    assert sink_calls and sum(text.count("\r\n") for text in sink_calls) == 4
    assert dict(Worker.objects.values_list("nik", "name")) == {**EXPECTED_STORED, "5171031712750006": "Gede Lain"}
    again = run_import(path, "--user", city_officer.username)
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 4)
