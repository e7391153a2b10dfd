"""The JSON contract of `lindung quote-benefits` (issue 6), pure Python so that other callers can share it.

`parse_request()` turns the decoded input into engine objects (or raises `QuoteError` naming the field, in
Indonesian and in English); `quote_to_json()` gives exactly the output keys of the contract. Decode the input with
`json.loads(text, parse_float=Decimal)` so that percentages never pass through a float.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from .model import Child, Event, EventType, Level, Member, Month, Quote, QuoteError, Transport

DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
MONTH = re.compile(r"\d{4}-\d{2}")
EVENT_KEYS = {"type", "date", "months_unable", "disability_percent", "function_loss_percent"}
EVENT_KEYS |= {"medical_cost", "transport"}
MEMBER_KEYS = {"declared_income", "membership_start", "paid_through"}
CHILD_KEYS = {"name", "birth_date", "level", "grade", "married", "working"}
TRANSPORT_KEYS = {"land", "sea", "air"}
TOP_KEYS = {"event", "member", "children", "chosen_children"}
INPUT = "Masukan"  # the whole input, as the messages name it (in English: "input")


@dataclass(frozen=True)
class Request:
    event: Event
    member: Member
    children: tuple[Child, ...]
    chosen_children: tuple[str, ...] | None


def _invalid(message: str, english: str) -> QuoteError:
    return QuoteError("invalid_input", message, english=english)


def _english(field: str) -> str:
    return "input" if field == INPUT else field


def _object(value: Any, field: str, allowed: set[str]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _invalid(f"{field} harus berupa objek JSON.", f"{_english(field)} must be a JSON object.")
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise _invalid(
            f"Kolom tidak dikenal di {field}: {', '.join(unknown)}.",
            f"Unknown fields in {_english(field)}: {', '.join(unknown)}.",
        )
    return value


def _required(data: dict[str, Any], key: str, field: str) -> Any:
    if data.get(key) is None:
        raise _invalid(f"{field}.{key} wajib diisi.", f"{_english(field)}.{key} is required.")
    return data[key]


def _date(value: Any, field: str) -> dt.date:
    if isinstance(value, str) and DATE.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise QuoteError(
        "invalid_date",
        f"{field} harus tanggal yang benar dengan format YYYY-MM-DD: {value!r}.",
        english=f"{field} must be a valid date in the format YYYY-MM-DD: {value!r}.",
    )


def _month(value: Any, field: str) -> Month:
    if isinstance(value, str) and MONTH.fullmatch(value):
        try:
            return Month(int(value[:4]), int(value[5:]))
        except ValueError:
            pass
    raise QuoteError(
        "invalid_date",
        f"{field} harus bulan yang benar dengan format YYYY-MM: {value!r}.",
        english=f"{field} must be a valid month in the format YYYY-MM: {value!r}.",
    )


def _whole(value: Any, field: str) -> int:
    """A whole number (rupiah, months); `1000000.0` is accepted, `1.5` and `true` are not."""
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise _invalid(f"{field} harus berupa bilangan bulat.", f"{field} must be a whole number.")
    if isinstance(value, Decimal):
        if not value.is_finite() or value != value.to_integral_value():
            raise _invalid(f"{field} harus berupa bilangan bulat.", f"{field} must be a whole number.")
        return int(value)
    return value


def _number(value: Any, field: str) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | Decimal) or not Decimal(value).is_finite():
        raise _invalid(f"{field} harus berupa angka.", f"{field} must be a number.")
    return Decimal(value)


def _flag(value: Any, field: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise _invalid(f"{field} harus true atau false.", f"{field} must be true or false.")
    return value


def _money(data: dict[str, Any], key: str, field: str) -> int:
    value = data.get(key)
    return 0 if value is None else _whole(value, f"{field}.{key}")


def parse_event(value: Any) -> Event:
    data = _object(value, "event", EVENT_KEYS)
    kind = _required(data, "type", "event")
    try:
        event_type = EventType(kind)
    except ValueError:
        known = ", ".join(item.value for item in EventType)
        raise QuoteError(
            "unknown_event_type",
            f"Jenis peristiwa tidak dikenal: {kind!r} (pilihan: {known}).",
            english=f"Unknown event type: {kind!r} (choices: {known}).",
        ) from None
    transport = data.get("transport")
    transport_data = _object(transport, "event.transport", TRANSPORT_KEYS) if transport is not None else {}
    months = data.get("months_unable")
    return Event(
        type=event_type,
        date=_date(_required(data, "date", "event"), "event.date"),
        months_unable=None if months is None else _whole(months, "event.months_unable"),
        disability_percent=_number(data.get("disability_percent"), "event.disability_percent"),
        function_loss_percent=_number(data.get("function_loss_percent"), "event.function_loss_percent"),
        medical_cost=_money(data, "medical_cost", "event"),
        transport=Transport(**{mode: _money(transport_data, mode, "event.transport") for mode in TRANSPORT_KEYS}),
    )


def parse_member(value: Any) -> Member:
    data = _object(value, "member", MEMBER_KEYS)
    return Member(
        declared_income=_whole(_required(data, "declared_income", "member"), "member.declared_income"),
        membership_start=_date(_required(data, "membership_start", "member"), "member.membership_start"),
        paid_through=_month(_required(data, "paid_through", "member"), "member.paid_through"),
    )


def parse_child(value: Any, index: int) -> Child:
    field = f"children[{index}]"
    data = _object(value, field, CHILD_KEYS)
    name = _required(data, "name", field)
    if not isinstance(name, str):
        raise _invalid(f"{field}.name harus berupa teks.", f"{field}.name must be text.")
    level_text = _required(data, "level", field)
    try:
        level = Level(level_text)
    except ValueError:
        known = ", ".join(item.value for item in Level)
        raise _invalid(
            f"{field}.level tidak dikenal: {level_text!r} (pilihan: {known}).",
            f"Unknown {field}.level: {level_text!r} (choices: {known}).",
        ) from None
    grade = data.get("grade")
    grade_number = None if grade is None else _whole(grade, f"{field}.grade")
    if level is Level.NONE and grade_number == 0:
        grade_number = None
    return Child(
        name=name.strip(),
        birth_date=_date(_required(data, "birth_date", field), f"{field}.birth_date"),
        level=level,
        grade=grade_number,
        married=_flag(data.get("married"), f"{field}.married"),
        working=_flag(data.get("working"), f"{field}.working"),
    )


def parse_request(value: Any) -> Request:
    data = _object(value, INPUT, TOP_KEYS)
    children = data.get("children") or []
    if not isinstance(children, list):
        raise _invalid("children harus berupa daftar.", "children must be a list.")
    chosen = data.get("chosen_children")
    if chosen is not None and (not isinstance(chosen, list) or not all(isinstance(name, str) for name in chosen)):
        raise _invalid("chosen_children harus berupa daftar nama anak.", "chosen_children must be a list of names.")
    return Request(
        event=parse_event(_required(data, "event", INPUT)),
        member=parse_member(_required(data, "member", INPUT)),
        children=tuple(parse_child(child, index) for index, child in enumerate(children)),
        chosen_children=tuple(name.strip() for name in chosen) if chosen else None,
    )


def quote_to_json(quote: Quote) -> dict[str, Any]:
    scholarship = quote.scholarship
    return {
        "status": quote.status.value,
        "masa_iur_months": quote.masa_iur_months,
        "benefits": [{"code": line.code, "amount": line.amount, "rule": line.rule} for line in quote.benefits],
        "cash_total": quote.cash_total,
        "scholarship": {
            "eligible": scholarship.eligible,
            "reason": scholarship.reason,
            "children": [
                {
                    "name": child.name,
                    "years": [
                        {"school_year": y.school_year, "level": y.level.value, "grade": y.grade, "amount": y.amount}
                        for y in child.years
                    ],
                    "total": child.total,
                }
                for child in scholarship.children
            ],
            "total": scholarship.total,
        },
        "grand_total": quote.grand_total,
    }


def error_to_json(error: QuoteError) -> dict[str, Any]:
    return {"error": {"code": error.code, "message": error.message}}
