"""Writes of the claims app. Each is atomic, checks the actor's rights in the worker's village and is audited.

Benefit amounts come only from the engine (`quoting.claim_quote`); the heirs' shares only from
`lindung.benefits.engine.receiving_heirs(...).split(...)`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from lindung.accounts.models import User
from lindung.audit.recording import audit_record
from lindung.benefits.engine import Heir as EngineHeir
from lindung.benefits.engine import HeirRelation, QuoteError, receiving_heirs
from lindung.claims import checklist
from lindung.claims.models import (
    DEATH_TYPES,
    Claim,
    ClaimDocument,
    ClaimTransition,
    Incident,
    IncidentType,
    Payout,
    PlannedYear,
    ScholarshipDisbursement,
    ScholarshipPlan,
)
from lindung.claims.permissions import require_approve, require_disburse, require_prepare, require_record_bpjs
from lindung.claims.quoting import claim_quote, other_death_cause, quoted_reason
from lindung.core.errors import ApplicationError
from lindung.membership.models import Membership
from lindung.programmes.documents import check_document
from lindung.registry.models import Heir, Worker

S = Claim.Status

#: The workflow: reported → documents complete → submitted → paid | rejected. "documents complete" goes back to
#: "reported" by itself when the checklist grows (a recomputed quote now carries a scholarship, say).
ALLOWED: dict[str, frozenset[str]] = {
    S.REPORTED: frozenset({S.DOCUMENTS_COMPLETE}),
    S.DOCUMENTS_COMPLETE: frozenset({S.REPORTED, S.SUBMITTED}),
    S.SUBMITTED: frozenset({S.PAID, S.REJECTED}),
    S.PAID: frozenset(),
    S.REJECTED: frozenset(),
}


def _label(status: str) -> str:
    return str(S(status).label)


def _rupiah(amount: int) -> str:
    """`Rp16.800`: the amount as the messages show it (dots between thousands, whatever the language)."""
    return f"Rp{amount:,}".replace(",", ".")


def _school_year(year: int) -> str:
    return f"{year}/{year + 1}"


def _check_move(claim: Claim, to_status: str) -> None:
    if to_status not in ALLOWED[claim.status]:
        raise ApplicationError(
            _("A claim with status “%(current)s” cannot be changed to “%(target)s”.")
            % {"current": _label(claim.status), "target": _label(to_status)},
            code="transition",
        )


def _move(claim: Claim, to_status: str, *, on: dt.date, by: User | None, note: str = "") -> ClaimTransition:
    _check_move(claim, to_status)
    transition = ClaimTransition.objects.create(
        claim=claim, from_status=claim.status, to_status=to_status, on=on, by=by, note=note
    )
    claim.status = to_status
    claim.save(update_fields=["status"])
    return transition


def _audit(actor: User | None, action: str, claim: Claim, changes: dict[str, Any], request: Any = None) -> None:
    audit_record(
        actor=actor,
        action=action,
        target_type="claim",
        target_id=claim.pk,
        region_code=claim.incident.village_id,
        changes=changes,
        request=request,
    )


def _check_day(day: dt.date, what: str) -> None:
    """`what`: the date's label, already translated."""
    if day > timezone.localdate():
        raise ApplicationError(_("%(what)s cannot be after today.") % {"what": what}, code="date")


# --- Reporting and quoting ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IncidentDetails:
    """What the engine needs beyond the type and date (zeros and None when not relevant)."""

    months_unable: int | None = None
    disability_percent: Decimal | None = None
    function_loss_percent: Decimal | None = None
    medical_cost: int = 0
    transport_land: int = 0
    transport_sea: int = 0
    transport_air: int = 0


def membership_on(worker: Worker, day: dt.date) -> Membership:
    """The membership an event on `day` falls under: the latest that started by then (else the first one)."""
    memberships = list(worker.memberships.order_by("starts_on", "pk"))
    if not memberships:
        raise ApplicationError(
            _(
                "%(name)s is not yet registered as a BPJS Ketenagakerjaan member through this programme; no claim can "
                "be made."
            )
            % {"name": worker.name},
            code="no_membership",
        )
    started = [m for m in memberships if m.starts_on <= day]
    return started[-1] if started else memberships[0]


