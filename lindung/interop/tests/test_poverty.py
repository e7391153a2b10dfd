"""P3KE/DTSEN in: deciles and flags in bulk, who changed, proposals confirmed by the village."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from lindung.audit.models import AuditEvent
from lindung.interop.models import PovertyProposal
from lindung.interop.poverty import EXTRACT_NOTE, poverty_extract_import, poverty_proposals_confirm
from lindung.interop.tests.conftest import SERANGAN, TEGAL_HARUM
from lindung.interop.tests.opensid_files import nik
from lindung.registry.models import Worker

pytestmark = pytest.mark.django_db

KK_W1 = "5171030101210001"


def _worker(name: str, serial: int, village: str = TEGAL_HARUM, **fields) -> Worker:
    return Worker.objects.create(nik=nik("1980-01-01", 1, serial), name=name, sex="L",
                                 birth_date=dt.date(1980, 1, 1), village_id=village, **fields)  # fmt: skip


@pytest.fixture
def area(operator_tegal_harum):
    w1 = _worker("SATU", 1, kk_number=KK_W1)
    w2 = _worker("DUA", 2, decile=3, extreme_poor=True, extreme_poor_note="Musdes 12-01-2025")
    w3 = _worker("TIGA", 3, decile=2, extreme_poor=True, extreme_poor_note=EXTRACT_NOTE)
    w4 = _worker("EMPAT SERANGAN", 4, village=SERANGAN)
    return w1, w2, w3, w4


def _extract(tmp_path: Path) -> Path:
    lines = [
        "NIK;No KK;Nama;Desil;Miskin Ekstrem;Kode Desa",
        f"{nik('1980-01-01', 1, 1)};{KK_W1};SATU;1;Ya;",  # row 2: W1 None -> 1, flag set
        f"{nik('1980-01-01', 1, 2)};;DUA;3;Tidak;",  # row 3: W2 unchanged (the deliberation's flag stays)
        f"{nik('1980-01-01', 1, 3)};;TIGA;5;Tidak;",  # row 4: W3 2 -> 5, the extract's flag cleared
        f"{nik('1980-01-01', 1, 4)};;EMPAT;1;Ya;",  # row 5: Serangan, outside the area: not found
        f"{nik('1990-02-02', 2, 5)};{KK_W1};ISTRI SATU;2;Tidak;",  # row 6: same card as W1 -> proposed
        f"{nik('1991-03-03', 1, 6)};;BARU TEGAL;1;Ya;51.71.03.2008",  # row 7: village code -> proposed
        f"{nik('1992-04-04', 1, 7)};;KAYA TEGAL;7;Tidak;51.71.03.2008",  # row 8: decile 7: not proposed
        "517103010190;;SALAH;2;Tidak;",  # row 9: 12-digit NIK
        f"{nik('1993-05-05', 1, 8)};;DESIL SALAH;11;Tidak;",  # row 10: decile 11
    ]
    path = tmp_path / "p3ke.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_poverty_extract_import_preview_changes_nothing(tmp_path, area, operator_tegal_harum):
    result = poverty_extract_import(acting_user=operator_tegal_harum, path=_extract(tmp_path), apply=False)
    assert (result.rows, result.updated, result.unchanged, result.proposed, result.not_found, result.rejected) == (
        9, 2, 1, 2, 2, 2)  # fmt: skip
    assert [(e[0], e[1]) for e in result.errors] == [(9, "NIK"), (10, "Desil")]
    assert sorted((c.name, c.decile, c.extreme_poor) for c in result.changes) == [
        ("SATU", (None, 1), (False, True)),
        ("TIGA", (2, 5), (True, False)),
    ]
    assert list(Worker.objects.order_by("pk").values_list("decile", flat=True)) == [None, 3, 2, None]
    assert not PovertyProposal.objects.exists()


def test_poverty_extract_import_apply_then_rerun(tmp_path, area, operator_tegal_harum):
    path = _extract(tmp_path)
    poverty_extract_import(acting_user=operator_tegal_harum, path=path, apply=True)
    w1, w2, w3, w4 = (Worker.objects.get(pk=w.pk) for w in area)
    assert (w1.decile, w1.extreme_poor, w1.extreme_poor_note) == (1, True, EXTRACT_NOTE)
    assert (w2.decile, w2.extreme_poor, w2.extreme_poor_note) == (3, True, "Musdes 12-01-2025")
    assert (w3.decile, w3.extreme_poor, w3.extreme_poor_note) == (5, False, "")
    assert (w4.decile, w4.extreme_poor) == (None, False)  # another village: untouched
    assert sorted(PovertyProposal.objects.values_list("name", "village_id", "decile")) == [
        ("BARU TEGAL", TEGAL_HARUM, 1),
        ("ISTRI SATU", TEGAL_HARUM, 2),
    ]
    assert Worker.objects.count() == 4  # proposed, not created
    assert AuditEvent.objects.filter(action="interop.poverty.import").count() == 1
    again = poverty_extract_import(acting_user=operator_tegal_harum, path=path, apply=True)
    assert (again.updated, again.unchanged, again.proposed, again.already_proposed) == (0, 3, 0, 2)
    assert PovertyProposal.objects.count() == 2


def test_poverty_proposals_confirm_registers_through_the_registry(tmp_path, area, operator_tegal_harum):
    poverty_extract_import(acting_user=operator_tegal_harum, path=_extract(tmp_path), apply=True)
    chosen = PovertyProposal.objects.get(name="BARU TEGAL")
    batch = poverty_proposals_confirm(acting_user=operator_tegal_harum, village_code=TEGAL_HARUM,
                                      proposal_ids=[chosen.pk])  # fmt: skip
    assert batch.status == "applied" and batch.created == 1
    worker = Worker.objects.get(nik=nik("1991-03-03", 1, 6))
    assert (worker.name, worker.sex, worker.birth_date, worker.decile, worker.extreme_poor) == (
        "BARU TEGAL", "L", dt.date(1991, 3, 3), 1, True)  # fmt: skip
    assert dict(PovertyProposal.objects.values_list("name", "status")) == {
        "BARU TEGAL": "confirmed",
        "ISTRI SATU": "proposed",
    }
