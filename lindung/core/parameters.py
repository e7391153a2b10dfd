"""Regulation parameters as effective-dated rows, read from the project's own copy of `parameters.csv`.

Pure Python (no Django) so that the benefit engine and billing arithmetic can use it and be tested on their own.
A calculation for an event on day D uses the rows in force on D (RULES.md): PP 44/2015 → PP 82/2019 changed amounts,
PP 50/2025 discounts 2026 months. The file is a copy of the programme's reference table, with its regulation,
confidence and source columns, so that every amount Lindung uses can name where it comes from.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

PARAMETERS_CSV = Path(__file__).resolve().parent / "data" / "parameters.csv"


class ParameterError(LookupError):
    """No row of that name is in force on the day asked for, or its value is not of the kind asked for."""


@dataclass(frozen=True)
class ParameterRow:
    name: str
    value: str
    unit: str
    regulation: str
    effective_from: dt.date | None  # None: in force since before any date Lindung handles
    effective_to: dt.date | None  # None: still in force
    confidence: str  # A: verbatim regulation; B: consistent official sources; C: unknown/unretrieved
    source: str

    def in_force(self, day: dt.date) -> bool:
        return (self.effective_from is None or self.effective_from <= day) and (
            self.effective_to is None or day <= self.effective_to
        )

    @property
    def reference(self) -> str:
        """How a quote or an invoice line names this row: `jkm_lump_sum (PP82/2019)`."""
        return f"{self.name} ({self.regulation})"


def _date(text: str) -> dt.date | None:
    text = text.strip()
    if not text:
        return None
    if len(text) == 4:  # a year: in force from its first day
        return dt.date(int(text), 1, 1)
    if len(text) == 7:  # YYYY-MM
        return dt.date(int(text[:4]), int(text[5:7]), 1)
    return dt.date.fromisoformat(text)


def read_rows(path: Path = PARAMETERS_CSV) -> tuple[ParameterRow, ...]:
    with path.open(encoding="utf-8", newline="") as handle:
        return tuple(
            ParameterRow(
                name=record["name"].strip(),
                value=record["value"].strip(),
                unit=record["unit"].strip(),
                regulation=record["regulation"].strip(),
                effective_from=_date(record["effective_from"]),
                effective_to=_date(record["effective_to"]),
                confidence=record["conf"].strip(),
                source=record["source"].strip(),
            )
            for record in csv.DictReader(line for line in handle if not line.startswith("#"))
        )


class Parameters:
    """The rows in force on one day, by name."""

    def __init__(self, rows: Iterable[ParameterRow], day: dt.date):
        self.day = day
        by_name: dict[str, ParameterRow] = {}
        for row in rows:
            if not row.in_force(day):
                continue
            current = by_name.get(row.name)
            # Two rows in force on the same day: the one that started later wins (a newer regulation).
            if current is None or (row.effective_from or dt.date.min) > (current.effective_from or dt.date.min):
                by_name[row.name] = row
        self._rows = by_name

    def row(self, name: str) -> ParameterRow:
        try:
            return self._rows[name]
        except KeyError:
            raise ParameterError(f"parameter {name!r} is not in force on {self.day.isoformat()}") from None

    def has(self, name: str) -> bool:
        return name in self._rows

    def integer(self, name: str) -> int:
        row = self.row(name)
        try:
            return int(row.value)
        except ValueError:
            raise ParameterError(f"parameter {name!r} is not a whole number: {row.value!r}") from None

    def decimal(self, name: str) -> Decimal:
        row = self.row(name)
        try:
            return Decimal(row.value)
        except ArithmeticError:
            raise ParameterError(f"parameter {name!r} is not a number: {row.value!r}") from None


@functools.cache
def _all_rows() -> tuple[ParameterRow, ...]:
    return read_rows()


def parameters_on(day: dt.date) -> Parameters:
    """The project's parameters in force on `day`."""
    return Parameters(_all_rows(), day)
