import pytest
from django.test import override_settings

from lindung.accounts.access import user_scope, villages_visible
from lindung.accounts.models import User
from lindung.core.demo import DEMO_USERS, demo_setup
from lindung.core.errors import ApplicationError
from lindung.regions.models import BranchOffice


@pytest.mark.django_db
def test_demo_setup_twice_creates_everything_once():
    first = demo_setup()
    assert first.users_created == len(DEMO_USERS) == 7
    second = demo_setup()
    assert second.users_created == 0 and not second.regions.changed
    assert User.objects.count() == 7
    branch = BranchOffice.objects.get()
    assert list(branch.regencies.values_list("code", flat=True)) == ["51.71"]
    operator = User.objects.get(username="operator.tegalharum")
    assert list(villages_visible(operator).values_list("name", flat=True)) == ["Tegal Harum"]
    assert {user_scope(u).roles[0] for u in User.objects.all()} == {
        "admin",
        "province_viewer",
        "city_officer",
        "bpjs_officer",
        "village_head",
        "village_operator",
        "trainer",
    }


@pytest.mark.django_db
@override_settings(DEMO_MODE=False)
def test_demo_setup_refused_in_production():
    with pytest.raises(ApplicationError):
        demo_setup()
    assert not User.objects.exists()