def _apply_quote(claim: Claim) -> None:
    """Compute the quote (and the other cause's, while it is being assessed) into the claim's fields."""
    incident = claim.incident
    result = claim_quote(incident, incident.membership, claim.chosen_children)
    claim.quote = result.data
    claim.quote_children = result.children
    claim.member_inputs = result.member_inputs
    claim.parameters_on = incident.date
    claim.quoted_at = timezone.now()
    claim.alternative_quote = None
    if claim.cause_under_assessment:
        other = claim_quote(incident, incident.membership, claim.chosen_children, other_death_cause(incident.type))
        claim.alternative_quote = other.data
        claim.quote_children = {**other.children, **result.children}


def _costs_claimed(incident: Incident) -> bool:
    return incident.type != IncidentType.DEATH and bool(
        incident.medical_cost or incident.transport_land or incident.transport_sea or incident.transport_air
    )


def claim_checklist(claim: Claim) -> list[checklist.Item]:
    types = {claim.incident.type}
    if claim.cause_under_assessment:
        types.add(other_death_cause(claim.incident.type))
    return checklist.required_items(types, costs_claimed=_costs_claimed(claim.incident), quote=claim.quote)


def claim_missing_documents(claim: Claim) -> list[checklist.Item]:
    kinds = claim.documents.values_list("kind", flat=True)
    return checklist.missing_items(claim_checklist(claim), kinds)


def _sync_documents_status(claim: Claim, actor: User | None) -> None:
    missing = claim_missing_documents(claim)
    today = timezone.localdate()
    if claim.status == S.REPORTED and not missing:
        _move(claim, S.DOCUMENTS_COMPLETE, on=today, by=actor, note="Semua dokumen daftar periksa sudah diunggah.")
    elif claim.status == S.DOCUMENTS_COMPLETE and missing:
        names = ", ".join(str(item.label) for item in missing)
        _move(claim, S.REPORTED, on=today, by=actor, note=f"Dokumen yang masih kurang: {names}.")


def incident_report(
    *,
    actor: User,
    worker: Worker,
    date: dt.date,
    type: str,
    place: str,
    description: str,
    reporter_name: str,
    reporter_role: str,
    cause_under_assessment: bool = False,
    details: IncidentDetails | None = None,
    chosen_children: Sequence[int] = (),
    request: Any = None,
) -> Claim:
    """Record an incident and open its claim with the quote as of the incident date. A death ends the worker's
    membership (the membership service recomputes the village's cover)."""
    require_prepare(actor, worker.village_id)
    details = details or IncidentDetails()
    if type not in IncidentType.values:
        raise ApplicationError(_("Unknown incident type."), code="type")
    _check_day(date, _("Incident date"))
    if cause_under_assessment and type not in DEATH_TYPES:
        raise ApplicationError(
            _("A cause still under assessment (work accident or not) applies only to deaths."), code="cause"
        )
    required = ((place, _("Place of the incident")), (description, _("Description of the incident")))
    for value, what in (*required, (reporter_name, _("Name of the reporter"))):
        if not value.strip():
            raise ApplicationError(_("%(what)s is required.") % {"what": what}, code="required")
    if reporter_role not in Incident.ReporterRole.values:
        raise ApplicationError(_("Unknown relationship of the reporter."), code="required")
    with transaction.atomic():
        worker = Worker.objects.select_for_update().get(pk=worker.pk)
        if type in DEATH_TYPES and Incident.objects.filter(worker=worker, type__in=DEATH_TYPES).exists():
            raise ApplicationError(
                _("The death of %(name)s has already been reported.") % {"name": worker.name}, code="duplicate"
            )
        membership = membership_on(worker, date)
        incident = Incident.objects.create(
            worker=worker,
            membership=membership,
            village_id=worker.village_id,
            date=date,
            type=type,
            place=place.strip(),
            description=description.strip(),
            reporter_name=reporter_name.strip(),
            reporter_role=reporter_role,
            months_unable=details.months_unable,
            disability_percent=details.disability_percent,
            function_loss_percent=details.function_loss_percent,
            medical_cost=details.medical_cost,
            transport_land=details.transport_land,
            transport_sea=details.transport_sea,
            transport_air=details.transport_air,
            reported_by=actor,
        )
        claim = Claim(
            incident=incident,
            cause_under_assessment=cause_under_assessment,
            chosen_children=list(chosen_children),
            parameters_on=date,
        )
        _apply_quote(claim)
        claim.save()
        ClaimTransition.objects.create(
            claim=claim, from_status="", to_status=S.REPORTED, on=timezone.localdate(), by=actor
        )
        audit_record(
            actor=actor,
            action="claims.incident.report",
            target_type="claim",
            target_id=claim.pk,
            region_code=worker.village_id,
            changes={
                "worker": worker.pk,
                "incident": incident.pk,
                "type": type,
                "date": date.isoformat(),
                "cause_under_assessment": cause_under_assessment,
                "quote_status": claim.quote["status"],
                "cash_total": claim.quote["cash_total"],
                "scholarship_total": claim.quote["scholarship"]["total"],
            },
            request=request,
        )
        if type in DEATH_TYPES:
            _end_memberships_on_death(actor, worker, date)
    return claim


