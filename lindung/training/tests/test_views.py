"""Pages: who sees which programme and enrolment, the invite/complete confirmations, the skills map and its export."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from lindung.accounts.models import Role
from lindung.regions.models import Region
from lindung.training.models import Enrolment, TrainingProgramme
from lindung.training.selectors import skills_map
from lindung.training.services import enrolments_invite, enrolments_set_status, session_create

from .conftest import BADUNG_VILLAGE, DAUH_PURI, DENPASAR

Status = Enrolment.Status


@pytest.fixture
def invited(trainer, make_programme, make_worker):
    """A programme of `trainer` with one invited barber in Tegal Harum and one in Dauh Puri."""
    programme = make_programme(trainer)
    mine = make_worker("5171030101850001", "Made Tegal Harum", decile=2)
    theirs = make_worker("5171010101850002", "Wayan Dauh Puri", village=DAUH_PURI, decile=1)
    enrolments_invite(acting_user=trainer, programme=programme, worker_ids=[mine.pk, theirs.pk])
    return programme, Enrolment.objects.get(worker=mine), Enrolment.objects.get(worker=theirs)


def test_trainer_does_not_see_another_trainers_programme(client, invited, other_trainer):
    programme, enrolment, _ = invited
    session = session_create(acting_user=programme.trainers.get(), programme=programme, date=timezone.localdate(),
                             topic="Pembukaan")  # fmt: skip
    client.force_login(other_trainer)
    assert "Pelatihan Pangkas Rambut" not in client.get(reverse("training:programmes")).content.decode()
    for name, args in [
        ("training:programme_detail", [programme.pk]),
        ("training:candidates", [programme.pk]),
        ("training:session_detail", [session.pk]),
        ("training:enrolment_detail", [enrolment.pk]),
    ]:
        assert client.get(reverse(name, args=args)).status_code == 404, name
    response = client.post(reverse("training:candidates", args=[programme.pk]), {"worker": ["1"], "confirmed": "1"})
    assert response.status_code == 404


def test_owner_and_city_officer_see_the_programme_with_masked_niks(client, invited, trainer, city_officer):
    programme, _, _ = invited
    for user in (trainer, city_officer):
        client.force_login(user)
        html = client.get(reverse("training:programme_detail", args=[programme.pk])).content.decode()
        assert "Made Tegal Harum" in html and "Wayan Dauh Puri" in html
        assert "5171********0001" in html and "5171030101850001" not in html


def test_operator_sees_only_own_village_enrolments_read_only(client, invited, operator_tegal_harum):
    programme, enrolment, _ = invited
    client.force_login(operator_tegal_harum)
    listing = client.get(reverse("training:programmes"))
    assert listing.status_code == 302 and listing["Location"] == reverse("training:village_enrolments")
    html = client.get(reverse("training:village_enrolments")).content.decode()
    assert "Made Tegal Harum" in html and "Pelatihan Pangkas Rambut" in html
    assert "Wayan Dauh Puri" not in html
    assert "5171********0001" in html and "5171030101850001" not in html
    assert client.get(reverse("training:programme_detail", args=[programme.pk])).status_code == 404
    assert client.get(reverse("training:enrolment_detail", args=[enrolment.pk])).status_code == 404
    assert client.post(reverse("training:status_change", args=[programme.pk]), {"to": "dropped"}).status_code == 404


def test_district_officer_does_not_see_workers_outside_scope(client, invited, make_user):
    programme, _, theirs = invited
    officer = make_user("camat.barat", Role.CITY_OFFICER, "51.71.03")
    client.force_login(officer)
    # The programme serves all Denpasar, so it is not in a Denpasar Barat officer's scope at all.
    assert client.get(reverse("training:programme_detail", args=[programme.pk])).status_code == 404
    assert client.get(reverse("training:enrolment_detail", args=[theirs.pk])).status_code == 404


def test_create_programme_invite_with_confirmation_then_complete(client, trainer, make_worker):
    barber = make_worker("5171030101850001", "Made Tegal Harum", decile=1, monthly_income=700_000)
    make_worker("5103050101850009", "Badung Barber", village=BADUNG_VILLAGE, decile=1)
    client.force_login(trainer)
    form = client.get(reverse("training:programme_new")).content.decode()
    assert "51.71 Denpasar" in form or "51.71 Kota Denpasar" in form
    response = client.post(reverse("training:programme_new"), {
        "title": "Pangkas Rambut Angkatan 1", "organiser": "Disnaker Kota Denpasar", "region": DENPASAR,
        "target_occupations": ["24"], "target_keywords": "", "skill": "Pangkas rambut", "place": "BLK",
        "starts_on": "2026-03-02", "ends_on": "2026-03-20", "capacity": "10", "cost": "5000000",
    })  # fmt: skip
    programme = TrainingProgramme.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("training:candidates", args=[programme.pk])
    assert list(programme.trainers.all()) == [trainer]

    html = client.get(reverse("training:candidates", args=[programme.pk])).content.decode()
    assert "Made Tegal Harum" in html and "Badung Barber" not in html
    assert "Kapasitas 10" in html

    url = reverse("training:candidates", args=[programme.pk])
    confirm = client.post(url, {"worker": [str(barber.pk)]})
    assert confirm.status_code == 200 and "Ya, undang 1 pekerja" in confirm.content.decode()
    assert not Enrolment.objects.exists()  # nothing before the confirmation
    client.post(url, {"worker": [str(barber.pk)], "confirmed": "1"})
    client.post(url, {"worker": [str(barber.pk)], "confirmed": "1"})  # a second click changes nothing
    enrolment = Enrolment.objects.get()
    assert enrolment.status == Status.INVITED

    status_url = reverse("training:status_change", args=[programme.pk])
    step = client.post(status_url, {"to": "enrolled", "enrolment": [str(enrolment.pk)]})
    assert step.status_code == 200 and "Ya, ubah" in step.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.status == Status.INVITED
    today = timezone.localdate().isoformat()
    client.post(status_url, {"to": "enrolled", "enrolment": [str(enrolment.pk)], "confirmed": "1", "on": today})
    client.post(status_url, {"to": "completed", "enrolment": [str(enrolment.pk)], "confirmed": "1", "on": today})
    enrolment.refresh_from_db()
    assert enrolment.status == Status.COMPLETED and enrolment.completed_on == timezone.localdate()

    client.post(reverse("training:outcome_new", args=[enrolment.pk]), {
        "month": "6", "recorded_on": today, "monthly_income": "1250000", "new_job_or_business": "on", "decile": "3",
    })  # fmt: skip
    outcome = enrolment.outcomes.get()
    assert (outcome.month, outcome.monthly_income, outcome.new_job_or_business, outcome.decile) == (
        6, 1_250_000, True, 3
    )  # fmt: skip
    html = client.get(reverse("training:enrolment_detail", args=[enrolment.pk])).content.decode()
    assert "Rp1.250.000" in html


def test_certificate_upload_checks_content(client, invited, trainer):
    programme, enrolment, _ = invited
    today = timezone.localdate()
    enrolments_set_status(acting_user=trainer, programme=programme, enrolment_ids=[enrolment.pk],
                          to_status=Status.ENROLLED, on=today)  # fmt: skip
    enrolments_set_status(acting_user=trainer, programme=programme, enrolment_ids=[enrolment.pk],
                          to_status=Status.COMPLETED, on=today)  # fmt: skip
    client.force_login(trainer)
    url = reverse("training:certificate_edit", args=[enrolment.pk])
    fake = io.BytesIO(b"MZ not a pdf")
    fake.name = "sertifikat.pdf"
    client.post(url, {"number": "CERT/2026/001", "file": fake})
    enrolment.refresh_from_db()
    assert enrolment.certificate_number == "" and not enrolment.certificate
    pdf = io.BytesIO(b"%PDF-1.4\n% sertifikat\n")
    pdf.name = "sertifikat.pdf"
    client.post(url, {"number": "CERT/2026/001", "file": pdf})
    enrolment.refresh_from_db()
    assert enrolment.certificate_number == "CERT/2026/001" and enrolment.certificate.name.endswith(".pdf")
    download = client.get(reverse("training:certificate_download", args=[enrolment.pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF-")


# --- skills map ---------------------------------------------------------------------------------


@pytest.fixture
def skills_data(trainer, make_programme, make_worker):
    """Denpasar: 3 barbers (one trained, one in training), 1 tailor with "=HYPERLINK" as specialisation,
    1 unrecorded occupation, 1 housekeeper (no ISCO group); Badung: 1 barber (not counted for Denpasar)."""
    a = make_worker("5171030101850001", "A", specialisation="Pangkas Rambut ")
    b = make_worker("5171030101850002", "B", specialisation="pangkas rambut")
    make_worker("5171010101850003", "C", village=DAUH_PURI)
    make_worker("5171030101850004", "D", occupation_code=30, specialisation='=HYPERLINK("http://x")')
    make_worker("5171030101850005", "E", occupation_code=None)
    make_worker("5171030101850006", "F", occupation_code=2)
    make_worker("5103050101850007", "G", village=BADUNG_VILLAGE)
    programme = make_programme(trainer)
    enrolments_invite(acting_user=trainer, programme=programme, worker_ids=[a.pk, b.pk])
    ea = Enrolment.objects.get(worker=a)
    today = timezone.localdate()
    for status in (Status.ENROLLED, Status.COMPLETED):
        enrolments_set_status(acting_user=trainer, programme=programme, enrolment_ids=[ea.pk], to_status=status,
                              on=today)  # fmt: skip
    return programme


def test_skills_map_counts(skills_data, django_assert_num_queries):
    region = Region.objects.get(code=DENPASAR)
    with django_assert_num_queries(1):
        skills = skills_map(region)
    assert (skills.totals.total, skills.totals.trained, skills.totals.in_training) == (6, 1, 1)
    groups = {g.isco_major: g for g in skills.groups}
    assert [g.isco_major for g in skills.groups] == [5, 7, None]
    barbers = groups[5].occupations[0]
    assert (barbers.code, barbers.name) == (24, "TUKANG CUKUR")
    assert (barbers.counts.total, barbers.counts.trained, barbers.counts.in_training, barbers.counts.not_trained) == (
        3, 1, 1, 2
    )  # fmt: skip
    # "Pangkas Rambut " and "pangkas rambut" are one specialisation; C has none.
    assert [(s.specialisation, s.counts.total, s.counts.trained, s.counts.in_training) for s in
            barbers.specialisations] == [("pangkas rambut", 2, 1, 1)]  # fmt: skip
    assert [(o.code, o.counts.total) for o in groups[None].occupations] == [(2, 1), (None, 1)]
    assert groups[7].counts.total == 1


def test_skills_map_page_chart_and_bounded_queries(
    client, skills_data, trainer, make_worker, django_assert_max_num_queries
):
    client.force_login(trainer)
    url = reverse("training:skills_map") + f"?wilayah={DENPASAR}"
    client.get(url)
    # Session, user, scope (2), region, the one aggregate, header scope names, sub-regions, session save: the
    # same count whatever the number of workers and occupations (no query per worker or per occupation).
    with django_assert_max_num_queries(11):
        html = client.get(url).content.decode()
    for i, code in enumerate((8, 9, 10, 11, 13, 14, 19, 25, 26, 27, 28, 29, 35), start=10):
        make_worker(f"51710301018500{i:02d}", f"Extra {i}", occupation_code=code, specialisation=f"spesialis {i}")
    with django_assert_max_num_queries(11):
        assert "Extra" not in client.get(url).content.decode()  # names never appear; only counts
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html and 'role="img"' in html
    assert '<title id="skills-chart-title">' in html and "<script" not in html.split("</header>")[1]
    # Group 5 (3 barbers) is the longest bar: 320 px; its trained third starts after the 330 px label column.
    # Coordinates are written with a dot whatever the language (Indonesian would write 106,67).
    assert '<rect x="330.0" y="8" width="106.67" height="20" fill="#0b6e4f">' in html
    assert '<rect x="436.67" y="8" width="106.67" height="20" fill="#d59a00">' in html
    assert "5 · Tenaga Usaha Jasa dan Tenaga Penjualan" in html
    assert "24 TUKANG CUKUR" in html
    assert client.get(reverse("training:skills_map") + "?wilayah=51.03").status_code == 404


def test_skills_map_xlsx_read_back(client, skills_data, trainer):
    client.force_login(trainer)
    response = client.get(reverse("training:skills_map_export") + f"?wilayah={DENPASAR}")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert rows[0] == ("5 · Tenaga Usaha Jasa dan Tenaga Penjualan", 24, "TUKANG CUKUR", None, 3, 1, 1, 2)
    assert rows[1] == ("5 · Tenaga Usaha Jasa dan Tenaga Penjualan", 24, "TUKANG CUKUR", "pangkas rambut", 2, 1, 1, 1)
    tailor = next(r for r in rows if r[1] == 30 and r[3])
    assert tailor[3] == '\'=hyperlink("http://x")'  # neutralised: the spreadsheet shows text, runs nothing
    assert rows[-1][0] == "Jumlah" and rows[-1][4:] == (6, 1, 1, 5)
    assert all(not (isinstance(c, str) and c.startswith("=")) for r in rows for c in r)
