"""Reads for the home page that combine several apps: the first-run path of a village that has just signed, the
arrears summary and the figures of the viewer's area."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, Min, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lindung.accounts.access import user_scope
from lindung.accounts.models import Role
from lindung.billing.models import Invoice
from lindung.membership.models import Membership, RegistrationFile
from lindung.programmes.models import Agreement
from lindung.programmes.selectors import IN_FORCE_STATUSES
from lindung.regions.models import Region
from lindung.registry.models import Worker
from lindung.targeting.models import SelectionList, SelectionVersion

#: At most this many villages in progress are shown on one home page (an operator usually has one).
FIRST_RUN_LIMIT = 10

_SUBMITTED = (
    SelectionVersion.Status.AWAITING_APPROVAL,
    SelectionVersion.Status.APPROVED,
    SelectionVersion.Status.SUPERSEDED,
)
_APPROVED = (SelectionVersion.Status.APPROVED, SelectionVersion.Status.SUPERSEDED)


@dataclass(frozen=True)
class FirstRunStep:
    number: int
    key: str
    title: Any  # lazily translated text
    who: Any
    done: bool
    url: str
    action: Any
    note: Any = ""


@dataclass(frozen=True)
class FirstRun:
    """One village whose agreement is in force but which has no invoice yet: the five steps to its first invoice."""

    agreement_id: int
    village: Region
    programme_name: str
    steps: tuple[FirstRunStep, ...]

    @property
    def done_count(self) -> int:
        return sum(1 for step in self.steps if step.done)

    @property
    def total(self) -> int:
        return len(self.steps)

    @property
    def percent(self) -> int:
        return self.done_count * 100 // self.total

    @property
    def next_step(self) -> FirstRunStep | None:
        return next((step for step in self.steps if not step.done), None)


def _per_village(model: Any, village_field: str, programme_field: str | None = "programme") -> Any:
    filters = {village_field: OuterRef("village")}
    if programme_field:
        filters[programme_field] = OuterRef("programme")
    return model.objects.filter(**filters)


def first_run_agreements(*, viewer: Any) -> Any:
    """Agreements in force of the villages the viewer runs as village operator or head, with no invoice yet, each
    annotated with the state of the five first-run steps (one query, whatever the number of villages)."""
    scope = user_scope(viewer)
    if scope.national or not scope.has_role(Role.VILLAGE_OPERATOR, Role.VILLAGE_HEAD):
        return Agreement.objects.none()
    today = timezone.localdate()
    versions = SelectionVersion.objects.filter(
        selection_list__village=OuterRef("village"), selection_list__programme=OuterRef("programme")
    )
    members = _per_village(Membership, "worker__village")
    files = RegistrationFile.objects.filter(
        memberships__worker__village=OuterRef("village"), memberships__programme=OuterRef("programme")
    )
    return (
        Agreement.objects.filter(status__in=IN_FORCE_STATUSES, village__level=Region.Level.VILLAGE)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .filter(scope.q("village__code"))
        .annotate(
            has_workers=Exists(_per_village(Worker, "village", None)),
            list_id=Subquery(_per_village(SelectionList, "village").order_by("-budget_year", "-pk").values("pk")[:1]),
            submitted=Exists(versions.filter(status__in=_SUBMITTED)),
            approved=Exists(versions.filter(status__in=_APPROVED)),
            awaiting_id=Subquery(
                versions.filter(status=SelectionVersion.Status.AWAITING_APPROVAL).order_by("-pk").values("pk")[:1]
            ),
            has_members=Exists(members),
            without_kpj=Exists(members.filter(status=Membership.Status.PENDING, kpj_number="")),
            file_id=Subquery(files.order_by("-pk").values("pk")[:1]),
            first_start=Subquery(
                members.order_by().values("programme").annotate(first=Min("starts_on")).values("first")[:1]
            ),
            invoiced=Exists(_per_village(Invoice, "village")),
        )
        .filter(invoiced=False)
        .select_related("village", "programme")
        .order_by("village_id", "programme_id")
    )


def _steps(row: Any, *, head: bool) -> tuple[FirstRunStep, ...]:
    code = row.village_id
    list_url = reverse("targeting:list_detail", args=[row.list_id]) if row.list_id else reverse("targeting:index")
    approve_url = reverse("targeting:version_detail", args=[row.awaiting_id]) if row.awaiting_id else list_url
    file_url = (
        reverse("membership:registration_file", args=[row.file_id])
        if row.file_id and row.without_kpj
        else reverse("membership:registration_files")
    )
    first_start: dt.date | None = row.first_start
    kpj_done = row.has_members and not row.without_kpj
    if row.file_id and row.without_kpj:
        kpj_note = _("The file has been made: import the branch's answer with the KPJ numbers.")
    else:
        kpj_note = _("Make the collective registration file, send it to the BPJS branch, then import its answer.")
    invoice_note = (
        _("The monthly billing run issues it for %(month)s, the month the members start.")
        % {"month": first_start.strftime("%m-%Y")}
        if first_start
        else _("The monthly billing run issues it once the members are registered.")
    )
    return (
        FirstRunStep(
            1, "workers", _("Import the village's workers"), _("Village operator"), row.has_workers,
            reverse("registry:import_start"), _("Import workers"),
        ),
        FirstRunStep(
            2, "list", _("Prepare the recipient list and submit it"), _("Village operator"), row.submitted,
            list_url, _("Open the recipient list"),
            _("Record the village deliberation, then submit the list to the village head."),
        ),
        FirstRunStep(
            3, "approve", _("The village head approves the list"), _("Village head"), row.approved,
            approve_url, _("Approve the list") if head else _("See the list"),
            _("Approval creates the pending memberships and the decree (SK)."),
        ),
        FirstRunStep(
            4, "kpj", _("Registration file to BPJS and KPJ numbers"), _("Village operator / BPJS branch"), kpj_done,
            file_url, _("Open the BPJS registration"), kpj_note,
        ),
        FirstRunStep(
            5, "invoice", _("First invoice"), _("City office (monthly billing)"), False,
            reverse("billing:village", args=[code]), _("See the village's invoices"), invoice_note,
        ),
    )  # fmt: skip


def first_run_progress(*, viewer: Any) -> list[FirstRun]:
    """The first-run path of each village of the viewer (operator or head) that has signed but is not running yet
    (no invoice): the steps, which are done (computed from the data), and a link to the page that does each."""
    head = user_scope(viewer).has_role(Role.VILLAGE_HEAD)
    return [
        FirstRun(row.pk, row.village, row.programme.name, _steps(row, head=head))
        for row in first_run_agreements(viewer=viewer)[:FIRST_RUN_LIMIT]
    ]


@dataclass(frozen=True)
class VillageArrears:
    code: str
    name: str
    members: int
    due: int


@dataclass(frozen=True)
class ArrearsSummary:
    """Members entering arrears in the viewer's area, summed: how many, what their villages must pay, by when."""

    members: int
    due: int
    pay_by: dt.date | None
    villages: tuple[VillageArrears, ...]