def _end_memberships_on_death(actor: User, worker: Worker, date: dt.date) -> None:
    """In each programme, the membership the death falls in ends on the day of death — also a lapsed one, so that no
    later payment renews it and the worker's place is freed."""
    from lindung.membership.services import membership_end  # the membership app owns ending a membership

    latest: dict[int, Membership] = {}
    for membership in worker.memberships.filter(starts_on__lte=date).order_by("starts_on", "pk"):
        latest[membership.programme_id] = membership
    for membership in latest.values():
        if membership.status != Membership.Status.ENDED:
            membership_end(actor=actor, membership=membership, reason=Membership.EndReason.DEATH, on=date)


def claim_recompute(
    *, actor: User, claim: Claim, chosen_children: Sequence[int] | None = None, request: Any = None
) -> Claim:
    """Quote again as of the event date with today's registry and billing data (children, cover after arrears were
    paid) and, optionally, other chosen children. Only before the claim is submitted."""
    require_prepare(actor, claim.incident.village_id)
    with transaction.atomic():
        claim = Claim.objects.select_for_update().select_related("incident__membership").get(pk=claim.pk)
        if claim.status not in (S.REPORTED, S.DOCUMENTS_COMPLETE):
            raise ApplicationError(_("A claim already submitted to BPJS is not recomputed."), code="transition")
        before = {"cash_total": claim.quote.get("cash_total"), "grand_total": claim.quote.get("grand_total")}
        if chosen_children is not None:
            claim.chosen_children = list(chosen_children)
        _apply_quote(claim)
        claim.save()
        _sync_documents_status(claim, actor)
        _audit(
            actor,
            "claims.claim.recompute",
            claim,
            {
                "before": before,
                "after": {"cash_total": claim.quote["cash_total"], "grand_total": claim.quote["grand_total"]},
                "chosen_children": claim.chosen_children,
            },
            request,
        )
    return claim


def claim_decide_cause(*, actor: User, claim: Claim, work_accident: bool, request: Any = None) -> Claim:
    """The assessment decided whether the death was a work accident: the claim keeps the quote of that cause (both
    were computed with the same data when the claim was quoted) and only that one from now on — JKK or JKM, never
    both."""
    require_record_bpjs(actor, claim.incident.village_id)
    with transaction.atomic():
        claim = Claim.objects.select_for_update().select_related("incident").get(pk=claim.pk)
        _decide_cause(actor, claim, work_accident, request)
    return claim


def _decide_cause(actor: User, claim: Claim, work_accident: bool, request: Any) -> None:
    if not claim.cause_under_assessment:
        raise ApplicationError(_("The cause of death on this claim has already been decided."), code="cause")
    if claim.status in (S.PAID, S.REJECTED):
        raise ApplicationError(_("This claim is already closed."), code="transition")
    incident = claim.incident
    old_type = incident.type
    new_type = IncidentType.WORK_ACCIDENT_DEATH if work_accident else IncidentType.DEATH
    if new_type != old_type:
        incident.type = new_type
        incident.save(update_fields=["type"])
        claim.quote = claim.alternative_quote or {}
    claim.alternative_quote = None
    claim.cause_under_assessment = False
    claim.save(update_fields=["quote", "alternative_quote", "cause_under_assessment"])
    if claim.status in (S.REPORTED, S.DOCUMENTS_COMPLETE):
        _sync_documents_status(claim, actor)
    _audit(
        actor,
        "claims.claim.cause_decided",
        claim,
        {"type": {"old": old_type, "new": new_type}, "cash_total": claim.quote["cash_total"]},
        request,
    )


# --- Documents ---------------------------------------------------------------------------------------------------


