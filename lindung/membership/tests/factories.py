"""Billing fixtures: one programme over Kota Denpasar with agreements in several states, and members."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from lindung.membership.models import Membership
from lindung.programmes.models import Agreement, Programme, ProgrammeRules
from lindung.registry.models import Worker

TEGAL_HARUM = "51.71.03.2008"  # desa, pays from its APBDes
SESETAN = "51.71.01.1001"  # kelurahan, paid by the city (APBD)
EXPIRED_VILLAGE = "51.71.04.2001"  # agreement ended 2023-12-31
PROSPECT_VILLAGE = "51.71.02.1003"  # agreement not signed

_serial = itertools.count(1)


@pytest.fixture
def programme(bali):
    programme = Programme.objects.create(
        name="Gerakan 1 Desa 100 Pekerja Rentan", region_id="51.71", starts_on=dt.date(2023, 1, 1)
    )
    ProgrammeRules.objects.create(programme=programme, effective_from=dt.date(2023, 1, 1))
    signed = Agreement.Status.SIGNED
    Agreement.objects.create(
        programme=programme, village_id=TEGAL_HARUM, status=signed, valid_from=dt.date(2023, 2, 1), funder="apbdes"
    )
    Agreement.objects.create(
        programme=programme, village_id=SESETAN, status=Agreement.Status.ACTIVE, valid_from=dt.date(2023, 6, 1),
        funder="apbd",
    )  # fmt: skip
    Agreement.objects.create(
        programme=programme, village_id=EXPIRED_VILLAGE, status=signed, valid_from=dt.date(2023, 1, 1),
        valid_until=dt.date(2023, 12, 31), funder="apbdes",
    )  # fmt: skip
    Agreement.objects.create(programme=programme, village_id=PROSPECT_VILLAGE, funder="apbdes")
    return programme


def make_worker(village: str, name: str = "") -> Worker:
    serial = next(_serial)
    return Worker.objects.create(
        nik=f"517103010185{serial:04d}",
        name=name or f"Pekerja {serial}",
        sex="L",
        birth_date=dt.date(1985, 1, 1),
        village_id=village,
        address=f"Jl. Contoh {serial}",
        occupation_code=9,
        monthly_income=800_000,
    )


def make_member(
    programme: Programme,
    village: str,
    starts_on: dt.date,
    *,
    kpj: str = "",
    income: int = 1_000_000,
    package: str = "jkk_jkm",
    **fields,
) -> Membership:
    return Membership.objects.create(
        programme=programme,
        worker=make_worker(village),
        starts_on=starts_on,
        declared_income=income,
        package=package,
        kpj_number=kpj,
        status="active" if kpj else "pending",
        **fields,
    )
