"""Writes to the recipient lists. Each checks the actor's scope, runs in one transaction and is audited.

The life of a version: prepared (computed) as a draft by an operator → agreed in the village deliberation →
submitted → approved by the village head, who must not be the person who prepared it (maker-checker).
Approval freezes the version; any later change (recompute, override, a member leaving) opens the next number.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.accounts.access import require_village_change, user_scope
from lindung.accounts.models import Role, User
from lindung.audit.recording import audit_record
from lindung.core.errors import ApplicationError
from lindung.programmes.documents import check_document
from lindung.programmes.models import Programme
from lindung.programmes.selectors import agreement_for, rules_on
from lindung.regions.models import Region
from lindung.registry.identity import mask_nik
from lindung.registry.models import Worker
from lindung.registry.occupations import occupations
from lindung.targeting import ranking
from lindung.targeting.models import (
    Override,
    SelectionEntry,
    SelectionList,
    SelectionVersion,
    VillageDeliberation,
)

VersionStatus = SelectionVersion.Status

#: Why a member may leave the programme and free a place (RULES.md); a lapse is not one of them.
LEAVING_REASONS: dict[str, str] = {
    "death": "meninggal dunia",
    "moved": "pindah domisili",
    "withdrawn": "mengundurkan diri",
    "wage_earner": "menjadi pekerja penerima upah",
}

MIN_REASON_LENGTH = 10


# --- reading the village into the ranking ---------------------------------------------------------


def years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def village_candidates(village_code: str, on: dt.date) -> list[ranking.Candidate]:
    """Every registered worker of the village with their children under 18 on `on`, in one query."""
    return _village_rows(village_code, on)[0]


def _village_rows(village_code: str, on: dt.date) -> tuple[list[ranking.Candidate], dict[int, str]]:
    """The village's candidates and each worker's banjar/dusun, from one query."""
    by_code = occupations()
    child_cutoff = years_before(on, 18)  # a child born after this day is under 18 on `on`
    rows = (
        Worker.objects.filter(village_id=village_code, anonymised_at__isnull=True)  # retention: never selected again
        .annotate(dependants=Count("children", filter=Q(children__birth_date__gt=child_cutoff)))
        .values_list(
            "pk",
            "nik",
            "name",
            "birth_date",
            "monthly_income",
            "decile",
            "extreme_poor",
            "is_wage_earner_member",
            "occupation_code",
            "dependants",
            "registered_at",
            "hamlet",
        )
    )
    candidates = []
    hamlets: dict[int, str] = {}
    for pk, nik, name, born, income, decile, poor, wage, code, dependants, registered, hamlet in rows:
        occupation = by_code.get(code) if code is not None else None
        hamlets[pk] = hamlet
        candidates.append(
            ranking.Candidate(
                worker_id=pk,
                nik=nik,
                name=name,
                birth_date=born,
                monthly_income=income,
                decile=decile,
                extreme_poor=poor,
                is_wage_earner_member=wage,
                occupation_code=code,
                occupation_risk=occupation.risk_class if occupation else "low",
                occupation_name=occupation.name if occupation else "",
                dependants=dependants,
                registered_at=timezone.localtime(registered),
                resident=True,  # registered in this village = KTP address in the village
            )
        )
    return candidates, hamlets


def rules_for(programme: Programme, on: dt.date) -> tuple[ranking.Rules, dict[str, Any]]:
    """The programme's rules in force on `on` as ranking rules, and a snapshot to store with the version."""
    row = rules_on(programme, on)
    excluded = frozenset(o.code for o in occupations().values() if o.excluded)
    rules = ranking.Rules(
        reference_date=on,
        min_age=row.min_age,
        max_age=row.max_age,
        income_threshold=row.income_threshold,
        excluded_occupations=excluded,
        priority_order=tuple(row.priority_order),
    )
    snapshot = {
        "rules_id": row.pk,
        "effective_from": row.effective_from.isoformat(),
        "min_age": row.min_age,
        "max_age": row.max_age,
        "income_threshold": row.income_threshold,
        "priority_order": list(rules.order),
        "apply_discount_for_apbdes": row.apply_discount_for_apbdes,
        "excluded_occupations": sorted(excluded),
    }
    return rules, snapshot


