"""Cover on the event date and the masa iur, with RULES.md "Cover and lapse" month arithmetic.

A member is covered from the membership start date through the last day of `paid_through`. For an event in month
M after `paid_through` P the unpaid months are M - P: up to `bpu_grace_months` (3, Perdir 22/PERDIR.02/072022) they
are arrears and the event is not covered until they are paid (RULES.md default); beyond that the membership has
lapsed. The masa iur counts the months from the start month to min(P, M), inclusive, and is 0 when not covered.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lindung.core.parameters import Parameters

from .model import DEFAULT_POLICY, CoverStatus, Member, Month, Policy


@dataclass(frozen=True)
class Cover:
    status: CoverStatus
    masa_iur_months: int
    unpaid_months: int
    parameters: tuple[str, ...]


def months_between(first: Month, last: Month) -> int:
    """Months from `first` to `last`, both included (0 when `last` is before `first`)."""
    return max(0, last.index - first.index + 1)


def cover_on(member: Member, day: dt.date, parameters: Parameters, policy: Policy = DEFAULT_POLICY) -> Cover:
    event_month = Month.of(day)
    unpaid = max(0, event_month.index - member.paid_through.index)
    if day < member.membership_start:
        return Cover(CoverStatus.BEFORE_START, 0, unpaid, ())
    if unpaid > 0:
        grace = (parameters.row("bpu_grace_months").reference,)
        if unpaid > parameters.integer("bpu_grace_months"):
            return Cover(CoverStatus.LAPSED, 0, unpaid, grace)
        if not policy.arrears_covered:
            return Cover(CoverStatus.ARREARS, 0, unpaid, grace)
    masa_iur = months_between(Month.of(member.membership_start), min(member.paid_through, event_month))
    return Cover(CoverStatus.COVERED, masa_iur, unpaid, ())
