"""The engine's texts for people come in Indonesian (the default, unchanged) and in English, as data: the engine
stays pure, the Django boundary picks one with `get_language()` (issue 10)."""

from __future__ import annotations

import ast
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from lindung.benefits.engine import (
    Heir,
    HeirRelation,
    Member,
    Month,
    QuoteError,
    in_language,
    not_covered_reason,
    quote,
    receiving_heirs,
)
from lindung.benefits.engine.jsonio import parse_request
from lindung.core.parameters import parameters_on

from .payloads import VALID, changed

ENGINE = Path(__file__).resolve().parents[1] / "engine"
COMMAND = Path(__file__).resolve().parents[1] / "management" / "commands" / "quote-benefits.py"
# Indonesian words of the engine's messages that no English text should carry.
INDONESIAN = ("harus", "wajib", "tidak", "berupa", "anak", "Masukan", "kelas", "bulan", "peristiwa", "ahli waris")


def _error(payload) -> QuoteError:
    with pytest.raises(QuoteError) as raised:
        request = parse_request(payload)
        event = request.event
        quote(event, request.member, request.children, parameters_on(event.date), request.chosen_children)
    return raised.value


SAMPLES = [
    # jsonio
    ([], "invalid_input", "input must be a JSON object."),
    ({**VALID, "extra": 1}, "invalid_input", "Unknown fields in input: extra."),
    (changed(member=KeyError), "invalid_input", "input.member is required."),
    (changed(event__date=KeyError), "invalid_input", "event.date is required."),
    (changed(event__months_unabel=3), "invalid_input", "Unknown fields in event: months_unabel."),
    (changed(event__date="2026-02-30"), "invalid_date", "event.date must be a valid date in the format YYYY-MM-DD"),
    (changed(member__paid_through="2026-13"), "invalid_date", "must be a valid month in the format YYYY-MM"),
    (changed(member__declared_income="1000000"), "invalid_input", "member.declared_income must be a whole number."),
    (changed(member__declared_income=Decimal("1.5")), "invalid_input", "must be a whole number."),
    (changed(event__disability_percent="10"), "invalid_input", "event.disability_percent must be a number."),
    (changed(children__0__married="no"), "invalid_input", "children[0].married must be true or false."),
    (changed(event__type="banjir"), "unknown_event_type", "Unknown event type: 'banjir' (choices: death,"),
    (changed(children__0__name=5), "invalid_input", "children[0].name must be text."),
    (changed(children__0__level="SMK"), "invalid_input", "Unknown children[0].level: 'SMK'"),
    (changed(children="Ayu"), "invalid_input", "children must be a list."),
    ({**VALID, "chosen_children": "Ayu"}, "invalid_input", "chosen_children must be a list of names."),
    (changed(event__transport=[]), "invalid_input", "event.transport must be a JSON object."),
    # quote
    (changed(event__type="partial_disability"), "invalid_input", "event.disability_percent (the percentage"),
    (changed(event__type="temporary_disability"), "invalid_input", "event.months_unable (the number of months"),
    (
        changed(event__type="work_accident_death", event__function_loss_percent=120),
        "invalid_input",
        "event.function_loss_percent must be a percentage from 0 to 100.",
    ),
    (
        changed(event__type="work_accident_death", event__medical_cost=-1),
        "invalid_input",
        "Medical and transport costs cannot be negative.",
    ),
    (changed(event__medical_cost=1000), "not_work_accident", "only for a work accident (JKK)"),
    (changed(member__declared_income=999_999), "income_out_of_range", "The declared income Rp999.999 is outside"),
    (changed(member__paid_through="2022-02"), "invalid_member", "is earlier than the month before the membership"),
    (changed(children__1__name="Ayu"), "invalid_child", "Each child must have a different name."),
    (changed(children__0__name=" "), "invalid_child", "The child's name is required."),
    (changed(children__0__level="none"), "invalid_child", "Ayu: a child not yet in school has no grade."),
    (changed(children__0__grade=7), "invalid_child", "Ayu: the SD grade must be 1 to 6."),
    (changed(children__0__birth_date="2026-05-01"), "invalid_child", "Ayu: a child born after the event"),
    # scholarship
    ({**VALID, "chosen_children": ["Ayu", "Ayu"]}, "invalid_input", "A chosen child cannot be named twice."),
    ({**VALID, "chosen_children": ["Ayu", "Wayan", "X"]}, "too_many_children", "children can be chosen"),
    ({**VALID, "chosen_children": ["Made"]}, "unknown_child", "The chosen child is not in the list of children: Made."),
    (
        {**VALID, "chosen_children": ["Wayan"]},
        "child_not_eligible",
        "The chosen child does not meet the scholarship conditions: Wayan is working.",
    ),
]


