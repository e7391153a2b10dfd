"""The documents each claim type needs (as data), and whether a claim's uploads complete them.

The lists follow what BPJS Ketenagakerjaan asks for a JKM/JKK claim of a Bukan Penerima Upah member: the member's
and heirs' identity documents, the family card, the death certificate and heir statement for a death, the accident
report (police report or the village's statement) for a work accident, medical receipts when costs are claimed,
and the children's school statement when the quote carries a scholarship.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from lindung.claims.models import IncidentType


class When(StrEnum):
    ALWAYS = "always"
    COSTS = "costs"  # medical or transport costs are claimed
    SCHOLARSHIP = "scholarship"  # the quote lists children for a scholarship


@dataclass(frozen=True)
class Item:
    code: str
    label: Promise
    types: frozenset[str]
    when: When = When.ALWAYS


_DEATHS = frozenset({IncidentType.DEATH, IncidentType.WORK_ACCIDENT_DEATH})
_WORK = frozenset(t for t in IncidentType if t != IncidentType.DEATH)
_LIVING = frozenset(
    {
        IncidentType.TOTAL_PERMANENT_DISABILITY,
        IncidentType.PARTIAL_DISABILITY,
        IncidentType.TEMPORARY_DISABILITY,
    }
)
_ALL = frozenset(IncidentType)

ITEMS: tuple[Item, ...] = (
    Item("member_card", _("BPJS membership card (KPJ) of the worker"), _ALL),
    Item("family_card", _("Family card (KK)"), _ALL),
    Item("death_certificate", _("Death certificate (akta kematian / surat keterangan kematian)"), _DEATHS),
    Item("heir_ktp", _("KTP of the heirs"), _DEATHS),
    Item("heir_statement", _("Heir statement (surat keterangan ahli waris)"), _DEATHS),
    Item("worker_ktp", _("KTP of the worker"), _LIVING),
    Item("accident_report", _("Accident report (police report or village statement of the work accident)"), _WORK),
    Item("medical_statement", _("Doctor's statement (surat keterangan dokter)"), _LIVING),
    Item("medical_receipts", _("Receipts for medical care and transport"), _WORK, When.COSTS),
    Item("bank_book", _("Savings book of the recipient (or guardian)"), _ALL),
    Item(
        "school_statement",
        _("School statement of each child (surat keterangan aktif sekolah)"),
        _ALL,
        When.SCHOLARSHIP,
    ),
)
BY_CODE = {item.code: item for item in ITEMS}


def required_items(incident_types: Iterable[str], *, costs_claimed: bool, quote: dict[str, Any]) -> list[Item]:
    """The checklist of one claim: items for its type (both death causes while the cause is being assessed) whose
    condition holds."""
    types = set(incident_types)
    scholarship = bool(quote.get("scholarship", {}).get("children"))
    wanted = []
    for item in ITEMS:
        if not types & item.types:
            continue
        if item.when is When.COSTS and not costs_claimed:
            continue
        if item.when is When.SCHOLARSHIP and not scholarship:
            continue
        wanted.append(item)
    return wanted


def missing_items(required: Iterable[Item], uploaded_kinds: Iterable[str]) -> list[Item]:
    have = set(uploaded_kinds)
    return [item for item in required if item.code not in have]
