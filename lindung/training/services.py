"""Writes of the training app: each checks who may act, runs in one transaction and is audited in it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import IO

from django.core.files.base import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from lindung.accounts.access import user_scope
from lindung.accounts.models import User
from lindung.audit.recording import audit_record
from lindung.core.errors import ApplicationError
from lindung.programmes.documents import check_document
from lindung.regions.models import Region
from lindung.registry.identity import mask_nik
from lindung.registry.occupations import normalise, occupation_by_code
from lindung.training.models import Attendance, Enrolment, Outcome, TrainingProgramme, TrainingSession
from lindung.training.selectors import (
    can_create_programmes,
    can_manage_programme,
    enrolment_list,
    programme_candidates,
    programme_fill,
    trainer_covers,
)

Status = Enrolment.Status

#: The enrolment life-cycle: which status may follow which.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.INVITED: frozenset({Status.ENROLLED, Status.DROPPED}),
    Status.ENROLLED: frozenset({Status.COMPLETED, Status.DROPPED}),
    Status.COMPLETED: frozenset(),
    Status.DROPPED: frozenset(),
}
_DATE_FIELD: dict[str, str] = {
    Status.ENROLLED: "enrolled_on",
    Status.COMPLETED: "completed_on",
    Status.DROPPED: "dropped_on",
}
#: The status as a word inside a sentence (lower case); translated where the message is built.
_STATUS_WORDS: dict[str, str] = {
    Status.INVITED: gettext_noop("invited"),
    Status.ENROLLED: gettext_noop("enrolled"),
    Status.COMPLETED: gettext_noop("completed"),
    Status.DROPPED: gettext_noop("dropped out"),
}


def _require_manage(user: User, programme: TrainingProgramme) -> None:
    if not can_manage_programme(user, programme):
        raise ApplicationError(_("You do not manage this training programme."), code="scope")


def _enrolment_audit(
    user: User, enrolment: Enrolment, action: str, changes: dict[str, object], village_code: str
) -> None:
    audit_record(
        actor=user,
        action=action,
        target_type="training_enrolment",
        target_id=enrolment.pk,
        region_code=village_code,
        changes={"programme": enrolment.programme_id, "worker": enrolment.worker_id, **changes},
    )


# --- programmes -----------------------------------------------------------------------------------


def clean_keywords(text: str | Iterable[str]) -> list[str]:
    """Keywords from "cukur, pangkas rambut; barber": lower case, trimmed, no duplicates, input order."""
    parts = text.replace(";", ",").split(",") if isinstance(text, str) else list(text)
    seen: list[str] = []
    for part in parts:
        keyword = " ".join(part.split()).lower()
        if keyword and keyword not in seen:
            seen.append(keyword)
    return seen


def programme_create(
    *,
    acting_user: User,
    organiser: str,
    title: str,
    region: Region,
    skill: str,
    starts_on: dt.date,
    ends_on: dt.date,
    capacity: int,
    target_occupations: Sequence[int] = (),
    target_keywords: str | Iterable[str] = "",
    place: str = "",
    cost: int = 0,
    trainers: Iterable[User] = (),
) -> TrainingProgramme:
    """Create a programme in a region of the creator's scope; a trainer who creates it owns it."""
    scope = user_scope(acting_user)
    if not can_create_programmes(acting_user) or not scope.covers(region.code):
        raise ApplicationError(_("This region is outside your area."), code="scope")
    if region.level >= Region.Level.VILLAGE:
        raise ApplicationError(_("A programme serves a city/regency, district or province, not a single village."))
    codes = sorted({int(c) for c in target_occupations})
    unknown = [c for c in codes if occupation_by_code(c) is None]
    if unknown:
        raise ApplicationError(_("Unknown occupation codes: %(codes)s.") % {"codes": ", ".join(map(str, unknown))})
    keywords = clean_keywords(target_keywords)
    if not codes and not keywords:
        raise ApplicationError(_("Choose at least one target occupation or give specialisation keywords."))
    if not normalise(skill):
        raise ApplicationError(_("The skill being trained is required."))
    if ends_on < starts_on:
        raise ApplicationError(_("The end date cannot be earlier than the start date."))
    if capacity < 1:
        raise ApplicationError(_("The capacity is at least 1 participant."))
    owners = {u.pk: u for u in trainers}
    for owner in owners.values():
        if not trainer_covers(owner, region.code):
            raise ApplicationError(
                _("%(user)s is not a trainer in %(region)s.") % {"user": owner, "region": region.name}
            )
    if scope.has_role("trainer"):
        owners.setdefault(acting_user.pk, acting_user)
    with transaction.atomic():
        programme = TrainingProgramme.objects.create(
            organiser=organiser.strip(),
            title=title.strip(),
            region=region,
            target_occupations=codes,
            target_keywords=keywords,
            skill=skill.strip(),
            skill_key=normalise(skill),
            place=place.strip(),
            starts_on=starts_on,
            ends_on=ends_on,
            capacity=capacity,
            cost=cost,
            created_by=acting_user,
        )
        programme.trainers.set(list(owners.values()))
        audit_record(
            actor=acting_user,
            action="training.programme.create",
            target_type="training_programme",
            target_id=programme.pk,
            region_code=region.code,
            changes={
                "title": programme.title, "organiser": programme.organiser, "skill": programme.skill,
                "occupations": codes, "keywords": keywords, "capacity": capacity, "cost": cost,
                "starts_on": starts_on, "ends_on": ends_on, "trainers": sorted(owners),
            },
        )  # fmt: skip
    return programme


