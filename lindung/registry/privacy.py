"""UU PDP 27/2022 for the registry: the data-subject report (everything Lindung holds about a NIK) and the withdrawal
of consent to data processing.

The report is for an administrator or a city/regency officer answering a person's request; it covers the NIK inside
the officer's area only (outside it the NIK is "not found", like any other out-of-scope record) and is itself audited.
It is assembled from the model graph, not from a hand-kept list: every table that refers to the worker (and every
table that refers to those rows, one level further: invoice lines, status changes, claims…) is read with one query
per table, so a new table that stores something about a worker appears in the report without a change here. Rows that
merely mention the NIK (the person as someone's child or heir) are listed too.

Withdrawing consent keeps the record: RULES.md's retention rule keeps a member's data as long as claims and audits
need it; the worker is no longer processed for new purposes (the consent flag is off, the date cleared) and the
withdrawal, its date and reason are in the audit chain.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.accounts.access import require_village_change, user_scope, villages_visible
from lindung.accounts.models import Role, User
from lindung.audit.models import AuditEvent
from lindung.audit.recording import audit_record
from lindung.core.errors import ApplicationError
from lindung.registry.identity import mask_nik
from lindung.registry.models import Child, Heir, Worker

REPORT_ROLES = (Role.ADMIN, Role.CITY_OFFICER)


@dataclass(frozen=True)
class Section:
    title: str  # the table's verbose name
    table: str  # app_label.model
    rows: list[dict[str, Any]]


@dataclass(frozen=True)
class SubjectReport:
    nik: str
    worker: dict[str, Any]
    sections: list[Section] = field(default_factory=list)
    history: list[dict[str, Any]] = field(default_factory=list)  # audit events about the worker
    generated_at: dt.datetime = field(default_factory=timezone.now)

    def as_dict(self) -> dict[str, Any]:
        def plain(value: Any) -> Any:
            return value.isoformat() if isinstance(value, dt.date | dt.datetime) else value

        def rows(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
            return [{k: plain(v) for k, v in item.items()} for item in items]

        return {
            "nik": self.nik,
            "generated_at": self.generated_at.isoformat(),
            "worker": rows([self.worker])[0],
            "sections": [{"title": s.title, "table": s.table, "rows": rows(s.rows)} for s in self.sections],
            "history": rows(self.history),
        }


def _values(model: type[models.Model], **lookup: Any) -> list[dict[str, Any]]:
    names = [f.attname for f in model._meta.concrete_fields]
    return list(model._default_manager.filter(**lookup).order_by("pk").values(*names))


def _referring(model: type[models.Model]) -> list[tuple[type[models.Model], str]]:
    """(model, field name) of every foreign key or one-to-one field pointing at `model`."""
    found: list[tuple[type[models.Model], str]] = []
    for relation in model._meta.related_objects:
        related = relation.related_model
        if (relation.one_to_many or relation.one_to_one) and isinstance(related, type):
            found.append((related, relation.field.name))
    return found


def subject_report(*, viewer: User, nik: str) -> SubjectReport:
    """Everything held about the worker with `nik` in the viewer's area (admin, city/regency officer); audited."""
    scope = user_scope(viewer)
    if not scope.has_role(*REPORT_ROLES):
        raise ApplicationError(
            _("The data subject report is only for administrators and city/regency officers."), code="forbidden"
        )
    nik = (nik or "").strip()
    worker = Worker.objects.filter(nik=nik, village__in=villages_visible(viewer)).first()
    if worker is None:
        raise ApplicationError(_("There is no record with this NIK in your area."), code="not_found")
    sections: list[Section] = []
    direct = {model for model, _name in _referring(Worker)}
    for model, name in _referring(Worker):
        rows = _values(model, **{name: worker})
        sections.append(Section(str(model._meta.verbose_name_plural), model._meta.label_lower, rows))
        ids = [row["id"] for row in rows]
        if not ids or model._meta.label_lower != "membership.membership":
            continue
        for child_model, child_name in _referring(model):  # invoice lines, status changes, claims' incidents…
            if child_model is model or child_model in direct:  # a renewal; a table already read by its worker
                continue
            child_rows = _values(child_model, **{f"{child_name}__in": ids})
            title = str(child_model._meta.verbose_name_plural)
            sections.append(Section(title, child_model._meta.label_lower, child_rows))
    for model in (Child, Heir):  # the person named as someone else's child or heir
        mentioned = _values(model, nik=nik)
        title = f"{model._meta.verbose_name_plural} (NIK ini tercatat sebagai)"
        sections.append(Section(title, model._meta.label_lower + "#nik", mentioned))
    events = AuditEvent.objects.filter(target_type="worker", target_id=str(worker.pk)).order_by("seq")
    history = [dict(row) for row in events.values("seq", "occurred_at", "actor_username", "action", "changes")]
    report = SubjectReport(nik=nik, worker=_values(Worker, pk=worker.pk)[0], sections=sections, history=history)
    audit_record(
        actor=viewer,
        action="registry.subject_report",
        target_type="worker",
        target_id=worker.pk,
        region_code=worker.village_id,
        changes={"nik": mask_nik(nik), "rows": {s.table: len(s.rows) for s in sections if s.rows}},
    )
    return report


def consent_withdraw(*, acting_user: User | None, worker: Worker, reason: str, on: dt.date | None = None) -> Worker:
    """The worker withdraws consent to data processing: the flag goes off, the record stays (claims, audits)."""
    if acting_user is not None:
        require_village_change(acting_user, worker.village_id)
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("The reason for withdrawing consent is required."), code="reason")
    on = on or timezone.localdate()
    with transaction.atomic():
        locked = Worker.objects.select_for_update().get(pk=worker.pk)
        if not locked.consent_given:
            raise ApplicationError(_("This worker has not given (or no longer gives) consent."), code="no_consent")
        given_on = locked.consent_on
        locked.consent_given = False
        locked.consent_on = None
        locked.save(update_fields=["consent_given", "consent_on", "updated_at"])
        audit_record(
            actor=acting_user,
            actor_username="" if acting_user else "cli",
            action="registry.consent.withdraw",
            target_type="worker",
            target_id=locked.pk,
            region_code=locked.village_id,
            changes={
                "consent_given": [True, False],
                "consent_on": [given_on.isoformat() if given_on else None, None],
                "withdrawn_on": on.isoformat(),
                "reason": reason[:255],
            },
        )
    return locked
