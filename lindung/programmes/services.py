"""Writes to programmes and agreements. Every write checks the actor's role and scope and is audited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.accounts.access import user_scope
from lindung.accounts.models import Role, User
from lindung.audit.recording import audit_record
from lindung.core.errors import ApplicationError
from lindung.programmes.documents import check_document
from lindung.programmes.models import (
    DEFAULT_PRIORITY_ORDER,
    Agreement,
    AgreementTransition,
    FrameworkAgreement,
    Funder,
    Package,
    Programme,
    ProgrammeRules,
)
from lindung.regions.models import Region

Status = Agreement.Status

#: The status pipeline: prospect → in discussion → signed → active → expired; terminated from any non-final state.
#: A signed agreement whose validity runs out before it is activated may expire too.
ALLOWED_TRANSITIONS: dict[str, frozenset[str]] = {
    Status.PROSPECT: frozenset({Status.IN_DISCUSSION, Status.TERMINATED}),
    Status.IN_DISCUSSION: frozenset({Status.SIGNED, Status.TERMINATED}),
    Status.SIGNED: frozenset({Status.ACTIVE, Status.EXPIRED, Status.TERMINATED}),
    Status.ACTIVE: frozenset({Status.EXPIRED, Status.TERMINATED}),
    Status.EXPIRED: frozenset(),
    Status.TERMINATED: frozenset(),
}
FINAL_STATUSES = frozenset(s for s, targets in ALLOWED_TRANSITIONS.items() if not targets)

#: Fields of an agreement a manager may edit (the status moves only through `agreement_transition`).
AGREEMENT_FIELDS = (
    "village_number",
    "partner_number",
    "signed_on",
    "valid_from",
    "valid_until",
    "village_signatory",
    "partner_signatory",
    "quota",
    "funder",
    "funder_name",
    "framework",
)

PROGRAMME_FIELDS = (
    "name",
    "quota_per_village",
    "package",
    "declared_income",
    "kelurahan_funder",
    "starts_on",
    "ends_on",
    "legal_basis",
)

MANAGER_ROLES = (Role.ADMIN, Role.CITY_OFFICER)


# --- permissions ----------------------------------------------------------------------------------


def is_admin(user: User | None) -> bool:
    return user is not None and user_scope(user).has_role(Role.ADMIN)


def can_manage_region(user: User | None, code: str) -> bool:
    """Admins and city officers manage programmes and agreements of the regions in their scope."""
    if user is None:
        return False
    scope = user_scope(user)
    if scope.has_role(Role.ADMIN) and scope.national:
        return True
    return scope.has_role(*MANAGER_ROLES) and scope.covers(code)


def _require_manage(user: User | None, code: str) -> None:
    if not can_manage_region(user, code):
        raise ApplicationError(
            _("Only an administrator or a city office officer responsible for this region can change agreements."),
            code="scope",
        )


def _require_admin(user: User | None) -> None:
    if not is_admin(user):
        raise ApplicationError(_("Only an administrator can change programme rules."), code="permission")


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


def _plain(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, FrameworkAgreement):
        return value.number
    return value


# --- programmes -----------------------------------------------------------------------------------


def _check_programme(data: dict[str, Any]) -> None:
    if not str(data.get("name") or "").strip():
        raise ApplicationError(_("The programme name is required."), code="name")
    if data.get("package") not in Package.values:
        raise ApplicationError(_("Unknown benefit package."), code="package")
    if data.get("kelurahan_funder") not in Funder.values:
        raise ApplicationError(_("Unknown funder for urban villages."), code="funder")
    if int(data.get("quota_per_village") or 0) < 1:
        raise ApplicationError(_("The quota per village must be at least 1."), code="quota")
    if int(data.get("declared_income") or 0) < 1_000_000:
        raise ApplicationError(_("The declared income must be at least Rp1.000.000."), code="income")
    ends_on, starts_on = data.get("ends_on"), data.get("starts_on")
    if starts_on is None:
        raise ApplicationError(_("The programme start date is required."), code="starts_on")
    if ends_on is not None and ends_on < starts_on:
        raise ApplicationError(_("The programme end date cannot be before its start date."), code="ends_on")


def programme_create(
    *,
    acting_user: User | None,
    name: str,
    region: Region,
    starts_on: date,
    quota_per_village: int = 100,
    package: str = Package.JKK_JKM,
    declared_income: int = 1_000_000,
    kelurahan_funder: str = Funder.APBD,
    ends_on: date | None = None,
    legal_basis: str = "",
) -> Programme:
    """Create a programme with its first rules row (RULES.md defaults) effective from its start."""
    if acting_user is not None:
        _require_manage(acting_user, region.code)
    if region.is_village:
        raise ApplicationError(_("A programme runs in a province, regency/city or district, not in a single village."))
    data = {
        "name": name.strip(),
        "quota_per_village": quota_per_village,
        "package": str(package),
        "declared_income": declared_income,
        "kelurahan_funder": str(kelurahan_funder),
        "starts_on": starts_on,
        "ends_on": ends_on,
        "legal_basis": legal_basis.strip(),
    }
    _check_programme(data)
    with transaction.atomic():
        programme = Programme.objects.create(region=region, **data)
        rules = ProgrammeRules.objects.create(
            programme=programme, effective_from=starts_on, created_by=acting_user, note="Aturan awal (RULES.md)"
        )
        _audit(
            acting_user,
            "programmes.programme.create",
            programme,
            region.code,
            {**{k: _plain(v) for k, v in data.items()}, "region": region.code, "rules_id": rules.pk},
        )
    return programme


@dataclass(frozen=True)
class RulesInput:
    effective_from: date
    min_age: int = 18
    max_age: int = 65
    income_threshold: int = 1_000_000
    priority_order: tuple[str, ...] = tuple(DEFAULT_PRIORITY_ORDER)
    apply_discount_for_apbdes: bool = False
    note: str = ""


def check_priority_order(order: list[str] | tuple[str, ...]) -> list[str]:
    """The order must name every factor of DEFAULT_PRIORITY_ORDER once; `nik` stays last so the order is total."""
    items = [str(x).strip() for x in order]
    if sorted(items) != sorted(DEFAULT_PRIORITY_ORDER) or len(set(items)) != len(items):
        raise ApplicationError(
            _("The priority order must contain every factor exactly once: %(factors)s.")
            % {"factors": ", ".join(DEFAULT_PRIORITY_ORDER)},
            code="priority_order",
        )
    if items[-1] != "nik":
        raise ApplicationError(
            _("NIK must be the last factor so that the order is always decided."), code="priority_order"
        )
    return items


def programme_rules_set(*, acting_user: User | None, programme: Programme, rules: RulesInput) -> ProgrammeRules:
    """Add a new rules row effective from `rules.effective_from` (admin only); earlier rows are never edited."""
    _require_admin(acting_user)
    if rules.effective_from < programme.starts_on:
        raise ApplicationError(
            _("The effective date cannot be before the programme starts (%(date)s).")
            % {"date": programme.starts_on.strftime("%d-%m-%Y")},
            code="effective_from",
        )
    if not 0 < rules.min_age < rules.max_age <= 120:
        raise ApplicationError(_("The minimum age must be lower than the maximum age."), code="age")
    if rules.income_threshold < 1:
        raise ApplicationError(_("The income threshold must be greater than zero."), code="income_threshold")
    order = check_priority_order(rules.priority_order)
    with transaction.atomic():
        if programme.rules.filter(effective_from=rules.effective_from).exists():
            raise ApplicationError(
                _("Rules effective from %(date)s already exist; earlier rules are never changed — choose another date.")
                % {"date": rules.effective_from.strftime("%d-%m-%Y")},
                code="duplicate",
            )
        try:
            with transaction.atomic():
                row = ProgrammeRules.objects.create(
                    programme=programme,
                    effective_from=rules.effective_from,
                    min_age=rules.min_age,
                    max_age=rules.max_age,
                    income_threshold=rules.income_threshold,
                    priority_order=order,
                    apply_discount_for_apbdes=rules.apply_discount_for_apbdes,
                    note=rules.note.strip()[:255],
                    created_by=acting_user,
                )
        except IntegrityError as exc:
            raise ApplicationError(_("Someone else has just saved rules for this date."), code="duplicate") from exc
        _audit(
            acting_user,
            "programmes.rules.set",
            row,
            programme.region_id,
            {
                "programme_id": programme.pk,
                "effective_from": rules.effective_from.isoformat(),
                "min_age": rules.min_age,
                "max_age": rules.max_age,
                "income_threshold": rules.income_threshold,
                "priority_order": order,
                "apply_discount_for_apbdes": rules.apply_discount_for_apbdes,
                "note": row.note,
            },
        )
    return row


# --- framework agreements and circulars -----------------------------------------------------------


def framework_create(
    *,
    acting_user: User | None,
    region: Region,
    kind: str,
    number: str,
    title: str,
    signed_on: date | None = None,
    document: UploadedFile | None = None,
) -> FrameworkAgreement:
    """Record a provincial/city framework agreement or circular."""
    if acting_user is not None:
        _require_manage(acting_user, region.code)
    if kind not in FrameworkAgreement.Kind.values:
        raise ApplicationError(_("Unknown document kind."), code="kind")
    if not number.strip() or not title.strip():
        raise ApplicationError(_("The number and title are required."), code="number")
    extension = check_document(document, size=document.size) if document is not None else None
    with transaction.atomic():
        framework = FrameworkAgreement(
            region=region, kind=kind, number=number.strip(), title=title.strip(), signed_on=signed_on
        )
        if document is not None:
            framework.document.save(f"{kind}-{region.code}.{extension}", document, save=False)
        framework.save()
        _audit(
            acting_user,
            "programmes.framework.create",
            framework,
            region.code,
            {
                "kind": kind,
                "number": framework.number,
                "title": framework.title,
                "signed_on": _plain(signed_on),
                "document": framework.document.name or "",
            },
        )
    return framework


def frameworks_for(village: Region) -> list[FrameworkAgreement]:
    """Framework agreements and circulars of the village's province, regency/city or district."""
    return list(FrameworkAgreement.objects.filter(region_id__in=village.ancestor_codes()).order_by("region_id", "pk"))


