"""The collective registration round trip: file for the BPJS branch, then the branch's answer (KPJ numbers)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from lindung.audit.models import AuditEvent
from lindung.membership.models import Membership
from lindung.membership.registration import registration_answer_import, registration_file_create
from lindung.membership.tests.factories import SESETAN, TEGAL_HARUM, make_member, make_worker

pytestmark = pytest.mark.django_db


def answer_file(tmp_path: Path, rows: list[tuple[object, ...]], header=("NIK", "No KPJ", "Tanggal Efektif")) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    path = tmp_path / "jawaban.xlsx"
    book.save(path)
    return path


@pytest.fixture
def pending(programme):
    members = [make_member(programme, TEGAL_HARUM, dt.date(2025, 3, 1)) for _ in range(3)]
    members[0].worker.name = '=HYPERLINK("http://x")'
    members[0].worker.save()
    make_member(programme, SESETAN, dt.date(2025, 3, 1), kpj="99887766554")  # already registered: not in the file
    return members


def test_file_lists_pending_members_with_formulas_neutralised(programme, pending, operator_tegal_harum) -> None:
    record, content = registration_file_create(actor=operator_tegal_harum, programme=programme, region_code=TEGAL_HARUM)
    rows = list(load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
    assert rows[0] == (
        "NIK", "Nama Lengkap", "Tanggal Lahir", "Alamat", "Pekerjaan", "Penghasilan Dilaporkan", "Paket Program",
        "Kode Desa", "Desa/Kelurahan", "Tanggal Mulai",
    )  # fmt: skip
    assert len(rows) == 4
    by_nik = {row[0]: row for row in rows[1:]}
    first = by_nik[pending[0].worker.nik]
    assert first[1] == '\'=HYPERLINK("http://x")'  # never run as a formula
    assert first[2] == "01-01-1985" and first[5] == 1_000_000 and first[6] == "JKK + JKM"
    assert first[7] == TEGAL_HARUM and first[9] == "01-03-2025"
    assert first[4]  # occupation name from the civil-registry code
    assert set(record.memberships.all()) == set(pending)


def test_answer_with_an_unknown_nik_is_reported_and_nothing_is_written(programme, pending, tmp_path) -> None:
    record, _ = registration_file_create(actor=None, programme=programme)
    stranger = make_worker(TEGAL_HARUM)  # a real worker, but not a pending member of this file
    path = answer_file(
        tmp_path,
        [
            (pending[0].worker.nik, "23011111111", "05-03-2025"),
            (stranger.nik, "23022222222", "05-03-2025"),
            (pending[1].worker.nik, "23033333333", dt.date(2025, 3, 5)),
        ],
    )
    result = registration_answer_import(actor=None, registration=record, path=path)
    assert not result.ok
    assert [str(p) for p in result.problems] == [
        f"Baris 3, kolom NIK: NIK {stranger.nik} tidak cocok dengan peserta yang menunggu pendaftaran dalam berkas ini."
    ]
    assert not Membership.objects.filter(kpj_number__in=["23011111111", "23033333333"]).exists()
    assert not AuditEvent.objects.filter(action="membership.registration.answer").exists()


def test_clean_answer_sets_kpj_and_effective_date(programme, pending, tmp_path) -> None:
    record, _ = registration_file_create(actor=None, programme=programme)
    path = answer_file(  # the branch's own column names and order
        tmp_path,
        [(f"2301000000{i}", m.worker.nik, "05-03-2025") for i, m in enumerate(pending)],
        header=("Nomor KPJ", "NIK", "Tgl Efektif"),
    )
    result = registration_answer_import(actor=None, registration=record, path=path)
    assert result.ok and result.applied == 3
    member = Membership.objects.get(pk=pending[0].pk)
    assert (member.kpj_number, member.kpj_effective_on) == ("23010000000", dt.date(2025, 3, 5))
    assert member.status_changes.filter(from_status="pending", on=dt.date(2025, 3, 5)).exists()
    assert member.status == "lapsed"  # registered, but nothing was ever paid since March 2025
    # Importing the same answer again changes nothing.
    again = registration_answer_import(actor=None, registration=record, path=path)
    assert again.ok and (again.applied, again.unchanged) == (0, 3)


def test_a_different_kpj_is_never_overwritten(programme, pending, tmp_path) -> None:
    record, _ = registration_file_create(actor=None, programme=programme)
    Membership.objects.filter(pk=pending[2].pk).update(kpj_number="23099999999", status="active")
    path = answer_file(tmp_path, [(pending[2].worker.nik, "23012345678", "05-03-2025")])
    result = registration_answer_import(actor=None, registration=record, path=path)
    assert [str(p) for p in result.problems] == [
        "Baris 2, kolom KPJ: Peserta ini sudah tercatat dengan KPJ 23099999999; KPJ 23012345678 tidak ditimpa."
    ]
    assert Membership.objects.get(pk=pending[2].pk).kpj_number == "23099999999"


def test_answer_row_problems_name_row_and_column(programme, pending, tmp_path) -> None:
    record, _ = registration_file_create(actor=None, programme=programme)
    nik = pending[0].worker.nik
    path = answer_file(
        tmp_path,
        [
            (nik, "", "05-03-2025"),
            (nik, "23011111111", "05-03-2025"),
            (pending[1].worker.nik, "2301", "31-02-2025"),
            ("123", "23011111112", "05-03-2025"),
        ],
    )
    result = registration_answer_import(actor=None, registration=record, path=path)
    problems = [(p.row, p.column) for p in result.problems]
    assert problems == [(2, "KPJ"), (3, "NIK"), (4, "KPJ"), (4, "Tanggal Efektif"), (5, "NIK")]


def test_missing_column_is_refused(programme, pending, tmp_path) -> None:
    from lindung.core.errors import ApplicationError

    record, _ = registration_file_create(actor=None, programme=programme)
    with pytest.raises(ApplicationError, match="KPJ"):
        registration_answer_import(
            actor=None, registration=record, path=answer_file(tmp_path, [], header=("NIK", "Tanggal Efektif"))
        )


def test_cli_round_trip(programme, pending, tmp_path) -> None:
    from django.core.management import call_command
    from django.core.management.base import CommandError

    output = tmp_path / "kolektif.xlsx"
    call_command("registration-file", "--programme", str(programme.pk), "--output", str(output))
    rows = list(load_workbook(output).active.iter_rows(values_only=True))[1:]
    record_id = AuditEvent.objects.get(action="membership.registration.file").target_id
    wrong = answer_file(tmp_path, [(rows[0][0], "23011111111", "05-03-2025"), ("5171030101850999", "23011111112", "")])
    with pytest.raises(CommandError):
        call_command("registration-answer", record_id, str(wrong), "--json")
    good = answer_file(tmp_path, [(row[0], f"2301111111{i}", row[9]) for i, row in enumerate(rows)])
    call_command("registration-answer", record_id, str(good))
    assert Membership.objects.filter(kpj_number__startswith="230111111").count() == 3
