"""The agreement pipeline: allowed and forbidden moves, dated rows, audit events, scope."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command

from lindung.accounts.models import Role
from lindung.audit.models import AuditEvent
from lindung.core.errors import ApplicationError
from lindung.programmes.models import Agreement, AgreementTransition
from lindung.programmes.services import agreement_create, agreement_transition, agreement_update, agreements_expire_due
from lindung.regions.models import Region

from .conftest import TEGAL_HARUM

S = Agreement.Status


@pytest.fixture
def agreement(programme, city_officer):
    return agreement_create(acting_user=city_officer, programme=programme, village=Region.objects.get(code=TEGAL_HARUM))


def test_create_defaults_and_audit(agreement, city_officer):
    assert agreement.status == S.PROSPECT
    assert agreement.funder == "apbdes"  # a desa pays from its own budget
    assert agreement.effective_quota == 100
    event = AuditEvent.objects.get(action="programmes.agreement.create")
    assert event.actor == city_officer and event.region_code == TEGAL_HARUM


def test_kelurahan_defaults_to_the_programme_funder(programme, city_officer):
    kelurahan = Region.objects.get(code="51.71.01.1001")
    assert agreement_create(acting_user=city_officer, programme=programme, village=kelurahan).funder == "apbd"


def test_full_pipeline_writes_dated_rows_and_audit(agreement, city_officer):
    steps = [
        (S.IN_DISCUSSION, date(2023, 1, 2)),
        (S.SIGNED, date(2023, 2, 7)),
        (S.ACTIVE, date(2023, 2, 8)),
        (S.EXPIRED, date(2024, 1, 1)),
    ]
    for status, on in steps:
        agreement_transition(agreement, status, on, city_officer, "")
    agreement.refresh_from_db()
    assert agreement.status == S.EXPIRED
    assert agreement.signed_on == date(2023, 2, 7)  # filled by signing
    assert agreement.valid_from == date(2023, 2, 7)  # activation starts validity at the signing date
    assert agreement.valid_until == date(2024, 1, 1)  # expiry ends it
    rows = list(AgreementTransition.objects.filter(agreement=agreement).order_by("pk"))
    assert [(r.from_status, r.to_status, r.on) for r in rows] == [
        ("prospect", "in_discussion", date(2023, 1, 2)),
        ("in_discussion", "signed", date(2023, 2, 7)),
        ("signed", "active", date(2023, 2, 8)),
        ("active", "expired", date(2024, 1, 1)),
    ]
    assert all(r.by == city_officer for r in rows)
    events = AuditEvent.objects.filter(action="programmes.agreement.transition").order_by("seq")
    assert [(e.changes["from"], e.changes["to"]) for e in events] == [
        ("prospect", "in_discussion"),
        ("in_discussion", "signed"),
        ("signed", "active"),
        ("active", "expired"),
    ]
    assert not agreement.is_in_force(date(2023, 6, 1))  # expired: never in force again


@pytest.mark.parametrize(
    ("path", "forbidden"),
    [
        ([], S.SIGNED),  # prospect cannot skip the discussion
        ([], S.ACTIVE),
        ([], S.EXPIRED),
        ([S.IN_DISCUSSION], S.ACTIVE),  # not signed yet
        ([S.IN_DISCUSSION], S.PROSPECT),  # no way back
        ([S.IN_DISCUSSION, S.SIGNED, S.ACTIVE], S.SIGNED),
        ([S.IN_DISCUSSION, S.SIGNED, S.ACTIVE, S.EXPIRED], S.ACTIVE),  # final
        ([S.IN_DISCUSSION, S.SIGNED, S.ACTIVE, S.EXPIRED], S.TERMINATED),  # final
    ],
)
def test_forbidden_moves_change_nothing(agreement, city_officer, path, forbidden):
    for status in path:
        agreement_transition(agreement, status, date(2023, 3, 1), city_officer, "")
    rows_before = AgreementTransition.objects.count()
    events_before = AuditEvent.objects.count()
    with pytest.raises(ApplicationError) as excinfo:
        agreement_transition(agreement, forbidden, date(2023, 3, 1), city_officer, "alasan")
    assert excinfo.value.code == "transition"
    agreement.refresh_from_db()
    assert agreement.status == (path[-1] if path else S.PROSPECT)
    assert AgreementTransition.objects.count() == rows_before
    assert AuditEvent.objects.count() == events_before


@pytest.mark.parametrize(
    "path", [[], [S.IN_DISCUSSION], [S.IN_DISCUSSION, S.SIGNED], [S.IN_DISCUSSION, S.SIGNED, S.ACTIVE]]
)
def test_terminate_from_any_non_final_state_needs_a_reason(agreement, city_officer, path):
    for status in path:
        agreement_transition(agreement, status, date(2023, 3, 1), city_officer, "")
    with pytest.raises(ApplicationError, match="Alasan"):
        agreement_transition(agreement, S.TERMINATED, date(2023, 4, 1), city_officer, "  ")
    agreement_transition(agreement, S.TERMINATED, date(2023, 4, 1), city_officer, "Desa menarik diri.")
    agreement.refresh_from_db()
    assert agreement.status == S.TERMINATED
    assert AgreementTransition.objects.filter(agreement=agreement).last().note == "Desa menarik diri."
    if S.SIGNED in path:
        assert agreement.valid_until == date(2023, 4, 1)  # billing stops from the termination date


def test_dates_cannot_go_back_or_into_the_future(agreement, city_officer):
    agreement_transition(agreement, S.IN_DISCUSSION, date(2023, 3, 1), city_officer, "")
    with pytest.raises(ApplicationError, match="sebelum perubahan terakhir"):
        agreement_transition(agreement, S.SIGNED, date(2023, 2, 28), city_officer, "")
    with pytest.raises(ApplicationError, match="masa depan"):
        agreement_transition(agreement, S.SIGNED, date(2999, 1, 1), city_officer, "")
    agreement_transition(agreement, S.SIGNED, date(2023, 3, 1), city_officer, "")  # same day is fine


def test_only_managers_in_scope_move_or_edit(agreement, operator_tegal_harum, badung_officer, make_user):
    head = make_user("perbekel", Role.VILLAGE_HEAD, TEGAL_HARUM)
    viewer = make_user("prov", Role.PROVINCE_VIEWER, "51")
    bpjs = make_user("bpjs", Role.BPJS_OFFICER, "51.71")
    for user in (operator_tegal_harum, head, viewer, bpjs, badung_officer):
        with pytest.raises(ApplicationError) as excinfo:
            agreement_transition(agreement, S.IN_DISCUSSION, date(2023, 3, 1), user, "")
        assert excinfo.value.code == "scope"
        with pytest.raises(ApplicationError):
            agreement_update(acting_user=user, agreement=agreement, village_number="X")
    assert not AgreementTransition.objects.exists()


def test_update_audits_old_and_new(agreement, city_officer):
    agreement_update(acting_user=city_officer, agreement=agreement, village_number="001/PKS/2023", quota=80)
    agreement.refresh_from_db()
    assert agreement.village_number == "001/PKS/2023" and agreement.effective_quota == 80
    event = AuditEvent.objects.get(action="programmes.agreement.update")
    assert event.changes["village_number"] == {"old": "", "new": "001/PKS/2023"}
    assert event.changes["quota"] == {"old": None, "new": 80}
    with pytest.raises(ApplicationError, match="sebelum"):
        agreement_update(
            acting_user=city_officer, agreement=agreement, valid_from=date(2023, 5, 1), valid_until=date(2023, 4, 1)
        )


def test_one_agreement_per_village_and_only_inside_the_programme(agreement, programme, city_officer, admin_user):
    with pytest.raises(ApplicationError, match="sudah memiliki"):
        agreement_create(acting_user=city_officer, programme=programme, village=agreement.village)
    with pytest.raises(ApplicationError, match="tidak termasuk"):
        agreement_create(acting_user=admin_user, programme=programme, village=Region.objects.get(code="51.03.05.2001"))
    with pytest.raises(ApplicationError) as excinfo:  # Badung is outside the Denpasar officer's scope
        agreement_create(
            acting_user=city_officer, programme=programme, village=Region.objects.get(code="51.03.05.2001")
        )
    assert excinfo.value.code == "scope"


def test_expire_due_stops_agreements_past_their_validity(agreement, programme, city_officer):
    for status in (S.IN_DISCUSSION, S.SIGNED, S.ACTIVE):
        agreement_transition(agreement, status, date(2023, 2, 1), city_officer, "")
    agreement_update(acting_user=city_officer, agreement=agreement, valid_until=date(2023, 12, 31))
    assert agreements_expire_due(on=date(2023, 12, 31)) == 0  # still valid on its last day
    assert agreements_expire_due(on=date(2024, 1, 1)) == 1
    agreement.refresh_from_db()
    assert agreement.status == S.EXPIRED and agreement.valid_until == date(2023, 12, 31)
    last = AgreementTransition.objects.filter(agreement=agreement).last()
    assert (last.to_status, last.on, last.by) == (S.EXPIRED, date(2023, 12, 31), None)
    assert agreements_expire_due(on=date(2024, 1, 1)) == 0


def test_expire_command(agreement, city_officer):
    for status in (S.IN_DISCUSSION, S.SIGNED):
        agreement_transition(agreement, status, date(2023, 2, 1), city_officer, "")
    agreement_update(acting_user=city_officer, agreement=agreement, valid_until=date(2023, 12, 31))
    out = StringIO()
    call_command("agreements-expire", "--tanggal", "2024-01-01", stdout=out)
    assert "1 PKS ditandai kedaluwarsa" in out.getvalue()
    agreement.refresh_from_db()
    assert agreement.status == S.EXPIRED
