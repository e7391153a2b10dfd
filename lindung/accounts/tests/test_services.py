import pytest

from lindung.accounts.access import user_scope
from lindung.accounts.models import Role, User
from lindung.accounts.services import (
    user_create,
    user_reset_password,
    user_set_active,
    users_bulk_create_for_villages,
)
from lindung.audit.models import AuditEvent
from lindung.core.errors import ApplicationError
from lindung.regions.models import Region

TEGAL_HARUM = "51.71.03.2008"


def test_user_create_city_officer_creates_village_operator(city_officer):
    user, password = user_create(
        acting_user=city_officer,
        username="Op.Baru",
        full_name="Operator Baru",
        role=Role.VILLAGE_OPERATOR,
        region_codes=[TEGAL_HARUM],
    )
    assert user.username == "op.baru"
    assert user.must_change_password
    assert User.objects.get(username="op.baru").check_password(password)
    assert user_scope(user).codes == (TEGAL_HARUM,)
    event = AuditEvent.objects.get(action="user.create")
    assert event.actor == city_officer and event.region_code == TEGAL_HARUM
    assert password not in str(event.changes)


@pytest.mark.parametrize(
    ("role", "codes", "code"),
    [
        (Role.VILLAGE_OPERATOR, ["51.03.05.2001"], "scope"),  # a Badung village: outside Kota Denpasar
        (Role.ADMIN, ["51.71"], "role_not_grantable"),
        (Role.CITY_OFFICER, ["51.71"], "role_not_grantable"),
        (Role.VILLAGE_OPERATOR, ["51.71.03"], "scope_level"),  # a district is not a village
        (Role.VILLAGE_OPERATOR, ["99.99.99.9999"], "unknown_region"),
        (Role.VILLAGE_OPERATOR, [], "scope_missing"),
    ],
)
def test_user_create_city_officer_rule_broken_rejected(city_officer, role, codes, code):
    with pytest.raises(ApplicationError) as exc:
        user_create(acting_user=city_officer, username="x", full_name="X", role=role, region_codes=codes)
    assert exc.value.code == code
    assert not User.objects.filter(username="x").exists()


def test_user_create_village_operator_forbidden(operator_tegal_harum):
    with pytest.raises(ApplicationError) as exc:
        user_create(
            acting_user=operator_tegal_harum,
            username="x",
            full_name="X",
            role=Role.VILLAGE_OPERATOR,
            region_codes=[TEGAL_HARUM],
        )
    assert exc.value.code == "forbidden"


def test_user_create_duplicate_username_rejected(city_officer):
    with pytest.raises(ApplicationError) as exc:
        user_create(
            acting_user=city_officer,
            username="DINAS.denpasar",
            full_name="X",
            role=Role.VILLAGE_OPERATOR,
            region_codes=[TEGAL_HARUM],
        )
    assert exc.value.code == "username_taken"


def test_user_reset_password_old_stops_working(city_officer, operator_tegal_harum):
    new = user_reset_password(acting_user=city_officer, user=operator_tegal_harum)
    assert not User.objects.get(username="op.tegalharum").check_password("rahasia-uji-123")
    assert User.objects.get(username="op.tegalharum").check_password(new)
    assert AuditEvent.objects.filter(action="user.reset_password").count() == 1


def test_user_set_active_self_rejected_other_deactivated(city_officer, operator_tegal_harum):
    with pytest.raises(ApplicationError):
        user_set_active(acting_user=city_officer, user=city_officer, active=False)
    user_set_active(acting_user=city_officer, user=operator_tegal_harum, active=False)
    assert not User.objects.get(username="op.tegalharum").is_active


def test_users_bulk_create_for_villages_one_operator_one_head_idempotent(city_officer):
    from lindung.accounts.access import villages_visible

    codes = list(villages_visible(city_officer).values_list("code", flat=True))
    created = users_bulk_create_for_villages(acting_user=city_officer, village_codes=codes)
    assert len(created) == 2 * 43
    assert {c.role for c in created} == {Role.VILLAGE_OPERATOR, Role.VILLAGE_HEAD}
    op = User.objects.get(username="op.5171032008")
    assert user_scope(op).codes == (TEGAL_HARUM,) and user_scope(op).roles == (Role.VILLAGE_OPERATOR,)
    head = next(c for c in created if c.username == "kades.5171032008")
    assert User.objects.get(username="kades.5171032008").check_password(head.password)
    assert AuditEvent.objects.filter(action="user.bulk_create").count() == 1
    assert users_bulk_create_for_villages(acting_user=city_officer, village_codes=codes) == []


def test_users_bulk_create_for_villages_outside_scope_creates_nothing(city_officer):
    with pytest.raises(ApplicationError):
        users_bulk_create_for_villages(acting_user=city_officer, village_codes=[TEGAL_HARUM, "51.03.05.2001"])
    assert not User.objects.filter(username__startswith="op.").exists()


def test_users_bulk_create_query_count_independent_of_village_count(city_officer):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user_scope(city_officer)  # the actor's scope is read once per request; keep it out of the count
    with CaptureQueriesContext(connection) as two:
        users_bulk_create_for_villages(acting_user=city_officer, village_codes=["51.71.01.1001", "51.71.01.1002"])
    codes = list(Region.objects.filter(code__startswith="51.71.04.").values_list("code", flat=True)[:8])
    assert len(codes) == 8
    with CaptureQueriesContext(connection) as eight:
        users_bulk_create_for_villages(acting_user=city_officer, village_codes=codes)
    assert len(eight.captured_queries) == len(two.captured_queries)
