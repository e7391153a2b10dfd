"""The engine's inputs and outputs: plain frozen dataclasses, whole rupiah as `int`, percentages as `Decimal`."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from decimal import Decimal


class EventType(enum.StrEnum):
    DEATH = "death"  # death not from a work accident: JKM
    WORK_ACCIDENT_DEATH = "work_accident_death"  # JKK
    TOTAL_PERMANENT_DISABILITY = "total_permanent_disability"  # JKK, cacat total tetap
    PARTIAL_DISABILITY = "partial_disability"  # JKK, cacat sebagian (anatomis or fungsi)
    TEMPORARY_DISABILITY = "temporary_disability"  # JKK, STMB (sementara tidak mampu bekerja)

    @property
    def is_work_accident(self) -> bool:
        return self is not EventType.DEATH

    @property
    def is_death(self) -> bool:
        return self in (EventType.DEATH, EventType.WORK_ACCIDENT_DEATH)


class CoverStatus(enum.StrEnum):
    COVERED = "covered"
    BEFORE_START = "before_start"
    ARREARS = "arrears"  # 1 to 3 unpaid months (tunggakan): not covered until paid (RULES.md default)
    LAPSED = "lapsed"  # 4 or more unpaid months: the membership has ended


class Level(enum.StrEnum):
    NONE = "none"  # not yet in school
    TK = "TK"
    SD = "SD"
    SMP = "SMP"
    SMA = "SMA"
    PT = "PT"


@dataclass(frozen=True, order=True)
class Month:
    """A calendar month, as `paid_through` is given (`YYYY-MM`)."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12:
            raise ValueError(f"month out of range: {self.month}")

    @classmethod
    def of(cls, day: dt.date) -> Month:
        return cls(day.year, day.month)

    @property
    def index(self) -> int:
        """Months since year 0: the difference of two indexes is a number of months."""
        return self.year * 12 + self.month - 1

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True)
class Transport:
    """Transport costs claimed per mode (land covers river and lake), whole rupiah."""

    land: int = 0
    sea: int = 0
    air: int = 0


@dataclass(frozen=True)
class Event:
    type: EventType
    date: dt.date
    months_unable: int | None = None  # STMB: months unable to work
    disability_percent: Decimal | None = None  # partial disability: % from the disability table (0-100)
    function_loss_percent: Decimal | None = None  # loss of function: % of function lost (0-100); None = anatomic
    medical_cost: int = 0  # as billed (work-accident events only)
    transport: Transport = field(default_factory=Transport)


@dataclass(frozen=True)
class Member:
    declared_income: int  # penghasilan yang dilaporkan, rupiah per month
    membership_start: dt.date
    paid_through: Month  # last month paid; the month before the start month when nothing is paid yet


@dataclass(frozen=True)
class Child:
    name: str
    birth_date: dt.date
    level: Level = Level.NONE  # in school year 0 (the school year of the event)
    grade: int | None = None  # within the level, in school year 0
    married: bool = False
    working: bool = False


@dataclass(frozen=True)
class Policy:
    """The RULES.md defaults where the sources leave a gap; an administrator may change them (the caller passes the
    settings in force on the event date)."""

    arrears_covered: bool = False  # an event in 1-3 unpaid months is not covered until the arrears are paid
    school_start_age: int = 5  # TK A in the school year starting in the calendar year the child turns this age


DEFAULT_POLICY = Policy()


@dataclass(frozen=True)
class BenefitLine:
    code: str
    amount: int
    parameters: tuple[str, ...]  # the rows used, as `name (regulation)`

    @property
    def rule(self) -> str:
        return "; ".join(self.parameters)


@dataclass(frozen=True)
class ScholarshipYear:
    school_year: int  # the calendar year in which the school year starts (1 July)
    level: Level
    grade: int
    amount: int
    age: int  # the child's age on 1 July of that school year


@dataclass(frozen=True)
class ChildSchedule:
    name: str
    years: tuple[ScholarshipYear, ...]

    @property
    def total(self) -> int:
        return sum(year.amount for year in self.years)


@dataclass(frozen=True)
class Scholarship:
    eligible: bool
    reason: str  # Indonesian, for people
    children: tuple[ChildSchedule, ...] = ()
    parameters: tuple[str, ...] = ()  # the rows used for the condition and the schedules

    @property
    def total(self) -> int:
        return sum(child.total for child in self.children)


@dataclass(frozen=True)
class Quote:
    event: Event
    status: CoverStatus
    masa_iur_months: int  # 0 when not covered
    unpaid_months: int  # months after paid_through up to the event month (0 when paid)
    benefits: tuple[BenefitLine, ...]
    scholarship: Scholarship
    status_parameters: tuple[str, ...] = ()  # the rows that decided the status (the grace period)

    @property
    def cash_total(self) -> int:
        return sum(line.amount for line in self.benefits)

    @property
    def grand_total(self) -> int:
        return self.cash_total + self.scholarship.total


def in_language(language: str | None, indonesian: str, english: str) -> str:
    """`english` when `language` (a language code, such as Django's `get_language()`) is English, else `indonesian`:
    the engine's texts for people come in both languages, Indonesian being the default."""
    return english if (language or "").lower().startswith("en") else indonesian


class QuoteError(ValueError):
    """The input cannot be quoted. `code` is for programs, `message` (Indonesian) and `english` for people;
    `text(language)` picks one."""

    def __init__(self, code: str, message: str, *, english: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.english = english

    def text(self, language: str | None) -> str:
        return in_language(language, self.message, self.english)
