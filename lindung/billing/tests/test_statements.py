"""The BPJS branch's monthly statement: a hand-made file with each kind of difference, a bad row, re-import, scope.

Amounts by hand from ../shared/domain/parameters.csv: a member at Rp1,000,000 (JKK + JKM) owes 10,000 + 6,800 =
Rp16,800 a month; Tegal Harum's four January members make an invoice of 4 x 16,800 = Rp67,200.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from lindung.accounts.models import Role
from lindung.audit.models import AuditEvent
from lindung.billing.models import StatementDifference, StatementImport
from lindung.billing.services import billing_run, payment_record
from lindung.billing.statements import statement_import
from lindung.core.errors import ApplicationError
from lindung.membership.tests.factories import SESETAN, TEGAL_HARUM, make_member
from lindung.regions.models import Region

pytestmark = pytest.mark.django_db

JAN = dt.date(2025, 1, 1)
DUE = 16_800
OTHER_DENPASAR_VILLAGE = "51.71.01.1002"


def _xlsx(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


@pytest.fixture
def paid_january(programme):
    """Tegal Harum: A, B, C, D on the January invoice, paid in full; F starts in February (not on it).
    Sesetan: E, its January invoice paid."""
    members = {
        key: make_member(programme, TEGAL_HARUM, JAN, kpj=f"2302000010{i}") for i, key in enumerate("ABCD", start=1)
    }
    members["F"] = make_member(programme, TEGAL_HARUM, dt.date(2025, 2, 1), kpj="23020000106")
    members["E"] = make_member(programme, SESETAN, JAN, kpj="23020000201")
    billing_run(period=JAN)
    for code, amount in ((TEGAL_HARUM, 4 * DUE), (SESETAN, DUE)):
        payment_record(actor=None, programme=programme, village=Region.objects.get(code=code),
                       value_date=dt.date(2025, 1, 10), amount=amount, reference=f"TRF-{code}",
                       budget_source="dana_desa")  # fmt: skip
    return members


MEMBER_HEADER = ["Periode", "KPJ", "NIK", "Nama", "Iuran", "Tanggal Bayar"]


def _member_rows(m) -> list[list[object]]:
    return [
        ["2025-01", m["A"].kpj_number, m["A"].worker.nik, "A", DUE, "10-01-2025"],  # row 2: agrees
        ["2025-01", m["B"].kpj_number, None, "B", 20_000, None],  # row 3: different amount
        ["01-2025", "99999999999", None, "Tak Dikenal", DUE, None],  # row 4: unknown KPJ
        [None, None, m["E"].worker.nik, "E", DUE, None],  # row 5: Sesetan's member, outside Tegal Harum
        ["2025-01", m["F"].kpj_number, None, "F", DUE, None],  # row 6: paid at BPJS, not recorded in Lindung
        ["2025-01", None, m["D"].worker.nik, "D", "16.800", None],  # row 7: agrees (by NIK, amount as text)
        # C is missing: recorded in Lindung, not at BPJS
    ]


def _differences(statement: StatementImport) -> set[tuple]:
    return set(statement.differences.values_list("kind", "row", "kpj", "bpjs_amount", "lindung_amount").order_by())


def test_member_statement_lists_every_kind_of_difference(tmp_path, paid_january, operator_tegal_harum):
    m = paid_january
    path = _xlsx(tmp_path / "rekening.xlsx", MEMBER_HEADER, _member_rows(m))
    result = statement_import(actor=operator_tegal_harum, path=path, period=JAN, region_code=TEGAL_HARUM)
    assert result.ok and result.created, [str(p) for p in result.problems]
    statement = result.statement
    assert statement is not None
    assert (statement.layout, statement.rows, statement.matched) == ("member", 6, 2)
    assert statement.bpjs_total == DUE + 20_000 + DUE + DUE + DUE + DUE == 104_000
    assert statement.lindung_total == 4 * DUE == 67_200
    assert _differences(statement) == {
        ("amount", 3, m["B"].kpj_number, 20_000, DUE),
        ("unknown", 4, "99999999999", DUE, 0),
        ("unknown", 5, "", DUE, 0),
        ("not_recorded", 6, m["F"].kpj_number, DUE, 0),
        ("not_at_bpjs", None, m["C"].kpj_number, 0, DUE),
    }
    not_at_bpjs = statement.differences.get(kind="not_at_bpjs")
    nik = m["C"].worker.nik
    assert (not_at_bpjs.nik_masked, not_at_bpjs.village_code) == (f"{nik[:4]}********{nik[12:]}", TEGAL_HARUM)
    unknown_nik = statement.differences.get(row=5)
    assert unknown_nik.nik_masked == f"{m['E'].worker.nik[:4]}********{m['E'].worker.nik[12:]}"  # never in full
    event = AuditEvent.objects.get(action="billing.statement.import")
    assert event.changes["differences"] == {"amount": 1, "unknown": 2, "not_recorded": 1, "not_at_bpjs": 1}


def test_reimport_of_the_same_rows_creates_nothing(tmp_path, paid_january, operator_tegal_harum):
    rows = _member_rows(paid_january)
    first = statement_import(actor=operator_tegal_harum, path=_xlsx(tmp_path / "a.xlsx", MEMBER_HEADER, rows),
                             period=JAN, region_code=TEGAL_HARUM)  # fmt: skip
    counts = (StatementImport.objects.count(), StatementDifference.objects.count(), AuditEvent.objects.count())
    # The same file again, and the same rows saved in another order (another file, the same content).
    again = statement_import(actor=operator_tegal_harum, path=tmp_path / "a.xlsx", period=JAN, region_code=TEGAL_HARUM)
    shuffled = _xlsx(tmp_path / "b.xlsx", MEMBER_HEADER, list(reversed(rows)))
    third = statement_import(actor=operator_tegal_harum, path=shuffled, period=JAN, region_code=TEGAL_HARUM)
    assert (again.created, third.created) == (False, False)
    assert again.statement == first.statement == third.statement
    assert (StatementImport.objects.count(), StatementDifference.objects.count(), AuditEvent.objects.count()) == counts


def test_bad_rows_are_reported_with_row_and_column_and_nothing_is_stored(tmp_path, paid_january, operator_tegal_harum):
    rows = [
        *_member_rows(paid_january),
        ["2025-01", "23020000109", None, "X", "dua ribu", None],  # row 8: amount is not a number
        ["2025-02", "23020000110", None, "Y", DUE, None],  # row 9: another month
        ["2025-01", None, None, "Z", DUE, None],  # row 10: neither KPJ nor NIK
        ["2025-01", paid_january["A"].kpj_number, None, "A lagi", DUE, None],  # row 11: the same KPJ as row 2
        ["2025-01", "23020000111", "5171", "W", -5, None],  # row 12: a NIK too short, a negative amount
    ]
    before = AuditEvent.objects.count()
    path = _xlsx(tmp_path / "salah.xlsx", MEMBER_HEADER, rows)
    result = statement_import(actor=operator_tegal_harum, path=path, period=JAN, region_code=TEGAL_HARUM)
    assert not result.ok and result.statement is None
    where = {(p.row, p.column) for p in result.problems}
    assert where == {(8, "Iuran"), (9, "Periode"), (10, "KPJ"), (11, "KPJ"), (12, "NIK"), (12, "Iuran")}
    messages = {(p.row, p.column): str(p) for p in result.problems}
    assert (
        messages[(9, "Periode")] == "Baris 9, kolom Periode: periode baris ini 02-2025, bukan periode rekening 01-2025."
    )
    assert messages[(10, "KPJ")] == "Baris 10, kolom KPJ: isi nomor KPJ atau NIK peserta."
    assert messages[(11, "KPJ")] == f"Baris 11, kolom KPJ: KPJ {paid_january['A'].kpj_number} sudah ada di baris 2."
    assert messages[(12, "Iuran")] == "Baris 12, kolom Iuran: Jumlah uang tidak valid: -5."
    assert not StatementImport.objects.exists() and not StatementDifference.objects.exists()
    assert AuditEvent.objects.count() == before


def test_village_statement(tmp_path, paid_january, city_officer):
    path = _xlsx(
        tmp_path / "desa.xlsx",
        ["Periode", "Kode Desa", "Nama Desa", "Iuran"],
        [
            ["2025-01", TEGAL_HARUM, "Tegal Harum", 60_000],  # row 2: Lindung settled 67,200
            ["2025-01", OTHER_DENPASAR_VILLAGE, "Lain", 50_000],  # row 3: nothing in Lindung
            ["2025-01", "51.71.03.9999", "Tidak Ada", 5_000],  # row 4: no such village
            # Sesetan (16,800 settled in Lindung) is missing.
        ],
    )
    result = statement_import(actor=city_officer, path=path, period=JAN, region_code="51.71")
    assert result.ok and result.statement is not None
    statement = result.statement
    assert (statement.layout, statement.rows, statement.matched) == ("village", 3, 0)
    assert (statement.bpjs_total, statement.lindung_total) == (115_000, 4 * DUE + DUE)
    assert set(statement.differences.values_list("kind", "row", "village_code", "bpjs_amount", "lindung_amount")) == {
        ("amount", 2, TEGAL_HARUM, 60_000, 67_200),
        ("not_recorded", 3, OTHER_DENPASAR_VILLAGE, 50_000, 0),
        ("unknown", 4, "51.71.03.9999", 5_000, 0),
        ("not_at_bpjs", None, SESETAN, 0, DUE),
    }


def test_scope_of_the_import(tmp_path, paid_january, operator_tegal_harum, bali, make_user):
    path = _xlsx(tmp_path / "r.xlsx", MEMBER_HEADER, _member_rows(paid_january))
    for region in ("51.71", SESETAN, "51.71.03.9999"):  # above, beside, missing: the same answer
        with pytest.raises(ApplicationError, match="di luar wilayah Anda"):
            statement_import(actor=operator_tegal_harum, path=path, period=JAN, region_code=region)
    viewer = make_user("pemprov.bali", Role.PROVINCE_VIEWER, "51")
    with pytest.raises(ApplicationError, match="Peran Anda"):
        statement_import(actor=viewer, path=path, period=JAN, region_code=TEGAL_HARUM)
    assert not StatementImport.objects.exists()


def test_pages_upload_show_and_export(client, tmp_path, paid_january, bali, make_user, operator_tegal_harum):
    officer = make_user("bpjs.denpasar", Role.BPJS_OFFICER, "51.71")
    client.force_login(officer)
    path = _xlsx(tmp_path / "rekening.xlsx", MEMBER_HEADER, _member_rows(paid_january))
    with path.open("rb") as handle:
        response = client.post(reverse("billing:statements"),
                               {"period": "2025-01", "region": TEGAL_HARUM, "statement": handle})  # fmt: skip
    statement = StatementImport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("billing:statement_detail",
                                                                          args=[statement.pk])  # fmt: skip
    page = client.get(response["Location"]).content.decode()
    assert "99999999999" in page and paid_january["E"].worker.nik not in page
    export = client.get(reverse("billing:statement_export", args=[statement.pk]))
    workbook = load_workbook(io.BytesIO(export.content))
    summary = {row[0].value: row[1].value for row in workbook["Ringkasan"].iter_rows()}
    assert (summary["Jumlah di BPJS (Rp)"], summary["Jumlah tercatat di Lindung (Rp)"]) == (104_000, 67_200)
    assert summary["Selisih (Rp)"] == 36_800
    sheet = workbook["Selisih"]
    assert [c.value for c in sheet[1]][:3] == ["Jenis", "Baris", "Kode Desa"]
    kinds = sorted(row[0].value for row in sheet.iter_rows(min_row=2))
    assert kinds == sorted([
        "Jumlah berbeda", "KPJ/NIK atau desa tidak dikenal", "KPJ/NIK atau desa tidak dikenal",
        "Dibayar di BPJS, belum tercatat di Lindung", "Tercatat di Lindung, tidak ada di BPJS",
    ])  # fmt: skip
    assert AuditEvent.objects.filter(action="billing.statement.download").count() == 1
    # A bad file: the page shows the problems, nothing stored.
    bad = _xlsx(tmp_path / "bad.xlsx", MEMBER_HEADER, [["2025-01", "123", None, "X", "abc", None]])
    with bad.open("rb") as handle:
        page = client.post(reverse("billing:statements"), {"period": "2025-01", "region": TEGAL_HARUM,
                                                            "statement": handle}).content.decode()  # fmt: skip
    assert "Baris 2, kolom Iuran" in page and StatementImport.objects.count() == 1
    # The operator of Tegal Harum sees it (their village); a Sesetan operator does not.
    client.force_login(operator_tegal_harum)
    assert client.get(reverse("billing:statement_detail", args=[statement.pk])).status_code == 200
    client.force_login(make_user("op.sesetan", Role.VILLAGE_OPERATOR, SESETAN))
    assert client.get(reverse("billing:statement_detail", args=[statement.pk])).status_code == 404
    assert client.get(reverse("billing:statement_export", args=[statement.pk])).status_code == 404
    # Read-only roles cannot import.
    client.force_login(make_user("pemprov.bali", Role.PROVINCE_VIEWER, "51"))
    assert client.post(reverse("billing:statements"), {"period": "2025-01", "region": "51"}).status_code == 403


def test_templates_have_the_documented_columns(client, operator_tegal_harum):
    client.force_login(operator_tegal_harum)
    url = reverse("billing:statement_template")
    member = load_workbook(io.BytesIO(client.get(url).content)).active
    village = load_workbook(io.BytesIO(client.get(url, {"bentuk": "desa"}).content)).active
    assert [c.value for c in member[1]] == MEMBER_HEADER
    assert [c.value for c in village[1]] == ["Periode", "Kode Desa", "Nama Desa", "Iuran"]
