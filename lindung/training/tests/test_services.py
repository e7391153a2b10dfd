"""Matching from the database, inviting, attendance, status changes, outcomes and the dashboard figures."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from lindung.audit.models import AuditEvent
from lindung.core.errors import ApplicationError
from lindung.regions.models import Region
from lindung.training.models import Attendance, Enrolment, Outcome
from lindung.training.selectors import programme_candidates, training_figures
from lindung.training.services import (
    attendance_record,
    enrolments_invite,
    enrolments_set_status,
    outcome_record,
    programme_create,
    session_create,
)

from .conftest import BADUNG_VILLAGE, DAUH_PURI, DENPASAR, TEGAL_HARUM

Status = Enrolment.Status
TODAY = timezone.localdate


@pytest.fixture
def barbers(make_worker):
    """Denpasar barbers and look-alikes; the comments give each one's place in the expected order."""
    return {
        "made": make_worker("5171030101850001", "Made Cukur", decile=3, monthly_income=900_000),  # 4th
        # 5th: same decile and income as Made, keyword match after occupation match
        "ketut": make_worker(
            "5171030101850002",
            "Ketut Keliling",
            occupation_code=19,
            specialisation="Tukang CUKUR keliling",
            decile=3,
            monthly_income=900_000,
        ),
        "wayan": make_worker("5171010101850003", "Wayan Desil Satu", village=DAUH_PURI, decile=1),  # 1st
        "nyoman": make_worker("5171030101850004", "Nyoman Musdes", extreme_poor=True),  # 2nd: flag, no decile
        "putu": make_worker("5171030101850005", "Putu Desil Dua", decile=2, monthly_income=1_500_000),  # 3rd
        "komang": make_worker("5171030101850006", "Komang Tanpa Desil"),  # 6th: no decile, not flagged
        "farmer": make_worker("5171030101850007", "Gede Petani", occupation_code=9, decile=1),  # not a barber
        "badung": make_worker("5103050101850008", "Badung Barber", village=BADUNG_VILLAGE, decile=1),  # outside
    }


EXPECTED = ["Wayan Desil Satu", "Nyoman Musdes", "Putu Desil Dua", "Made Cukur", "Ketut Keliling", "Komang Tanpa Desil"]


def test_candidates_from_the_database_in_the_documented_order(trainer, make_programme, barbers):
    programme = make_programme(trainer)
    found = programme_candidates(programme, viewer=trainer)
    assert [m.candidate.name for m in found.ranking.matches] == EXPECTED
    assert found.ranking.already_trained == []


def test_candidates_load_in_one_query(trainer, make_programme, barbers, django_assert_num_queries):
    programme = make_programme(trainer)
    user_scope_warm = programme_candidates(programme, viewer=trainer)  # the scope is cached on the user
    assert user_scope_warm.ranking.matches
    with django_assert_num_queries(1):
        programme_candidates(programme, viewer=trainer)


def test_already_trained_in_the_same_skill_is_left_out(trainer, make_programme, barbers):
    earlier = make_programme(trainer, title="Angkatan 1", skill="pangkas  RAMBUT")  # same skill once normalised
    other_skill = make_programme(trainer, title="Menjahit", skill="Menjahit", target_occupations=[24])
    made, putu = barbers["made"], barbers["putu"]
    Enrolment.objects.create(programme=earlier, worker=made, status=Status.COMPLETED, invited_on=TODAY())
    Enrolment.objects.create(programme=earlier, worker=putu, status=Status.INVITED, invited_on=TODAY())  # only invited
    Enrolment.objects.create(
        programme=other_skill, worker=barbers["komang"], status=Status.COMPLETED, invited_on=TODAY()
    )
    programme = make_programme(trainer, title="Angkatan 2")
    found = programme_candidates(programme, viewer=trainer)
    assert [c.name for c in found.ranking.already_trained] == ["Made Cukur"]
    assert [m.candidate.name for m in found.ranking.matches] == [n for n in EXPECTED if n != "Made Cukur"]


