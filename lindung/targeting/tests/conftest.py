from __future__ import annotations

import datetime as dt
from itertools import count

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lindung.accounts.models import Role
from lindung.programmes.services import programme_create
from lindung.regions.models import Region
from lindung.registry.models import Child, Worker

TEGAL_HARUM = "51.71.03.2008"
TEGAL_KERTHA = "51.71.03.2009"  # another desa of Denpasar Barat
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

_serials = count(1)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def programme(bali):
    return programme_create(
        acting_user=None,
        name="Gerakan 1 Desa 100 Pekerja Rentan",
        region=Region.objects.get(code="51.71"),
        starts_on=dt.date(2026, 1, 1),
        legal_basis="Inpres 4/2022\nPermendesa PDTT 8/2022",
    )


@pytest.fixture
def head(bali, make_user):
    return make_user("perbekel.uji", Role.VILLAGE_HEAD, TEGAL_HARUM)


@pytest.fixture
def operator(operator_tegal_harum):
    return operator_tegal_harum


def make_worker(village: str = TEGAL_HARUM, *, name: str | None = None, children: int = 0, **fields) -> Worker:
    serial = next(_serials)
    born = fields.pop("birth_date", dt.date(1980, 1, 1) + dt.timedelta(days=serial * 37))
    nik = fields.pop("nik", f"517103{born:%d%m%y}{serial:04d}")
    defaults = {
        "sex": "L",
        "monthly_income": 600_000,
        "decile": 3,
        "occupation_code": 9,
        "hamlet": "Banjar Tegal",
    }
    defaults.update(fields)
    worker = Worker.objects.create(
        nik=nik, name=name or f"Pekerja Uji {serial}", birth_date=born, village_id=village, **defaults
    )
    for i in range(children):
        Child.objects.create(worker=worker, name=f"Anak {serial}-{i}", birth_date=dt.date(2015, 1, 1))
    return worker


def minutes_pdf(name: str = "berita-acara.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")
