"""Writes of the reporting app: the city's published poverty rates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from lindung.accounts.access import require_village_change
from lindung.accounts.models import User
from lindung.audit.recording import audit_record
from lindung.core.errors import ApplicationError
from lindung.regions.models import Region
from lindung.reporting.models import PovertyRate


def poverty_rate_record(
    *,
    acting_user: User,
    city: Region,
    as_of: dt.date,
    poverty_rate: Decimal,
    extreme_poverty_rate: Decimal,
    source: str = "",
    request: Any = None,
) -> PovertyRate:
    """Record (or correct) the city's poverty and extreme-poverty rates published for `as_of`; audited."""
    if city.level != Region.Level.REGENCY:
        raise ApplicationError(_("Poverty rates are recorded for a city/regency."), code="level")
    require_village_change(acting_user, city.code)
    for value in (poverty_rate, extreme_poverty_rate):
        if value < 0 or value > 100:
            raise ApplicationError(_("A percentage must be between 0 and 100."), code="range")
    if extreme_poverty_rate > poverty_rate:
        raise ApplicationError(
            _("The extreme poverty rate cannot be greater than the poverty rate."), code="extreme_above_total"
        )
    with transaction.atomic():
        before = PovertyRate.objects.filter(city=city, as_of=as_of).first()
        rate, _created = PovertyRate.objects.update_or_create(
            city=city,
            as_of=as_of,
            defaults={
                "poverty_rate": poverty_rate,
                "extreme_poverty_rate": extreme_poverty_rate,
                "source": source,
                "entered_by": acting_user,
            },
        )
        changes: dict[str, Any] = {
            "as_of": as_of.isoformat(),
            "poverty_rate": str(poverty_rate),
            "extreme_poverty_rate": str(extreme_poverty_rate),
            "source": source,
        }
        if before is not None:
            changes["before"] = {
                "poverty_rate": str(before.poverty_rate),
                "extreme_poverty_rate": str(before.extreme_poverty_rate),
            }
        audit_record(
            actor=acting_user,
            action="reporting.poverty_rate.record",
            target_type="poverty_rate",
            target_id=rate.pk,
            region_code=city.code,
            changes=changes,
            request=request,
        )
    return rate
