"""The dashboard's figures at every level equal a recomputation from the raw tables by SQL written here (not the
reporting app's own queries), on synthetic data for Kota Denpasar, and again after a payment and a claim are added
and the summaries refreshed incrementally."""

# ruff: noqa: S608 (the SQL is assembled from this module's own constants; values are bound parameters)
from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from lindung.accounts.models import Role
from lindung.billing.services import payment_record
from lindung.claims.services import incident_report
from lindung.membership.models import Membership
from lindung.programmes.models import Programme
from lindung.regions.models import Region
from lindung.registry.models import Worker
from lindung.reporting import refresh
from lindung.reporting.models import CURRENT_FIELDS, Summary
from lindung.reporting.refresh import refresh_summaries
from lindung.reporting.selectors import dashboard_get, dashboard_json
from lindung.synth.services import synth_run

TEGAL_HARUM = "51.71.03.2008"
LEVELS = ["ID", "51", "51.71", "51.71.03", TEGAL_HARUM, "51.71.01", "51.71.01.1001"]

CLAIM_STATUSES = ["reported", "documents_complete", "submitted", "paid", "rejected"]
INCIDENT_TYPES = [
    "death",
    "work_accident_death",
    "total_permanent_disability",
    "partial_disability",
    "temporary_disability",
]


def _pattern(code: str) -> str:
    return "%" if code == "ID" else f"{code}%"


def _one(sql: str, *params: object) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        value = cursor.fetchone()[0]
    return int(value or 0)