# --- inviting -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InviteResult:
    invited: int
    already: int  # already had an enrolment in this programme (any status): left as they were
    not_eligible: int  # not a match, out of scope, already trained in the skill, or unknown


def enrolments_invite(*, acting_user: User, programme: TrainingProgramme, worker_ids: Iterable[int]) -> InviteResult:
    """Invite the chosen matched workers in one transaction; inviting again creates nothing new."""
    _require_manage(acting_user, programme)
    wanted = sorted({int(i) for i in worker_ids})
    if not wanted:
        raise ApplicationError(_("Choose at least one worker to invite."))
    today = timezone.localdate()
    with transaction.atomic():
        # Serialise invitations into one programme, so the capacity check and the duplicates check hold.
        programme = TrainingProgramme.objects.select_for_update().get(pk=programme.pk)
        found = programme_candidates(programme, viewer=acting_user, worker_ids=wanted)
        already = {w for w in wanted if w in found.status_here}
        new = [m.candidate for m in found.ranking.matches if m.candidate.worker_id not in already]
        fill = programme_fill(programme)
        if new and fill["taken"] + len(new) > programme.capacity:
            raise ApplicationError(
                _(
                    "The programme has room for %(capacity)s participants; %(free)s places are left, "
                    "but %(chosen)s workers were chosen. Choose fewer or change the capacity."
                )
                % {"capacity": programme.capacity, "free": fill["free"], "chosen": len(new)}
            )
        created = Enrolment.objects.bulk_create(
            [
                Enrolment(
                    programme=programme,
                    worker_id=c.worker_id,
                    status=Status.INVITED,
                    invited_on=today,
                    income_at_invite=c.monthly_income,
                    decile_at_invite=c.decile,
                    invited_by=acting_user,
                )
                for c in new
            ]
        )
        by_worker = {c.worker_id: c for c in new}
        for enrolment in created:
            candidate = by_worker[enrolment.worker_id]
            _enrolment_audit(
                acting_user, enrolment, "training.enrolment.invite",
                {"nik": mask_nik(candidate.nik), "status": [None, Status.INVITED], "on": today},
                candidate.village_code,
            )  # fmt: skip
    return InviteResult(invited=len(created), already=len(already), not_eligible=len(wanted) - len(new) - len(already))


# --- sessions and attendance ----------------------------------------------------------------------


