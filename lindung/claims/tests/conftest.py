"""Claims fixtures: a programme over Kota Denpasar, a Tegal Harum member with children and heirs, users per role."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lindung.accounts.models import Role
from lindung.claims import services
from lindung.claims.models import Claim
from lindung.membership.models import Membership
from lindung.programmes.models import Programme
from lindung.registry.models import Child, Heir, Worker

TEGAL_HARUM = "51.71.03.2008"
DAUH_PURI_KAUH = "51.71.03.2001"  # another desa of Kota Denpasar
BADUNG_VILLAGE = "51.03.05.2001"
DEATH_DAY = dt.date(2026, 3, 10)  # school year 2025/2026

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32

_serial = itertools.count(1)


@pytest.fixture(autouse=True)
def _media_and_fast_passwords(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def programme(bali) -> Programme:
    return Programme.objects.create(
        name="Gerakan 1 Desa 100 Pekerja Rentan", region_id="51.71", starts_on=dt.date(2023, 1, 1)
    )


def pdf(name: str = "dokumen.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def make_member(programme) -> Callable[..., Membership]:
    """A worker with a membership (active, paid through `paid_through`), children and heirs as given."""

    def _make(
        village: str = TEGAL_HARUM,
        *,
        starts_on: dt.date = dt.date(2023, 2, 1),
        paid_through: dt.date = dt.date(2026, 10, 1),
        income: int = 1_000_000,
        children: tuple[dict[str, Any], ...] = (),
        heirs: tuple[dict[str, Any], ...] = (),
    ) -> Membership:
        serial = next(_serial)
        worker = Worker.objects.create(
            nik=f"517103010180{serial:04d}",
            name=f"I Made Contoh {serial}",
            sex="L",
            birth_date=dt.date(1980, 1, 1),
            village_id=village,
            occupation_code=11,
            monthly_income=800_000,
        )
        for child in children:
            Child.objects.create(worker=worker, **child)
        for heir in heirs:
            Heir.objects.create(worker=worker, **heir)
        return Membership.objects.create(
            programme=programme,
            worker=worker,
            kpj_number=f"KPJ{serial:08d}",
            starts_on=starts_on,
            declared_income=income,
            status=Membership.Status.ACTIVE,
            paid_through=paid_through,
        )

    return _make


FAMILY_CHILDREN = (
    {"name": "Putu Ayu", "birth_date": dt.date(2014, 9, 15), "school_level": "SD", "grade": 5},
    {"name": "Kadek Bagus", "birth_date": dt.date(2011, 6, 1), "school_level": "SMP", "grade": 2},
    {"name": "Komang Sari", "birth_date": dt.date(2022, 4, 20)},  # not yet in school; third child
)
FAMILY_HEIRS = (
    {"name": "Ni Luh Sari", "relation": "spouse"},
    {"name": "Putu Ayu", "relation": "child"},
)


@pytest.fixture
def member(make_member) -> Membership:
    return make_member(children=FAMILY_CHILDREN, heirs=FAMILY_HEIRS)


@pytest.fixture
def operator(operator_tegal_harum):
    return operator_tegal_harum


@pytest.fixture
def head(make_user):
    return make_user("kades.tegalharum", Role.VILLAGE_HEAD, TEGAL_HARUM)


@pytest.fixture
def bpjs_officer(make_user, bali):
    return make_user("bpjs.denpasar", Role.BPJS_OFFICER, "51.71")


def report_death(actor, membership: Membership, **overrides: Any) -> Claim:
    fields: dict[str, Any] = {
        "date": DEATH_DAY,
        "type": "death",
        "place": "Rumah, Banjar Tegal",
        "description": "Meninggal karena sakit.",
        "reporter_name": "Ni Luh Sari",
        "reporter_role": "family",
    }
    fields.update(overrides)
    return services.incident_report(actor=actor, worker=membership.worker, **fields)


def upload_all(actor, claim: Claim) -> Claim:
    for item in services.claim_missing_documents(claim):
        services.claim_document_upload(actor=actor, claim=claim, kind=item.code, upload=pdf(f"{item.code}.pdf"))
    return Claim.objects.get(pk=claim.pk)
