"""OpenSID population in: the plan, the preview, the apply, re-imports, life events, scope and atomicity.

Expected values are worked by hand from the fixture (`opensid_files.household_rows`, whose docstring gives each
row's fate) or, for the real sample file, counted in the test straight from the sheet with openpyxl.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.http import Http404

from lindung.accounts.models import Role
from lindung.audit.models import AuditEvent
from lindung.core.errors import ApplicationError
from lindung.interop import services
from lindung.interop.models import LifeEventReview, OpensidImport
from lindung.interop.opensid_population import plan_population
from lindung.interop.selectors import access_opensid_import_by_id
from lindung.interop.services import opensid_import_apply, opensid_import_create
from lindung.interop.tests.conftest import SERANGAN, TEGAL_HARUM, TODAY
from lindung.interop.tests.opensid_files import KK1, household_rows, nik, write
from lindung.membership.models import Membership
from lindung.programmes.services import programme_create
from lindung.regions.models import Region
from lindung.registry.models import Child, Worker

pytestmark = pytest.mark.django_db


def _import(path: Path, user, village: str = TEGAL_HARUM) -> OpensidImport:
    return opensid_import_create(acting_user=user, source=path, original_name=path.name, village_code=village,
                                 today=TODAY)  # fmt: skip


def test_plan_population_household_classifies_every_row(tmp_path):
    plan = plan_population(write(tmp_path / "p.xlsx", household_rows()), today=TODAY)
    assert plan.rows == 12
    assert plan.families == 3
    assert [w.row for w in plan.workers] == [2, 3, 6]
    assert [(c.row, c.school_level, c.grade) for c in plan.children] == [(4, "SD", 4), (5, "SMP", 3), (13, "TK", 1)]
    made, luh = nik("1980-05-10", 1, 1), nik("1985-06-12", 2, 2)
    assert plan.children[0].parents == [made, luh]
    assert plan.children[2].parents == [nik("2002-03-03", 1, 5)]
    assert [(s.row, s.column, s.kind) for s in plan.skipped] == [
        (7, "pekerjaan_id", "excluded"),
        (8, "kk_level", "no_parent"),
        (9, "status_dasar", "status"),
        (10, "status_dasar", "status"),
        (11, "nik", "error"),
        (12, "tanggallahir", "minor"),
    ]
    assert "16 digit" in plan.skipped[4].reason
    assert "PINDAH" in plan.skipped[3].reason
    assert [d.row for d in plan.deaths] == [9]
    assert len(plan.workers) + len(plan.children) + len(plan.skipped) == plan.rows


def test_opensid_import_preview_then_apply_creates_workers_and_children(tmp_path, operator_tegal_harum):
    imp = _import(write(tmp_path / "penduduk.xlsx", household_rows()), operator_tegal_harum)
    assert not Worker.objects.exists()  # the preview writes nothing to the registry
    s = imp.summary
    assert (s["rows"], s["families"], s["workers_create"], s["children_create"], s["skipped"]) == (12, 3, 3, 5, 6)
    assert s["skipped_excluded"] == 1 and s["skipped_error"] == 1

    opensid_import_apply(imp=imp, acting_user=operator_tegal_harum)
    made = Worker.objects.get(nik=nik("1980-05-10", 1, 1))
    assert (made.village_id, made.kk_number, made.occupation_code, made.hamlet, made.rt, made.rw) == (
        TEGAL_HARUM, KK1, 9, "Banjar Tegal", "001", "002")  # fmt: skip
    putu = Worker.objects.get(nik=nik("2002-03-03", 1, 5))
    assert (putu.occupation_code, putu.sex) == (81, "L")
    assert Worker.objects.count() == 3
    kids = {(c.worker.name, c.name): (c.school_level, c.grade, c.grade_estimated) for c in Child.objects.all()}
    assert kids == {
        ("MADE PETANI", "KADEK SD"): ("SD", 4, True),
        ("LUH RUMAH TANGGA", "KADEK SD"): ("SD", 4, True),
        ("MADE PETANI", "KOMANG SMP"): ("SMP", 3, True),
        ("LUH RUMAH TANGGA", "KOMANG SMP"): ("SMP", 3, True),
        ("PUTU SOPIR", "CUCU TK"): ("TK", 1, True),
    }
    imp.refresh_from_db()
    assert imp.status == "applied"
    assert AuditEvent.objects.filter(action="interop.opensid.apply", target_id=str(imp.pk)).count() == 1


def test_opensid_import_second_run_changes_nothing(tmp_path, operator_tegal_harum):
    path = write(tmp_path / "penduduk.xlsx", household_rows())
    opensid_import_apply(imp=_import(path, operator_tegal_harum), acting_user=operator_tegal_harum)
    before = list(Worker.objects.order_by("pk").values()), list(Child.objects.order_by("pk").values())
    second = _import(path, operator_tegal_harum)
    s = second.summary
    assert (s["workers_create"], s["workers_update"], s["workers_unchanged"]) == (0, 0, 3)
    assert (s["children_create"], s["children_update"], s["children_unchanged"]) == (0, 0, 5)
    opensid_import_apply(imp=second, acting_user=operator_tegal_harum)
    after = list(Worker.objects.order_by("pk").values()), list(Child.objects.order_by("pk").values())
    assert after == before


def test_opensid_import_newer_export_updates_rather_than_duplicates(tmp_path, operator_tegal_harum):
    rows = household_rows()
    opensid_import_apply(imp=_import(write(tmp_path / "a.xlsx", rows), operator_tegal_harum),
                         acting_user=operator_tegal_harum)  # fmt: skip
    rows[0]["pekerjaan_id"] = "NELAYAN/PERIKANAN"  # Made now fishes (code 11), written as the label
    rows[2]["pendidikan_sedang_id"] = "6"  # Kadek moved on to SMP (age 10: grade kept within 1..3 -> 1)
    newer = _import(write(tmp_path / "b.xlsx", rows), operator_tegal_harum)
    assert (newer.summary["workers_update"], newer.summary["children_update"]) == (1, 2)
    opensid_import_apply(imp=newer, acting_user=operator_tegal_harum)
    assert Worker.objects.count() == 3 and Child.objects.count() == 5
    assert Worker.objects.get(nik=nik("1980-05-10", 1, 1)).occupation_code == 11
    assert set(Child.objects.filter(name="KADEK SD").values_list("school_level", "grade")) == {("SMP", 1)}


def test_opensid_import_hand_typed_grade_is_kept(tmp_path, operator_tegal_harum):
    path = write(tmp_path / "a.xlsx", household_rows())
    opensid_import_apply(imp=_import(path, operator_tegal_harum), acting_user=operator_tegal_harum)
    Child.objects.filter(name="KADEK SD").update(grade=5, grade_estimated=False)  # the school says grade 5
    again = _import(path, operator_tegal_harum)
    assert again.summary["children_update"] == 0
    opensid_import_apply(imp=again, acting_user=operator_tegal_harum)
    assert set(Child.objects.filter(name="KADEK SD").values_list("grade", "grade_estimated")) == {(5, False)}


def test_opensid_import_member_marked_dead_raises_one_review(tmp_path, operator_tegal_harum):
    rows = household_rows()
    opensid_import_apply(imp=_import(write(tmp_path / "a.xlsx", rows), operator_tegal_harum),
                         acting_user=operator_tegal_harum)  # fmt: skip
    programme = programme_create(acting_user=None, name="Gerakan 1 Desa 100 Pekerja Rentan",
                                 region=Region.objects.get(code="51.71"), starts_on=dt.date(2026, 1, 1))  # fmt: skip
    made = Worker.objects.get(nik=nik("1980-05-10", 1, 1))
    Membership.objects.create(programme=programme, worker=made, starts_on=dt.date(2026, 2, 1),
                              declared_income=1_000_000, status="active", kpj_number="26000000001")  # fmt: skip
    rows[0]["status_dasar"] = "MATI"
    newer = _import(write(tmp_path / "b.xlsx", rows), operator_tegal_harum)
    assert newer.summary["possible_claims"] == 1
    assert any(s["row"] == 2 and s["kind"] == "status" for s in newer.plan["skipped"])
    opensid_import_apply(imp=newer, acting_user=operator_tegal_harum)
    review = LifeEventReview.objects.get()
    assert (review.worker_id, review.kind, review.status, review.source_row) == (made.pk, "death", "open", 2)
    assert Worker.objects.filter(pk=made.pk).exists()  # nothing is deleted: the village decides
    opensid_import_apply(imp=_import(write(tmp_path / "c.xlsx", rows), operator_tegal_harum),
                         acting_user=operator_tegal_harum)  # fmt: skip
    assert LifeEventReview.objects.count() == 1


def test_opensid_import_other_village_refused_and_hidden(tmp_path, bali, make_user, operator_tegal_harum):
    path = write(tmp_path / "a.xlsx", household_rows())
    with pytest.raises(ApplicationError, match="di luar wilayah"):
        _import(path, operator_tegal_harum, village=SERANGAN)
    other = make_user("op.serangan", Role.VILLAGE_OPERATOR, SERANGAN)
    imp = _import(path, other, village=SERANGAN)
    with pytest.raises(Http404):
        access_opensid_import_by_id(operator_tegal_harum, imp.pk)
    with pytest.raises(ApplicationError):
        opensid_import_apply(imp=imp, acting_user=operator_tegal_harum)
    assert not Worker.objects.exists()


def test_opensid_import_failure_after_workers_commits_nothing(tmp_path, operator_tegal_harum, monkeypatch):
    imp = _import(write(tmp_path / "a.xlsx", household_rows()), operator_tegal_harum)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_member_deaths", broken)  # runs after the workers and children are written
    with pytest.raises(RuntimeError):
        opensid_import_apply(imp=imp, acting_user=operator_tegal_harum)
    assert not Worker.objects.exists() and not Child.objects.exists()
    imp.refresh_from_db()
    assert imp.status == "failed" and "tidak ada data yang berubah" in imp.message


def test_opensid_import_not_a_spreadsheet_is_one_clear_error(tmp_path, operator_tegal_harum):
    path = tmp_path / "penduduk.xlsx"
    path.write_text("nik;nama\n1;2\n", encoding="utf-8")
    with pytest.raises(ApplicationError) as caught:
        _import(path, operator_tegal_harum)
    assert "Excel" in caught.value.message or "Berkas" in caught.value.message
    assert not OpensidImport.objects.exists()


def test_opensid_import_children_written_in_constant_queries(tmp_path, operator_tegal_harum,
                                                             django_assert_num_queries):  # fmt: skip
    """The apply's query count does not grow with the number of families (set-based)."""

    def family_file(name: str, first: int, families: int) -> Path:
        rows = []
        for f in range(first, first + families):
            kk = f"51710301012{f:05d}"
            father = {**household_rows()[0], "no_kk": kk, "nama": f"AYAH {f}", "nik": nik("1980-05-10", 1, 100 + f)}
            child = {**household_rows()[2], "no_kk": kk, "nama": f"ANAK {f}", "nik": nik("2016-03-15", 1, 500 + f)}
            rows += [father, child]
        return write(tmp_path / name, rows)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for name, first, families in (("small.xlsx", 1, 2), ("big.xlsx", 101, 40)):  # both all new
        imp = _import(family_file(name, first, families), operator_tegal_harum)
        with CaptureQueriesContext(connection) as captured:
            opensid_import_apply(imp=imp, acting_user=operator_tegal_harum)
        counts.append(len(captured))
    assert Child.objects.count() == 42
    assert counts[0] == counts[1]