def claim_document_upload(
    *, actor: User, claim: Claim, kind: str, upload: UploadedFile, request: Any = None
) -> ClaimDocument:
    """Store one document of the checklist (PDF, PNG or JPEG by its first bytes; size capped). The claim becomes
    "documents complete" when every item of its checklist has a file."""
    require_prepare(actor, claim.incident.village_id)
    if kind not in checklist.BY_CODE:
        raise ApplicationError(_("Unknown document type."), code="document")
    extension = check_document(upload, size=upload.size)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    with transaction.atomic():
        claim = Claim.objects.select_for_update().select_related("incident").get(pk=claim.pk)
        if claim.status not in (S.REPORTED, S.DOCUMENTS_COMPLETE):
            raise ApplicationError(
                _("Documents can only be added before the claim is submitted to BPJS."), code="transition"
            )
        if kind not in {item.code for item in claim_checklist(claim)}:
            raise ApplicationError(_("This document is not on the checklist of this claim."), code="document")
        document = ClaimDocument(
            claim=claim,
            kind=kind,
            original_name=(upload.name or "")[:255],
            size=upload.size or 0,
            sha256=digest.hexdigest(),
            uploaded_by=actor,
        )
        document.file.save(f"klaim-{claim.pk}-{kind}.{extension}", upload, save=False)
        document.save()
        _sync_documents_status(claim, actor)
        _audit(
            actor,
            "claims.document.upload",
            claim,
            {"kind": kind, "file": document.file.name, "sha256": document.sha256, "size": document.size},
            request,
        )
    return document


# --- BPJS workflow -----------------------------------------------------------------------------------------------


def claim_makers(claim: Claim) -> set[int]:
    """The users who reported or prepared the claim: none of them may approve its submission."""
    makers = {claim.incident.reported_by_id}
    makers.update(claim.documents.values_list("uploaded_by_id", flat=True))
    return makers


def claim_submit(*, actor: User, claim: Claim, on: dt.date, note: str = "", request: Any = None) -> Claim:
    """Approve the submission to BPJS (the checker of maker-checker)."""
    require_approve(actor, claim.incident.village_id)
    _check_day(on, _("Submission date"))
    with transaction.atomic():
        claim = Claim.objects.select_for_update().select_related("incident").get(pk=claim.pk)
        if actor.pk in claim_makers(claim):
            raise ApplicationError(
                _(
                    "The submission to BPJS must be approved by someone else: you reported this claim or prepared "
                    "its documents (four-eyes principle)."
                ),
                code="maker_checker",
            )
        if claim.status == S.DOCUMENTS_COMPLETE and claim.quote.get("status") != "covered":
            raise ApplicationError(
                _(
                    "This incident is not covered according to the quote (%(reason)s). Recompute after the arrears are "
                    "paid."
                )
                % {"reason": quoted_reason(claim)},
                code="not_covered",
            )
        _move(claim, S.SUBMITTED, on=on, by=actor, note=note)
        claim.submitted_by = actor
        claim.save(update_fields=["submitted_by"])
        _audit(actor, "claims.claim.submit", claim, {"on": on.isoformat(), "note": note}, request)
    return claim


def claim_record_payment(
    *,
    actor: User,
    claim: Claim,
    on: dt.date,
    reference: str,
    amount: int,
    note: str = "",
    work_accident: bool | None = None,
    request: Any = None,
) -> Claim:
    """BPJS paid the claim: the cause is decided if it was still assessed, and each child the quote lists for a
    scholarship gets a plan with the quote's projected schedule."""
    require_record_bpjs(actor, claim.incident.village_id)
    _check_day(on, _("Payment date"))
    if not reference.strip():
        raise ApplicationError(_("The BPJS payment reference number is required."), code="required")
    with transaction.atomic():
        claim = Claim.objects.select_for_update().select_related("incident").get(pk=claim.pk)
        _check_move(claim, S.PAID)
        if claim.cause_under_assessment:
            if work_accident is None:
                raise ApplicationError(
                    _(
                        "The cause of death is still being assessed: choose the decision of BPJS (work accident or "
                        "not)."
                    ),
                    code="cause",
                )
            _decide_cause(actor, claim, work_accident, request)
        if amount < 0:
            raise ApplicationError(_("The payment amount cannot be negative."), code="amount")
        if amount != claim.cash_total and not note.strip():
            raise ApplicationError(
                _("The amount BPJS paid (%(paid)s) differs from the quote (%(quoted)s): give the reason.")
                % {"paid": _rupiah(amount), "quoted": _rupiah(claim.cash_total)},
                code="difference",
            )
        _move(claim, S.PAID, on=on, by=actor, note=note)
        claim.bpjs_reference = reference.strip()
        claim.bpjs_paid_amount = amount
        claim.decided_on = on
        claim.save(update_fields=["bpjs_reference", "bpjs_paid_amount", "decided_on"])
        plans = _plans_create(claim)
        _audit(
            actor,
            "claims.claim.paid",
            claim,
            {
                "on": on.isoformat(),
                "reference": claim.bpjs_reference,
                "amount": amount,
                "quoted": claim.cash_total,
                "plans": [plan.pk for plan in plans],
            },
            request,
        )
    return claim