def quota_for(programme: Programme, village: Region) -> tuple[int, str]:
    """The agreement's quota, else the programme's; with where it came from."""
    agreement = agreement_for(programme, village)
    if agreement is not None and agreement.quota is not None:
        return agreement.effective_quota, "agreement"
    return programme.quota_per_village, "programme"


def _active_overrides(selection_list: SelectionList) -> list[ranking.Override]:
    return [
        ranking.Override(worker_id=o.worker_id, kind=ranking.OverrideKind(o.kind), reason=o.reason)
        for o in selection_list.overrides.filter(revoked_at__isnull=True).order_by("created_at", "pk")
    ]


def _audit(actor: User | None, action: str, target: Any, region_code: str, changes: dict[str, Any]) -> None:
    audit_record(
        actor=actor,
        actor_username="" if actor else "system",
        action=action,
        target_type=target._meta.model_name,
        target_id=target.pk,
        region_code=region_code,
        changes=changes,
    )


# --- lists and versions ---------------------------------------------------------------------------


def selection_list_open(*, acting_user: User, village: Region, programme: Programme, budget_year: int) -> SelectionList:
    """The village's list for the programme and budget year, created (audited) when it does not exist yet."""
    require_village_change(acting_user, village.code)
    if not village.is_village:
        raise ApplicationError(_("A recipient list is made for one village or urban village."), code="village")
    if not village.code.startswith(f"{programme.region_id}."):
        raise ApplicationError(
            _("%(village)s is not in the area of programme %(programme)s.")
            % {"village": village, "programme": programme.name},
            code="village",
        )
    if not 2000 <= budget_year <= 2100:
        raise ApplicationError(_("The budget year is not plausible."), code="budget_year")
    with transaction.atomic():
        selection_list, created = SelectionList.objects.get_or_create(
            village=village, programme=programme, budget_year=budget_year, defaults={"created_by": acting_user}
        )
        if created:
            _audit(
                acting_user,
                "targeting.list.create",
                selection_list,
                village.code,
                {"programme_id": programme.pk, "budget_year": budget_year},
            )
    return selection_list


def _open_version(selection_list: SelectionList) -> SelectionVersion | None:
    return selection_list.versions.filter(status__in=[VersionStatus.DRAFT, VersionStatus.AWAITING_APPROVAL]).first()


def selection_prepare(
    *, acting_user: User, selection_list: SelectionList, on: dt.date | None = None
) -> SelectionVersion:
    """Compute the list from today's registry: recompute the open draft, or open the next version number.

    A version awaiting approval is not changed under the village head's eyes: it must be returned first.
    """
    village = selection_list.village
    require_village_change(acting_user, village.code)
    day = on or timezone.localdate()
    with transaction.atomic():
        locked = SelectionList.objects.select_for_update().get(pk=selection_list.pk)
        version = _open_version(locked)
        if version is not None and version.status == VersionStatus.AWAITING_APPROVAL:
            raise ApplicationError(
                _(
                    "Version %(number)s is awaiting the village head's approval. Ask the village head "
                    "to return it before the list is changed."
                )
                % {"number": version.number},
                code="awaiting",
            )
        rules, snapshot = rules_for(locked.programme, day)
        quota, source = quota_for(locked.programme, village)
        candidates, hamlets = _village_rows(village.code, day)
        outcome = ranking.select(candidates, rules, quota, _active_overrides(locked))
        created = version is None
        if version is None:
            last = locked.versions.aggregate(n=Max("number"))["n"] or 0
            version = SelectionVersion(selection_list=locked, number=last + 1)
        else:
            version.entries.all().delete()
        counts = {s: len(outcome.with_status(s)) for s in ranking.Status}
        version.status = VersionStatus.DRAFT
        version.reference_date = day
        version.rules = snapshot
        version.quota = quota
        version.quota_source = source
        version.selected_count = counts[ranking.Status.SELECTED]
        version.waiting_count = counts[ranking.Status.WAITING]
        version.excluded_count = counts[ranking.Status.EXCLUDED]
        version.ineligible_count = counts[ranking.Status.INELIGIBLE]
        version.prepared_by = acting_user
        version.prepared_at = timezone.now()
        version.return_note = ""
        version.save()
        SelectionEntry.objects.bulk_create(
            [
                SelectionEntry(
                    version=version,
                    worker_id=p.candidate.worker_id,
                    status=p.status.value,
                    rank=p.rank,
                    position=p.position,
                    name=p.candidate.name,
                    nik=p.candidate.nik,
                    occupation_code=p.candidate.occupation_code,
                    occupation_name=p.candidate.occupation_name,
                    hamlet=hamlets.get(p.candidate.worker_id, ""),
                    factors=p.factors,
                    failures=[{"code": f.code, "reason": f.reason} for f in p.failures],
                    decided_by=p.decided_by,
                    override_reason=p.override_reason,
                    notes=list(p.notes),
                )
                for p in outcome.placements
            ],
            batch_size=500,
        )
        _audit(
            acting_user,
            "targeting.version.prepare",
            version,
            village.code,
            {
                "list_id": locked.pk,
                "number": version.number,
                "new_version": created,
                "reference_date": day.isoformat(),
                "quota": quota,
                "quota_source": source,
                "selected": version.selected_count,
                "waiting": version.waiting_count,
                "excluded": version.excluded_count,
                "ineligible": version.ineligible_count,
                "rules_id": snapshot["rules_id"],
            },
        )
    return version