def expected_figures(code: str) -> dict[str, int]:
    """Every current figure of region `code`, straight from the source tables."""
    p = _pattern(code)
    member_of = "JOIN registry_worker w ON w.id = m.worker_id"
    covered = (
        "EXISTS (SELECT 1 FROM membership_membership m WHERE m.worker_id = w.id AND m.status IN ('active', 'arrears'))"
    )
    incident = "JOIN claims_claim c ON c.id = {alias}.claim_id JOIN claims_incident i ON i.id = c.incident_id"
    f = {
        "villages_desa": _one(
            "SELECT COUNT(*) FROM regions_region WHERE level = 4 AND kind <> 'kelurahan' AND code LIKE %s", p
        ),
        "villages_kelurahan": _one(
            "SELECT COUNT(*) FROM regions_region WHERE level = 4 AND kind = 'kelurahan' AND code LIKE %s", p
        ),
        "agreements_desa": _one(
            "SELECT COUNT(DISTINCT a.village_id) FROM programmes_agreement a JOIN regions_region r ON r.code = "
            "a.village_id WHERE a.status IN ('signed', 'active') AND r.kind <> 'kelurahan' AND a.village_id LIKE %s",
            p,
        ),
        "agreements_kelurahan": _one(
            "SELECT COUNT(DISTINCT a.village_id) FROM programmes_agreement a JOIN regions_region r ON r.code = "
            "a.village_id WHERE a.status IN ('signed', 'active') AND r.kind = 'kelurahan' AND a.village_id LIKE %s",
            p,
        ),
        "quota": _one(
            "SELECT SUM(COALESCE(a.quota, g.quota_per_village)) FROM programmes_agreement a JOIN programmes_programme g"
            " ON g.id = a.programme_id WHERE a.status IN ('signed', 'active') AND a.village_id LIKE %s",
            p,
        ),
        "members_active": _one(
            f"SELECT COUNT(*) FROM membership_membership m {member_of} "
            "WHERE m.status IN ('active', 'arrears') AND w.village_id LIKE %s",
            p,
        ),
        "members_arrears": _one(
            f"SELECT COUNT(*) FROM membership_membership m {member_of} WHERE m.status = 'arrears' AND w.village_id "
            "LIKE %s",
            p,
        ),
        "members_lapsed": _one(
            f"SELECT COUNT(*) FROM membership_membership m {member_of} WHERE m.status = 'lapsed' AND w.village_id "
            "LIKE %s AND NOT EXISTS (SELECT 1 FROM membership_membership n WHERE n.renews_id = m.id)",
            p,
        ),
        "workers_registered": _one("SELECT COUNT(*) FROM registry_worker w WHERE w.village_id LIKE %s", p),
        "extreme_registered": _one(
            "SELECT COUNT(*) FROM registry_worker w WHERE (w.decile = 1 OR w.extreme_poor = %s) AND w.village_id "
            "LIKE %s",
            True,
            p,
        ),
        "extreme_covered": _one(
            f"SELECT COUNT(*) FROM registry_worker w WHERE (w.decile = 1 OR w.extreme_poor = %s) AND {covered} "
            "AND w.village_id LIKE %s",
            True,
            p,
        ),
        "poor_registered": _one(
            "SELECT COUNT(*) FROM registry_worker w WHERE (w.decile BETWEEN 1 AND 4 OR w.extreme_poor = %s) "
            "AND w.village_id LIKE %s",
            True,
            p,
        ),
        "poor_covered": _one(
            "SELECT COUNT(*) FROM registry_worker w WHERE (w.decile BETWEEN 1 AND 4 OR w.extreme_poor = %s) "
            f"AND {covered} AND w.village_id LIKE %s",
            True,
            p,
        ),
        "contributions_billed": _one(
            "SELECT SUM(total) FROM billing_invoice WHERE status <> 'void' AND village_id LIKE %s", p
        ),
        "contributions_paid": _one("SELECT SUM(amount) FROM billing_payment WHERE village_id LIKE %s", p),
        "benefits_paid": _one(
            f"SELECT SUM(o.amount) FROM claims_payout o {incident.format(alias='o')} WHERE i.village_id LIKE %s", p
        ),
        "scholarships_active": _one(
            f"SELECT COUNT(*) FROM claims_scholarshipplan s {incident.format(alias='s')} "
            "WHERE s.status = 'active' AND i.village_id LIKE %s",
            p,
        ),
        "scholarships_owed": _one(
            "SELECT SUM(y.amount) FROM claims_plannedyear y JOIN claims_scholarshipplan s ON s.id = y.plan_id "
            f"{incident.format(alias='s')} WHERE s.status = 'active' AND i.village_id LIKE %s AND NOT EXISTS "
            "(SELECT 1 FROM claims_scholarshipdisbursement d WHERE d.plan_id = y.plan_id "
            "AND d.school_year = y.school_year)",
            p,
        ),
        "training_enrolled": _one(
            "SELECT COUNT(*) FROM training_enrolment e JOIN registry_worker w ON w.id = e.worker_id "
            "WHERE e.status IN ('enrolled', 'completed') AND w.village_id LIKE %s",
            p,
        ),
        "training_completed": _one(
            "SELECT COUNT(*) FROM training_enrolment e JOIN registry_worker w ON w.id = e.worker_id "
            "WHERE e.status = 'completed' AND w.village_id LIKE %s",
            p,
        ),
    }
    claims = "SELECT COUNT(*) FROM claims_claim c JOIN claims_incident i ON i.id = c.incident_id WHERE "
    for status in CLAIM_STATUSES:
        f[f"claims_{status}"] = _one(claims + "c.status = %s AND i.village_id LIKE %s", status, p)
    for kind in INCIDENT_TYPES:
        f[f"claims_{kind}"] = _one(claims + "i.type = %s AND i.village_id LIKE %s", kind, p)
    assert set(f) == set(CURRENT_FIELDS)
    return f