def test_scope_narrows_the_candidates(make_user, make_programme, trainer, barbers):
    from lindung.accounts.models import Role

    programme = make_programme(trainer)
    district_officer = make_user("camat.barat", Role.CITY_OFFICER, "51.71.03")  # Denpasar Barat only
    names = [m.candidate.name for m in programme_candidates(programme, viewer=district_officer).ranking.matches]
    assert "Wayan Desil Satu" not in names and names[0] == "Nyoman Musdes"


def test_invite_is_one_transaction_audited_and_idempotent(trainer, make_programme, barbers):
    programme = make_programme(trainer)
    ids = [barbers[k].pk for k in ("made", "ketut", "wayan")]
    first = enrolments_invite(acting_user=trainer, programme=programme, worker_ids=ids)
    assert (first.invited, first.already, first.not_eligible) == (3, 0, 0)
    second = enrolments_invite(acting_user=trainer, programme=programme, worker_ids=[*ids, barbers["putu"].pk])
    assert (second.invited, second.already, second.not_eligible) == (1, 3, 0)
    assert Enrolment.objects.filter(programme=programme).count() == 4
    events = AuditEvent.objects.filter(action="training.enrolment.invite")
    assert events.count() == 4
    made_event = events.get(changes__worker=barbers["made"].pk)
    assert made_event.region_code == TEGAL_HARUM and made_event.changes["nik"] == "5171********0001"
    made = Enrolment.objects.get(programme=programme, worker=barbers["made"])
    assert (made.status, made.income_at_invite, made.decile_at_invite) == (Status.INVITED, 900_000, 3)


def test_invite_skips_what_is_not_a_match(trainer, make_programme, barbers):
    programme = make_programme(trainer)
    result = enrolments_invite(
        acting_user=trainer, programme=programme, worker_ids=[barbers["badung"].pk, barbers["farmer"].pk, 999_999]
    )
    assert (result.invited, result.already, result.not_eligible) == (0, 0, 3)
    assert not Enrolment.objects.exists()


def test_invite_beyond_capacity_creates_nothing(trainer, make_programme, barbers):
    programme = make_programme(trainer, capacity=2)
    with pytest.raises(ApplicationError, match="tersisa 2 tempat"):
        enrolments_invite(acting_user=trainer, programme=programme, worker_ids=[b.pk for b in barbers.values()])
    assert not Enrolment.objects.exists()
    assert not AuditEvent.objects.filter(action="training.enrolment.invite").exists()


def test_another_trainer_cannot_invite(trainer, other_trainer, make_programme, barbers):
    programme = make_programme(trainer)
    with pytest.raises(ApplicationError):
        enrolments_invite(acting_user=other_trainer, programme=programme, worker_ids=[barbers["made"].pk])


def test_trainer_creates_only_within_scope(trainer, make_programme):
    with pytest.raises(ApplicationError, match="di luar wilayah"):
        make_programme(trainer, region=Region.objects.get(code="51.03"))
    programme = make_programme(trainer, region=Region.objects.get(code="51.71.03"))
    assert list(programme.trainers.all()) == [trainer]
    assert programme.skill_key == "pangkas rambut"


def test_programme_needs_a_target(trainer, bali):
    with pytest.raises(ApplicationError, match="sasaran"):
        programme_create(
            acting_user=trainer, organiser="Disnaker", title="x", region=Region.objects.get(code=DENPASAR),
            skill="x", starts_on=dt.date(2026, 1, 1), ends_on=dt.date(2026, 1, 2), capacity=5,
        )  # fmt: skip


