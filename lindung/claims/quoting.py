"""From the database to the benefit engine and back: the engine computes, this module only translates.

`claim_quote()` builds the engine's inputs from an incident, its membership and the worker's children, calls
`lindung.benefits.engine.quote` with the parameter rows in force on the event date, and returns the engine's JSON
output (`jsonio.quote_to_json`) with the names of the children it lists mapped to their registry rows.

The engine's texts for people come in Indonesian and English (`QuoteError.text(language)`); messages take the
request's language (`get_language()`). The quote JSON itself keeps the engine's Indonesian texts (the CLI contract).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from lindung.benefits.engine import Child as EngineChild
from lindung.benefits.engine import (
    Event,
    EventType,
    Level,
    Member,
    Month,
    QuoteError,
    Transport,
    in_language,
    not_covered_reason,
    quote,
)
from lindung.benefits.engine.jsonio import quote_to_json
from lindung.claims.models import Claim, Incident, IncidentType
from lindung.core.errors import ApplicationError
from lindung.core.parameters import parameters_on
from lindung.membership.models import Membership
from lindung.registry.models import Child

#: What each benefit line of the engine is, for people (the rule column names the parameter rows).
BENEFIT_LABELS = {
    "jkm_lump_sum": _("Lump-sum death benefit (santunan sekaligus)"),
    "jkm_periodic": _("Periodic benefit, 24 months paid at once (santunan berkala)"),
    "jkm_funeral": _("Funeral costs"),
    "jkk_death_lump_sum": _("Work-accident death benefit (a multiple of the declared income)"),
    "jkk_periodic": _("Periodic benefit, 24 months paid at once (santunan berkala)"),
    "jkk_funeral": _("Funeral costs"),
    "jkk_total_permanent_disability": _("Total permanent disability (a multiple of the declared income)"),
    "jkk_partial_disability": _("Partial disability"),
    "jkk_stmb_first": _("Temporary inability to work, first months (STMB)"),
    "jkk_stmb_after": _("Temporary inability to work, later months (STMB)"),
    "jkk_medical": _("Medical care as billed"),
    "jkk_transport_land": _("Land transport"),
    "jkk_transport_sea": _("Sea transport"),
    "jkk_transport_air": _("Air transport"),
}


@dataclass(frozen=True)
class ClaimQuote:
    data: dict[str, Any]  # the engine's JSON output
    children: dict[str, int]  # name in the quote -> registry Child pk
    member_inputs: dict[str, Any]


def member_inputs(membership: Membership) -> dict[str, Any]:
    """The membership data the engine uses, in the CLI's JSON shape (kept with the claim)."""
    start = membership.starts_on
    paid = membership.paid_through
    if paid is None:  # nothing paid yet: the month before the start month
        paid = (start.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    return {
        "declared_income": membership.declared_income,
        "membership_start": start.isoformat(),
        "paid_through": f"{paid.year:04d}-{paid.month:02d}",
    }


def engine_member(inputs: dict[str, Any]) -> Member:
    year, month = inputs["paid_through"].split("-")
    return Member(
        declared_income=int(inputs["declared_income"]),
        membership_start=dt.date.fromisoformat(inputs["membership_start"]),
        paid_through=Month(int(year), int(month)),
    )


def engine_event(incident: Incident, event_type: str | None = None) -> Event:
    kind = EventType(event_type or incident.type)
    work = kind.is_work_accident
    return Event(
        type=kind,
        date=incident.date,
        months_unable=incident.months_unable,
        disability_percent=incident.disability_percent,
        function_loss_percent=incident.function_loss_percent,
        medical_cost=incident.medical_cost if work else 0,
        transport=Transport(incident.transport_land, incident.transport_sea, incident.transport_air)
        if work
        else Transport(),
    )


def engine_child(child: Child) -> EngineChild:
    level = Level(child.school_level or Level.NONE)
    return EngineChild(
        name=child.name.strip(),
        birth_date=child.birth_date,
        level=level,
        grade=None if level is Level.NONE else child.grade,
        married=child.married,
        working=child.working,
    )


def claim_quote(
    incident: Incident, membership: Membership, chosen_children: Sequence[int] = (), event_type: str | None = None
) -> ClaimQuote:
    """The engine's quote for the incident (or for `event_type`, the other cause of a death under assessment)."""
    children = list(incident.worker.children.all())
    by_pk = {child.pk: child for child in children}
    unknown = [pk for pk in chosen_children if pk not in by_pk]
    if unknown:
        raise ApplicationError(gettext("The chosen child is not a child of this worker."), code="child")
    inputs = member_inputs(membership)
    chosen_names = [by_pk[pk].name.strip() for pk in chosen_children] or None
    try:
        result = quote(
            engine_event(incident, event_type),
            engine_member(inputs),
            [engine_child(child) for child in children],
            parameters_on(incident.date),
            chosen_names,
        )
    except QuoteError as exc:
        raise ApplicationError(exc.text(get_language()), code=exc.code) from exc
    data = quote_to_json(result)
    names = {child.name.strip(): child.pk for child in children}
    listed = {entry["name"]: names[entry["name"]] for entry in data["scholarship"]["children"]}
    return ClaimQuote(data, listed, inputs)


def quoted_reason(claim: Claim) -> str:
    """The scholarship reason of the claim's stored quote, in the request's language.

    The stored quote holds the engine's Indonesian text. For a quote that pays nothing because the member was not
    covered, the engine gives both texts again from the inputs the claim keeps; the English one is used only when
    the Indonesian one is exactly the stored text (otherwise the stored text, as it is)."""
    stored = claim.quote["scholarship"]["reason"]
    if in_language(get_language(), "id", "en") == "id":  # not an English request
        return stored
    day = claim.incident.date
    try:
        texts = not_covered_reason(engine_member(claim.member_inputs), day, parameters_on(day))
    except (LookupError, TypeError, ValueError):  # inputs missing or unreadable, no parameter rows on that day
        return stored
    return texts[1] if texts and texts[0] == stored else stored


def other_death_cause(event_type: str) -> str:
    if event_type == IncidentType.DEATH:
        return IncidentType.WORK_ACCIDENT_DEATH
    return IncidentType.DEATH