def _require_reason(reason: str, what: str) -> str:
    text = reason.strip()
    if len(text) < MIN_REASON_LENGTH:
        raise ApplicationError(
            _("%(what)s requires a written reason (at least %(count)s characters).")
            % {"what": what, "count": MIN_REASON_LENGTH},
            code="reason",
        )
    return text


def override_add(
    *, acting_user: User, selection_list: SelectionList, worker: Worker, kind: str, reason: str
) -> SelectionVersion:
    """Put a worker in or out regardless of rank, with a written reason; the draft is recomputed at once.

    Eligibility rules themselves cannot be overridden: forcing in a worker who fails them is refused.
    """
    village = selection_list.village
    require_village_change(acting_user, village.code)
    if kind not in Override.Kind.values:
        raise ApplicationError(_("Unknown override kind."), code="kind")
    text = _require_reason(reason, _("An override"))
    if worker.village_id != village.code:
        raise ApplicationError(_("This worker is not registered in this village."), code="village")
    day = timezone.localdate()
    if kind == Override.Kind.FORCE_IN:
        rules, _snapshot = rules_for(selection_list.programme, day)
        candidate = next(c for c in village_candidates(village.code, day) if c.worker_id == worker.pk)
        failures = ranking.evaluate(candidate, rules)
        if failures:
            raise ApplicationError(
                _("This worker is not eligible and so cannot be put in: %(reasons)s")
                % {"reasons": " ".join(f.reason for f in failures)},
                code="ineligible",
            )
    with transaction.atomic():
        now = timezone.now()
        replaced = list(
            Override.objects.select_for_update()
            .filter(selection_list=selection_list, worker=worker, revoked_at__isnull=True)
            .values_list("pk", flat=True)
        )
        Override.objects.filter(pk__in=replaced).update(
            revoked_at=now, revoked_by=acting_user, revoke_reason="Diganti pengecualian baru."
        )
        override = Override.objects.create(
            selection_list=selection_list, worker=worker, kind=kind, reason=text, created_by=acting_user
        )
        _audit(
            acting_user,
            "targeting.override.add",
            override,
            village.code,
            {
                "list_id": selection_list.pk,
                "worker_id": worker.pk,
                "nik": mask_nik(worker.nik),
                "kind": kind,
                "reason": text,
                "replaced": replaced,
            },
        )
        return selection_prepare(acting_user=acting_user, selection_list=selection_list, on=day)


def override_revoke(*, acting_user: User, override: Override, reason: str) -> SelectionVersion:
    """Withdraw an override (the record stays, marked revoked with its reason); the draft is recomputed."""
    selection_list = override.selection_list
    require_village_change(acting_user, selection_list.village_id)
    text = _require_reason(reason, _("Revoking an override"))
    with transaction.atomic():
        locked = Override.objects.select_for_update().get(pk=override.pk)
        if locked.revoked_at is not None:
            raise ApplicationError(_("This override has already been revoked."), code="revoked")
        locked.revoked_at = timezone.now()
        locked.revoked_by = acting_user
        locked.revoke_reason = text
        locked.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
        _audit(
            acting_user,
            "targeting.override.revoke",
            locked,
            selection_list.village_id,
            {"list_id": selection_list.pk, "worker_id": locked.worker_id, "kind": locked.kind, "reason": text},
        )
        return selection_prepare(acting_user=acting_user, selection_list=selection_list)


