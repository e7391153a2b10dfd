"""Scholarship plans from the paid claim's quote; yearly disbursements on proof of enrolment; stopping a plan."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lindung.benefits.engine import Child, Event, EventType, Level, Member, Month, quote
from lindung.claims import services
from lindung.claims.models import ScholarshipPlan
from lindung.claims.selectors import scholarship_due
from lindung.claims.tests.conftest import DEATH_DAY, PDF, report_death, upload_all
from lindung.core.errors import ApplicationError
from lindung.core.parameters import parameters_on

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 4, 20)

# Worked by hand from RULES.md: an SD grade 5 child (born 15-09-2014) on a death in March 2026 (school year
# 2025/2026 is year 0): SD 5-6 at Rp1,500,000, SMP 1-3 at Rp2,000,000, SMA 1-3 at Rp3,000,000, PT 1-5 at
# Rp12,000,000; aged 22 on 1 July 2037, so PT 5 is still paid. Total 3,000,000 + 6,000,000 + 9,000,000 +
# 60,000,000 = 78,000,000 (under the Rp87,000,000 cap).
PUTU_AYU = [
    (2025, "SD", 5, 1_500_000), (2026, "SD", 6, 1_500_000),
    (2027, "SMP", 1, 2_000_000), (2028, "SMP", 2, 2_000_000), (2029, "SMP", 3, 2_000_000),
    (2030, "SMA", 1, 3_000_000), (2031, "SMA", 2, 3_000_000), (2032, "SMA", 3, 3_000_000),
    (2033, "PT", 1, 12_000_000), (2034, "PT", 2, 12_000_000), (2035, "PT", 3, 12_000_000),
    (2036, "PT", 4, 12_000_000), (2037, "PT", 5, 12_000_000),
]  # fmt: skip
# SMP grade 2, born 01-06-2011: turns 23 before 1 July 2034, so PT 5 (2034/2035) is not paid.
KADEK_BAGUS = [
    (2025, "SMP", 2, 2_000_000), (2026, "SMP", 3, 2_000_000),
    (2027, "SMA", 1, 3_000_000), (2028, "SMA", 2, 3_000_000), (2029, "SMA", 3, 3_000_000),
    (2030, "PT", 1, 12_000_000), (2031, "PT", 2, 12_000_000), (2032, "PT", 3, 12_000_000),
    (2033, "PT", 4, 12_000_000),
]  # fmt: skip


@pytest.fixture
def plans(operator, city_officer, bpjs_officer, member):
    claim = upload_all(operator, report_death(operator, member))
    claim = services.claim_submit(actor=city_officer, claim=claim, on=DAY)
    claim = services.claim_record_payment(actor=bpjs_officer, claim=claim, on=DAY, reference="R", amount=42_000_000)
    return {plan.child_name: plan for plan in claim.plans.all()}


def rows(plan):
    return list(plan.planned_years.values_list("school_year", "level", "grade", "amount"))


def proof(name="surat-aktif-sekolah.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def test_plans_carry_the_hand_checked_schedules(plans):
    assert set(plans) == {"Putu Ayu", "Kadek Bagus"}  # the two eldest eligible; Komang (born 2022) is third
    assert rows(plans["Putu Ayu"]) == PUTU_AYU
    assert plans["Putu Ayu"].projected_total == 78_000_000
    assert rows(plans["Kadek Bagus"]) == KADEK_BAGUS
    assert plans["Kadek Bagus"].projected_total == 61_000_000


def test_plans_equal_the_engines_quote(plans):
    result = quote(
        Event(EventType.DEATH, DEATH_DAY),
        Member(1_000_000, dt.date(2023, 2, 1), Month(2026, 10)),
        [
            Child("Putu Ayu", dt.date(2014, 9, 15), Level.SD, 5),
            Child("Kadek Bagus", dt.date(2011, 6, 1), Level.SMP, 2),
            Child("Komang Sari", dt.date(2022, 4, 20)),
        ],
        parameters_on(DEATH_DAY),
    )
    for schedule in result.scholarship.children:
        expected = [(y.school_year, y.level.value, y.grade, y.amount) for y in schedule.years]
        assert rows(plans[schedule.name]) == expected
        stored = plans[schedule.name].schedule
        assert [(y["school_year"], y["level"], y["grade"], y["amount"]) for y in stored] == expected


def test_yearly_disbursement_on_proof(plans, operator):
    plan = plans["Putu Ayu"]
    with pytest.raises(ApplicationError, match="tidak ada dalam jadwal"):
        services.disbursement_record(
            actor=operator, plan=plan, school_year=2038, amount=12_000_000, proof=proof(), paid_on=DAY
        )
    with pytest.raises(ApplicationError, match="tuliskan alasannya"):
        services.disbursement_record(
            actor=operator, plan=plan, school_year=2025, amount=1_000_000, proof=proof(), paid_on=DAY
        )
    bad = SimpleUploadedFile("bukti.pdf", b"hello", content_type="application/pdf")
    with pytest.raises(ApplicationError, match="PDF, PNG atau JPEG"):
        services.disbursement_record(
            actor=operator, plan=plan, school_year=2025, amount=1_500_000, proof=bad, paid_on=DAY
        )
    paid = services.disbursement_record(
        actor=operator, plan=plan, school_year=2025, amount=1_500_000, proof=proof(), paid_on=DAY
    )
    assert paid.proof.name.endswith(".pdf")
    with pytest.raises(ApplicationError, match="sudah dicatat"):
        services.disbursement_record(
            actor=operator, plan=plan, school_year=2025, amount=1_500_000, proof=proof(), paid_on=DAY
        )


def test_stopping_a_plan(plans, operator):
    plan = plans["Kadek Bagus"]
    services.disbursement_record(
        actor=operator, plan=plan, school_year=2025, amount=2_000_000, proof=proof(), paid_on=DAY
    )
    with pytest.raises(ApplicationError, match="Sudah ada pembayaran"):
        services.plan_stop(actor=operator, plan=plan, reason="married", from_year=2025)
    with pytest.raises(ApplicationError, match="tidak dikenal"):
        services.plan_stop(actor=operator, plan=plan, reason="bored", from_year=2026)
    plan = services.plan_stop(actor=operator, plan=plan, reason="working", from_year=2026, note="Bekerja di hotel")
    assert (plan.status, plan.stop_reason, plan.stopped_from) == (ScholarshipPlan.Status.STOPPED, "working", 2026)
    with pytest.raises(ApplicationError, match="sudah dihentikan"):
        services.disbursement_record(
            actor=operator, plan=plan, school_year=2026, amount=2_000_000, proof=proof(), paid_on=DAY
        )


def test_july_list_shows_the_years_still_to_file(plans, operator, make_user):
    from lindung.accounts.models import Role
    from lindung.claims.tests.conftest import DAUH_PURI_KAUH

    due = scholarship_due(viewer=operator, school_year=2026)
    assert sorted((r.plan.child_name, r.level, r.grade, r.amount) for r in due) == [
        ("Kadek Bagus", "SMP", 3, 2_000_000),
        ("Putu Ayu", "SD", 6, 1_500_000),
    ]
    services.disbursement_record(
        actor=operator, plan=plans["Putu Ayu"], school_year=2026, amount=1_500_000, proof=proof(), paid_on=DAY
    )
    assert [r.plan.child_name for r in scholarship_due(viewer=operator, school_year=2026)] == ["Kadek Bagus"]
    other = make_user("op.lain", Role.VILLAGE_OPERATOR, DAUH_PURI_KAUH)
    assert not scholarship_due(viewer=other, school_year=2026).exists()