def _plans_create(claim: Claim) -> list[ScholarshipPlan]:
    plans = []
    for entry in claim.quote["scholarship"]["children"]:
        if not entry["years"]:
            continue
        plan = ScholarshipPlan.objects.create(
            claim=claim, child_id=claim.quote_children[entry["name"]], child_name=entry["name"], schedule=entry["years"]
        )
        PlannedYear.objects.bulk_create(
            PlannedYear(plan=plan, school_year=y["school_year"], level=y["level"], grade=y["grade"], amount=y["amount"])
            for y in entry["years"]
        )
        plans.append(plan)
    return plans


def claim_reject(*, actor: User, claim: Claim, on: dt.date, reason: str, request: Any = None) -> Claim:
    require_record_bpjs(actor, claim.incident.village_id)
    _check_day(on, _("Decision date"))
    if not reason.strip():
        raise ApplicationError(_("The reason BPJS gave for the rejection is required."), code="required")
    with transaction.atomic():
        claim = Claim.objects.select_for_update().select_related("incident").get(pk=claim.pk)
        _move(claim, S.REJECTED, on=on, by=actor, note=reason.strip())
        claim.rejection_reason = reason.strip()
        claim.decided_on = on
        claim.save(update_fields=["rejection_reason", "decided_on"])
        _audit(actor, "claims.claim.rejected", claim, {"on": on.isoformat(), "reason": claim.rejection_reason}, request)
    return claim


# --- Payouts to heirs --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PayoutEntry:
    """What was paid to one recipient: `heir_id` None is the worker (a disability claim)."""

    heir_id: int | None
    amount: int
    bank: str
    account_number: str
    is_minor: bool = False
    guardian_name: str = ""
    guardian_account: str = ""
    difference_reason: str = ""


@dataclass(frozen=True)
class ExpectedPayee:
    heir: Heir | None  # None: the worker
    name: str
    relation: str
    share: int  # whole rupiah of the quoted cash total
    via_guardian: bool


def _engine_heirs(heirs: Sequence[Heir], entries: dict[int | None, PayoutEntry]) -> list[EngineHeir]:
    engine = []
    for heir in heirs:
        entry = entries.get(heir.pk)
        engine.append(
            EngineHeir(
                relation=HeirRelation(heir.relation),
                name=heir.name,
                is_minor=bool(entry and entry.is_minor),
                guardian_account=(entry.guardian_account.strip() or None) if entry else None,
                account=(entry.account_number.strip() or None) if entry else None,
            )
        )
    return engine


def expected_payees(claim: Claim, minors: dict[int, str] | None = None) -> tuple[list[ExpectedPayee], str]:
    """Who receives the quoted cash total and how much each (`minors`: heir pk → guardian account), and why."""
    incident = claim.incident
    if incident.type not in DEATH_TYPES:
        worker = incident.worker
        return [ExpectedPayee(None, worker.name, "", claim.cash_total, False)], "Manfaat dibayarkan kepada peserta."
    heirs = list(incident.worker.heirs.order_by("pk"))
    entries: dict[int | None, PayoutEntry] = {
        pk: PayoutEntry(pk, 0, "", "", is_minor=True, guardian_account=account or "-")
        for pk, account in (minors or {}).items()
    }
    engine = _engine_heirs(heirs, entries)
    try:
        decision = receiving_heirs(engine)
    except QuoteError as exc:
        raise ApplicationError(exc.text(get_language()), code=exc.code) from exc
    payees = []
    for payee, share in decision.split(claim.cash_total):
        heir = heirs[next(i for i, item in enumerate(engine) if item is payee.heir)]
        payees.append(ExpectedPayee(heir, heir.name, heir.relation, share, payee.via_guardian))
    return payees, decision.basis_in(get_language())