def test_opensid_import_resident_registered_elsewhere_skipped_with_registry_reason(
    tmp_path, bali, operator_tegal_harum
):
    made = nik("1980-05-10", 1, 1)
    Worker.objects.create(nik=made, name="MADE", sex="L", birth_date=dt.date(1980, 5, 10), village_id=SERANGAN)
    imp = _import(write(tmp_path / "a.xlsx", household_rows()), operator_tegal_harum)
    refused = [s for s in imp.plan["skipped"] if s["kind"] == "registry"]
    assert [(s["row"], s["column"]) for s in refused] == [(2, "nik")]
    assert "terdaftar" in refused[0]["reason"]
    s = imp.summary
    assert (s["worker_rows"], s["child_rows"], s["skipped"]) == (2, 3, 7)
    assert s["worker_rows"] + s["child_rows"] + s["skipped"] == s["rows"] == 12  # nobody lost
    assert s["children_create"] == 3  # Kadek and Komang under Luh only, Cucu under Putu
    opensid_import_apply(imp=imp, acting_user=operator_tegal_harum)
    assert Worker.objects.get(nik=made).village_id == SERANGAN
    assert sorted(Child.objects.values_list("worker__name", "name")) == [
        ("LUH RUMAH TANGGA", "KADEK SD"), ("LUH RUMAH TANGGA", "KOMANG SMP"), ("PUTU SOPIR", "CUCU TK")]  # fmt: skip
