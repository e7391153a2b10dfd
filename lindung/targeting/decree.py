"""The village head's decree (Surat Keputusan) for an approved list, as a PDF rendered by WeasyPrint.

Rupiah and terbilang come from lokal-id (``format_rupiah``, ``terbilang``); the contribution per member and
month from ``lindung.billing.contributions.monthly_due`` (parameter rows in force in each month of the budget
year), so the yearly total follows any change of rates within the year.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from lokal import format_rupiah, terbilang

from lindung.billing.contributions import discount_allowed, monthly_due
from lindung.core.errors import ApplicationError
from lindung.programmes.selectors import agreement_for
from lindung.regions.models import Region
from lindung.registry.identity import mask_nik
from lindung.targeting.models import SelectionEntry, SelectionVersion

MONTHS = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)


def indonesian_date(day: dt.date) -> str:
    """25 November 2026."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def rupiah_in_words(amount: int) -> str:
    """Rp20.160.000 (dua puluh juta seratus enam puluh ribu rupiah)."""
    return f"{format_rupiah(amount)} ({terbilang(amount, currency=True)})"


def head_title(village: Region) -> str:
    """What the village head is called: Perbekel in a Bali desa, Lurah in a kelurahan, else Kepala Desa."""
    if village.kind == Region.Kind.KELURAHAN:
        return "Lurah"
    if village.code.startswith("51."):
        return "Perbekel"
    return "Kepala Desa"


@dataclass(frozen=True)
class YearlyContribution:
    members: int
    year: int
    monthly: tuple[int, ...]  # due per member in each month of the year
    funder: str
    discounted: bool

    @property
    def per_member(self) -> int:
        return sum(self.monthly)

    @property
    def total(self) -> int:
        return self.members * self.per_member

    @property
    def flat_monthly(self) -> int | None:
        """The monthly due when it is the same in every month (the usual case), else None."""
        return self.monthly[0] if len(set(self.monthly)) == 1 else None


def yearly_contribution(version: SelectionVersion) -> YearlyContribution:
    """The contributions for the selected members over the list's budget year, at the programme's income."""
    selection_list = version.selection_list
    programme = selection_list.programme
    village = selection_list.village
    agreement = agreement_for(programme, village)
    funder = agreement.funder if agreement is not None else programme.default_funder_for(village)
    discount = discount_allowed(
        str(funder), apply_discount_for_apbdes=bool(version.rules.get("apply_discount_for_apbdes", False))
    )
    year = selection_list.budget_year
    dues = [
        monthly_due(programme.declared_income, programme.package, dt.date(year, month, 1), discount=discount)
        for month in range(1, 13)
    ]
    return YearlyContribution(
        members=version.selected_count,
        year=year,
        monthly=tuple(d.total for d in dues),
        funder=str(funder),
        discounted=any(d.discounted for d in dues),
    )


def decree_context(version: SelectionVersion) -> dict[str, Any]:
    if version.status != SelectionVersion.Status.APPROVED and version.status != SelectionVersion.Status.SUPERSEDED:
        raise ApplicationError(_("A decree is only made for an approved version."), code="state")
    selection_list = version.selection_list
    village = selection_list.village
    district = village.parent
    regency = district.parent if district else None
    entries = [
        {**row, "masked_nik": mask_nik(row["nik"])}
        for row in version.entries.filter(status=SelectionEntry.Status.SELECTED)
        .order_by("position", "pk")
        .values("position", "name", "nik", "occupation_code", "occupation_name", "hamlet")
    ]
    contribution = yearly_contribution(version)
    title = head_title(village)
    kind = "Kelurahan" if village.kind == Region.Kind.KELURAHAN else "Desa"
    decree_date = version.decree_date or (version.approved_at.date() if version.approved_at else None)
    return {
        "version": version,
        "programme": selection_list.programme,
        "village": village,
        "village_kind": kind,
        "district": district,
        "regency": regency,
        "head_title": title,
        "head_name": (version.approved_by.full_name or version.approved_by.username) if version.approved_by else "",
        "legal_basis": selection_list.programme.legal_basis_lines,
        "entries": entries,
        "budget_year": selection_list.budget_year,
        "contribution": contribution,
        "monthly_due": format_rupiah(contribution.flat_monthly) if contribution.flat_monthly is not None else "",
        "per_member": format_rupiah(contribution.per_member),
        "total_in_words": rupiah_in_words(contribution.total),
        "members_in_words": terbilang(len(entries)),
        "decree_date": indonesian_date(decree_date) if decree_date else "",
        "place": (regency.name.removeprefix("Kota ").removeprefix("Kabupaten ") if regency else village.name),
        "deliberation": version.deliberations.order_by("-held_on", "-pk").first(),
        "indonesian_date": indonesian_date,
    }


def decree_html(version: SelectionVersion) -> str:
    context = decree_context(version)
    deliberation = context["deliberation"]
    context["deliberation_date"] = indonesian_date(deliberation.held_on) if deliberation else ""
    with translation.override("id"):
        return render_to_string("targeting/decree.html", context)


def decree_pdf(version: SelectionVersion) -> bytes:
    """The decree as PDF bytes."""
    from weasyprint import HTML  # heavy import, only when a decree is actually rendered

    return bytes(HTML(string=decree_html(version)).write_pdf())
