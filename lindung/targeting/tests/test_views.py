"""Pages: scope (404 outside the village), the flow through the forms, "Tugas saya", the decree PDF."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from lindung.accounts.models import Role
from lindung.regions.models import Region
from lindung.targeting import services
from lindung.targeting.decree import indonesian_date, rupiah_in_words, yearly_contribution
from lindung.targeting.models import Override, SelectionList, SelectionVersion
from lindung.targeting.tests.conftest import TEGAL_HARUM, TEGAL_KERTHA, make_worker, minutes_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(programme, operator, head, bali):
    """Tegal Harum with 3 selected and 1 waiting, approved by the head."""
    programme.quota_per_village = 3
    programme.save()
    for name, decile in (("Ni Luh Sari", 1), ("I Made Wirawan", 2), ("Ketut Suarni", 3), ("Wayan Gede", 4)):
        make_worker(name=name, decile=decile)
    selection_list = services.selection_list_open(
        acting_user=operator, village=Region.objects.get(code=TEGAL_HARUM), programme=programme, budget_year=2026
    )
    version = services.selection_prepare(acting_user=operator, selection_list=selection_list)
    services.deliberation_record(
        acting_user=operator, version=version, held_on=dt.date(2026, 11, 20), attendees=35, minutes=minutes_pdf()
    )
    services.version_submit(acting_user=operator, version=version)
    return services.version_approve(
        acting_user=head, version=version, decree_number="141/12/TH/2026", decree_date=dt.date(2026, 11, 25)
    )


def login(client, user):
    client.force_login(user)
    return client


def test_indonesian_date_and_rupiah_in_words():
    assert indonesian_date(dt.date(2026, 11, 25)) == "25 November 2026"
    assert indonesian_date(dt.date(2027, 1, 1)) == "1 Januari 2027"
    # 100 members x Rp16.800 x 12 months, the worked example.
    assert rupiah_in_words(100 * 16_800 * 12) == "Rp20.160.000 (dua puluh juta seratus enam puluh ribu rupiah)"
    assert rupiah_in_words(1_011_000) == "Rp1.011.000 (satu juta sebelas ribu rupiah)"


def test_yearly_contribution_is_members_times_twelve_monthly_dues(approved):
    contribution = yearly_contribution(approved)
    # RULES.md: JKK 1% of Rp1,000,000 + JKM Rp6,800 = Rp16,800 a month at the default income (no APBDes discount).
    assert contribution.monthly == (16_800,) * 12
    assert contribution.total == 3 * 16_800 * 12


def test_decree_pdf_has_the_names_masked_niks_and_the_total_in_words(client, approved, operator):
    response = login(client, operator).get(reverse("targeting:decree", args=[approved.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    flat = " ".join(text.split())
    assert "SURAT KEPUTUSAN PERBEKEL TEGAL HARUM" in flat
    assert "PENETAPAN PENERIMA PERLINDUNGAN JAMINAN SOSIAL KETENAGAKERJAAN" in flat
    assert "BAGI PEKERJA RENTAN" in flat
    assert "141/12/TH/2026" in flat
    assert "25 November 2026" in flat
    assert "Inpres 4/2022" in flat and "Permendesa PDTT 8/2022" in flat
    for name in ("Ni Luh Sari", "I Made Wirawan", "Ketut Suarni"):
        assert name in flat
    assert "Wayan Gede" not in flat  # waiting, not in the decree
    entry = approved.entries.get(name="Ni Luh Sari")
    assert f"{entry.nik[:4]}********{entry.nik[12:]}" in flat
    assert entry.nik not in flat
    assert "Rp604.800 (enam ratus empat ribu delapan ratus rupiah)" in flat  # 3 x 16.800 x 12
    assert "PEMERINTAH KOTA DENPASAR" in flat and "KECAMATAN DENPASAR BARAT" in flat
    assert "PERBEKEL.UJI" in flat  # the approving head signs


def test_decree_of_a_draft_is_not_found(client, programme, operator, bali):
    make_worker()
    selection_list = services.selection_list_open(
        acting_user=operator, village=Region.objects.get(code=TEGAL_HARUM), programme=programme, budget_year=2026
    )
    version = services.selection_prepare(acting_user=operator, selection_list=selection_list)
    assert login(client, operator).get(reverse("targeting:decree", args=[version.pk])).status_code == 404


def test_pages_outside_the_village_are_404(client, approved, make_user):
    outsider = make_user("op.tegalkertha", Role.VILLAGE_OPERATOR, TEGAL_KERTHA)
    login(client, outsider)
    selection_list = approved.selection_list
    for url in (
        reverse("targeting:list_detail", args=[selection_list.pk]),
        reverse("targeting:history", args=[selection_list.pk]),
        reverse("targeting:version_detail", args=[approved.pk]),
        reverse("targeting:decree", args=[approved.pk]),
        reverse("targeting:minutes", args=[approved.deliberations.get().pk]),
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        reverse("targeting:prepare", args=[selection_list.pk]),
        reverse("targeting:override_add", args=[selection_list.pk]),
        reverse("targeting:submit", args=[approved.pk]),
        reverse("targeting:approve", args=[approved.pk]),
    ):
        assert client.post(url).status_code == 404, url
    index = client.get(reverse("targeting:index"))
    assert "Tegal Harum" not in index.content.decode()


def test_city_officer_sees_the_list_read_only(client, approved, city_officer):
    response = login(client, city_officer).get(reverse("targeting:list_detail", args=[approved.selection_list_id]))
    assert response.status_code == 200
    assert "Ni Luh Sari" in response.content.decode()
    assert "Setujui versi ini" not in response.content.decode()
    index = client.get(reverse("targeting:index")).content.decode()
    assert "Desa Tegal Harum" in index and "Disetujui" in index
    assert "Buka daftar" in index  # a city officer may prepare lists for the city's villages


def test_operator_flow_through_the_pages_and_head_task_box(client, programme, operator, head, bali):
    for name, decile in (("Komang Ayu", 1), ("Nyoman Adi", None)):
        make_worker(name=name, decile=decile)
    login(client, operator)
    response = client.post(
        reverse("targeting:index"),
        {"village": TEGAL_HARUM, "programme": programme.pk, "budget_year": 2026},
    )
    selection_list = SelectionList.objects.get()
    assert response.status_code == 302
    page = client.get(reverse("targeting:list_detail", args=[selection_list.pk])).content.decode()
    assert "Komang Ayu" in page and "Miskin ekstrem: <strong>ya (desil 1)</strong>" in page
    version = SelectionVersion.objects.get()
    nyoman = selection_list.village.workers.get(name="Nyoman Adi")
    client.post(
        reverse("targeting:override_add", args=[selection_list.pk]),
        {"ov-worker": nyoman.pk, "ov-kind": "force_out", "ov-reason": "Sudah bekerja tetap di hotel"},
    )
    assert Override.objects.get().reason == "Sudah bekerja tetap di hotel"
    client.post(
        reverse("targeting:deliberation_record", args=[version.pk]),
        {"mus-held_on": "2026-11-20", "mus-attendees": "40", "mus-minutes": minutes_pdf()},
    )
    client.post(reverse("targeting:submit", args=[version.pk]))
    version.refresh_from_db()
    assert version.status == SelectionVersion.Status.AWAITING_APPROVAL

    # The operator may not approve; the head sees the task on the home page and approves.
    client.post(reverse("targeting:approve", args=[version.pk]), {"sk-decree_number": ""})
    version.refresh_from_db()
    assert version.status == SelectionVersion.Status.AWAITING_APPROVAL
    client.logout()
    login(client, head)
    home = client.get(reverse("core:home")).content.decode()
    assert "Tugas saya" in home
    assert reverse("targeting:version_detail", args=[version.pk]) in home
    detail = client.get(reverse("targeting:version_detail", args=[version.pk])).content.decode()
    assert "Setujui versi ini" in detail
    client.post(reverse("targeting:approve", args=[version.pk]), {"sk-decree_number": "141/1/2026"})
    version.refresh_from_db()
    assert version.status == SelectionVersion.Status.APPROVED
    assert "Tugas saya" not in client.get(reverse("core:home")).content.decode()
    history = client.get(reverse("targeting:history", args=[selection_list.pk])).content.decode()
    assert "Disetujui" in history
