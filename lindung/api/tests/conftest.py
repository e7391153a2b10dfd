"""Fixtures for the API tests: tokens for the shared users, workers in two villages, a JSON client."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from lindung.api.services import token_create
from lindung.registry.models import Worker

OTHER_VILLAGE = "51.03.05.2001"  # Kabupaten Badung: outside Kota Denpasar and Tegal Harum
DENPASAR_VILLAGE = "51.71.01.1001"  # in Kota Denpasar, not Tegal Harum


@pytest.fixture(autouse=True)
def _immediate_tasks(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.LINDUNG_API_RATE_LIMIT = "600/min"


def bearer(secret: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def make_token(user, name: str = "uji", days: int = 90) -> str:
    _token, secret = token_create(acting_user=user, name=name, last_day=timezone.localdate() + dt.timedelta(days=days))
    return secret


@pytest.fixture
def operator_token(operator_tegal_harum) -> str:
    return make_token(operator_tegal_harum)


@pytest.fixture
def city_token(city_officer) -> str:
    return make_token(city_officer)


@pytest.fixture
def workers(bali):
    """One worker in Tegal Harum, one elsewhere in Denpasar, one in Badung."""
    mine = Worker.objects.create(
        nik="5171034508900003", name="Ni Made Suryani", sex="P", birth_date="1990-08-05", village_id="51.71.03.2008",
        occupation_code=24, decile=1, monthly_income=750_000,
    )  # fmt: skip
    denpasar = Worker.objects.create(
        nik="5171011203850001", name="I Wayan Darma", sex="L", birth_date="1985-03-12", village_id=DENPASAR_VILLAGE
    )
    badung = Worker.objects.create(
        nik="5103050505900007", name="Made Badung", sex="L", birth_date="1990-05-05", village_id=OTHER_VILLAGE,
        decile=1, occupation_code=24,
    )  # fmt: skip
    return mine, denpasar, badung


@pytest.fixture
def api_client() -> Client:
    return Client(enforce_csrf_checks=True)
