from __future__ import annotations

import pytest

from lindung.accounts.models import Role
from lindung.programmes.demo import demo_programmes
from lindung.registry.identity import check_nik
from lindung.registry.models import Worker
from lindung.targeting.demo import REFERENCE_DATE, demo_targeting
from lindung.targeting.models import SelectionEntry, SelectionVersion

pytestmark = pytest.mark.django_db


def test_demo_targeting_approves_100_and_keeps_a_waiting_list_idempotently(bali, make_user):
    # The two demo users of core.demo, with the same roles and scope.
    make_user("operator.tegalharum", Role.VILLAGE_OPERATOR, "51.71.03.2008")
    make_user("perbekel.tegalharum", Role.VILLAGE_HEAD, "51.71.03.2008")
    demo_programmes()
    first = demo_targeting()
    version = first["version"]
    assert first["workers_created"] == 135 and first["approved_now"]
    assert version.status == SelectionVersion.Status.APPROVED and version.number == 1
    assert version.approved_by.username == "perbekel.tegalharum"
    assert version.prepared_by.username == "operator.tegalharum"
    assert version.selected_count == 100
    assert version.waiting_count == 135 - 100 - version.ineligible_count
    assert version.waiting_count > 10
    reasons = {f["code"] for e in version.entries.filter(status="ineligible") for f in e.failures}
    assert reasons == {"age_min", "age_max", "income", "wage_earner", "occupation"}
    for worker in Worker.objects.all():
        check = check_nik(worker.nik, birth_date=worker.birth_date, sex=worker.sex, today=REFERENCE_DATE)
        assert check.ok and not check.warnings, (worker.nik, check)
    assert version.entries.filter(status=SelectionEntry.Status.SELECTED, factors__isnull=False).count() == 100

    second = demo_targeting()
    assert second["workers_created"] == 0 and not second["approved_now"]
    assert second["version"].pk == version.pk
    assert SelectionVersion.objects.count() == 1
