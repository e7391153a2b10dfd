from __future__ import annotations

import datetime as dt

import pytest

from lindung.accounts.models import Role
from lindung.regions.models import Region
from lindung.registry.models import Worker
from lindung.training.services import programme_create

DENPASAR = "51.71"
TEGAL_HARUM = "51.71.03.2008"
DAUH_PURI = "51.71.01.1001"  # another Denpasar village (Denpasar Barat/Selatan)
BADUNG_VILLAGE = "51.03.05.2001"


@pytest.fixture(autouse=True)
def _media_and_fast_passwords(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def trainer(bali, make_user):
    return make_user("pelatih.denpasar", Role.TRAINER, DENPASAR)


@pytest.fixture
def other_trainer(bali, make_user):
    return make_user("pelatih.lain", Role.TRAINER, DENPASAR)


@pytest.fixture
def make_worker(bali):
    def _make(nik: str, name: str, village: str = TEGAL_HARUM, **fields) -> Worker:
        fields.setdefault("occupation_code", 24)
        return Worker.objects.create(
            nik=nik, name=name, sex="L", birth_date=dt.date(1985, 1, 1), village_id=village, **fields
        )

    return _make


@pytest.fixture
def make_programme(bali):
    def _make(user, **fields):
        values = {
            "organiser": "Dinas Tenaga Kerja Kota Denpasar",
            "title": "Pelatihan Pangkas Rambut",
            "region": Region.objects.get(code=DENPASAR),
            "skill": "Pangkas rambut",
            "starts_on": dt.date(2026, 3, 2),
            "ends_on": dt.date(2026, 3, 20),
            "capacity": 20,
            "target_occupations": [24],
            "target_keywords": "cukur",
            "place": "BLK Denpasar",
            "cost": 15_000_000,
        }
        values.update(fields)
        return programme_create(acting_user=user, **values)

    return _make