def session_create(*, acting_user: User, programme: TrainingProgramme, date: dt.date, topic: str) -> TrainingSession:
    _require_manage(acting_user, programme)
    if not topic.strip():
        raise ApplicationError(_("The session topic is required."))
    with transaction.atomic():
        session = TrainingSession.objects.create(programme=programme, date=date, topic=topic.strip())
        audit_record(
            actor=acting_user,
            action="training.session.create",
            target_type="training_session",
            target_id=session.pk,
            region_code=programme.region_id,
            changes={"programme": programme.pk, "date": date, "topic": session.topic},
        )
    return session


def attendance_sheet(session: TrainingSession, *, viewer: User) -> list[tuple[Enrolment, bool]]:
    """The session's enrolments (not dropped) with their recorded presence, by worker name."""
    enrolments = list(enrolment_list(session.programme, viewer=viewer).exclude(status=Status.DROPPED))
    present = set(Attendance.objects.filter(session=session, present=True).values_list("enrolment_id", flat=True))
    return [(e, e.pk in present) for e in enrolments]


def attendance_record(*, acting_user: User, session: TrainingSession, present_ids: Iterable[int]) -> int:
    """Save the whole sheet: ticked means present, unticked absent. An invited worker who attends is enrolled
    (dated the session day). Returns the number present."""
    programme = session.programme
    _require_manage(acting_user, programme)
    present = {int(i) for i in present_ids}
    with transaction.atomic():
        sheet = attendance_sheet(session, viewer=acting_user)
        known = {e.pk for e, _present in sheet}
        if present - known:
            raise ApplicationError(_("Some participants are not enrolled in this programme."))
        existing = {a.enrolment_id: a for a in Attendance.objects.filter(session=session)}
        to_create, to_update = [], []
        for enrolment, _present in sheet:
            is_present = enrolment.pk in present
            row = existing.get(enrolment.pk)
            if row is None:
                to_create.append(Attendance(session=session, enrolment=enrolment, present=is_present))
            elif row.present != is_present:
                row.present = is_present
                to_update.append(row)
        Attendance.objects.bulk_create(to_create)
        Attendance.objects.bulk_update(to_update, ["present"])
        for enrolment, _present in sheet:
            if enrolment.pk in present and enrolment.status == Status.INVITED:
                _transition(acting_user, enrolment, Status.ENROLLED, session.date, "")
        audit_record(
            actor=acting_user,
            action="training.attendance.record",
            target_type="training_session",
            target_id=session.pk,
            region_code=programme.region_id,
            changes={"present": sorted(present), "absent": sorted(known - present)},
        )
    return len(present)


# --- status changes -------------------------------------------------------------------------------


def _transition(user: User, enrolment: Enrolment, to_status: str, on: dt.date, reason: str) -> None:
    old = enrolment.status
    enrolment.status = to_status
    setattr(enrolment, _DATE_FIELD[to_status], on)
    fields = ["status", _DATE_FIELD[to_status]]
    if to_status == Status.DROPPED:
        enrolment.drop_reason = reason[:255]
        fields.append("drop_reason")
    enrolment.save(update_fields=fields)
    changes: dict[str, object] = {"status": [old, to_status], "on": on}
    if reason:
        changes["reason"] = reason
    _enrolment_audit(user, enrolment, "training.enrolment.status", changes, enrolment.worker.village_id)