def payouts_record(
    *, actor: User, claim: Claim, paid_on: dt.date, entries: Sequence[PayoutEntry], request: Any = None
) -> list[Payout]:
    """Record what reached each recipient of a paid claim, following the order of heirs; a minor's share goes to the
    guardian's account; an amount other than the quoted share needs its reason."""
    require_record_bpjs(actor, claim.incident.village_id)
    _check_day(paid_on, _("Payment date"))
    by_heir: dict[int | None, PayoutEntry] = {}
    for entry in entries:
        if entry.heir_id in by_heir:
            raise ApplicationError(_("Each recipient is recorded only once."), code="duplicate")
        by_heir[entry.heir_id] = entry
    with transaction.atomic():
        claim = Claim.objects.select_for_update().select_related("incident__worker").get(pk=claim.pk)
        if claim.status != S.PAID:
            raise ApplicationError(
                _("Payments to the heirs are recorded after BPJS has paid the claim."), code="transition"
            )
        if claim.payouts.exists():
            raise ApplicationError(
                _("The payments to the recipients of this claim are already recorded."), code="duplicate"
            )
        incident = claim.incident
        if incident.type in DEATH_TYPES:
            heirs = list(incident.worker.heirs.order_by("pk"))
            engine = _engine_heirs(heirs, by_heir)
            try:
                decision = receiving_heirs(engine)
            except QuoteError as exc:
                raise ApplicationError(exc.text(get_language()), code=exc.code) from exc
            if decision.relation is None:
                raise ApplicationError(decision.basis_in(get_language()), code="no_heir")
            planned = [
                (heirs[next(i for i, item in enumerate(engine) if item is payee.heir)], payee, share)
                for payee, share in decision.split(claim.cash_total)
            ]
            receiving = {heir.pk for heir, _payee, _share in planned}
            strangers = [pk for pk in by_heir if pk not in receiving]
            if strangers:
                names = ", ".join(h.name for h in heirs if h.pk in strangers) or "?"
                raise ApplicationError(
                    _("%(names)s do not receive according to the order of heirs (%(basis)s)")
                    % {"names": names, "basis": decision.basis_in(get_language())},
                    code="not_heir",
                )
            rows: list[tuple[Heir | None, str, str, PayoutEntry, int, str]] = []
            for heir, payee, share in planned:
                heir_entry = by_heir.get(heir.pk)
                if heir_entry is None:
                    raise ApplicationError(
                        _("The payment to %(name)s has not been entered.") % {"name": heir.name}, code="required"
                    )
                rows.append((heir, heir.name, heir.relation, heir_entry, share, payee.account or ""))
        else:
            own = by_heir.get(None)
            if own is None or len(by_heir) != 1:
                raise ApplicationError(
                    _("The benefit of this incident is paid to the member themself."), code="not_heir"
                )
            rows = [(None, incident.worker.name, "", own, claim.cash_total, own.account_number.strip())]
        payouts = []
        for recipient, name, relation, entry, share, account in rows:
            if entry.is_minor and not entry.guardian_name.strip():
                raise ApplicationError(
                    _("%(name)s is a minor: enter the name of the guardian who receives the payment.") % {"name": name},
                    code="guardian",
                )
            if not account or not entry.bank.strip():
                raise ApplicationError(
                    _("The bank and account number for %(name)s are required.") % {"name": name}, code="account"
                )
            if entry.amount < 0:
                raise ApplicationError(_("The payment amount cannot be negative."), code="amount")
            if entry.amount != share and not entry.difference_reason.strip():
                raise ApplicationError(
                    _(
                        "The payment to %(name)s (%(amount)s) differs from the share in the quote (%(share)s): give "
                        "the reason."
                    )
                    % {"name": name, "amount": _rupiah(entry.amount), "share": _rupiah(share)},
                    code="difference",
                )
            payouts.append(
                Payout.objects.create(
                    claim=claim,
                    heir=recipient,
                    recipient_name=name,
                    relation=relation,
                    quoted_amount=share,
                    amount=entry.amount,
                    paid_on=paid_on,
                    bank=entry.bank.strip(),
                    account_number=account.strip(),
                    is_minor=entry.is_minor,
                    guardian_name=entry.guardian_name.strip() if entry.is_minor else "",
                    difference_reason=entry.difference_reason.strip(),
                    recorded_by=actor,
                )
            )
        _audit(
            actor,
            "claims.payout.record",
            claim,
            {
                "paid_on": paid_on.isoformat(),
                "payouts": [
                    {"recipient": p.recipient_name, "quoted": p.quoted_amount, "amount": p.amount, "minor": p.is_minor}
                    for p in payouts
                ],
            },
            request,
        )
    return payouts