def _month_sql(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"to_char({column}, 'YYYY-MM')"
    return f"strftime('%%Y-%%m', {column})"


def expected_months(code: str) -> dict[str, dict[str, int]]:
    """Monthly flows by date columns: {figure: {YYYY-MM: value}}."""
    p = _pattern(code)
    queries = {
        "contributions_billed": (
            f"SELECT {_month_sql('period')}, SUM(total) FROM billing_invoice WHERE status <> 'void' "
            "AND village_id LIKE %s GROUP BY 1"
        ),
        "contributions_paid": (
            f"SELECT {_month_sql('value_date')}, SUM(amount) FROM billing_payment WHERE village_id LIKE %s GROUP BY 1"
        ),
        "members_paid": (
            f"SELECT {_month_sql('v.period')}, COUNT(*) FROM billing_invoiceline l JOIN billing_invoice v "
            "ON v.id = l.invoice_id WHERE l.status = 'paid' AND v.village_id LIKE %s GROUP BY 1"
        ),
        "members_started": (
            f"SELECT {_month_sql('m.starts_on')}, COUNT(*) FROM membership_membership m JOIN registry_worker w "
            "ON w.id = m.worker_id WHERE w.village_id LIKE %s GROUP BY 1"
        ),
        "claims_reported": (
            f"SELECT {_month_sql('i.date')}, COUNT(*) FROM claims_claim c JOIN claims_incident i "
            "ON i.id = c.incident_id WHERE i.village_id LIKE %s GROUP BY 1"
        ),
    }
    result = {}
    for name, sql in queries.items():
        with connection.cursor() as cursor:
            cursor.execute(sql, [p])
            result[name] = {month: int(value) for month, value in cursor.fetchall() if value}
    return result


def assert_dashboards_match_sql(viewer) -> None:
    for code in LEVELS:
        data = dashboard_json(dashboard_get(viewer=viewer, code=code))
        assert data["figures"] == expected_figures(code), code
        trend = {
            name: {m: v for m, v in zip(data["months"], data["trend"][name], strict=True) if v}
            for name in expected_months(code)
        }
        assert trend == expected_months(code), code
        assert sum(data["trend"]["workers_registered"]) == data["figures"]["workers_registered"], code
        # The children's rows add up to the parent's (the drill-down shows the same totals).
        if data["children"] and code != "ID":
            for name in CURRENT_FIELDS:
                assert sum(c["figures"][name] for c in data["children"]) == data["figures"][name], (code, name)


@pytest.fixture
def dataset(bali, make_user):
    """Kota Denpasar generated by the synth generator (43 villages, members, invoices, payments, claims)."""
    synth_run(prefix="51.71", per_village=6, months=8, profile="full", with_checksum=False)
    return make_user("admin.pusat", Role.ADMIN, national=True)


def test_refresh_summaries_every_level_equals_independent_sql(dataset):
    result = refresh_summaries(full=True)
    assert result.villages == Region.objects.filter(level=4).count()
    assert Summary.objects.get(region_code="51.71").members_active > 0  # the data set is not empty
    assert_dashboards_match_sql(dataset)


def test_refresh_summaries_after_payment_and_claim_only_changed_villages(dataset, monkeypatch):
    # Everything in this test happens within the few minutes a refresh looks back: look back nothing here.
    monkeypatch.setattr(refresh, "SLACK", dt.timedelta(0))
    refresh_summaries(full=True)
    before = expected_figures(TEGAL_HARUM)
    programme = Programme.objects.get(region_id="51.71")
    village = Region.objects.get(code=TEGAL_HARUM)
    payment_record(
        actor=dataset,
        programme=programme,
        village=village,
        value_date=timezone.localdate(),
        amount=123_456,
        reference="UJI-DASBOR-1",
        budget_source="dana_desa",
    )
    member = (
        Membership.objects.filter(worker__village_id=TEGAL_HARUM, status__in=["active", "arrears"])
        .select_related("worker")
        .order_by("pk")
        .first()
    )
    assert member is not None
    incident_report(
        actor=dataset,
        worker=member.worker,
        date=min(member.paid_through or timezone.localdate(), timezone.localdate()),
        type="death",
        place="Rumah",
        description="Meninggal karena sakit",
        reporter_name="Ketut",
        reporter_role="family",
    )
    # Not yet refreshed: the summary still shows the old figures.
    assert Summary.objects.get(region_code=TEGAL_HARUM).contributions_paid == before["contributions_paid"]

    result = refresh_summaries()
    assert not result.full
    assert TEGAL_HARUM in set(Summary.objects.filter(refreshed_at=result.as_of).values_list("region_code", flat=True))
    assert result.villages == 1  # only Tegal Harum changed
    after = expected_figures(TEGAL_HARUM)
    assert after["contributions_paid"] == before["contributions_paid"] + 123_456
    assert after["claims_reported"] + after["claims_documents_complete"] == (
        before["claims_reported"] + before["claims_documents_complete"] + 1
    )
    assert_dashboards_match_sql(dataset)


def test_refresh_summaries_nothing_changed_recomputes_nothing(dataset):
    refresh_summaries(full=True)
    Worker.objects.filter(village_id=TEGAL_HARUM).update(updated_at=timezone.now() - dt.timedelta(days=1))
    result = refresh_summaries(village_codes=[])
    assert result.villages == 0


def test_api_dashboard_same_figures_as_page_json(dataset):
    refresh_summaries(full=True)
    client = Client()
    client.force_login(dataset)
    page = client.get("/dasbor/51.71/data.json").json()
    api = client.get("/api/v1/dashboard/51.71").json()
    assert api["figures"] == page["figures"] == expected_figures("51.71")
    assert api["trend"] == page["trend"]
    assert [c["code"] for c in api["children"]] == [c["code"] for c in page["children"]]
