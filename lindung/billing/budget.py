"""The budget plan of a village for a year: its members' contributions against the amount its APBDes sets aside.

need = Σ over the village's open members (pending, active, in arrears) of Σ over the 12 months of the year of
`contributions.monthly_due` (their declared income and package, the parameter rows in force in each month, the
PP 50/2025 discount when the village's funder may have it in that month). A hypothetical quota Q costs
Q x the yearly due of one member at the programme's declared income and package. Nothing here is hard-coded.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.accounts.access import require_village_change
from lindung.audit.recording import audit_record
from lindung.billing.contributions import discount_allowed, monthly_due
from lindung.billing.models import BudgetPlan
from lindung.core.errors import ApplicationError
from lindung.membership.models import Membership
from lindung.programmes.models import Programme
from lindung.programmes.selectors import agreement_for, rules_on
from lindung.regions.models import Region

OPEN_STATUSES = (Membership.Status.PENDING, Membership.Status.ACTIVE, Membership.Status.ARREARS)


@dataclass(frozen=True)
class BudgetFigures:
    year: int
    funder: str
    members: int
    monthly: tuple[int, ...]  # the village's due in each month of the year (all members)
    per_member_year: int  # one member at the programme's income and package, over the year
    quota: int  # the agreement's quota (or the programme's quota per village)
    budget: int | None  # what the village entered, None when nothing yet
    what_if_quota: int | None = None

    @property
    def need(self) -> int:
        return sum(self.monthly)

    @property
    def balance(self) -> int | None:
        """Positive: left over; negative: missing."""
        return None if self.budget is None else self.budget - self.need

    @property
    def missing(self) -> int:
        return max(-(self.balance or 0), 0)

    @property
    def quota_need(self) -> int:
        return self.quota * self.per_member_year

    @property
    def what_if_need(self) -> int | None:
        return None if self.what_if_quota is None else self.what_if_quota * self.per_member_year

    @property
    def what_if_difference(self) -> int | None:
        """Extra (positive) or saved (negative) cost of the hypothetical quota compared with today's members."""
        return None if self.what_if_need is None else self.what_if_need - self.need

    @property
    def what_if_balance(self) -> int | None:
        if self.what_if_need is None or self.budget is None:
            return None
        return self.budget - self.what_if_need


def _discounts(programme: Programme, funder: str, year: int) -> list[bool]:
    flags = []
    for month in range(1, 13):
        try:
            apbdes = rules_on(programme, dt.date(year, month, 1)).apply_discount_for_apbdes
        except ApplicationError:
            apbdes = False
        flags.append(discount_allowed(funder, apply_discount_for_apbdes=apbdes))
    return flags


def open_members(programme: Programme, village: Region) -> Any:
    return Membership.objects.filter(
        programme=programme,
        worker__village=village,
        status__in=OPEN_STATUSES,
        ended_on__isnull=True,
    ).filter(~Exists(Membership.objects.filter(renews=OuterRef("pk"))))


def budget_figures(
    *, programme: Programme, village: Region, year: int, what_if_quota: int | None = None
) -> BudgetFigures:
    """The year's need from the members (two queries whatever their number: grouped by income and package)."""
    agreement = agreement_for(programme, village)
    funder = str(agreement.funder if agreement is not None else programme.default_funder_for(village))
    discounts = _discounts(programme, funder, year)
    months = [dt.date(year, month, 1) for month in range(1, 13)]
    groups = list(
        open_members(programme, village).values_list("declared_income", "package").annotate(n=Count("pk")).order_by()
    )
    monthly = [0] * 12
    members = 0
    for income, package, count in groups:
        members += count
        for index, month in enumerate(months):
            monthly[index] += count * monthly_due(income, package, month, discount=discounts[index]).total
    per_member = sum(
        monthly_due(programme.declared_income, programme.package, month, discount=discounts[index]).total
        for index, month in enumerate(months)
    )
    plan = BudgetPlan.objects.filter(programme=programme, village=village, year=year).first()
    return BudgetFigures(
        year=year,
        funder=funder,
        members=members,
        monthly=tuple(monthly),
        per_member_year=per_member,
        quota=agreement.effective_quota if agreement is not None else programme.quota_per_village,
        budget=plan.budget if plan is not None else None,
        what_if_quota=what_if_quota,
    )


def budget_plan_save(
    *,
    actor: Any,
    programme: Programme,
    village: Region,
    year: int,
    budget: int,
    account_code: str = "",
    note: str = "",
) -> BudgetPlan:
    """Record (or change) the APBDes amount a village sets aside for a programme's contributions in a year."""
    if actor is not None:
        require_village_change(actor, village.code)
    if not isinstance(budget, int) or budget < 0:
        raise ApplicationError(_("The budget must be a whole number of rupiah, zero or more."), code="budget")
    if not 2000 <= year <= 2100:
        raise ApplicationError(_("The budget year is not plausible."), code="year")
    with transaction.atomic():
        plan = BudgetPlan.objects.select_for_update().filter(programme=programme, village=village, year=year).first()
        before = None if plan is None else {"budget": plan.budget, "account_code": plan.account_code}
        if plan is None:
            plan = BudgetPlan(programme=programme, village=village, year=year)
        plan.budget = budget
        plan.account_code = account_code.strip()[:50]
        plan.note = note.strip()[:255]
        plan.updated_by = actor
        plan.updated_at = timezone.now()
        plan.save()
        audit_record(
            actor=actor,
            actor_username="" if actor is not None else "system",
            action="billing.budget.save",
            target_type="budget_plan",
            target_id=plan.pk,
            region_code=village.code,
            changes={
                "programme": programme.pk,
                "year": year,
                "budget": [before["budget"] if before else None, budget],
                "account_code": plan.account_code,
            },
        )
    return plan
