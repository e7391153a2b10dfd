"""Effective-dated programme rules: the first row comes with the programme, new rows never edit old ones."""

from __future__ import annotations

from datetime import date

import pytest

from lindung.audit.models import AuditEvent
from lindung.core.errors import ApplicationError
from lindung.programmes.models import DEFAULT_PRIORITY_ORDER, ProgrammeRules
from lindung.programmes.selectors import rules_on
from lindung.programmes.services import RulesInput, programme_rules_set


def test_programme_starts_with_the_rules_md_defaults(programme):
    (first,) = programme.rules.all()
    assert first.effective_from == date(2023, 2, 1)
    assert (first.min_age, first.max_age, first.income_threshold) == (18, 65, 1_000_000)
    assert first.priority_order == [
        "extreme_poor", "decile", "dependants", "occupation_risk", "age", "registered_at", "nik",
    ]  # fmt: skip
    assert first.apply_discount_for_apbdes is False
    assert AuditEvent.objects.filter(action="programmes.programme.create").count() == 1


@pytest.fixture
def three_rows(programme, admin_user):
    programme_rules_set(
        acting_user=admin_user,
        programme=programme,
        rules=RulesInput(effective_from=date(2024, 1, 1), max_age=60, note="Batas usia diturunkan"),
    )
    programme_rules_set(
        acting_user=admin_user,
        programme=programme,
        rules=RulesInput(
            effective_from=date(2025, 7, 1),
            income_threshold=1_500_000,
            apply_discount_for_apbdes=True,
            note="PP 50/2025",
        ),
    )
    return programme


@pytest.mark.parametrize(
    ("day", "expected_from"),
    [
        (date(2023, 2, 1), date(2023, 2, 1)),  # the first day of the programme
        (date(2023, 12, 31), date(2023, 2, 1)),  # the day before the second row
        (date(2024, 1, 1), date(2024, 1, 1)),  # its first day
        (date(2025, 6, 30), date(2024, 1, 1)),
        (date(2025, 7, 1), date(2025, 7, 1)),
        (date(2030, 1, 1), date(2025, 7, 1)),  # the latest row stays in force
    ],
)
def test_rules_on_picks_the_row_in_force(three_rows, day, expected_from):
    assert rules_on(three_rows, day).effective_from == expected_from


def test_rules_values_follow_the_rows(three_rows):
    assert rules_on(three_rows, date(2023, 12, 31)).max_age == 65
    assert rules_on(three_rows, date(2024, 1, 1)).max_age == 60
    assert rules_on(three_rows, date(2025, 7, 1)).income_threshold == 1_500_000
    assert rules_on(three_rows, date(2025, 7, 1)).apply_discount_for_apbdes is True


def test_no_rules_before_the_programme(three_rows):
    with pytest.raises(ApplicationError) as excinfo:
        rules_on(three_rows, date(2023, 1, 31))
    assert excinfo.value.code == "no_rules"


def test_new_rules_never_edit_old_rows(three_rows, admin_user):
    before = list(ProgrammeRules.objects.order_by("pk").values())
    with pytest.raises(ApplicationError, match="Sudah ada aturan"):
        programme_rules_set(
            acting_user=admin_user, programme=three_rows, rules=RulesInput(effective_from=date(2024, 1, 1), max_age=50)
        )
    assert list(ProgrammeRules.objects.order_by("pk").values()) == before
    events = AuditEvent.objects.filter(action="programmes.rules.set").order_by("seq")
    assert [e.changes["effective_from"] for e in events] == ["2024-01-01", "2025-07-01"]
    assert events[0].actor == admin_user and events[0].changes["max_age"] == 60


def test_only_an_admin_sets_rules(programme, city_officer, operator_tegal_harum):
    for user in (city_officer, operator_tegal_harum, None):
        with pytest.raises(ApplicationError) as excinfo:
            programme_rules_set(
                acting_user=user, programme=programme, rules=RulesInput(effective_from=date(2024, 1, 1))
            )
        assert excinfo.value.code == "permission"
    assert programme.rules.count() == 1


@pytest.mark.parametrize(
    ("rules", "message"),
    [
        (RulesInput(effective_from=date(2023, 1, 31)), "sebelum program dimulai"),
        (RulesInput(effective_from=date(2024, 1, 1), min_age=66, max_age=65), "Usia minimum"),
        (RulesInput(effective_from=date(2024, 1, 1), priority_order=("decile", "nik")), "tepat satu kali"),
        (
            RulesInput(effective_from=date(2024, 1, 1), priority_order=tuple(reversed(DEFAULT_PRIORITY_ORDER))),
            "terakhir",
        ),
    ],
)
def test_invalid_rules_are_refused(programme, admin_user, rules, message):
    with pytest.raises(ApplicationError, match=message):
        programme_rules_set(acting_user=admin_user, programme=programme, rules=rules)
    assert programme.rules.count() == 1