# --- Scholarship plans -------------------------------------------------------------------------------------------


def disbursement_record(
    *,
    actor: User,
    plan: ScholarshipPlan,
    school_year: int,
    amount: int,
    proof: UploadedFile,
    paid_on: dt.date,
    difference_reason: str = "",
    request: Any = None,
) -> ScholarshipDisbursement:
    """One school year paid on proof of enrolment (PDF/PNG/JPEG by content)."""
    village = plan.claim.incident.village_id
    require_disburse(actor, village)
    _check_day(paid_on, _("Payment date"))
    extension = check_document(proof, size=proof.size)
    with transaction.atomic():
        plan = ScholarshipPlan.objects.select_for_update().get(pk=plan.pk)
        if plan.status != ScholarshipPlan.Status.ACTIVE:
            raise ApplicationError(_("The scholarship of this child has already been stopped."), code="stopped")
        planned = plan.planned_years.filter(school_year=school_year).first()
        if planned is None:
            raise ApplicationError(
                _("School year %(year)s is not in the scholarship schedule of this child.")
                % {"year": _school_year(school_year)},
                code="year",
            )
        if plan.disbursements.filter(school_year=school_year).exists():
            raise ApplicationError(
                _("The scholarship for school year %(year)s is already recorded.")
                % {"year": _school_year(school_year)},
                code="duplicate",
            )
        if amount <= 0:
            raise ApplicationError(_("The scholarship amount must be more than zero."), code="amount")
        if amount != planned.amount and not difference_reason.strip():
            raise ApplicationError(
                _("The amount (%(amount)s) differs from the schedule (%(planned)s): give the reason.")
                % {"amount": _rupiah(amount), "planned": _rupiah(planned.amount)},
                code="difference",
            )
        disbursement = ScholarshipDisbursement(
            plan=plan,
            school_year=school_year,
            amount=amount,
            difference_reason=difference_reason.strip(),
            proof_name=(proof.name or "")[:255],
            paid_on=paid_on,
            recorded_by=actor,
        )
        disbursement.proof.save(f"beasiswa-{plan.pk}-{school_year}.{extension}", proof, save=False)
        disbursement.save()
        audit_record(
            actor=actor,
            action="claims.scholarship.disburse",
            target_type="scholarship_plan",
            target_id=plan.pk,
            region_code=village,
            changes={"school_year": school_year, "amount": amount, "planned": planned.amount, "proof": proof.name},
            request=request,
        )
    return disbursement


def plan_stop(
    *, actor: User, plan: ScholarshipPlan, reason: str, from_year: int, note: str = "", request: Any = None
) -> ScholarshipPlan:
    """Stop a plan from a school year on (married, working, left school, age limit, no proof)."""
    village = plan.claim.incident.village_id
    require_disburse(actor, village)
    if reason not in ScholarshipPlan.StopReason.values:
        raise ApplicationError(_("Unknown reason for stopping."), code="reason")
    with transaction.atomic():
        plan = ScholarshipPlan.objects.select_for_update().get(pk=plan.pk)
        if plan.status != ScholarshipPlan.Status.ACTIVE:
            raise ApplicationError(_("The scholarship of this child has already been stopped."), code="stopped")
        if plan.disbursements.filter(school_year__gte=from_year).exists():
            raise ApplicationError(
                _("There are already payments for school year %(year)s or later.") % {"year": _school_year(from_year)},
                code="year",
            )
        plan.status = ScholarshipPlan.Status.STOPPED
        plan.stop_reason = reason
        plan.stopped_from = from_year
        plan.stop_note = note.strip()
        plan.save(update_fields=["status", "stop_reason", "stopped_from", "stop_note"])
        audit_record(
            actor=actor,
            action="claims.scholarship.stop",
            target_type="scholarship_plan",
            target_id=plan.pk,
            region_code=village,
            changes={"reason": reason, "from_year": from_year, "note": plan.stop_note},
            request=request,
        )
    return plan
