"""The roll-out board on hand-built agreements: counts and headline written out by hand, the export read back."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from lindung.programmes.models import Agreement
from lindung.programmes.selectors import rollout_board
from lindung.regions.models import Region
from lindung.registry.models import Worker

S = Agreement.Status

# Kota Denpasar has 27 desa and 16 kelurahan (RULES.md "Village codes").
AGREEMENTS = {
    "51.71.03.2008": (S.ACTIVE, date(2023, 2, 7)),  # Tegal Harum
    "51.71.03.2009": (S.SIGNED, date(2023, 3, 1)),  # Tegal Kertha
    "51.71.01.2007": (S.IN_DISCUSSION, None),
    "51.71.01.2008": (S.IN_DISCUSSION, None),
    "51.71.01.2009": (S.IN_DISCUSSION, None),
    "51.71.01.2010": (S.PROSPECT, None),
    "51.71.02.2001": (S.EXPIRED, date(2023, 2, 10)),
    "51.71.02.2002": (S.TERMINATED, None),
    "51.71.01.1001": (S.SIGNED, date(2023, 4, 1)),  # kelurahan Serangan
    "51.71.01.1002": (S.IN_DISCUSSION, None),  # kelurahan Pedungan
}


@pytest.fixture
def board_data(programme):
    for code, (status, signed_on) in AGREEMENTS.items():
        Agreement.objects.create(
            programme=programme,
            village_id=code,
            status=status,
            signed_on=signed_on,
            valid_until=date(2023, 12, 31) if status == S.EXPIRED else None,
            quota=50 if code == "51.71.03.2009" else None,
            funder="apbdes",
        )
    return programme


def _membership_model():
    try:
        return apps.get_model("membership", "Membership")
    except LookupError:
        return None


def _enrol(programme, code, statuses):
    """Workers of village `code`, one membership each in the given statuses."""
    model = _membership_model()
    for i, status in enumerate(statuses):
        worker = Worker.objects.create(
            nik=f"517103{code[-4:]}{i + 1:06d}",
            name=f"Pekerja {code} {i}",
            sex="P",
            birth_date=date(1990, 8, 5),
            village_id=code,
        )
        model.objects.create(
            programme=programme, worker=worker, starts_on=date(2023, 2, 1), declared_income=1_000_000, status=status
        )


def test_counts_and_headline(board_data):
    board = rollout_board(board_data, Region.objects.get(code="51.71"))
    # desa: 27; signed or active: Tegal Harum + Tegal Kertha = 2; in discussion: 3; prospect 1; expired 1; ended 1
    assert (board.desa.total, board.desa.signed, board.desa.in_discussion) == (27, 2, 3)
    assert (board.desa.prospect, board.desa.expired, board.desa.terminated) == (1, 1, 1)
    # kelurahan: 16; Serangan signed, Pedungan in discussion
    assert (board.kelurahan.total, board.kelurahan.signed, board.kelurahan.in_discussion) == (16, 1, 1)
    assert len(board.rows) == 43
    with translation.override("id"):
        assert board.headline == "2 dari 27 desa telah menandatangani PKS, 3 dalam pembahasan"
        assert board.kelurahan_headline == "1 dari 16 kelurahan telah menandatangani PKS, 1 dalam pembahasan"
    # quota in force: Tegal Harum 100 (programme default) + Tegal Kertha 50 (its own)
    assert board.desa.quota == 150


def test_desa_only_filter_and_district_scope(board_data):
    board = rollout_board(board_data, Region.objects.get(code="51.71"), include_kelurahan=False)
    assert len(board.rows) == 27 and all(r.village.kind == "desa" for r in board.rows)
    assert board.headlines == [board.headline]
    district = rollout_board(board_data, Region.objects.get(code="51.71.03"))  # Denpasar Barat: 8 desa, 3 kel.
    assert (district.desa.total, district.kelurahan.total, district.desa.signed) == (8, 3, 2)


def test_expired_rows_are_lapsed_and_sorting(board_data):
    board = rollout_board(board_data, Region.objects.get(code="51.71"), sort="status", descending=True)
    assert [r.village.code for r in board.rows[:2]] == ["51.71.02.2002", "51.71.02.2001"]  # terminated, expired
    assert [r.village.code for r in board.rows if r.lapsed] == ["51.71.02.2001"]
    by_date = rollout_board(board_data, Region.objects.get(code="51.71"), sort="tanggal")
    assert [r.village.code for r in by_date.rows[:4]] == [
        "51.71.03.2008", "51.71.02.2001", "51.71.03.2009", "51.71.01.1001",
    ]  # fmt: skip
    by_name = rollout_board(board_data, Region.objects.get(code="51.71"), sort="nama", include_kelurahan=False)
    names = [r.village.name for r in by_name.rows]
    assert names == sorted(names)


def test_members_enrolled_counts_active_and_arrears_only(board_data):
    if _membership_model() is None:
        pytest.skip("the membership app has no Membership model in this checkout")
    _enrol(board_data, "51.71.03.2008", ["active", "active", "arrears", "lapsed", "ended", "pending"])
    _enrol(board_data, "51.71.03.2009", ["active"])
    board = rollout_board(board_data, Region.objects.get(code="51.71"))
    enrolled = {r.village.code: r.enrolled for r in board.rows if r.enrolled}
    assert enrolled == {"51.71.03.2008": 3, "51.71.03.2009": 1}
    assert board.desa.enrolled == 4


def test_board_query_count_does_not_grow_with_villages(board_data, django_assert_max_num_queries):
    with CaptureQueriesContext(connection) as district:
        rollout_board(board_data, Region.objects.get(code="51.71.03"))  # 11 villages
    with django_assert_max_num_queries(len(district.captured_queries)):
        board = rollout_board(board_data, Region.objects.get(code="51"))  # its 43 Denpasar villages
    assert len(board.rows) == 43
    with django_assert_max_num_queries(4):
        rollout_board(board_data, Region.objects.get(code="51.71"))


def test_board_page_query_count_is_constant(client, board_data, city_officer, django_assert_max_num_queries):
    client.force_login(city_officer)
    url = reverse("programmes:board", args=[board_data.pk])
    with CaptureQueriesContext(connection) as small:
        assert client.get(url, {"wilayah": "51.71.03"}).status_code == 200
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url, {"wilayah": "51.71"}).status_code == 200


def test_board_page_shows_headline_and_red_expired(client, board_data, city_officer):
    client.force_login(city_officer)
    html = client.get(reverse("programmes:board", args=[board_data.pk]), {"wilayah": "51.71"}).content.decode()
    assert "2 dari 27 desa telah menandatangani PKS, 3 dalam pembahasan" in html
    assert html.count('class="lapsed"') == 1
    assert 'data-village="51.71.01.1001"' in html
    desa_only = client.get(reverse("programmes:board", args=[board_data.pk]), {"wilayah": "51.71", "jenis": "desa"})
    assert 'data-village="51.71.01.1001"' not in desa_only.content.decode()


def test_xlsx_export_reads_back(client, board_data, city_officer):
    Agreement.objects.filter(village_id="51.71.03.2008").update(village_number='=HYPERLINK("x")', partner_number="-1")
    client.force_login(city_officer)
    response = client.get(
        reverse("programmes:board_export", args=[board_data.pk]), {"wilayah": "51.71", "jenis": "desa"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][0] == "2 dari 27 desa telah menandatangani PKS, 3 dalam pembahasan"
    header = rows[3]
    assert header[0] == "Kode" and "Status PKS" in header
    data = {r[0]: r for r in rows[4:]}
    assert len(data) == 27  # desa only
    tegal = data["51.71.03.2008"]
    assert tegal[1] == "Tegal Harum" and tegal[4] == "Aktif"
    assert tegal[5] == '\'=HYPERLINK("x")' and tegal[6] == "'-1"  # neutralised, never a formula
    assert tegal[7].date() == date(2023, 2, 7)
    assert tegal[10] == 0 and tegal[11] == 100
    assert data["51.71.03.2009"][11] == 50
    assert data["51.71.04.2001"][4] == "Belum ada PKS"
    expired = data["51.71.02.2001"]
    assert expired[4] == "Kedaluwarsa" and expired[12]
    red_row = next(r for r in sheet.iter_rows(min_row=5) if r[0].value == "51.71.02.2001")
    assert red_row[0].fill.fgColor.rgb.endswith("F8D7DA")
