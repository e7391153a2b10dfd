"""Reads of billing data, always through the viewer's region scope (`lindung.accounts.access`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet, Sum
from django.utils import timezone

from lindung.accounts.access import user_scope
from lindung.billing import cover
from lindung.billing.models import Account, Invoice, InvoiceLine, Payment
from lindung.billing.services import month_last
from lindung.membership.models import Membership

WARN_FROM_UNPAID_MONTH = 2  # RULES.md: the system warns from the 2nd unpaid month


def invoice_list(*, viewer: Any, village_code: str = "", period: dt.date | None = None) -> QuerySet[Invoice]:
    invoices = Invoice.objects.filter(user_scope(viewer).q("village__code")).select_related("village", "programme")
    if village_code:
        invoices = invoices.filter(village_id=village_code)
    if period is not None:
        invoices = invoices.filter(period=period.replace(day=1))
    return invoices.order_by("village_id", "-period")


def payment_list(*, viewer: Any, village_code: str = "") -> QuerySet[Payment]:
    payments = (
        Payment.objects.filter(user_scope(viewer).q("village__code"))
        .select_related("village", "reversal_of")
        .annotate(is_reversed=Exists(Payment.objects.filter(reversal_of=OuterRef("pk"))))
    )
    if village_code:
        payments = payments.filter(village_id=village_code)
    return payments.order_by("village_id", "-value_date", "-pk")


@dataclass(frozen=True)
class ArrearsWarning:
    membership: Membership
    unpaid_months: int  # months from paid_through to this month (2 or 3)
    pay_by: dt.date  # last day before the lapse: the end of month paid_through + 3
    village_due: int  # open invoices of the member's village up to this month, less its credit


def arrears_warnings(*, viewer: Any, today: dt.date | None = None, region_code: str = "") -> list[ArrearsWarning]:
    """Members entering their 2nd or 3rd unpaid month: what the village must pay, and by when, to avoid the lapse.

    Three queries whatever the number of members: the members, the villages' open invoices, their credit.
    """
    today = today or timezone.localdate()
    this_month = cover.month_index(today)
    newest = cover.month_date(this_month - WARN_FROM_UNPAID_MONTH)
    oldest = cover.month_date(this_month - (cover.LAPSE_MONTHS - 1))
    # By `paid_through` alone (the stored status is as of the last recompute; the calendar may have moved since).
    members = Membership.objects.filter(user_scope(viewer).q("worker__village__code")).filter(
        ~Exists(Membership.objects.filter(renews=OuterRef("pk"))),
        paid_through__gte=oldest,
        paid_through__lte=newest,
        ended_on__isnull=True,
    )
    if region_code:
        members = members.filter(worker__village__code__startswith=region_code)
    rows = list(
        members.select_related("worker", "worker__village", "programme").order_by("paid_through", "worker__name")
    )
    villages = {m.worker.village_id for m in rows}
    open_due = {
        (row["invoice__programme_id"], row["invoice__village_id"]): row["due"]
        for row in InvoiceLine.objects.filter(
            invoice__village_id__in=villages,
            status=InvoiceLine.Status.OPEN,
            invoice__period__lte=cover.month_date(this_month),
        )
        .values("invoice__programme_id", "invoice__village_id")
        .annotate(due=Sum("amount"))
        .order_by()
    }
    credit = {
        (a.programme_id, a.village_id): a.credit for a in Account.objects.filter(village_id__in=villages).only("credit")
    }
    warnings = []
    for member in rows:
        if member.paid_through is None:  # pragma: no cover - filtered above
            continue
        paid = cover.month_index(member.paid_through)
        key = (member.programme_id, member.worker.village_id)
        warnings.append(
            ArrearsWarning(
                membership=member,
                unpaid_months=this_month - paid,
                pay_by=month_last(cover.month_date(paid + cover.LAPSE_MONTHS - 1)),
                village_due=max(open_due.get(key, 0) - credit.get(key, 0), 0),
            )
        )
    return warnings
