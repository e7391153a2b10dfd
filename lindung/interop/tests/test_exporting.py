"""Protected workers back to OpenSID: Tegal Harum's demo members as the programme-assistance import file."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from openpyxl import load_workbook

from lindung.accounts.models import User
from lindung.audit.models import AuditEvent
from lindung.core.demo import demo_setup
from lindung.core.errors import ApplicationError
from lindung.interop.exporting import opensid_programme_export
from lindung.interop.tests.conftest import TEGAL_HARUM

pytestmark = pytest.mark.django_db

SERANGAN = "51.71.01.1001"


def _members_by_sql() -> dict[str, tuple[str, str]]:
    """NIK -> (KPJ, name) of Tegal Harum's open memberships, in plain SQL."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT w.nik, m.kpj_number, w.name FROM membership_membership m "
            "JOIN registry_worker w ON w.id = m.worker_id "
            "WHERE w.village_id = %s AND m.status IN ('pending', 'active', 'arrears')",
            [TEGAL_HARUM],
        )
        return {nik: (kpj, name) for nik, kpj, name in cursor.fetchall()}


def test_opensid_programme_export_tegal_harum_two_sheets_every_member():
    demo_setup()
    operator = User.objects.get(username="operator.tegalharum")
    out = io.BytesIO()
    count = opensid_programme_export(acting_user=operator, village_code=TEGAL_HARUM, out=out, year=2026)
    expected = _members_by_sql()
    assert count == len(expected) == 100  # the demo's approved list of 100

    book = load_workbook(io.BytesIO(out.getvalue()))
    assert book.sheetnames == ["Program", "Peserta"]
    program = [tuple(r) for r in book["Program"].iter_rows(values_only=True)]
    assert [r[0] for r in program] == ["ID Program", "Nama Program", "Sasaran Program", "Keterangan", "Asal Dana",
                                       "Rentang Waktu (Awal)", "Rentang Waktu (Akhir)", "###"]  # fmt: skip
    values = {r[0]: r[1] for r in program}
    assert (values["Sasaran Program"], values["Asal Dana"]) == ("1", "Dana Desa")
    assert (values["Rentang Waktu (Awal)"], values["Rentang Waktu (Akhir)"]) == ("2026-01-01", "2026-12-31")
    assert values["Nama Program"]

    rows = [tuple(r) for r in book["Peserta"].iter_rows(values_only=True)]
    assert rows[0] == ("Peserta", "No. Peserta", "NIK", "Nama", "Tempat Lahir", "Tanggal Lahir", "Alamat")
    assert rows[-1][0] == "###" and all(v is None for v in rows[-1][1:])
    body = rows[1:-1]
    assert {r[2]: (r[1] or "", r[3]) for r in body} == expected
    for peserta, _kpj, nik, _name, _place, born, address in body:
        assert peserta == nik and len(nik) == 16 and nik.isdigit()
        assert len(born) == 10 and born[4] == "-" and "RT" in address
    assert book["Peserta"]["C2"].number_format == "@"  # NIK kept as text
    assert AuditEvent.objects.filter(action="interop.opensid.export", target_id=TEGAL_HARUM).count() == 1


def test_opensid_programme_export_other_village_refused(operator_tegal_harum):
    with pytest.raises(ApplicationError, match="di luar wilayah"):
        opensid_programme_export(acting_user=operator_tegal_harum, village_code=SERANGAN, out=io.BytesIO())
