"""Writes to memberships. Each checks the actor's scope (when there is an actor) and is audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.accounts.access import require_village_change
from lindung.audit.recording import audit_record
from lindung.core.errors import ApplicationError
from lindung.membership.models import Membership, MembershipStatusChange
from lindung.programmes.models import Programme
from lindung.registry.models import Worker


def status_change(
    membership: Membership, to_status: str, *, on: dt.date, reason: str = "", by: Any = None
) -> MembershipStatusChange | None:
    """Set the status and append the dated history row (nothing when the status does not change)."""
    if membership.status == to_status:
        return None
    change = MembershipStatusChange.objects.create(
        membership=membership, from_status=membership.status, to_status=to_status, on=on, reason=reason, by=by
    )
    membership.status = to_status
    return change


def _actor_fields(actor: Any) -> dict[str, Any]:
    return {"actor": actor, "actor_username": "" if actor is not None else "system"}


def membership_create(
    *,
    actor: Any,
    programme: Programme,
    worker: Worker,
    starts_on: dt.date,
    declared_income: int | None = None,
    package: str | None = None,
) -> Membership:
    """A pending membership for an approved worker (programme defaults for income and package)."""
    if actor is not None:
        require_village_change(actor, worker.village_id)
    with transaction.atomic():
        if Membership.objects.filter(
            programme=programme, worker=worker, status__in=("pending", "active", "arrears")
        ).exists():
            raise ApplicationError(
                _("%(name)s is already a member of this programme.") % {"name": worker.name}, code="duplicate"
            )
        membership = Membership(
            programme=programme,
            worker=worker,
            starts_on=starts_on,
            declared_income=declared_income or programme.declared_income,
            package=package or programme.package,
            status=Membership.Status.PENDING,
            paid_through=_month_before(starts_on),
        )
        membership.save()
        MembershipStatusChange.objects.create(
            membership=membership, from_status="", to_status=membership.status, on=starts_on, by=actor
        )
        audit_record(
            **_actor_fields(actor),
            action="membership.create",
            target_type="membership",
            target_id=membership.pk,
            region_code=worker.village_id,
            changes={"worker": worker.pk, "programme": programme.pk, "starts_on": starts_on.isoformat()},
        )
    return membership


def _month_before(day: dt.date) -> dt.date:
    first = day.replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1)


def membership_end(*, actor: Any, membership: Membership, reason: str, on: dt.date) -> Membership:
    """The member left (death, moving, withdrawal, wage earner): billing stops after the month of `on`.

    The village's cover is recomputed at once so that prepaid months after it become refundable credit.
    """
    if reason not in {c for c in Membership.EndReason.values if c}:
        raise ApplicationError(_("Unknown reason for ending."), code="reason")
    if actor is not None:
        require_village_change(actor, membership.worker.village_id)
    if membership.status == Membership.Status.ENDED:
        raise ApplicationError(_("This membership has already ended."), code="ended")
    # A member of a just-approved list may leave before their first month: the membership ends unbilled.
    not_started = membership.status == Membership.Status.PENDING and not membership.invoice_lines.exists()
    if (on < membership.starts_on.replace(day=1) and not not_started) or on > timezone.localdate():
        raise ApplicationError(_("The end date must lie between the start of the membership and today."), code="date")
    from lindung.billing.services import cover_recompute  # billing builds on membership, not the other way

    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        membership.end_reason = reason
        membership.ended_on = on
        status_change(membership, Membership.Status.ENDED, on=on, reason=reason, by=actor)
        membership.save(update_fields=["end_reason", "ended_on", "status", "updated_at"])
        audit_record(
            **_actor_fields(actor),
            action="membership.end",
            target_type="membership",
            target_id=membership.pk,
            region_code=membership.worker.village_id,
            changes={"reason": reason, "ended_on": on.isoformat()},
        )
        cover_recompute(programme=membership.programme, village=membership.worker.village, actor=actor)
    return membership


def month_after(day: dt.date) -> dt.date:
    """The first day of the month after `day` (members of an approved list start then)."""
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def memberships_open_for_selection(
    *, actor: Any, programme: Programme, worker_ids: list[int], starts_on: dt.date, region_code: str, source: str
) -> list[Membership]:
    """A pending membership for every selected worker without an open one in the programme (approval of a list).

    Set-based (three statements whatever the list's size); runs inside the caller's transaction. A worker who already
    has an open membership keeps it unchanged.
    """
    with transaction.atomic():
        holding = set(
            Membership.objects.filter(
                programme=programme, worker_id__in=worker_ids, status__in=("pending", "active", "arrears")
            ).values_list("worker_id", flat=True)
        )
        new = [
            Membership(
                programme=programme,
                worker_id=worker_id,
                starts_on=starts_on,
                declared_income=programme.declared_income,
                package=programme.package,
                status=Membership.Status.PENDING,
                paid_through=_month_before(starts_on),
            )
            for worker_id in sorted(set(worker_ids) - holding)
        ]
        created = Membership.objects.bulk_create(new, batch_size=1000)
        MembershipStatusChange.objects.bulk_create(
            [
                MembershipStatusChange(
                    membership=m, from_status="", to_status=m.status, on=starts_on, by=actor, reason=source
                )
                for m in created
            ],
            batch_size=1000,
        )
        if created:
            audit_record(
                **_actor_fields(actor),
                action="membership.create.selection",
                target_type="programme",
                target_id=programme.pk,
                region_code=region_code,
                changes={
                    "source": source,
                    "starts_on": starts_on.isoformat(),
                    "created": len(created),
                    "kept": len(holding),
                    "memberships": [m.pk for m in created],
                },
            )
    return created


def open_membership(programme: Programme | int, worker: Worker | int) -> Membership | None:
    """The worker's open (pending, active or in arrears) membership in the programme, if any."""
    return Membership.objects.filter(
        programme=programme, worker=worker, status__in=("pending", "active", "arrears")
    ).first()
