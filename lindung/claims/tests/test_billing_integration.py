"""With real billing behind the membership: a death ends it, the village's cover is recomputed, and the claim's quote
computed again still sees the months paid up to the death."""

from __future__ import annotations

import datetime as dt

import pytest

from lindung.billing.services import billing_run, payment_record
from lindung.claims import services
from lindung.claims.tests.conftest import TEGAL_HARUM, report_death
from lindung.programmes.models import Agreement, ProgrammeRules
from lindung.regions.models import Region

pytestmark = pytest.mark.django_db


def test_quote_survives_the_end_of_the_membership(operator, programme, make_member):
    ProgrammeRules.objects.create(programme=programme, effective_from=dt.date(2023, 1, 1))
    Agreement.objects.create(
        programme=programme, village_id=TEGAL_HARUM, status=Agreement.Status.SIGNED,
        valid_from=dt.date(2025, 1, 1), funder="apbdes",
    )  # fmt: skip
    membership = make_member(starts_on=dt.date(2025, 1, 1), paid_through=dt.date(2024, 12, 1), children=(), heirs=())
    village = Region.objects.get(code=TEGAL_HARUM)
    for index in range(15):  # January 2025 .. March 2026, each month billed and paid on the 5th
        month = dt.date(2025 + index // 12, index % 12 + 1, 1)
        billing_run(period=month, region_prefix=TEGAL_HARUM)
        # Rp16,800 a month at the default income (JKK Rp10,000 + JKM Rp6,800).
        payment_record(
            actor=operator, programme=programme, village=village, value_date=month.replace(day=5), amount=16_800,
            reference=f"SP2D-{index}", budget_source="dana_desa",
        )  # fmt: skip
    membership.refresh_from_db()
    assert membership.paid_through == dt.date(2026, 3, 1)

    claim = report_death(operator, membership)
    assert (claim.quote["status"], claim.quote["masa_iur_months"]) == ("covered", 15)
    membership.refresh_from_db()
    # Unpaid since April 2026, the membership had lapsed by the time of the report; the death ends it all the same.
    assert (membership.status, membership.end_reason, membership.ended_on) == ("ended", "death", dt.date(2026, 3, 10))
    assert membership.paid_through >= dt.date(2026, 3, 1)
    claim = services.claim_recompute(actor=operator, claim=claim)
    assert (claim.quote["status"], claim.quote["cash_total"]) == ("covered", 42_000_000)
