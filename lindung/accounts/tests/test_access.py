"""Role x region matrix for the central scope helper. Expectations are written by hand."""

import pytest
from django.http import Http404

from lindung.accounts.access import access_region_by_code, villages_changeable, villages_visible
from lindung.accounts.models import Role

# Regions probed: Tegal Harum (desa), Dauh Puri Kauh (another desa of Denpasar Barat), Denpasar Barat,
# Kota Denpasar, a desa of Kabupaten Badung, Bali, and a kelurahan in DKI Jakarta (not loaded: 404 for all).
TEGAL_HARUM, DAUH_PURI_KAUH, DENPASAR_BARAT, DENPASAR = "51.71.03.2008", "51.71.03.2001", "51.71.03", "51.71"
BADUNG_DESA, BALI = "51.03.05.2001", "51"
PROBES = [TEGAL_HARUM, DAUH_PURI_KAUH, DENPASAR_BARAT, DENPASAR, BADUNG_DESA, BALI]

#        role,                      scope,         visible probes (T = 200, . = 404)
MATRIX = [
    (Role.VILLAGE_OPERATOR, TEGAL_HARUM, "T....."),
    (Role.VILLAGE_HEAD, TEGAL_HARUM, "T....."),
    (Role.CITY_OFFICER, DENPASAR, "TTTT.."),
    (Role.BPJS_OFFICER, DENPASAR, "TTTT.."),
    (Role.TRAINER, DENPASAR, "TTTT.."),
    (Role.PROVINCE_VIEWER, BALI, "TTTTTT"),
    (Role.ADMIN, None, "TTTTTT"),
]


@pytest.mark.parametrize(("role", "scope", "expected"), MATRIX)
def test_access_region_by_code_matrix(bali, make_user, role, scope, expected):
    user = make_user(f"u-{role}", role, *([scope] if scope else []), national=scope is None)
    for code, mark in zip(PROBES, expected, strict=True):
        if mark == "T":
            assert access_region_by_code(user, code).code == code
        else:
            with pytest.raises(Http404):
                access_region_by_code(user, code)


def test_access_region_by_code_missing_region_is_404_like_out_of_scope(bali, make_user):
    admin = make_user("admin-x", Role.ADMIN, national=True)
    with pytest.raises(Http404):
        access_region_by_code(admin, "31.71.01.1001")


def test_villages_visible_counts_per_scope(bali, make_user):
    assert villages_visible(make_user("a", Role.VILLAGE_OPERATOR, TEGAL_HARUM)).count() == 1
    assert villages_visible(make_user("b", Role.CITY_OFFICER, DENPASAR)).count() == 43
    assert villages_visible(make_user("c", Role.PROVINCE_VIEWER, BALI)).count() == 716
    two = make_user("d", Role.BPJS_OFFICER, DENPASAR, "51.03")  # a branch serving two regencies
    assert villages_visible(two).count() == 43 + 62


def test_read_only_roles_change_no_village(bali, make_user):
    assert villages_changeable(make_user("p", Role.PROVINCE_VIEWER, BALI)).count() == 0
    assert villages_changeable(make_user("b", Role.BPJS_OFFICER, DENPASAR)).count() == 0
    assert villages_changeable(make_user("o", Role.VILLAGE_OPERATOR, TEGAL_HARUM)).count() == 1


def test_user_without_role_sees_nothing(bali, django_user_model):
    nobody = django_user_model.objects.create_user("nobody", password="x-rahasia-123")
    assert villages_visible(nobody).count() == 0
