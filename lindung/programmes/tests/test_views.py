"""Pages: who sees and manages what, the confirmation step, the admin-only rules form, the demo data."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from lindung.accounts.models import Role
from lindung.audit.models import AuditEvent
from lindung.core.errors import ApplicationError
from lindung.programmes.demo import demo_programmes
from lindung.programmes.models import Agreement, AgreementTransition, FrameworkAgreement, Programme
from lindung.programmes.selectors import rollout_board
from lindung.programmes.services import agreement_create, agreement_update
from lindung.regions.models import Region

from .conftest import TEGAL_HARUM

OTHER_DESA = "51.71.03.2009"  # Tegal Kertha


@pytest.fixture
def two_agreements(programme, city_officer):
    mine = agreement_create(acting_user=city_officer, programme=programme, village=Region.objects.get(code=TEGAL_HARUM))
    other = agreement_create(acting_user=city_officer, programme=programme, village=Region.objects.get(code=OTHER_DESA))
    return mine, other


def test_village_operator_sees_own_agreement_read_only(client, operator_tegal_harum, two_agreements):
    mine, other = two_agreements
    client.force_login(operator_tegal_harum)
    page = client.get(reverse("programmes:agreement_detail", args=[mine.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "Tegal Harum" in html and reverse("programmes:agreement_edit", args=[mine.pk]) not in html
    assert client.get(reverse("programmes:agreement_edit", args=[mine.pk])).status_code == 403
    url = reverse("programmes:agreement_transition", args=[mine.pk, "in_discussion"])
    assert client.post(url, {"on": "2023-03-01"}).status_code == 403
    for name in ("programmes:agreement_detail", "programmes:agreement_edit", "programmes:agreement_document"):
        assert client.get(reverse(name, args=[other.pk])).status_code == 404
    listing = client.get(reverse("programmes:agreements")).content.decode()
    assert "Tegal Harum" in listing and "Tegal Kertha" not in listing
    # the city board is not theirs; their own board has their village only, without actions
    board = reverse("programmes:board", args=[mine.programme_id])
    assert client.get(board, {"wilayah": "51.71"}).status_code == 404
    own = client.get(board).content.decode()
    assert "0 dari 1 desa telah menandatangani PKS, 0 dalam pembahasan" in own
    assert own.count("data-village=") == 1 and "/status/" not in own


def test_city_officer_of_another_city_gets_404(client, badung_officer, two_agreements):
    mine, _other = two_agreements
    client.force_login(badung_officer)
    assert client.get(reverse("programmes:agreement_detail", args=[mine.pk])).status_code == 404
    assert client.get(reverse("programmes:agreement_edit", args=[mine.pk])).status_code == 404
    assert client.post(reverse("programmes:agreement_transition", args=[mine.pk, "terminated"])).status_code == 404
    assert client.get(reverse("programmes:programme_detail", args=[mine.programme_id])).status_code == 404
    assert client.get(reverse("programmes:board", args=[mine.programme_id]), {"wilayah": "51.71"}).status_code == 404
    assert client.get(reverse("programmes:board_export", args=[mine.programme_id])).status_code == 404


def test_readers_see_the_board_but_no_actions(client, make_user, two_agreements):
    programme = two_agreements[0].programme
    for user in (make_user("prov", Role.PROVINCE_VIEWER, "51"), make_user("bpjs", Role.BPJS_OFFICER, "51.71")):
        client.force_login(user)
        html = client.get(reverse("programmes:board", args=[programme.pk]), {"wilayah": "51.71"}).content.decode()
        assert "0 dari 27 desa telah menandatangani PKS" in html
        assert "/status/" not in html
        mine = two_agreements[0]
        assert client.get(reverse("programmes:agreement_detail", args=[mine.pk])).status_code == 200
        assert client.get(reverse("programmes:agreement_edit", args=[mine.pk])).status_code == 403
    # the province viewer may look at the whole province: the board narrows to the programme's city
    html = client.get(reverse("programmes:board", args=[programme.pk]), {"wilayah": "51.03"})
    assert html.status_code == 404  # Badung is not in the programme's region


def test_transition_needs_confirmation_then_moves(client, city_officer, two_agreements):
    mine, _other = two_agreements
    client.force_login(city_officer)
    url = reverse("programmes:agreement_transition", args=[mine.pk, "in_discussion"])
    confirm = client.get(url)
    assert confirm.status_code == 200 and "Ubah status PKS" in confirm.content.decode()
    mine.refresh_from_db()
    assert mine.status == "prospect"  # the GET changes nothing
    back = reverse("programmes:board", args=[mine.programme_id]) + "?wilayah=51.71"
    response = client.post(url, {"on": "2023-03-01", "note": "Rapat pertama", "kembali": back})
    assert response.status_code == 302 and response["Location"] == back
    mine.refresh_from_db()
    assert mine.status == "in_discussion"
    row = AgreementTransition.objects.get(agreement=mine)
    assert (row.on, row.by, row.note) == (date(2023, 3, 1), city_officer, "Rapat pertama")
    # an unsafe return address is ignored
    response = client.post(
        reverse("programmes:agreement_transition", args=[mine.pk, "signed"]),
        {"on": "2023-03-02", "kembali": "https://evil.example/"},
    )
    assert response["Location"] == reverse("programmes:agreement_detail", args=[mine.pk])


def test_terminate_without_reason_is_refused_on_the_page(client, city_officer, two_agreements):
    mine, _other = two_agreements
    client.force_login(city_officer)
    url = reverse("programmes:agreement_transition", args=[mine.pk, "terminated"])
    response = client.post(url, {"on": timezone.localdate().isoformat(), "note": ""})
    assert response.status_code == 200 and "Alasan pengakhiran PKS wajib diisi" in response.content.decode()
    mine.refresh_from_db()
    assert mine.status == "prospect"
    forbidden = client.post(reverse("programmes:agreement_transition", args=[mine.pk, "active"]), {"on": "2023-03-01"})
    assert "tidak dapat diubah" in forbidden.content.decode()


def test_create_and_edit_agreement_with_document(client, city_officer, programme):
    client.force_login(city_officer)
    response = client.post(
        reverse("programmes:agreement_new", args=[programme.pk]),
        {"village": TEGAL_HARUM, "village_number": "001/PKS/2023", "funder": ""},
    )
    agreement = Agreement.objects.get(village_id=TEGAL_HARUM)
    assert response.status_code == 302 and agreement.funder == "apbdes"
    form = client.get(reverse("programmes:agreement_new", args=[programme.pk])).content.decode()
    assert '<option value="" selected>(menurut jenis desa/kelurahan)</option>' in form
    client.post(reverse("programmes:agreement_new", args=[programme.pk]), {"village": "51.71.01.1001", "funder": ""})
    assert Agreement.objects.get(village_id="51.71.01.1001").funder == "apbd"  # a kelurahan: the programme's funder
    edit = reverse("programmes:agreement_edit", args=[agreement.pk])
    exe = SimpleUploadedFile("pks.pdf", b"MZ\x90\x00" + b"\x00" * 100)
    refused = client.post(edit, {"village_number": "001/PKS/2023", "document_file": exe})
    assert refused.status_code == 200 and "PDF, PNG atau JPEG" in refused.content.decode()
    pdf = SimpleUploadedFile("pks.pdf", b"%PDF-1.4\n%%EOF\n")
    assert client.post(edit, {"village_number": "002/PKS/2023", "quota": "90", "document_file": pdf}).status_code == 302
    agreement.refresh_from_db()
    assert (agreement.village_number, agreement.quota) == ("002/PKS/2023", 90)
    download = client.get(reverse("programmes:agreement_document", args=[agreement.pk]))
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_rules_form_is_admin_only(client, admin_user, city_officer, programme):
    url = reverse("programmes:programme_rules_new", args=[programme.pk])
    data = {
        "effective_from": "2024-01-01", "min_age": "18", "max_age": "60", "income_threshold": "1000000",
        "priority_order": "extreme_poor, decile, dependants, occupation_risk, age, registered_at, nik",
        "note": "Batas usia 60",
    }  # fmt: skip
    client.force_login(city_officer)
    assert (
        "Tetapkan aturan baru"
        not in client.get(reverse("programmes:programme_detail", args=[programme.pk])).content.decode()
    )
    assert client.post(url, data).status_code == 403
    client.force_login(admin_user)
    assert client.post(url, data).status_code == 302
    html = client.get(reverse("programmes:programme_detail", args=[programme.pk])).content.decode()
    assert "Batas usia 60" in html and "Inpres 4/2022" in html
    again = client.post(url, {**data, "max_age": "55"})
    assert "Sudah ada aturan" in again.content.decode()
    assert programme.rules.count() == 2


def test_demo_programmes_is_idempotent_and_matches_the_article(bali):
    first = demo_programmes()
    assert first["programme_created"] and first["agreements_created"] == 13
    second = demo_programmes()
    assert not second["programme_created"] and second["agreements_created"] == 0 and second["frameworks_created"] == 0
    programme = Programme.objects.get()
    assert programme.region_id == "51.71" and programme.starts_on == date(2023, 2, 1)
    assert "Inpres 4/2022" in programme.legal_basis and "Permendesa PDTT 8/2022" in programme.legal_basis
    tegal = Agreement.objects.get(village_id=TEGAL_HARUM)
    assert tegal.status == "active" and tegal.signed_on == date(2023, 2, 7)
    assert tegal.framework.number == "PER/118/12.2022 dan FPB/14/2022"
    assert tegal.is_in_force(date(2023, 2, 1))
    others = Agreement.objects.exclude(village_id=TEGAL_HARUM)
    assert others.count() == 12 and set(others.values_list("status", flat=True)) == {"in_discussion"}
    assert all(a.village.kind == "desa" and a.village_id.split(".")[3].startswith("2") for a in others)
    assert FrameworkAgreement.objects.filter(number="140/1838/DPMD", kind="circular", region_id="51.71").exists()
    board = rollout_board(programme, Region.objects.get(code="51.71"))
    assert (board.desa.total, board.desa.signed, board.desa.in_discussion) == (27, 1, 12)
    assert AuditEvent.objects.filter(action="programmes.agreement.transition").count() == 3 + 12


def test_programme_pages_for_managers(client, city_officer, operator_tegal_harum, bali):
    client.force_login(operator_tegal_harum)
    assert client.get(reverse("programmes:programme_new")).status_code == 403
    client.force_login(city_officer)
    response = client.post(
        reverse("programmes:programme_new"),
        {
            "name": "Program Uji", "region": "51.71", "quota_per_village": "80", "package": "jkk_jkm_jht",
            "declared_income": "1000000", "kelurahan_funder": "apbd", "starts_on": "2024-01-01",
            "legal_basis": "Inpres 4/2022",
        },
    )  # fmt: skip
    programme = Programme.objects.get(name="Program Uji")
    assert response.status_code == 302 and programme.rules.count() == 1
    refused = client.post(
        reverse("programmes:programme_new"),
        {"name": "Di Badung", "region": "51.03", "quota_per_village": "100", "package": "jkk_jkm",
         "declared_income": "1000000", "kelurahan_funder": "apbd", "starts_on": "2024-01-01"},
    )  # fmt: skip
    assert refused.status_code == 200 and not Programme.objects.filter(name="Di Badung").exists()
    listing = client.get(reverse("programmes:programmes")).content.decode()
    assert "Program Uji" in listing


def test_framework_recorded_and_linked(client, city_officer, programme):
    client.force_login(city_officer)
    response = client.post(
        reverse("programmes:framework_new", args=[programme.pk]),
        {"region": "51.71", "kind": "circular", "number": "140/1838/DPMD", "title": "Gerakan 1 Desa",
         "document_file": SimpleUploadedFile("se.pdf", b"%PDF-1.7\n%%EOF")},
    )  # fmt: skip
    assert response.status_code == 302
    circular = FrameworkAgreement.objects.get(number="140/1838/DPMD")
    assert circular.document.name.endswith(".pdf")
    assert AuditEvent.objects.filter(action="programmes.framework.create").exists()
    agreement = agreement_create(
        acting_user=city_officer, programme=programme, village=Region.objects.get(code=TEGAL_HARUM), framework=circular
    )
    assert agreement.framework == circular
    elsewhere = FrameworkAgreement.objects.create(region_id="51.03", kind="circular", number="X", title="Badung")
    with pytest.raises(ApplicationError, match="Perjanjian induk"):
        agreement_update(acting_user=city_officer, agreement=agreement, framework=elsewhere)
