"""Account rules answer in the request's language: English ids, Indonesian in the project catalogue."""

from __future__ import annotations

import pytest
from django.utils import translation

from lindung.accounts.access import require_village_change
from lindung.accounts.models import Role
from lindung.accounts.services import user_create
from lindung.core.errors import ApplicationError

pytestmark = pytest.mark.django_db

BADUNG_VILLAGE = "51.03.05.2001"


def message(call) -> str:
    with pytest.raises(ApplicationError) as caught:
        call()
    return caught.value.message


def test_outside_area_message_in_both_languages(operator_tegal_harum) -> None:
    def change():
        require_village_change(operator_tegal_harum, BADUNG_VILLAGE)

    with translation.override("en"):
        assert message(change) == "This village is outside your area."
    with translation.override("id"):
        assert message(change) == "Desa ini di luar wilayah Anda."


def test_user_admin_message_in_both_languages(operator_tegal_harum) -> None:
    def create():
        user_create(
            acting_user=operator_tegal_harum,
            username="baru",
            full_name="Baru",
            password="rahasia-uji-123",
            role=Role.VILLAGE_OPERATOR,
            region_codes=["51.71.03.2008"],
        )

    with translation.override("en"):
        assert message(create) == "You may not administer users."
    with translation.override("id"):
        assert message(create) == "Anda tidak berwenang mengelola pengguna."
