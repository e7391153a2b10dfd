"""Refusals of the registry services follow the request's language: English ids, Indonesian catalogue."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from lindung.accounts.models import Role
from lindung.core.errors import ApplicationError
from lindung.registry.lifecycle import transfer_request, worker_correct_nik
from lindung.registry.models import Worker

TEGAL_HARUM, PADANGSAMBIAN = "51.71.03.2008", "51.71.03.2001"

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(bali, make_user):
    return make_user("op.tegalharum", Role.VILLAGE_OPERATOR, TEGAL_HARUM)


@pytest.fixture
def worker_elsewhere(bali):
    return Worker.objects.create(
        nik="5171031712750006", name="Gede Lain", sex="L", birth_date="1975-12-17", village_id=PADANGSAMBIAN
    )


def refusal(service, **arguments) -> str:
    with pytest.raises(ApplicationError) as caught:
        service(**arguments)
    return caught.value.message


def test_transfer_of_an_unknown_nik_in_both_languages(operator) -> None:
    arguments = {"acting_user": operator, "nik": "5171031712750099", "to_village_code": TEGAL_HARUM}
    with translation.override("en"):
        assert refusal(transfer_request, **arguments) == "This NIK is not registered yet; register the worker directly."
    with translation.override("id"):
        assert refusal(transfer_request, **arguments) == "NIK ini belum terdaftar; daftarkan pekerjanya langsung."


def test_transfer_into_the_same_village_in_both_languages(bali, make_user, worker_elsewhere) -> None:
    operator_there = make_user("op.padangsambian", Role.VILLAGE_OPERATOR, PADANGSAMBIAN)
    arguments = {"acting_user": operator_there, "nik": worker_elsewhere.nik, "to_village_code": PADANGSAMBIAN}
    with translation.override("en"):
        assert refusal(transfer_request, **arguments) == "This worker is already registered in that village."
    with translation.override("id"):
        assert refusal(transfer_request, **arguments) == "Pekerja ini sudah terdaftar di desa tersebut."


def test_nik_correction_onto_a_record_outside_the_area_in_both_languages(operator, worker_elsewhere) -> None:
    worker = Worker.objects.create(
        nik="5171031712750007",
        name="Gede Salah Ketik",
        sex="L",
        birth_date=dt.date(1975, 12, 17),
        village_id=TEGAL_HARUM,
    )
    arguments = {"acting_user": operator, "worker": worker, "new_nik": worker_elsewhere.nik, "reason": "salah ketik"}
    with translation.override("en"):
        assert refusal(worker_correct_nik, **arguments) == (
            "This NIK is already used by another record in another village; merge the two records if they are "
            "the same person."
        )
    with translation.override("id"):
        assert refusal(worker_correct_nik, **arguments) == (
            "NIK ini sudah dipakai data lain di desa lain; gabungkan kedua data bila orangnya sama."
        )


def test_nik_check_messages_follow_the_language():
    from lindung.registry.identity import check_nik

    with translation.override("en"):
        assert check_nik("5171030000000000").errors == [
            "The birth date encoded in the NIK (digits 7-12) is impossible.",
            "The NIK serial number (last 4 digits) cannot be 0000.",
        ]
    with translation.override("id"):
        assert check_nik("517103").errors == ["NIK harus terdiri dari 16 digit angka."]
        assert check_nik("5171030000000000").errors == [
            "Tanggal lahir yang tersandi dalam NIK (digit 7-12) tidak mungkin.",
            "Nomor urut NIK (4 digit terakhir) tidak boleh 0000.",
        ]
