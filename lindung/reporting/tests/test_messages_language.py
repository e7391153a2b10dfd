"""Rules on recorded poverty rates answer in the request's language: English ids, Indonesian catalogue."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import translation

from lindung.accounts.models import Role
from lindung.core.errors import ApplicationError
from lindung.regions.models import Region
from lindung.reporting.services import poverty_rate_record

pytestmark = pytest.mark.django_db


def message(call) -> str:
    with pytest.raises(ApplicationError) as caught:
        call()
    return caught.value.message


def record(user, code: str, total: str, extreme: str):
    return lambda: poverty_rate_record(
        acting_user=user,
        city=Region.objects.get(code=code),
        as_of=dt.date(2024, 3, 1),
        poverty_rate=Decimal(total),
        extreme_poverty_rate=Decimal(extreme),
    )


def test_level_message_in_both_languages(bali, make_user) -> None:
    officer = make_user("dinas", Role.CITY_OFFICER, "51.71")
    with translation.override("en"):
        assert message(record(officer, "51", "2.00", "0.10")) == "Poverty rates are recorded for a city/regency."
    with translation.override("id"):
        assert message(record(officer, "51", "2.00", "0.10")) == "Angka kemiskinan dicatat untuk kota/kabupaten."


def test_range_and_extreme_messages_in_both_languages(bali, make_user) -> None:
    officer = make_user("dinas", Role.CITY_OFFICER, "51.71")
    with translation.override("en"):
        assert message(record(officer, "51.71", "101", "0")) == "A percentage must be between 0 and 100."
        assert message(record(officer, "51.71", "1.00", "2.00")) == (
            "The extreme poverty rate cannot be greater than the poverty rate."
        )
    with translation.override("id"):
        assert message(record(officer, "51.71", "101", "0")) == "Persentase harus antara 0 dan 100."
        assert message(record(officer, "51.71", "1.00", "2.00")) == (
            "Angka kemiskinan ekstrem tidak boleh lebih besar dari angka kemiskinan."
        )