def enrolments_set_status(
    *,
    acting_user: User,
    programme: TrainingProgramme,
    enrolment_ids: Iterable[int],
    to_status: str,
    on: dt.date,
    reason: str = "",
) -> int:
    """Move the chosen enrolments to `to_status` on date `on`, all or none."""
    _require_manage(acting_user, programme)
    if to_status not in _DATE_FIELD:
        raise ApplicationError(_("Unknown target status."))
    if on > timezone.localdate():
        raise ApplicationError(_("The date cannot be in the future."))
    ids = {int(i) for i in enrolment_ids}
    if not ids:
        raise ApplicationError(_("Choose at least one participant."))
    with transaction.atomic():
        enrolments = list(enrolment_list(programme, viewer=acting_user).select_for_update().filter(pk__in=ids))
        if len(enrolments) != len(ids):
            raise ApplicationError(_("Some participants were not found in this programme."))
        blocked = [e for e in enrolments if to_status not in TRANSITIONS[e.status]]
        if blocked:
            names = ", ".join(f"{e.worker.name} ({_(_STATUS_WORDS[e.status])})" for e in blocked[:5])
            if len(blocked) > 5:
                names = _("%(names)s and %(count)s more") % {"names": names, "count": len(blocked) - 5}
            raise ApplicationError(
                _(
                    "Cannot be changed to %(status)s: %(names)s. Participants must be enrolled (attended a session "
                    "or were enrolled) before they are marked completed; completed and dropped-out statuses are "
                    "not changed again."
                )
                % {"status": _(_STATUS_WORDS[to_status]), "names": names}
            )
        early = [e for e in enrolments if on < e.invited_on]
        if early:
            raise ApplicationError(
                _("The date is before the invitation date of %(name)s.") % {"name": early[0].worker.name}
            )
        for enrolment in enrolments:
            _transition(acting_user, enrolment, to_status, on, reason)
    return len(enrolments)


def certificate_set(
    *,
    acting_user: User,
    enrolment: Enrolment,
    number: str,
    upload: IO[bytes] | None = None,
    size: int | None = None,
) -> Enrolment:
    """Record the certificate number and, optionally, its scan (PDF/PNG/JPEG) of a completed enrolment."""
    _require_manage(acting_user, enrolment.programme)
    if enrolment.status != Status.COMPLETED:
        raise ApplicationError(_("A certificate is only for participants who have completed the programme."))
    kind = check_document(upload, size=size) if upload is not None else None
    with transaction.atomic():
        enrolment.certificate_number = number.strip()[:100]
        fields = ["certificate_number"]
        if upload is not None and kind is not None:
            enrolment.certificate.save(f"sertifikat-{enrolment.pk}.{kind}", File(upload), save=False)
            fields.append("certificate")
        enrolment.save(update_fields=fields)
        _enrolment_audit(
            acting_user, enrolment, "training.enrolment.certificate",
            {"certificate_number": enrolment.certificate_number, "file": bool(upload)},
            enrolment.worker.village_id,
        )  # fmt: skip
    return enrolment


# --- outcomes -------------------------------------------------------------------------------------


def outcome_record(
    *,
    acting_user: User,
    enrolment: Enrolment,
    month: int,
    recorded_on: dt.date,
    monthly_income: int | None = None,
    new_job_or_business: bool = False,
    decile: int | None = None,
    note: str = "",
) -> Outcome:
    """Record (or correct) the follow-up of `month` 0, 6 or 12; 6 and 12 only after completion."""
    _require_manage(acting_user, enrolment.programme)
    if month not in Outcome.Month.values:
        raise ApplicationError(_("The follow-up month must be 0, 6 or 12."))
    if month > 0 and enrolment.status != Status.COMPLETED:
        raise ApplicationError(
            _("The month-6 and month-12 follow-ups are only for participants who have completed the programme.")
        )
    if decile is not None and not 1 <= decile <= 10:
        raise ApplicationError(_("The decile must be a number from 1 to 10."))
    if recorded_on > timezone.localdate():
        raise ApplicationError(_("The date cannot be in the future."))
    with transaction.atomic():
        outcome, created = Outcome.objects.update_or_create(
            enrolment=enrolment,
            month=month,
            defaults={
                "monthly_income": monthly_income, "new_job_or_business": new_job_or_business, "decile": decile,
                "recorded_on": recorded_on, "note": note.strip()[:255], "recorded_by": acting_user,
            },
        )  # fmt: skip
        _enrolment_audit(
            acting_user, enrolment, "training.outcome.record",
            {"month": month, "monthly_income": monthly_income, "new_job_or_business": new_job_or_business,
             "decile": decile, "created": created},
            enrolment.worker.village_id,
        )  # fmt: skip
    return outcome
