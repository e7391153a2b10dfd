"""Import of memberships that existed before Lindung, with their payment history (hand-built files).

Expected amounts are typed by hand from the issue's figures: at the default declared income of Rp1.000.000 a member
costs Rp16.800 a month with JKK + JKM and Rp36.800 with JHT as well; no discount before PP 50/2025.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook

from lindung.audit.models import AuditEvent
from lindung.billing.models import BillingRun, Invoice, Payment
from lindung.billing.services import billing_run
from lindung.membership.importing import memberships_import
from lindung.membership.models import Membership
from lindung.membership.tests.factories import SESETAN, TEGAL_HARUM, make_member, make_worker

pytestmark = pytest.mark.django_db
TODAY = dt.date(2023, 7, 20)
MEMBER_HEADER = ["NIK", "No KPJ", "Tanggal Mulai", "Penghasilan Dilaporkan", "Paket"]
PAYMENT_HEADER = ["Kode Desa", "Tanggal Valuta", "Jumlah", "Referensi", "Sumber Anggaran", "Kode Rekening"]


def workbook(path: Path, members: list[list], payments: list[list] | None = None, *, title_rows: int = 0) -> Path:
    book = Workbook()
    sheet = book.active
    sheet.title = "Peserta"
    for _ in range(title_rows):
        sheet.append(["Daftar peserta BPJS Ketenagakerjaan Desa Tegal Harum"])
    sheet.append(MEMBER_HEADER)
    for row in members:
        sheet.append(row)
    if payments is not None:
        pay = book.create_sheet("Pembayaran")
        pay.append(PAYMENT_HEADER)
        for row in payments:
            pay.append(row)
    book.save(path)
    return path


@pytest.fixture
def three(programme):
    return [make_worker(TEGAL_HARUM, name) for name in ("Wayan", "Made", "Nyoman")]


def _good_file(tmp_path, workers) -> Path:
    a, b, c = workers
    return workbook(
        tmp_path / "lama.xlsx",
        [
            [a.nik, "23020000001", "01-02-2023", None, None],
            [b.nik, "23020000002", dt.date(2023, 2, 1), 1_000_000, "JKK + JKM"],
            [c.nik, "23020000003", "15-03-2023", "Rp1.000.000", "JKK + JKM + JHT"],
        ],
        [
            [TEGAL_HARUM, "10-02-2023", 33_600, "TH-2302", "Dana Desa (APBDes)", "5.1.04"],
            [TEGAL_HARUM, "10-03-2023", "70.400", "TH-2303", None, None],
            [TEGAL_HARUM, "10-04-2023", 140_800, "TH-2304-2305", None, None],  # April and May in advance
        ],
    )


def _counts() -> tuple[int, ...]:
    return (
        Membership.objects.count(),
        Payment.objects.count(),
        Invoice.objects.count(),
        BillingRun.objects.count(),
        AuditEvent.objects.count(),
    )


def test_import_creates_members_invoices_payments_and_derives_cover(programme, three, tmp_path):
    path = _good_file(tmp_path, three)

    result = memberships_import(actor=None, path=path, today=TODAY)

    assert result.problems == []
    assert (result.member_rows, result.created, result.completed, result.unchanged) == (3, 3, 0, 0)
    assert (result.payment_rows, result.payments_created, result.invoices_created) == (3, 3, 6)
    invoices = {i.period: i for i in Invoice.objects.filter(village_id=TEGAL_HARUM)}
    assert sorted(invoices) == [dt.date(2023, m, 1) for m in range(2, 8)]  # February to July
    assert invoices[dt.date(2023, 2, 1)].total == 2 * 16_800
    assert {invoices[dt.date(2023, m, 1)].total for m in range(3, 8)} == {2 * 16_800 + 36_800}
    assert [invoices[dt.date(2023, m, 1)].status for m in range(2, 8)] == ["paid"] * 4 + ["open"] * 2
    members = {m.worker.name: m for m in Membership.objects.select_related("worker")}
    assert {m.paid_through for m in members.values()} == {dt.date(2023, 5, 1)}
    assert {m.status for m in members.values()} == {"arrears"}  # June and July unpaid on 20 July
    assert members["Nyoman"].package == "jkk_jkm_jht" and members["Nyoman"].starts_on == dt.date(2023, 3, 15)
    assert members["Wayan"].kpj_number == "23020000001"
    assert result.paid_through == {"2023-05": 3}
    first = Payment.objects.get(reference="TH-2302")
    assert (first.budget_source, first.account_code) == ("dana_desa", "5.1.04")
    assert Payment.objects.get(reference="TH-2303").budget_source == "dana_desa"  # the desa's funder: APBDes
    assert AuditEvent.objects.filter(action="membership.import").count() == 1


def test_reimporting_the_same_file_changes_nothing(programme, three, tmp_path):
    path = _good_file(tmp_path, three)
    memberships_import(actor=None, path=path, today=TODAY)
    before = _counts()
    paid = sorted(Membership.objects.values_list("pk", "paid_through", "status"))

    again = memberships_import(actor=None, path=path, today=TODAY)

    assert again.ok
    assert (again.created, again.completed, again.unchanged) == (0, 0, 3)
    assert (again.payments_created, again.payments_unchanged, again.invoices_created) == (0, 3, 0)
    assert _counts() == before
    assert sorted(Membership.objects.values_list("pk", "paid_through", "status")) == paid


def test_dry_run_reports_and_writes_nothing(programme, three, tmp_path):
    before = _counts()
    result = memberships_import(actor=None, path=_good_file(tmp_path, three), dry_run=True, today=TODAY)
    assert result.ok and (result.created, result.invoices_created, result.paid_through) == (3, 6, {"2023-05": 3})
    assert _counts() == before


def test_row_problems_name_sheet_row_and_column_and_nothing_is_saved(programme, three, tmp_path):
    a, b, c = three
    path = workbook(
        tmp_path / "salah.xlsx",
        [
            ["5171030101859999", "23020000001", "01-02-2023", None, None],  # row 3: not registered
            [a.nik, "23020000002", "01-01-2023", None, None],  # row 4: before the agreement (1 Feb 2023)
            [b.nik, None, "01-02-2023", None, None],  # row 5: no KPJ
            [c.nik, "23020000004", "01-02-2023", None, "JKN"],  # row 6: unknown package
            [a.nik, "23020000005", "01-02-2023", None, None],  # row 7: same NIK as row 4
        ],
        [
            [TEGAL_HARUM, "10-02-2023", "seribu", "TH-1", None, None],
            ["51.71.99.9999", "10-02-2023", 100, "X", None, None],
        ],
        title_rows=1,
    )

    before = _counts()
    result = memberships_import(actor=None, path=path, today=TODAY)

    assert not result.ok
    found = [(p.sheet, p.row, p.column) for p in result.problems]
    assert found == [
        ("Peserta", 3, "NIK"),
        ("Peserta", 4, "Tanggal Mulai"),
        ("Peserta", 5, "KPJ"),
        ("Peserta", 6, "Paket"),
        ("Peserta", 7, "NIK"),
        ("Pembayaran", 2, "Jumlah"),
        ("Pembayaran", 3, "Kode Desa"),
    ]
    messages = [str(p) for p in result.problems]
    assert messages[0] == (
        "Lembar Peserta, baris 3, kolom NIK: NIK 5171030101859999 tidak terdaftar sebagai pekerja di wilayah Anda; "
        "daftarkan pekerjanya dahulu."
    )
    assert "sebelum PKS/program berlaku (01-02-2023)" in messages[1]
    assert messages[2].endswith("Nomor KPJ kosong.")
    assert "sama dengan baris 4" in messages[4]
    assert _counts() == before


def test_a_different_kpj_already_recorded_is_reported_not_overwritten(programme, tmp_path):
    member = make_member(programme, TEGAL_HARUM, dt.date(2023, 2, 1), kpj="11111111")
    path = workbook(tmp_path / "kpj.xlsx", [[member.worker.nik, "22222222", "01-02-2023", None, None]])

    result = memberships_import(actor=None, path=path, today=TODAY)

    assert [(p.row, p.column) for p in result.problems] == [(2, "KPJ")]
    assert "sudah tercatat dengan KPJ 11111111; KPJ 22222222 tidak ditimpa" in result.problems[0].message
    member.refresh_from_db()
    assert member.kpj_number == "11111111"


def test_a_pending_membership_from_an_approved_list_is_completed_with_its_history(programme, tmp_path):
    pending = make_member(programme, TEGAL_HARUM, dt.date(2023, 8, 1))  # approval: starts next month, no KPJ
    path = workbook(
        tmp_path / "lengkap.xlsx",
        [[pending.worker.nik, "23020000009", "01-02-2023", None, None]],
        [[TEGAL_HARUM, "05-02-2023", 16_800 * 6, "TH-2023-H1", None, None]],  # February to July at once
    )

    result = memberships_import(actor=None, path=path, today=TODAY)

    assert result.ok and (result.created, result.completed) == (0, 1)
    pending.refresh_from_db()
    assert (pending.starts_on, pending.kpj_number, pending.paid_through) == (
        dt.date(2023, 2, 1),
        "23020000009",
        dt.date(2023, 7, 1),
    )
    assert pending.status == "active"
    event = AuditEvent.objects.get(action="membership.import")
    assert event.changes["completed"][str(pending.pk)]["starts_on"] == ["2023-08-01", "2023-02-01"]


def test_a_payment_reference_recorded_with_another_amount_is_reported(programme, three, tmp_path):
    memberships_import(actor=None, path=_good_file(tmp_path, three), today=TODAY)
    path = workbook(
        tmp_path / "ubah.xlsx",
        [[three[0].nik, "23020000001", "01-02-2023", None, None]],
        [[TEGAL_HARUM, "10-02-2023", 99_999, "TH-2302", None, None]],
    )
    result = memberships_import(actor=None, path=path, today=TODAY)
    assert [(p.sheet, p.row, p.column) for p in result.problems] == [("Pembayaran", 2, "Referensi")]
    assert Payment.objects.get(reference="TH-2302").amount == 33_600


def test_months_already_invoiced_without_the_member_are_reported(programme, tmp_path):
    make_member(programme, TEGAL_HARUM, dt.date(2023, 2, 1), kpj="33333333")
    billing_run(period=dt.date(2023, 3, 1), region_prefix=TEGAL_HARUM)
    newcomer = make_worker(TEGAL_HARUM, "Baru")
    path = workbook(tmp_path / "terbit.xlsx", [[newcomer.nik, "23020000010", "01-02-2023", None, None]])

    result = memberships_import(actor=None, path=path, today=TODAY)

    assert [(p.row, p.column) for p in result.problems] == [(2, "Tanggal Mulai")]
    assert "periode 03-2023 sudah terbit tanpa peserta ini" in result.problems[0].message
    assert not Membership.objects.filter(worker=newcomer).exists()


def test_csv_members_and_a_separate_payments_file(programme, tmp_path):
    worker = make_worker(SESETAN, "Kelurahan")
    members = tmp_path / "peserta.csv"
    members.write_text(f"NIK;KPJ;Tanggal Mulai\n{worker.nik};23020000011;01-06-2023\n", encoding="utf-8")
    payments = tmp_path / "bayar.csv"
    payments.write_text(
        f"Kode Desa;Tanggal Valuta;Jumlah;Referensi\n{SESETAN};12-06-2023;16.800;SS-2306\n", encoding="utf-8"
    )

    result = memberships_import(actor=None, path=members, payments_path=payments, today=TODAY)

    assert result.ok and (result.created, result.payments_created, result.invoices_created) == (1, 1, 2)
    payment = Payment.objects.get(reference="SS-2306")
    assert payment.budget_source == "apbd"  # a kelurahan is paid by the city
    assert Membership.objects.get(worker=worker).paid_through == dt.date(2023, 6, 1)


def test_command_json_and_exit_status(programme, three, tmp_path, capsys):
    path = _good_file(tmp_path, three)
    call_command("import-memberships", str(path), "--dry-run", "--json", "--programme", str(programme.pk))
    out = json.loads(capsys.readouterr().out)
    assert (out["ok"], out["dry_run"], out["memberships_created"], out["problems"]) == (True, True, 3, [])
    assert Membership.objects.count() == 0

    bad = workbook(tmp_path / "buruk.xlsx", [["5171030101859999", "23020000001", "01-02-2023", None, None]])
    with pytest.raises(CommandError) as raised:
        call_command("import-memberships", str(bad))
    assert raised.value.returncode == 1
    assert "Lembar Peserta, baris 2, kolom NIK" in capsys.readouterr().out


def test_import_page_checks_then_imports(client, programme, three, tmp_path, operator_tegal_harum):
    client.force_login(operator_tegal_harum)
    assert client.get("/kepesertaan/impor/").status_code == 200
    path = _good_file(tmp_path, three)
    with path.open("rb") as handle:
        response = client.post("/kepesertaan/impor/", {"programme": programme.pk, "members": handle, "action": "check"})
    assert response.status_code == 200
    assert 'data-testid="import-check"' in response.content.decode()
    assert Membership.objects.count() == 0
    with path.open("rb") as handle:
        response = client.post(
            "/kepesertaan/impor/", {"programme": programme.pk, "members": handle, "action": "import"}
        )
    assert response.status_code == 302
    assert Membership.objects.filter(kpj_number__startswith="2302").count() == 3


def test_import_page_is_not_for_viewers(client, programme, make_user):
    viewer = make_user("pemantau", "province_viewer", "51")
    client.force_login(viewer)
    assert client.get("/kepesertaan/impor/").status_code == 404
