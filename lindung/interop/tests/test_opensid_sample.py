"""The real OpenSID sample (`contoh_penduduk.xlsx`, v2410.0.0) imported as a village: Desa Senggigi and Desa Tanjung.

OpenSID labels its sample "Kab. Lombok Utara"; its NIKs and family cards carry the district code 52.01.14,
which in Kemendagri's data is Kecamatan Batu Layar (Kab. Lombok Barat), whose Desa Senggigi has exactly the
sample's dusun (Senggigi, Mangsit, Loco, Kerandangan); Lombok Utara was split from Lombok Barat in 2008, so the
sample is also imported into Desa Tanjung (Kab. Lombok Utara), where its NIKs name another district (a warning).
Expected counts are read from the sheet here with openpyxl and the rules written
out in the test, not from the code under test.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.conf import settings
from lokal import parse_nik as reference_parse_nik
from openpyxl import load_workbook

from lindung.interop.services import opensid_import_apply, opensid_import_create
from lindung.interop.tests.conftest import TODAY
from lindung.regions.services import regions_load
from lindung.registry.models import Child, Worker

pytestmark = pytest.mark.django_db

SAMPLE = Path(settings.BASE_DIR).parent.parent / "shared"  # the repository, then ../shared
SAMPLE = SAMPLE / "interop" / "opensid" / "contoh_penduduk.xlsx"
SENGGIGI = "52.01.14.2006"
TANJUNG = "52.08.01.2001"  # Desa Tanjung, Kab. Lombok Utara: the regency the sample names (Must show of issue 13)


def _sheet() -> list[dict]:
    book = load_workbook(SAMPLE, read_only=True)
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    book.close()
    header = rows[0]
    return [dict(zip(header, r, strict=True)) for r in rows[1:] if any(v is not None for v in r)]


def _age(born: str, day: dt.date) -> int:
    b = dt.date.fromisoformat(born)
    return day.year - b.year - ((day.month, day.day) < (b.month, b.day))


@pytest.mark.skipif(not SAMPLE.exists(), reason=f"OpenSID sample not found at {SAMPLE} (the shared folder is missing)")
@pytest.mark.parametrize("village", [SENGGIGI, TANJUNG])
def test_opensid_sample_imported_counts_and_second_run(tmp_path, village):
    residents = _sheet()
    assert len(residents) == 97
    assert len({r["no_kk"] for r in residents}) == 37
    for r in residents:  # every NIK is valid by the reference parser
        assert reference_parse_nik(r["nik"]).valid, r["nik"]
    # The sample: everybody alive, nobody in a civil-service code, nobody at school, no parent NIKs. So a
    # child is a kk_level 4 resident under 18, every other resident is an adult candidate.
    assert {r["status_dasar"] for r in residents} == {"1"}
    assert not {r["pekerjaan_id"] for r in residents} & {str(c) for c in (*range(5, 8), *range(48, 64))}
    children = [r for r in residents if r["kk_level"] == "4" and _age(r["tanggallahir"], TODAY) < 18]
    adults = [r for r in residents if r not in children]
    heads_and_spouses = {}
    for r in adults:
        if r["kk_level"] in ("1", "2", "3"):
            heads_and_spouses.setdefault(r["no_kk"], []).append(r["nik"])
    expected_child_records = sum(len(heads_and_spouses.get(c["no_kk"], [])) for c in children)
    assert (len(adults), len(children), expected_child_records) == (87, 10, 19)

    regions_load(prefix="52")
    imp = opensid_import_create(acting_user=None, source=SAMPLE, original_name=SAMPLE.name, village_code=village,
                                today=TODAY)  # fmt: skip
    s = imp.summary
    assert (s["rows"], s["families"]) == (97, 37)
    assert (s["workers_create"], s["children_create"], s["skipped"]) == (87, 19, 0)
    assert s["worker_rows"] + s["child_rows"] + s["skipped"] == 97  # nobody lost
    opensid_import_apply(imp=imp, acting_user=None)
    assert set(Worker.objects.values_list("nik", flat=True)) == {r["nik"] for r in adults}
    assert set(Worker.objects.values_list("village_id", flat=True)) == {village}
    assert set(Child.objects.values_list("nik", flat=True)) == {c["nik"] for c in children}
    assert Child.objects.count() == 19
    assert set(Child.objects.values_list("school_level", flat=True)) == {"none"}  # pendidikan_sedang 18
    hamlets = {r["nik"]: r["dusun"] for r in adults}
    assert all(hamlets[n] == h for n, h in Worker.objects.values_list("nik", "hamlet"))

    before = list(Worker.objects.order_by("pk").values()), list(Child.objects.order_by("pk").values())
    again = opensid_import_create(acting_user=None, source=SAMPLE, original_name=SAMPLE.name, village_code=village,
                                  today=TODAY)  # fmt: skip
    assert (again.summary["workers_unchanged"], again.summary["children_unchanged"]) == (87, 19)
    assert again.summary["workers_create"] + again.summary["workers_update"] + again.summary["children_create"] == 0
    opensid_import_apply(imp=again, acting_user=None)
    assert (list(Worker.objects.order_by("pk").values()), list(Child.objects.order_by("pk").values())) == before
