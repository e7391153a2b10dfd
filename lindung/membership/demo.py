"""Demo data: Tegal Harum's 100 approved workers, members since 1 February 2023, and the village's payments. Idempotent.

Tegal Harum has paid its workers' contributions since the launch in February 2023 (`shared/mission/`), before it
used Lindung; the demo brings that history in the way a real village does, through the import of existing memberships
(`lindung.membership.importing`): first the members (NIK, a fictional KPJ number, start 2023-02-01) — which issues the
monthly invoices from February 2023 to the current month with `billing_run`, one set-based run per month for Tegal
Harum only —, then the payments. The village pays each month's invoice on the 10th, except two quarters paid in
advance (January and July 2024: three months at once), and has not paid the last two months yet, so the operator's
home page shows the arrears warning. Cover (`paid_through`, status, masa iur) is derived by `cover_recompute`.

Requires ``demo_targeting()`` (the approved list, whose approval made the 100 pending memberships).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from lindung.accounts.models import User
from lindung.billing.models import Invoice
from lindung.membership.importing import MemberRow, PaymentRow, memberships_import_rows
from lindung.programmes.models import Programme
from lindung.targeting.models import SelectionEntry, SelectionVersion

TEGAL_HARUM = "51.71.03.2008"
PROGRAMME_NAME = "Gerakan 1 Desa 100 Pekerja Rentan"
MEMBERS_SINCE = dt.date(2023, 2, 1)
PREPAID_QUARTERS = (dt.date(2024, 1, 1), dt.date(2024, 7, 1))
UNPAID_MONTHS = 2  # the last two months: the arrears warning shows (RULES.md: from the 2nd unpaid month)
PAY_DAY = 10


def _kpj(serial: int) -> str:
    return f"2302{serial:07d}"  # fictional, 11 digits


def _month_add(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def demo_memberships(today: dt.date | None = None) -> dict:
    """Import (once) Tegal Harum's members since 2023 and its payments up to two months ago."""
    today = today or timezone.localdate()
    programme = Programme.objects.get(name=PROGRAMME_NAME, region_id="51.71")
    operator = User.objects.get(username="operator.tegalharum")
    version = SelectionVersion.objects.filter(
        selection_list__village_id=TEGAL_HARUM,
        selection_list__programme=programme,
        status=SelectionVersion.Status.APPROVED,
    ).first()
    if version is None:
        return {"memberships_created": 0, "memberships_completed": 0, "invoices_created": 0, "payments_created": 0}
    selected = list(
        version.entries.filter(status=SelectionEntry.Status.SELECTED, worker__isnull=False)
        .order_by("position", "pk")
        .values_list("nik", flat=True)
    )
    members = memberships_import_rows(
        actor=operator,
        programme=programme,
        member_rows=[
            MemberRow(row=i + 2, nik=nik, kpj=_kpj(i + 1), starts_on=MEMBERS_SINCE) for i, nik in enumerate(selected)
        ],
        today=today,
    )
    if not members.ok:  # pragma: no cover - the demo's own rows are clean
        raise RuntimeError("; ".join(str(p) for p in members.problems))

    totals = dict(Invoice.objects.filter(programme=programme, village_id=TEGAL_HARUM).values_list("period", "total"))
    last_paid = _month_add(today.replace(day=1), -UNPAID_MONTHS)
    rows: list[PaymentRow] = []
    month = MEMBERS_SINCE
    while month <= last_paid:
        span = 3 if month in PREPAID_QUARTERS else 1
        months = [m for m in (_month_add(month, k) for k in range(span)) if m <= last_paid]
        amount = sum(totals.get(m, 0) for m in months)
        if amount:
            reference = f"TH-{month:%Y%m}" + ("-TRIWULAN" if len(months) > 1 else "")
            rows.append(
                PaymentRow(
                    row=len(rows) + 2,
                    village=TEGAL_HARUM,
                    value_date=month.replace(day=PAY_DAY),
                    amount=amount,
                    reference=reference,
                    budget_source="dana_desa",
                )
            )
        month = _month_add(month, len(months))
    payments = memberships_import_rows(
        actor=operator, programme=programme, member_rows=[], payment_rows=rows, today=today
    )
    if not payments.ok:  # pragma: no cover
        raise RuntimeError("; ".join(str(p) for p in payments.problems))
    return {
        "memberships_created": members.created,
        "memberships_completed": members.completed,
        "invoices_created": members.invoices_created,
        "payments_created": payments.payments_created,
    }
