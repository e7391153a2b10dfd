"""Shared fixtures: regions of Kota Denpasar and a few neighbours, users per role."""

from __future__ import annotations

import pytest

from lindung.accounts.models import Role, RoleAssignment, User
from lindung.regions.models import Region
from lindung.regions.services import regions_load

TEGAL_HARUM = "51.71.03.2008"
DENPASAR = "51.71"
BADUNG_VILLAGE = "51.03.05.2001"  # a desa in Kabupaten Badung, outside Kota Denpasar


@pytest.fixture
def bali(db):
    """Every region of Bali, loaded the way production loads them."""
    regions_load(prefix="51")
    return Region.objects.get(code="51")


@pytest.fixture
def make_user(db):
    def _make(
        username: str,
        role: str,
        *codes: str,
        national: bool = False,
        password: str = "rahasia-uji-123",  # noqa: S107
    ):
        user = User.objects.create_user(username=username, password=password, full_name=username.title())
        assignment = RoleAssignment.objects.create(user=user, role=role, national=national)
        assignment.regions.set(Region.objects.filter(code__in=codes))
        return user

    return _make


@pytest.fixture
def operator_tegal_harum(bali, make_user):
    return make_user("op.tegalharum", Role.VILLAGE_OPERATOR, TEGAL_HARUM)


@pytest.fixture
def city_officer(bali, make_user):
    return make_user("dinas.denpasar", Role.CITY_OFFICER, DENPASAR)


@pytest.fixture
def admin_user(bali, make_user):
    return make_user("admin.pusat", Role.ADMIN, national=True)


@pytest.fixture(autouse=True)
def _own_media_root(request, settings, tmp_path_factory):
    """Each test keeps its uploads and reports apart (xdist workers and parallel runs would otherwise share
    var/media/imports/<batch id>). Browser tests keep the configured folder: their task worker is another
    process that reads the same settings."""
    if request.node.get_closest_marker("browser") is None:
        settings.MEDIA_ROOT = tmp_path_factory.mktemp("media")
