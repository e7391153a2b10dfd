"""The monthly contribution (iuran) of one BPU member for one month — pure Python, no Django.

RULES.md "Contributions": monthly due = JKK 1% of declared income (min, max) + JKM flat, plus JHT 2% (min, max) when
the package includes it. The PP 50/2025 discount multiplies JKK and JKM (never JHT) in the months the factor row is in
force. Every amount comes from the effective-dated parameter rows in force on the first day of the month
(`lindung.core.parameters`), and the result names the rows it used so an invoice line can show its basis.

Whether the discount applies to a member is a decision of the caller (who pays: never APBD/APBN; APBDes only when the
programme rules switch it on), passed in as `discount=True`. Rounding: each component is rounded down to the whole
rupiah (1% of Rp1,234,567 is Rp12,345), and the discount is applied per component, also rounded down.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from lindung.core.parameters import Parameters, parameters_on

PACKAGE_JKK_JKM = "jkk_jkm"
PACKAGE_JKK_JKM_JHT = "jkk_jkm_jht"
PACKAGES = (PACKAGE_JKK_JKM, PACKAGE_JKK_JKM_JHT)

DISCOUNT_OTHER = "relief_pp50_2025_factor_other"
DISCOUNT_TRANSPORT = "relief_pp50_2025_factor_transport"


class ContributionError(ValueError):
    """The declared income or package cannot be billed (outside the regulation's bounds, unknown package)."""


@dataclass(frozen=True)
class MonthlyDue:
    month: dt.date  # first day of the month
    jkk: int
    jkm: int
    jht: int
    rules: tuple[str, ...]  # parameter references used, e.g. "bpu_jkm_flat (PP44/2015)"
    discounted: bool = False

    @property
    def total(self) -> int:
        return self.jkk + self.jkm + self.jht


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _floor(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_FLOOR))


def _bounded_rate(params: Parameters, income: int, rate: str, low: str, high: str, used: list[str]) -> int:
    amount = _floor(Decimal(income) * params.decimal(rate))
    lowest, highest = params.integer(low), params.integer(high)
    used.extend(params.row(name).reference for name in (rate, low, high))
    return min(max(amount, lowest), highest)


def discount_factor(month: dt.date, *, transport_sector: bool = False) -> Decimal | None:
    """The PP 50/2025 factor in force in `month` for this kind of worker, or None when there is none."""
    params = parameters_on(first_of_month(month))
    name = DISCOUNT_TRANSPORT if transport_sector else DISCOUNT_OTHER
    return params.decimal(name) if params.has(name) else None


def monthly_due(
    declared_income: int,
    package: str,
    month: dt.date,
    *,
    discount: bool = False,
    transport_sector: bool = False,
) -> MonthlyDue:
    """The due for one member for the month containing `month`.

    `discount`: the member's funder may receive the PP 50/2025 discount (the caller decides: not for APBD/APBN, for
    APBDes only when the programme rules say so); it is applied only in months where the factor row is in force.
    `transport_sector`: use the transport-sector discount period instead of the general one.
    """
    if package not in PACKAGES:
        raise ContributionError(f"unknown package {package!r}")
    first = first_of_month(month)
    params = parameters_on(first)
    used: list[str] = []
    minimum, maximum = params.integer("bpu_min_declared_income"), params.integer("bpu_max_declared_income")
    used.extend(params.row(name).reference for name in ("bpu_min_declared_income", "bpu_max_declared_income"))
    if not minimum <= declared_income <= maximum:
        raise ContributionError(f"declared income {declared_income} is outside {minimum}..{maximum}")

    jkk = _bounded_rate(params, declared_income, "bpu_jkk_rate", "bpu_jkk_min", "bpu_jkk_max", used)
    jkm = params.integer("bpu_jkm_flat")
    used.append(params.row("bpu_jkm_flat").reference)
    jht = 0
    if package == PACKAGE_JKK_JKM_JHT:
        jht = _bounded_rate(params, declared_income, "bpu_jht_rate", "bpu_jht_min", "bpu_jht_max", used)

    discounted = False
    if discount:
        name = DISCOUNT_TRANSPORT if transport_sector else DISCOUNT_OTHER
        if params.has(name):
            factor = params.decimal(name)
            jkk, jkm = _floor(jkk * factor), _floor(jkm * factor)
            used.append(params.row(name).reference)
            discounted = True
    return MonthlyDue(month=first, jkk=jkk, jkm=jkm, jht=jht, rules=tuple(used), discounted=discounted)


def discount_allowed(funder: str, *, apply_discount_for_apbdes: bool) -> bool:
    """Whether members paid by `funder` ("apbdes", "apbd", "other") may get the PP 50/2025 discount.

    PP 50/2025 Pasal 3 excludes members paid through APBN/APBD; for APBDes the programme rules decide (RULES.md
    default: not applied). Another funder (CSR, Baznas, …) is not public money and gets it.
    """
    if funder == "apbd":
        return False
    if funder == "apbdes":
        return apply_discount_for_apbdes
    return True
