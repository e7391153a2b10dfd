"""Business-rule messages of membership follow the request's language: English ids, Indonesian catalogue."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from lindung.core.errors import ApplicationError
from lindung.membership.registration import registration_file_create
from lindung.membership.services import membership_create, membership_end
from lindung.membership.tests.factories import TEGAL_HARUM, make_member

pytestmark = pytest.mark.django_db


def message(call) -> str:
    with pytest.raises(ApplicationError) as caught:
        call()
    return caught.value.message


def test_no_pending_members_message_in_both_languages(programme) -> None:
    def create():
        registration_file_create(actor=None, programme=programme)

    with translation.override("en"):
        assert message(create) == "No members are waiting for registration."
    with translation.override("id"):
        assert message(create) == "Tidak ada peserta yang menunggu pendaftaran."


def test_end_reason_message_in_both_languages(programme) -> None:
    member = make_member(programme, TEGAL_HARUM, dt.date(2025, 3, 1), kpj="23011111111")

    def end():
        membership_end(actor=None, membership=member, reason="bosan", on=dt.date(2025, 4, 1))

    with translation.override("en"):
        assert message(end) == "Unknown reason for ending."
    with translation.override("id"):
        assert message(end) == "Alasan berakhir tidak dikenal."


def test_duplicate_member_message_keeps_the_name(programme) -> None:
    member = make_member(programme, TEGAL_HARUM, dt.date(2025, 3, 1))
    member.worker.name = "Ni Made Sari"
    member.worker.save()

    def again():
        membership_create(actor=None, programme=programme, worker=member.worker, starts_on=dt.date(2025, 4, 1))

    with translation.override("en"):
        assert message(again) == "Ni Made Sari is already a member of this programme."
    with translation.override("id"):
        assert message(again) == "Ni Made Sari sudah menjadi peserta program ini."
