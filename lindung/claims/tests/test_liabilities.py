"""Scholarship liabilities per school year, village and city on hand-built plans (expected numbers by hand)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lindung.claims.models import Claim, Incident, PlannedYear, ScholarshipDisbursement, ScholarshipPlan
from lindung.claims.selectors import scholarship_liabilities
from lindung.claims.tests.conftest import BADUNG_VILLAGE, DAUH_PURI_KAUH, TEGAL_HARUM

pytestmark = pytest.mark.django_db


@pytest.fixture
def build_plan(make_member, admin_user):
    def _build(village: str, years: dict[int, int], *, paid: tuple[int, ...] = (), stopped: bool = False):
        membership = make_member(
            village, children=({"name": "Anak", "birth_date": dt.date(2015, 1, 1), "school_level": "SD", "grade": 1},)
        )
        worker = membership.worker
        incident = Incident.objects.create(
            worker=worker, membership=membership, village_id=village, date=dt.date(2026, 3, 1), type="death",
            place="x", description="x", reporter_name="x", reporter_role="family", reported_by=admin_user,
        )  # fmt: skip
        claim = Claim.objects.create(incident=incident, status="paid", parameters_on=incident.date)
        plan = ScholarshipPlan.objects.create(
            claim=claim, child=worker.children.get(), child_name="Anak",
            status="stopped" if stopped else "active", stop_reason="married" if stopped else "",
        )  # fmt: skip
        for year, amount in years.items():
            PlannedYear.objects.create(plan=plan, school_year=year, level="SD", grade=1, amount=amount)
        for year in paid:
            ScholarshipDisbursement.objects.create(
                plan=plan, school_year=year, amount=years[year], proof="x.pdf", proof_name="x.pdf",
                paid_on=dt.date(2026, 8, 1), recorded_by=admin_user,
            )  # fmt: skip
        return plan

    return _build


@pytest.fixture
def hand_built(build_plan):
    build_plan(TEGAL_HARUM, {2026: 1_500_000, 2027: 2_000_000, 2028: 2_000_000}, paid=(2026,))
    build_plan(TEGAL_HARUM, {2026: 3_000_000, 2027: 3_000_000}, stopped=True)
    build_plan(DAUH_PURI_KAUH, {2026: 12_000_000, 2027: 12_000_000})
    build_plan(BADUNG_VILLAGE, {2027: 1_500_000})


def test_national_totals(hand_built, admin_user):
    result = scholarship_liabilities(viewer=admin_user)
    assert result.years == [2026, 2027, 2028]
    assert [(code, years, total) for code, _name, years, total in result.villages] == [
        (BADUNG_VILLAGE, {2027: 1_500_000}, 1_500_000),
        (DAUH_PURI_KAUH, {2026: 12_000_000, 2027: 12_000_000}, 24_000_000),
        (TEGAL_HARUM, {2027: 2_000_000, 2028: 2_000_000}, 4_000_000),
    ]
    assert [(code, years, total) for code, _name, years, total in result.cities] == [
        ("51.03", {2027: 1_500_000}, 1_500_000),
        ("51.71", {2026: 12_000_000, 2027: 14_000_000, 2028: 2_000_000}, 28_000_000),
    ]
    assert result.per_year == {2026: 12_000_000, 2027: 15_500_000, 2028: 2_000_000}
    assert result.total == 29_500_000
    assert result.children == 3


def test_scoped_totals(hand_built, city_officer, operator):
    assert scholarship_liabilities(viewer=city_officer).total == 28_000_000
    assert [c[0] for c in scholarship_liabilities(viewer=city_officer).cities] == ["51.71"]
    assert scholarship_liabilities(viewer=operator).total == 4_000_000
    assert scholarship_liabilities(viewer=operator, from_year=2028).total == 2_000_000


def test_query_count_does_not_grow_with_plans(hand_built, build_plan, admin_user):
    admin_user._lindung_scope = None
    scholarship_liabilities(viewer=admin_user)  # the scope is cached on the user
    with CaptureQueriesContext(connection) as before:
        scholarship_liabilities(viewer=admin_user)
    for _ in range(5):
        build_plan(TEGAL_HARUM, {2029: 3_000_000})
    with CaptureQueriesContext(connection) as after:
        result = scholarship_liabilities(viewer=admin_user)
    assert len(after) == len(before) <= 3
    assert result.per_year[2029] == 15_000_000