def arrears_summary(warnings: Sequence[Any]) -> ArrearsSummary:
    """Sum `billing.selectors.arrears_warnings` rows: each village's due counted once (every member row of a village
    carries the same village total)."""
    per_village: dict[tuple[int, str], list[Any]] = {}
    for warning in warnings:
        member = warning.membership
        per_village.setdefault((member.programme_id, member.worker.village_id), []).append(warning)
    villages: dict[str, VillageArrears] = {}
    for (_programme, code), rows in per_village.items():
        previous = villages.get(code)
        villages[code] = VillageArrears(
            code=code,
            name=str(rows[0].membership.worker.village),
            members=len(rows) + (previous.members if previous else 0),
            due=rows[0].village_due + (previous.due if previous else 0),
        )
    return ArrearsSummary(
        members=len(warnings),
        due=sum(v.due for v in villages.values()),
        pay_by=min((w.pay_by for w in warnings), default=None),
        villages=tuple(sorted(villages.values(), key=lambda v: v.code)),
    )


@dataclass(frozen=True)
class AreaFigures:
    agreements_in_force: int
    members: int
    open_claims: int


def area_figures(*, viewer: Any) -> AreaFigures:
    """Agreements in force, open memberships and claims in progress in the viewer's area (three counts)."""
    from lindung.claims.models import Claim
    from lindung.claims.selectors import claim_list

    scope = user_scope(viewer)
    open_statuses = (Membership.Status.PENDING, Membership.Status.ACTIVE, Membership.Status.ARREARS)
    return AreaFigures(
        agreements_in_force=Agreement.objects.filter(status__in=IN_FORCE_STATUSES)
        .filter(scope.q("village__code"))
        .count(),
        members=Membership.objects.filter(status__in=open_statuses).filter(scope.q("worker__village__code")).count(),
        open_claims=claim_list(viewer=viewer).exclude(status__in=(Claim.Status.PAID, Claim.Status.REJECTED)).count(),
    )
