"""The programme's default eligibility as a database filter, for lists and counts (RULES.md, "Eligibility
for the programme"). The targeting app owns the full, effective-dated rules; these are its defaults."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q

from lindung.registry.occupations import occupations

MIN_AGE, MAX_AGE = 18, 65  # RULES.md default: age 18 to 65 at registration
INCOME_THRESHOLD = 1_000_000  # RULES.md default: monthly income below Rp1,000,000


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def eligible_q(today: dt.date) -> Q:
    """Workers who meet the default rules today: age, income, not a wage earner, not ASN/TNI/Polri."""
    excluded = [o.code for o in occupations().values() if o.excluded]
    youngest_birth = _years_before(today, MIN_AGE)
    oldest_birth = _years_before(today, MAX_AGE + 1) + dt.timedelta(days=1)
    return (
        Q(birth_date__lte=youngest_birth, birth_date__gte=oldest_birth)
        & (Q(monthly_income__isnull=True) | Q(monthly_income__lt=INCOME_THRESHOLD))
        & Q(is_wage_earner_member=False)
        & ~Q(occupation_code__in=excluded)
    )