@pytest.mark.parametrize(("payload", "code", "english"), SAMPLES)
def test_every_error_has_both_texts_indonesian_by_default(payload, code, english):
    error = _error(payload)
    assert error.code == code
    assert english in error.english
    assert error.message and error.english != error.message
    assert str(error) == error.message  # the CLI and every existing caller see the Indonesian text, as before
    assert not [word for word in INDONESIAN if word in error.english], error.english
    assert error.text("en") == error.text("en-us") == error.english
    assert error.text("id") == error.text(None) == error.text("") == error.message


def test_the_samples_reach_every_module_that_raises():
    codes = {code for _payload, code, _english in SAMPLES}
    assert codes >= {"invalid_input", "invalid_date", "unknown_event_type", "not_work_accident"}
    assert codes >= {"income_out_of_range", "invalid_member", "invalid_child", "too_many_children"}
    assert codes >= {"unknown_child", "child_not_eligible"}


def test_every_quote_error_in_the_source_names_its_english_text():
    calls = 0
    for path in [*ENGINE.glob("*.py"), COMMAND]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "QuoteError":
                calls += 1
                assert "english" in {keyword.arg for keyword in node.keywords}, f"{path.name}:{node.lineno}"
    assert calls >= 20


def test_the_english_of_a_not_covered_quote_matches_its_indonesian_reason():
    day = dt.date(2026, 3, 10)
    params = parameters_on(day)
    cases = {
        "arrears": (
            Member(1_000_000, dt.date(2022, 4, 1), Month(2025, 12)),
            "3 months in arrears (paid through 2025-12)",
        ),
        "lapsed": (Member(1_000_000, dt.date(2022, 4, 1), Month(2025, 10)), "the membership ended because 5 months"),
        "before_start": (Member(1_000_000, dt.date(2026, 4, 1), Month(2026, 3)), "before the membership started"),
    }
    payload = changed(children=[])
    event = parse_request(payload).event
    for status, (member, english) in cases.items():
        result = quote(event, member, [], params)
        assert result.status == status
        indonesian, in_english = not_covered_reason(member, day, params)
        assert indonesian == result.scholarship.reason  # the quote's text, unchanged
        assert in_english.startswith("No benefit: ") and english in in_english
        assert not [word for word in INDONESIAN if word in in_english], in_english
    assert not_covered_reason(Member(1_000_000, dt.date(2022, 4, 1), Month(2026, 3)), day, params) is None


@pytest.mark.parametrize("relation", list(HeirRelation))
def test_the_order_of_heirs_is_explained_in_both_languages(relation):
    decision = receiving_heirs([Heir(relation, "Nyoman")])
    assert decision.basis.startswith("Urutan ahli waris")
    assert decision.basis_en.startswith("Order of heirs (PP 44/2015 jo. PP 82/2019): the benefit goes to the ")
    assert not [word for word in INDONESIAN if word in decision.basis_en], decision.basis_en
    assert decision.basis_in("en") == decision.basis_en
    assert decision.basis_in("id") == decision.basis_in(None) == decision.basis


def test_no_heir_and_a_minor_without_guardian_in_both_languages():
    nobody = receiving_heirs([])
    assert nobody.basis_in("en").startswith("No heirs: the funeral costs are paid to whoever arranged the funeral")
    assert nobody.basis_in("id").startswith("Tidak ada ahli waris")
    with pytest.raises(QuoteError) as raised:
        receiving_heirs([Heir(HeirRelation.CHILD, "Putu", is_minor=True)])
    assert raised.value.code == "guardian_required"
    assert raised.value.text("en") == (
        "The heir Putu is a minor: their share is paid into a guardian's account; enter the guardian's account."
    )
    assert "rekening wali" in raised.value.text("id")


def test_in_language():
    assert in_language("en", "ya", "yes") == in_language("EN-gb", "ya", "yes") == "yes"
    assert in_language("id", "ya", "yes") == in_language(None, "ya", "yes") == "ya"
