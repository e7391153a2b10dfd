"""Lindung's benefit engine: pure Python, no Django (so that it can be tested, reused and reasoned about alone).

`quote(event, member, children, parameters_on(event.date))` gives what one event pays under the parameter rows in
force on its date; `receiving_heirs(heirs)` who receives a death benefit. The CLI contract is in `jsonio`.

Texts for people are Indonesian, with the English beside them as data (`QuoteError.english`, `HeirDecision.basis_en`,
`not_covered_reason()`); `in_language(language, indonesian, english)` picks one for a caller that knows the language.
"""

from .heirs import Heir, HeirDecision, HeirRelation, Payee, receiving_heirs
from .model import (
    BenefitLine,
    Child,
    ChildSchedule,
    CoverStatus,
    Event,
    EventType,
    Level,
    Member,
    Month,
    Policy,
    Quote,
    QuoteError,
    Scholarship,
    ScholarshipYear,
    Transport,
    in_language,
)
from .quote import not_covered_reason, quote

__all__ = [
    "BenefitLine",
    "Child",
    "ChildSchedule",
    "CoverStatus",
    "Event",
    "EventType",
    "Heir",
    "HeirDecision",
    "HeirRelation",
    "Level",
    "Member",
    "Month",
    "Payee",
    "Policy",
    "Quote",
    "QuoteError",
    "Scholarship",
    "ScholarshipYear",
    "Transport",
    "in_language",
    "not_covered_reason",
    "quote",
    "receiving_heirs",
]
