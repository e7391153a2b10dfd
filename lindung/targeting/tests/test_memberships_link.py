"""Approval of a list opens the members' memberships; a member's leaving ends it and proposes the next one waiting."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from lindung.audit.models import AuditEvent
from lindung.core.errors import ApplicationError
from lindung.membership.models import Membership
from lindung.regions.models import Region
from lindung.targeting import services
from lindung.targeting.selectors import version_entries
from lindung.targeting.tests.conftest import TEGAL_HARUM, make_worker, minutes_pdf

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 25)


@pytest.fixture
def selection_list(programme, bali, operator):
    village = Region.objects.get(code=TEGAL_HARUM)
    return services.selection_list_open(acting_user=operator, village=village, programme=programme, budget_year=2026)


def _approve(selection_list, operator, head, **kwargs):
    version = services.selection_prepare(acting_user=operator, selection_list=selection_list, on=DAY)
    services.deliberation_record(
        acting_user=operator, version=version, held_on=dt.date(2026, 11, 20), attendees=30, minutes=minutes_pdf()
    )
    services.version_submit(acting_user=operator, version=version)
    return services.version_approve(acting_user=head, version=version, **kwargs)


def _open(programme):
    return {
        m.worker.name: m
        for m in Membership.objects.filter(programme=programme, status__in=("pending", "active", "arrears"))
    }


def test_approval_opens_a_pending_membership_for_every_selected_worker(programme, selection_list, operator, head):
    programme.quota_per_village = 2
    programme.save()
    make_worker(name="Satu", decile=1)
    make_worker(name="Dua", decile=2)
    make_worker(name="Menunggu", decile=4)

    version = _approve(selection_list, operator, head, decree_date=dt.date(2026, 1, 12))

    members = _open(programme)
    assert sorted(members) == ["Dua", "Satu"]  # the waiting worker gets nothing
    for member in members.values():
        assert member.status == "pending"
        assert member.starts_on == dt.date(2026, 2, 1)  # first day of the month after the decree
        assert member.declared_income == 1_000_000
        assert member.package == "jkk_jkm"
        assert member.paid_through == dt.date(2026, 1, 1)
        assert list(member.status_changes.values_list("from_status", "to_status")) == [("", "pending")]
    event = AuditEvent.objects.get(action="membership.create.selection")
    assert event.changes["created"] == 2 and event.actor_id == head.pk
    assert AuditEvent.objects.get(action="targeting.version.approve").changes["memberships_created"] == 2
    assert version.status == "approved"


def test_approval_keeps_open_memberships_and_the_list_may_set_the_start(programme, selection_list, operator, head):
    programme.quota_per_village = 2
    programme.save()
    already = make_worker(name="Sudah Peserta", decile=1)
    make_worker(name="Baru", decile=2)
    existing = Membership.objects.create(
        programme=programme, worker=already, starts_on=dt.date(2025, 3, 1), declared_income=1_000_000,
        kpj_number="23020000001", status="active",
    )  # fmt: skip

    _approve(selection_list, operator, head, members_start_on=dt.date(2026, 12, 15))

    members = _open(programme)
    assert members["Sudah Peserta"].pk == existing.pk
    assert members["Sudah Peserta"].starts_on == dt.date(2025, 3, 1)
    assert members["Baru"].starts_on == dt.date(2026, 12, 15)
    assert Membership.objects.filter(programme=programme).count() == 2


def test_a_worker_no_longer_selected_keeps_the_membership_until_the_leaving_is_recorded(
    programme, selection_list, operator, head
):
    programme.quota_per_village = 1
    programme.save()
    first = make_worker(name="Pertama", decile=2)
    _approve(selection_list, operator, head)
    assert sorted(_open(programme)) == ["Pertama"]

    make_worker(name="Lebih Miskin", decile=1)  # ranks above the member in the next version
    _approve(selection_list, operator, head)

    members = _open(programme)
    assert sorted(members) == ["Lebih Miskin", "Pertama"]
    assert members["Pertama"].worker_id == first.pk and members["Pertama"].status == "pending"


def test_departure_ends_the_membership_and_proposes_the_next_eligible_waiting_worker(
    programme, selection_list, operator, head
):
    programme.quota_per_village = 2
    programme.save()
    leaving = make_worker(name="Anggota", decile=1)
    make_worker(name="Anggota Dua", decile=1)
    stale = make_worker(name="Tunggu Satu", decile=2)
    make_worker(name="Tunggu Dua", decile=3)
    today = timezone.localdate()
    _approve(selection_list, operator, head, members_start_on=today.replace(day=1))
    stale.is_wage_earner_member = True  # no longer eligible since the approval
    stale.save()

    with pytest.raises(ApplicationError, match="tunggakan"):
        services.member_departure(acting_user=operator, selection_list=selection_list, worker=leaving, reason="lapsed")
    proposal, version = services.member_departure(
        acting_user=operator, selection_list=selection_list, worker=leaving, reason="death", on=today
    )

    assert proposal is not None and proposal.name == "Tunggu Dua"
    ended = Membership.objects.get(worker=leaving)
    assert (ended.status, ended.end_reason, ended.ended_on) == ("ended", "death", today)
    assert list(ended.status_changes.values_list("to_status", flat=True)) == ["pending", "ended"]
    assert AuditEvent.objects.filter(action="membership.end", target_id=str(ended.pk)).exists()
    assert (version.number, version.status) == (2, "draft")
    assert list(version_entries(version, "selected").values_list("name", flat=True)) == ["Anggota Dua", "Tunggu Dua"]
    assert version.entries.get(worker=leaving).status == "excluded"
    assert sorted(_open(programme)) == ["Anggota Dua"]  # the replacement's membership opens when v2 is approved


def test_a_member_of_a_fresh_list_may_leave_before_the_first_month(programme, selection_list, operator, head):
    programme.quota_per_village = 1
    programme.save()
    leaving = make_worker(name="Pindah", decile=1)
    make_worker(name="Pengganti", decile=2)
    _approve(selection_list, operator, head)  # membership starts next month
    member = Membership.objects.get(worker=leaving)
    assert member.starts_on > timezone.localdate()

    proposal, _version = services.member_departure(
        acting_user=operator, selection_list=selection_list, worker=leaving, reason="moved"
    )

    member.refresh_from_db()
    assert (member.status, member.end_reason) == ("ended", "moved")
    assert proposal is not None and proposal.name == "Pengganti"