def member_leave(
    *, acting_user: User, selection_list: SelectionList, worker: Worker, reason: str, on: dt.date | None = None
) -> SelectionVersion:
    """A member leaves (death, moving away, withdrawal, wage earner): their open membership ends on `on` (today by
    default; billing stops after that month) and they are excluded in a new draft version, where the next worker on
    the waiting list moves up. A lapse is not leaving (RULES.md)."""
    if reason not in LEAVING_REASONS:
        raise ApplicationError(
            _("A membership lapsed for arrears is not leaving the programme: the worker keeps their place."),
            code="reason",
        )
    from lindung.membership.services import membership_end, open_membership

    with transaction.atomic():
        membership = open_membership(selection_list.programme_id, worker.pk)
        if membership is not None:
            membership_end(actor=acting_user, membership=membership, reason=reason, on=on or timezone.localdate())
        return override_add(
            acting_user=acting_user,
            selection_list=selection_list,
            worker=worker,
            kind=Override.Kind.FORCE_OUT,
            reason=f"Keluar dari program: {LEAVING_REASONS[reason]}.",
        )


def member_departure(
    *, acting_user: User, selection_list: SelectionList, worker: Worker, reason: str, on: dt.date | None = None
) -> tuple[SelectionEntry | None, SelectionVersion]:
    """One step for a member who leaves: the proposed replacement (the next eligible worker waiting, or None), then
    `member_leave` (membership ended, new draft version), in one transaction."""
    from lindung.targeting.selectors import propose_replacement

    with transaction.atomic():
        proposal = propose_replacement(selection_list=selection_list, leaving_worker_id=worker.pk, reason=reason, on=on)
        version = member_leave(
            acting_user=acting_user, selection_list=selection_list, worker=worker, reason=reason, on=on
        )
    return proposal, version


def deliberation_record(
    *,
    acting_user: User,
    version: SelectionVersion,
    held_on: dt.date,
    attendees: int,
    minutes: UploadedFile,
    note: str = "",
) -> VillageDeliberation:
    """Record the musyawarah desa that agreed on this draft, with its minutes (PDF or image, size-checked)."""
    village_code = version.selection_list.village_id
    require_village_change(acting_user, village_code)
    if held_on > timezone.localdate():
        raise ApplicationError(_("The date of the deliberation cannot be in the future."), code="held_on")
    if attendees < 1:
        raise ApplicationError(_("The deliberation must have at least 1 attendee."), code="attendees")
    extension = check_document(minutes, size=minutes.size)
    with transaction.atomic():
        locked = SelectionVersion.objects.select_for_update().get(pk=version.pk)
        if locked.status != VersionStatus.DRAFT:
            raise ApplicationError(
                _("The outcome of a deliberation is recorded for a version that is still a draft."), code="state"
            )
        deliberation = VillageDeliberation(
            version=locked, held_on=held_on, attendees=attendees, note=note.strip(), recorded_by=acting_user
        )
        deliberation.minutes.save(
            f"berita-acara-{village_code}-{locked.selection_list_id}-v{locked.number}.{extension}", minutes, save=False
        )
        deliberation.save()
        _audit(
            acting_user,
            "targeting.deliberation.record",
            deliberation,
            village_code,
            {
                "version_id": locked.pk,
                "held_on": held_on.isoformat(),
                "attendees": attendees,
                "minutes": deliberation.minutes.name,
            },
        )
    return deliberation


def version_submit(*, acting_user: User, version: SelectionVersion) -> SelectionVersion:
    """Send a draft agreed in the deliberation to the village head for approval."""
    village_code = version.selection_list.village_id
    require_village_change(acting_user, village_code)
    with transaction.atomic():
        locked = SelectionVersion.objects.select_for_update().get(pk=version.pk)
        if locked.status != VersionStatus.DRAFT:
            raise ApplicationError(_("Only a draft version can be submitted."), code="state")
        if not locked.deliberations.exists():
            raise ApplicationError(
                _("First record the village deliberation (date, attendees, minutes) for this version."),
                code="deliberation",
            )
        locked.status = VersionStatus.AWAITING_APPROVAL
        locked.submitted_by = acting_user
        locked.submitted_at = timezone.now()
        locked.save(update_fields=["status", "submitted_by", "submitted_at"])
        _audit(acting_user, "targeting.version.submit", locked, village_code, {"number": locked.number})
    return locked


