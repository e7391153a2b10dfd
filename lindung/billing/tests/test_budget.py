"""The village budget plan: figures worked by hand from ../shared/domain/parameters.csv.

Rp1,000,000, JKK + JKM: 10,000 + 6,800 = Rp16,800 a month, Rp201,600 a year. The PP 50/2025 factor 0.5 for other
BPU is in force April-December 2026: 5,000 + 3,400 = Rp8,400, so a discounted member costs
3 x 16,800 + 9 x 8,400 = Rp126,000 in 2026. Rp2,500,000 with JHT: 25,000 + 6,800 + 50,000 = Rp81,800 a month.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from lindung.accounts.models import Role
from lindung.audit.models import AuditEvent
from lindung.billing.budget import budget_figures, budget_plan_save
from lindung.billing.models import BudgetPlan
from lindung.core.errors import ApplicationError
from lindung.membership.models import Membership
from lindung.membership.tests.factories import SESETAN, TEGAL_HARUM, make_member
from lindung.programmes.models import Agreement
from lindung.regions.models import Region

pytestmark = pytest.mark.django_db


def _members(programme, count: int, **fields) -> None:
    for _ in range(count):
        make_member(programme, TEGAL_HARUM, dt.date(2024, 1, 1), kpj="1", **fields)


@pytest.fixture
def village(bali):
    return Region.objects.get(code=TEGAL_HARUM)


def test_hundred_members_against_the_apbdes_amount_and_a_quota_change(programme, village, operator_tegal_harum):
    _members(programme, 100)
    left = make_member(programme, TEGAL_HARUM, dt.date(2024, 1, 1), kpj="9", ended_on=dt.date(2024, 6, 30))
    Membership.objects.filter(pk=left.pk).update(status="ended", end_reason="death")
    figures = budget_figures(programme=programme, village=village, year=2025)
    assert figures.members == 100  # the member who left is not counted
    assert figures.monthly == (100 * 16_800,) * 12
    assert figures.need == 100 * 16_800 * 12 == 20_160_000
    assert figures.budget is None and figures.balance is None
    budget_plan_save(actor=operator_tegal_harum, programme=programme, village=village, year=2025,
                     budget=18_000_000, account_code="5.4.01.01")  # fmt: skip
    figures = budget_figures(programme=programme, village=village, year=2025, what_if_quota=120)
    assert (figures.budget, figures.balance, figures.missing) == (18_000_000, -2_160_000, 2_160_000)
    assert figures.per_member_year == 201_600
    assert figures.quota == 100 and figures.quota_need == 20_160_000
    assert figures.what_if_need == 120 * 201_600 == 24_192_000
    assert figures.what_if_difference == 24_192_000 - 20_160_000 == 4_032_000
    assert figures.what_if_balance == 18_000_000 - 24_192_000
    event = AuditEvent.objects.get(action="billing.budget.save")
    assert event.changes["budget"] == [None, 18_000_000] and event.region_code == TEGAL_HARUM
    budget_plan_save(actor=operator_tegal_harum, programme=programme, village=village, year=2025, budget=21_000_000)
    assert BudgetPlan.objects.get().budget == 21_000_000
    assert AuditEvent.objects.filter(action="billing.budget.save").order_by("seq").last().changes["budget"] == [
        18_000_000,
        21_000_000,
    ]
    assert budget_figures(programme=programme, village=village, year=2025).balance == 21_000_000 - 20_160_000


def test_discount_months_and_other_incomes(programme, village):
    _members(programme, 10)
    _members(programme, 1, income=2_500_000, package="jkk_jkm_jht")
    # APBDes (the default): no PP 50/2025 discount in 2026.
    apbdes = budget_figures(programme=programme, village=village, year=2026)
    assert apbdes.need == 10 * 16_800 * 12 + 81_800 * 12 == 2_997_600
    # Another funder gets the discount on JKK and JKM (never on JHT) in April-December 2026.
    Agreement.objects.filter(programme=programme, village=village).update(funder="other")
    other = budget_figures(programme=programme, village=village, year=2026)
    assert other.monthly[:3] == (10 * 16_800 + 81_800,) * 3
    assert other.monthly[3:] == (10 * 8_400 + (12_500 + 3_400 + 50_000),) * 9
    assert other.per_member_year == 3 * 16_800 + 9 * 8_400 == 126_000


def test_only_the_village_and_the_city_change_it(programme, village, bali, make_user):
    viewer = make_user("pemprov.bali", Role.PROVINCE_VIEWER, "51")
    with pytest.raises(ApplicationError):
        budget_plan_save(actor=viewer, programme=programme, village=village, year=2025, budget=1)
    assert not BudgetPlan.objects.exists()


def test_budget_page(client, programme, village, operator_tegal_harum, bali, make_user):
    _members(programme, 3)
    client.force_login(operator_tegal_harum)
    url = reverse("billing:budget", args=[TEGAL_HARUM])
    response = client.post(url, {"programme": programme.pk, "year": 2025, "budget": "500000", "account_code": "5.4",
                                 "note": ""})  # fmt: skip
    assert response.status_code == 302
    page = client.get(url, {"program": programme.pk, "tahun": 2025, "kuota": 5}).content.decode()
    assert "604.800" in page  # 3 x 201,600
    assert "104.800" in page  # left over: 500,000 - 604,800 is missing 104,800
    assert "1.008.000" in page  # a quota of 5: 5 x 201,600
    assert "403.200" in page  # its difference from today's 3 members
    viewer = make_user("pemprov.bali", Role.PROVINCE_VIEWER, "51")
    client.force_login(viewer)
    assert client.get(url).status_code == 200
    assert client.post(url, {"programme": programme.pk, "year": 2025, "budget": "1"}).status_code == 403
    assert BudgetPlan.objects.get().budget == 500_000
    client.force_login(operator_tegal_harum)
    assert client.get(reverse("billing:budget", args=[SESETAN])).status_code == 404
    assert Membership.objects.count() == 3
