"""Refusals of the training services follow the request's language: English ids, Indonesian catalogue."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from lindung.core.errors import ApplicationError
from lindung.regions.models import Region
from lindung.training.models import Enrolment
from lindung.training.services import enrolments_invite, enrolments_set_status, programme_create

from .conftest import DENPASAR

pytestmark = pytest.mark.django_db


def refusal(service, **arguments) -> str:
    with pytest.raises(ApplicationError) as caught:
        service(**arguments)
    return caught.value.message


def test_programme_without_a_target_in_both_languages(trainer) -> None:
    arguments = {
        "acting_user": trainer, "organiser": "Disnaker", "title": "x", "region": Region.objects.get(code=DENPASAR),
        "skill": "x", "starts_on": dt.date(2026, 1, 1), "ends_on": dt.date(2026, 1, 2), "capacity": 5,
    }  # fmt: skip
    with translation.override("en"):
        assert refusal(programme_create, **arguments) == (
            "Choose at least one target occupation or give specialisation keywords."
        )
    with translation.override("id"):
        assert refusal(programme_create, **arguments) == (
            "Pilih paling sedikit satu pekerjaan sasaran atau isi kata kunci spesialisasi."
        )


def test_capacity_refusal_in_both_languages(trainer, make_programme, make_worker) -> None:
    programme = make_programme(trainer, capacity=1)
    workers = [make_worker("5171030101850001", "Made Cukur"), make_worker("5171030101850002", "Putu Cukur")]
    arguments = {"acting_user": trainer, "programme": programme, "worker_ids": [w.pk for w in workers]}
    with translation.override("en"):
        assert refusal(enrolments_invite, **arguments) == (
            "The programme has room for 1 participants; 1 places are left, but 2 workers were chosen. "
            "Choose fewer or change the capacity."
        )
    with translation.override("id"):
        assert refusal(enrolments_invite, **arguments) == (
            "Kapasitas program 1 peserta; tersisa 1 tempat, tetapi 2 pekerja dipilih. "
            "Kurangi pilihan atau ubah kapasitas."
        )


def test_blocked_status_change_names_the_status_in_both_languages(trainer, make_programme, make_worker) -> None:
    programme = make_programme(trainer)
    made = make_worker("5171030101850001", "Made Cukur")
    enrolments_invite(acting_user=trainer, programme=programme, worker_ids=[made.pk])
    enrolment = Enrolment.objects.get(worker=made)
    arguments = {
        "acting_user": trainer, "programme": programme, "enrolment_ids": [enrolment.pk],
        "to_status": Enrolment.Status.COMPLETED, "on": timezone.localdate(),
    }  # fmt: skip
    with translation.override("en"):
        assert refusal(enrolments_set_status, **arguments) == (
            "Cannot be changed to completed: Made Cukur (invited). Participants must be enrolled (attended a "
            "session or were enrolled) before they are marked completed; completed and dropped-out statuses are "
            "not changed again."
        )
    with translation.override("id"):
        assert refusal(enrolments_set_status, **arguments) == (
            "Tidak dapat diubah menjadi selesai: Made Cukur (diundang). Peserta harus terdaftar (hadir di sesi atau "
            "didaftarkan) sebelum dinyatakan selesai; status selesai dan keluar tidak diubah lagi."
        )
