from __future__ import annotations

from datetime import date

import pytest

from lindung.accounts.models import Role
from lindung.programmes.services import programme_create
from lindung.regions.models import Region

DENPASAR = "51.71"
TEGAL_HARUM = "51.71.03.2008"
BADUNG = "51.03"


@pytest.fixture(autouse=True)
def _media_and_fast_passwords(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Users are made in nearly every test here; Argon2 would dominate the run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def programme(bali, admin_user):
    return programme_create(
        acting_user=admin_user,
        name="Gerakan 1 Desa 100 Pekerja Rentan",
        region=Region.objects.get(code=DENPASAR),
        starts_on=date(2023, 2, 1),
        legal_basis="Inpres 4/2022\nPermendesa PDTT 8/2022",
    )


@pytest.fixture
def badung_officer(bali, make_user):
    return make_user("dinas.badung", Role.CITY_OFFICER, BADUNG)