def test_attendance_enrols_invited_and_completion_needs_enrolment(trainer, make_programme, barbers):
    programme = make_programme(trainer)
    enrolments_invite(acting_user=trainer, programme=programme, worker_ids=[barbers["made"].pk, barbers["putu"].pk])
    made = Enrolment.objects.get(worker=barbers["made"])
    putu = Enrolment.objects.get(worker=barbers["putu"])
    session = session_create(acting_user=trainer, programme=programme, date=TODAY(), topic="Teknik dasar")
    assert attendance_record(acting_user=trainer, session=session, present_ids=[made.pk]) == 1
    made.refresh_from_db()
    putu.refresh_from_db()
    assert (made.status, made.enrolled_on) == (Status.ENROLLED, TODAY())
    assert putu.status == Status.INVITED
    assert dict(Attendance.objects.values_list("enrolment_id", "present")) == {made.pk: True, putu.pk: False}

    # Saving the sheet again changes rows, never duplicates them.
    attendance_record(acting_user=trainer, session=session, present_ids=[made.pk, putu.pk])
    assert Attendance.objects.count() == 2 and Attendance.objects.filter(present=True).count() == 2

    # Completing only Made works; completing an invited-only worker would be refused with names.
    enrolments_set_status(acting_user=trainer, programme=programme, enrolment_ids=[made.pk], to_status=Status.COMPLETED,
                          on=TODAY())  # fmt: skip
    made.refresh_from_db()
    assert (made.status, made.completed_on) == (Status.COMPLETED, TODAY())
    with pytest.raises(ApplicationError, match="Made Cukur"):
        enrolments_set_status(acting_user=trainer, programme=programme, enrolment_ids=[made.pk, putu.pk],
                              to_status=Status.DROPPED, on=TODAY())  # fmt: skip
    putu.refresh_from_db()
    assert putu.status == Status.ENROLLED  # nothing changed half-way


def test_outcomes_and_training_figures(trainer, make_programme, barbers):
    programme = make_programme(trainer)
    people = ["made", "wayan", "putu", "komang"]
    enrolments_invite(acting_user=trainer, programme=programme, worker_ids=[barbers[k].pk for k in people])
    enrolments = {k: Enrolment.objects.get(worker=barbers[k]) for k in people}
    ids = [e.pk for e in enrolments.values()]
    enrolments_set_status(acting_user=trainer, programme=programme, enrolment_ids=ids, to_status=Status.ENROLLED,
                          on=TODAY())  # fmt: skip
    done = [enrolments[k].pk for k in ("made", "wayan", "putu")]  # Komang stays enrolled
    enrolments_set_status(acting_user=trainer, programme=programme, enrolment_ids=done, to_status=Status.COMPLETED,
                          on=TODAY())  # fmt: skip

    def record(key: str, month: int, income: int | None, decile: int | None) -> None:
        outcome_record(acting_user=trainer, enrolment=Enrolment.objects.get(pk=enrolments[key].pk), month=month,
                       recorded_on=TODAY(), monthly_income=income, decile=decile)  # fmt: skip

    # Made: invited at 900k/decile 3, 6 months 1.2M -> income improved; decile 3 was never 1.
    record("made", 6, 1_200_000, 3)
    # Wayan: invited at decile 1 (income unknown); month 0 gives 600k; 6 months 650k/decile 1, 12 months
    # 800k/decile 2 -> the latest (12) counts: income improved and left decile 1.
    record("wayan", 0, 600_000, None)
    record("wayan", 6, 650_000, 1)
    record("wayan", 12, 800_000, 2)
    # Putu: invited at 1.5M, 6 months 1.4M -> not improved.
    record("putu", 6, 1_400_000, 2)
    assert training_figures(DENPASAR) == {"trained": 3, "income_improved": 2, "left_decile_1": 1}
    assert training_figures(TEGAL_HARUM) == {"trained": 2, "income_improved": 1, "left_decile_1": 0}
    assert training_figures(DAUH_PURI) == {"trained": 1, "income_improved": 1, "left_decile_1": 1}
    assert training_figures("51.03") == {"trained": 0, "income_improved": 0, "left_decile_1": 0}
    assert training_figures("")["trained"] == 3

    # Correcting a month replaces it; follow-ups after training need a completed enrolment.
    record("putu", 6, 1_600_000, 2)
    assert Outcome.objects.filter(enrolment=enrolments["putu"]).count() == 1
    assert training_figures(DENPASAR)["income_improved"] == 3
    with pytest.raises(ApplicationError, match="sudah selesai"):
        record("komang", 6, 2_000_000, 2)