def can_approve(user: User, version: SelectionVersion) -> bool:
    scope = user_scope(user)
    return scope.has_role(Role.VILLAGE_HEAD) and scope.covers(version.selection_list.village_id)


def _require_head(acting_user: User, version: SelectionVersion) -> None:
    require_village_change(acting_user, version.selection_list.village_id)
    if not can_approve(acting_user, version):
        raise ApplicationError(
            _("Only the village head (perbekel/lurah) of this village can approve the list."), code="role"
        )


def version_approve(
    *,
    acting_user: User,
    version: SelectionVersion,
    decree_number: str = "",
    decree_date: dt.date | None = None,
    members_start_on: dt.date | None = None,
) -> SelectionVersion:
    """The village head approves (maker-checker: not the person who prepared or submitted it); the version is
    frozen and replaces the previously approved one.

    In the same transaction every selected worker without an open membership in the programme gets a pending one,
    starting on `members_start_on` (default: the first day of the month after the decree). A worker selected before
    and not any more keeps their membership until their leaving is recorded (`member_leave`)."""
    _require_head(acting_user, version)
    with transaction.atomic():
        locked = SelectionVersion.objects.select_for_update().select_related("selection_list").get(pk=version.pk)
        if locked.status != VersionStatus.AWAITING_APPROVAL:
            raise ApplicationError(_("This version is not awaiting approval."), code="state")
        if acting_user.pk in (locked.prepared_by_id, locked.submitted_by_id):
            raise ApplicationError(
                _(
                    "You prepared or submitted this version, so you cannot approve it yourself. "
                    "Approval must be given by someone else (four-eyes principle)."
                ),
                code="maker_checker",
            )
        day = decree_date or timezone.localdate()
        superseded = list(
            SelectionVersion.objects.filter(
                selection_list=locked.selection_list, status=VersionStatus.APPROVED
            ).values_list("number", flat=True)
        )
        SelectionVersion.objects.filter(selection_list=locked.selection_list, status=VersionStatus.APPROVED).update(
            status=VersionStatus.SUPERSEDED
        )
        locked.status = VersionStatus.APPROVED
        locked.approved_by = acting_user
        locked.approved_at = timezone.now()
        locked.decree_number = decree_number.strip()[:100]
        locked.decree_date = day
        locked.save(update_fields=["status", "approved_by", "approved_at", "decree_number", "decree_date"])
        from lindung.membership.services import memberships_open_for_selection, month_after

        members = memberships_open_for_selection(
            actor=acting_user,
            programme=locked.selection_list.programme,
            worker_ids=list(
                locked.entries.filter(status=SelectionEntry.Status.SELECTED, worker__isnull=False).values_list(
                    "worker_id", flat=True
                )
            ),
            starts_on=members_start_on or month_after(day),
            region_code=locked.selection_list.village_id,
            source=f"approval:{locked.pk}",
        )
        _audit(
            acting_user,
            "targeting.version.approve",
            locked,
            locked.selection_list.village_id,
            {
                "number": locked.number,
                "selected": locked.selected_count,
                "decree_number": locked.decree_number,
                "decree_date": day.isoformat(),
                "superseded": superseded,
                "memberships_created": len(members),
            },
        )
    return locked


def version_return(*, acting_user: User, version: SelectionVersion, note: str) -> SelectionVersion:
    """The village head sends a version back to draft with a written note."""
    _require_head(acting_user, version)
    text = _require_reason(note, _("Returning a version"))
    with transaction.atomic():
        locked = SelectionVersion.objects.select_for_update().select_related("selection_list").get(pk=version.pk)
        if locked.status != VersionStatus.AWAITING_APPROVAL:
            raise ApplicationError(_("This version is not awaiting approval."), code="state")
        locked.status = VersionStatus.DRAFT
        locked.return_note = text
        locked.submitted_by = None
        locked.submitted_at = None
        locked.save(update_fields=["status", "return_note", "submitted_by", "submitted_at"])
        _audit(
            acting_user,
            "targeting.version.return",
            locked,
            locked.selection_list.village_id,
            {"number": locked.number, "note": text},
        )
    return locked