# --- agreements -----------------------------------------------------------------------------------


def _check_agreement(agreement: Agreement) -> None:
    if agreement.valid_from and agreement.valid_until and agreement.valid_until < agreement.valid_from:
        raise ApplicationError(_("The valid-until date cannot be before the valid-from date."), code="valid_until")
    if agreement.quota is not None and agreement.quota < 1:
        raise ApplicationError(_("The quota must be at least 1."), code="quota")
    if agreement.funder not in Funder.values:
        raise ApplicationError(_("Unknown funder."), code="funder")
    if agreement.funder == Funder.OTHER and not agreement.funder_name.strip():
        raise ApplicationError(_("Name the other funder."), code="funder_name")
    if agreement.framework_id is not None:
        allowed = agreement.village.ancestor_codes()
        if agreement.framework is None or agreement.framework.region_id not in allowed:
            raise ApplicationError(
                _("The framework agreement or circular must be from this village's province or regency/city."),
                code="framework",
            )


def _store_document(agreement: Agreement, document: UploadedFile) -> str:
    extension = check_document(document, size=document.size)
    agreement.document.save(f"pks-{agreement.village_id}.{extension}", document, save=False)
    return agreement.document.name or ""


def agreement_create(
    *,
    acting_user: User | None,
    programme: Programme,
    village: Region,
    document: UploadedFile | None = None,
    **fields: Any,
) -> Agreement:
    """Open a village's agreement (status prospect) in the programme; the funder defaults by village kind."""
    if acting_user is not None:
        _require_manage(acting_user, village.code)
    if not village.is_village:
        raise ApplicationError(_("An agreement is made for one village or urban village."), code="village")
    if not village.code.startswith(f"{programme.region_id}."):
        raise ApplicationError(
            _("%(village)s is not in the area of programme %(programme)s.")
            % {"village": village, "programme": programme.name},
            code="village",
        )
    unknown = set(fields) - set(AGREEMENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown agreement fields: {sorted(unknown)}")
    if "funder" not in fields or not fields["funder"]:
        fields["funder"] = programme.default_funder_for(village)
    with transaction.atomic():
        if Agreement.objects.filter(programme=programme, village=village).exists():
            raise ApplicationError(
                _("%(village)s already has an agreement in this programme.") % {"village": village}, code="duplicate"
            )
        agreement = Agreement(programme=programme, village=village, status=Status.PROSPECT, **fields)
        _check_agreement(agreement)
        if document is not None:
            _store_document(agreement, document)
        agreement.save()
        _audit(
            acting_user,
            "programmes.agreement.create",
            agreement,
            village.code,
            {
                "programme_id": programme.pk,
                "village": village.code,
                **{k: _plain(v) for k, v in fields.items()},
                "document": agreement.document.name or "",
            },
        )
    return agreement


def agreement_update(
    *,
    acting_user: User | None,
    agreement: Agreement,
    document: UploadedFile | None = None,
    **fields: Any,
) -> Agreement:
    """Change an agreement's details (not its status); the audit event records old and new values."""
    if acting_user is not None:
        _require_manage(acting_user, agreement.village_id)
    unknown = set(fields) - set(AGREEMENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown agreement fields: {sorted(unknown)}")
    with transaction.atomic():
        locked = Agreement.objects.select_for_update().select_related("village", "programme").get(pk=agreement.pk)
        changes: dict[str, Any] = {}
        for name, value in fields.items():
            old = getattr(locked, name)
            if old != value:
                changes[name] = {"old": _plain(old), "new": _plain(value)}
                setattr(locked, name, value)
        _check_agreement(locked)
        if document is not None:
            old_name = locked.document.name or ""
            changes["document"] = {"old": old_name, "new": _store_document(locked, document)}
        if changes:
            locked.save()
            _audit(acting_user, "programmes.agreement.update", locked, locked.village_id, changes)
    return locked


def allowed_targets(status: str) -> list[str]:
    """The statuses an agreement in `status` may move to, in pipeline order."""
    targets = ALLOWED_TRANSITIONS.get(status, frozenset())
    return [s for s in Status.values if s in targets]


def agreement_transition(
    agreement: Agreement,
    to_status: str,
    on: date,
    by: User | None,
    note: str = "",
) -> Agreement:
    """Move an agreement one step along its pipeline on date `on`, with a dated transition row and an audit event.

    Signing fills an empty signing date, activation an empty start of validity; expiry and termination end the
    validity on `on` (so billing stops) unless it already ended earlier.
    """
    if by is not None:
        _require_manage(by, agreement.village_id)
    if to_status not in Status.values:
        raise ApplicationError(_("Unknown target status."), code="status")
    with transaction.atomic():
        locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
        current = locked.status
        if to_status not in ALLOWED_TRANSITIONS[current]:
            raise ApplicationError(
                _("An agreement with status %(current)s cannot be changed to %(target)s.")
                % {"current": Status(current).label, "target": Status(to_status).label},
                code="transition",
            )
        if on > timezone.localdate():
            raise ApplicationError(_("The date of the status change cannot be in the future."), code="date")
        last = locked.transitions.order_by("-on", "-pk").first()
        if last is not None and on < last.on:
            raise ApplicationError(
                _("The date of the status change cannot be before the last change (%(date)s).")
                % {"date": last.on.strftime("%d-%m-%Y")},
                code="date",
            )
        if to_status == Status.TERMINATED and not note.strip():
            raise ApplicationError(_("A reason for terminating the agreement is required."), code="note")
        changes: dict[str, Any] = {"from": current, "to": to_status, "on": on.isoformat(), "note": note.strip()}
        if to_status == Status.SIGNED and locked.signed_on is None:
            locked.signed_on = on
            changes["signed_on"] = on.isoformat()
        if to_status == Status.ACTIVE and locked.valid_from is None:
            locked.valid_from = locked.signed_on or on
            changes["valid_from"] = locked.valid_from.isoformat()
        ends = to_status in (Status.EXPIRED, Status.TERMINATED) and current in (Status.SIGNED, Status.ACTIVE)
        if ends and (locked.valid_until is None or locked.valid_until > on):
            changes["valid_until"] = {"old": _plain(locked.valid_until), "new": on.isoformat()}
            locked.valid_until = on
        locked.status = to_status
        locked.save()
        transition = AgreementTransition.objects.create(
            agreement=locked, from_status=current, to_status=to_status, on=on, by=by, note=note.strip()
        )
        changes["transition_id"] = transition.pk
        _audit(by, "programmes.agreement.transition", locked, locked.village_id, changes)
    agreement.refresh_from_db()
    return agreement


def agreements_expire_due(*, on: date) -> int:
    """Expire (as the system) every signed or active agreement whose validity ended before `on`."""
    due = Agreement.objects.filter(status__in=(Status.SIGNED, Status.ACTIVE), valid_until__lt=on)
    count = 0
    for agreement in due:
        assert agreement.valid_until is not None  # noqa: S101 (filtered above)
        # Dated on the last valid day, unless a later status change was recorded (dates never go back).
        last = agreement.transitions.order_by("-on").values_list("on", flat=True).first()
        when = max(agreement.valid_until, last) if last else agreement.valid_until
        agreement_transition(agreement, Status.EXPIRED, when, None, "Masa berlaku PKS berakhir.")
        count += 1
    return count
