"""Settlement of one paying village's invoices by its payments, and the cover that follows — pure Python, no Django.

RULES.md "Invoices and payments" and "Cover and lapse", applied exactly:

- Payments are taken in value-date order. Each one adds to the village's credit; the credit settles the oldest open
  invoices first, an invoice only when the credit covers all of it (a partial payment stays as credit), and what is
  left settles later invoices (prepaying 3, 6 or 12 months: all invoices known to the engine are settled in period
  order, which is what "settles future invoices as they are issued" gives once they are issued).
- A member's `paid_through` P is the last month m such that every month from the membership's start month to m has a
  paid line; nothing paid yet gives P = the month before the start month.
- On a payment whose value date lies in month V with V - P ≥ 4 the member's membership has lapsed: its unpaid lines
  before V can no longer be paid (they become `lapsed`, the money stays credit) and — unless the member left before V —
  a new membership starts in V: lines from V on are payable and count for it.
- A member who leaves (death, moving, withdrawal) in month E is not billed after E: lines after E are `left`; money
  that was prepaid for them is credit, refundable (`refundable` names how much of the credit that is).
- A reversal is a negative entry referencing the payment it reverses, for its full amount; the two cancel out and
  the history is settled as if the reversed payment had never been recorded (a correction, never an edit).

Status of a member for a month M (RULES.md): before the start → `before_start`; M ≤ P → `covered`; 1 ≤ M - P ≤ 3 →
`arrears`; M - P ≥ 4 → `lapsed`; after the month of leaving → `ended`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict, deque
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

LAPSE_MONTHS = 4  # M - P ≥ 4 unpaid months: lapsed (RULES.md "Cover and lapse"; bpu_grace_months = 3)

COVERED = "covered"
ARREARS = "arrears"
LAPSED = "lapsed"
BEFORE_START = "before_start"
ENDED = "ended"

LINE_OPEN = "open"
LINE_PAID = "paid"
LINE_LAPSED = "lapsed"  # belonged to a membership that lapsed before it was paid
LINE_LEFT = "left"  # after the month the member left
LINE_BEFORE_START = "before_start"

INVOICE_OPEN = "open"
INVOICE_PAID = "paid"
INVOICE_VOID = "void"  # nothing on it can be paid any more


class CoverError(ValueError):
    """Inconsistent input: a reversal that does not match its payment, a negative payment, a line twice."""


def month_index(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def month_date(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class MemberIn:
    key: Hashable
    start: dt.date  # the membership's start date (its month counts in full)
    left_in: dt.date | None = None  # a day in the month the member left (death, moving, withdrawal); None: still in


@dataclass(frozen=True)
class InvoiceIn:
    id: Hashable
    period: dt.date  # any day of the invoiced month
    lines: tuple[tuple[Hashable, int], ...]  # (member key, amount due)


@dataclass(frozen=True)
class PaymentIn:
    id: Hashable
    value_date: dt.date
    amount: int  # negative for a reversal
    reversal_of: Hashable | None = None


@dataclass
class Segment:
    """One membership of a member: from `start` (a month) through `paid_through` (a month, start - 1 if none)."""

    start: dt.date
    paid_through: dt.date
    lapsed_in: dt.date | None = None  # the month the lapse was found by a payment (the new membership's start)

    @property
    def lapse_month(self) -> dt.date:
        """The first month in which this membership counts as lapsed if nothing more is paid."""
        return month_date(month_index(self.paid_through) + LAPSE_MONTHS)


@dataclass
class InvoiceOut:
    status: str
    payable: int  # what can still be paid on it (lines neither lapsed nor after leaving)
    paid: int
    paid_on: dt.date | None


@dataclass
class Settlement:
    segments: dict[Hashable, list[Segment]]
    invoices: dict[Hashable, InvoiceOut]
    lines: dict[tuple[Hashable, Hashable], str]  # (invoice id, member key) → line status
    allocations: list[tuple[Hashable, Hashable, int]]  # (payment id, invoice id, amount), oldest money first
    credit: int
    refundable: int  # part of the credit that was prepaid for members after the month they left
    members: dict[Hashable, MemberIn] = field(default_factory=dict)

    def paid_through(self, member: Hashable) -> dt.date:
        return self.segments[member][-1].paid_through

    def status_on(self, member: Hashable, day: dt.date) -> str:
        return status_on(self.segments[member], day, self.members[member].left_in)

    def masa_iur(self, member: Hashable, day: dt.date) -> int:
        return masa_iur(self.segments[member], day, self.members[member].left_in)


def _segment_for(segments: list[Segment], month: int) -> Segment | None:
    found = None
    for segment in segments:
        if month_index(segment.start) <= month:
            found = segment
    return found


def status_on(segments: list[Segment], day: dt.date, left_in: dt.date | None = None) -> str:
    month = month_index(day)
    if left_in is not None and month > month_index(left_in):
        return ENDED
    segment = _segment_for(segments, month)
    if segment is None:
        return BEFORE_START
    unpaid = month - month_index(segment.paid_through)
    if unpaid <= 0:
        return COVERED
    return ARREARS if unpaid < LAPSE_MONTHS else LAPSED


def masa_iur(segments: list[Segment], day: dt.date, left_in: dt.date | None = None) -> int:
    """Months paid within the membership in force at `day`, up to and including its month; 0 when not covered."""
    if status_on(segments, day, left_in) != COVERED:
        return 0
    segment = _segment_for(segments, month_index(day))
    if segment is None:  # pragma: no cover - status_on said covered, so a membership has begun
        return 0
    return min(month_index(segment.paid_through), month_index(day)) - month_index(segment.start) + 1


def _effective_payments(payments: Iterable[PaymentIn]) -> list[PaymentIn]:
    by_id: dict[Hashable, PaymentIn] = {}
    for payment in payments:
        if payment.id in by_id:
            raise CoverError(f"payment {payment.id!r} given twice")
        by_id[payment.id] = payment
    reversed_ids: set[Hashable] = set()
    for payment in by_id.values():
        if payment.reversal_of is None:
            if payment.amount <= 0:
                raise CoverError(f"payment {payment.id!r} is not a positive amount")
            continue
        original = by_id.get(payment.reversal_of)
        if original is None or original.reversal_of is not None:
            raise CoverError(f"reversal {payment.id!r} references no payment")
        if payment.amount != -original.amount:
            raise CoverError(f"reversal {payment.id!r} does not reverse the whole of {original.id!r}")
        if original.id in reversed_ids:
            raise CoverError(f"payment {original.id!r} is reversed twice")
        reversed_ids.add(original.id)
    kept = [p for p in by_id.values() if p.reversal_of is None and p.id not in reversed_ids]
    return sorted(kept, key=lambda p: (p.value_date, str(p.id)))


def settle(members: Iterable[MemberIn], invoices: Iterable[InvoiceIn], payments: Iterable[PaymentIn]) -> Settlement:
    member_by_key = {m.key: m for m in members}
    ordered = sorted(invoices, key=lambda i: (month_index(i.period), str(i.id)))

    # Line state, by invoice, and each member's lines by month.
    line_state: dict[tuple[Hashable, Hashable], str] = {}
    amounts: dict[tuple[Hashable, Hashable], int] = {}
    period_of: dict[Hashable, int] = {}
    member_lines: dict[Hashable, dict[int, tuple[Hashable, Hashable]]] = defaultdict(dict)
    for invoice in ordered:
        month = month_index(invoice.period)
        period_of[invoice.id] = month
        for key, amount in invoice.lines:
            if key not in member_by_key:
                raise CoverError(f"invoice {invoice.id!r} bills unknown member {key!r}")
            line = (invoice.id, key)
            if line in line_state or month in member_lines[key]:
                raise CoverError(f"member {key!r} billed twice for {month_date(month):%Y-%m}")
            member = member_by_key[key]
            amounts[line] = amount
            member_lines[key][month] = line
            if month < month_index(member.start):
                line_state[line] = LINE_BEFORE_START
            elif member.left_in is not None and month > month_index(member.left_in):
                line_state[line] = LINE_LEFT
            else:
                line_state[line] = LINE_OPEN
    lines_of: dict[Hashable, list[tuple[Hashable, Hashable]]] = defaultdict(list)
    for line in line_state:
        lines_of[line[0]].append(line)

    segments: dict[Hashable, list[Segment]] = {}
    current_paid: dict[Hashable, int] = {}
    for key, member in member_by_key.items():
        start = month_index(member.start)
        current_paid[key] = start - 1
        segments[key] = [Segment(start=month_date(start), paid_through=month_date(start - 1))]

    def advance(key: Hashable) -> None:
        month = current_paid[key] + 1
        lines = member_lines[key]
        while month in lines and line_state[lines[month]] == LINE_PAID:
            month += 1
        current_paid[key] = month - 1
        segments[key][-1].paid_through = month_date(month - 1)

    credit: deque[list] = deque()  # [payment id, remaining amount], oldest money first
    allocations: list[tuple[Hashable, Hashable, int]] = []
    invoice_out = {i.id: InvoiceOut(status=INVOICE_OPEN, payable=0, paid=0, paid_on=None) for i in ordered}
    open_invoices = [i.id for i in ordered]

    closed: set[Hashable] = set()  # left while lapsed: nothing can be paid or restarted any more
    for payment in _effective_payments(payments):
        value_month = month_index(payment.value_date)
        for key, member in member_by_key.items():
            paid = current_paid[key]
            left = month_index(member.left_in) if member.left_in is not None else None
            if key in closed or value_month - paid < LAPSE_MONTHS or (left is not None and paid >= left):
                continue
            # Lapsed: its unpaid lines before V cannot be paid any more; a new membership starts in V.
            for month, line in member_lines[key].items():
                if month < value_month and line_state[line] == LINE_OPEN:
                    line_state[line] = LINE_LAPSED
            segments[key][-1].lapsed_in = month_date(value_month)
            if left is not None and left < value_month:
                closed.add(key)
                continue
            segments[key].append(Segment(start=month_date(value_month), paid_through=month_date(value_month - 1)))
            current_paid[key] = value_month - 1
        credit.append([payment.id, payment.amount])

        still_open = []
        blocked = False
        for invoice_id in open_invoices:
            open_lines = [line for line in lines_of[invoice_id] if line_state[line] == LINE_OPEN]
            if not open_lines:
                continue  # paid or void: settled below
            payable = sum(amounts[line] for line in open_lines)
            if blocked or sum(entry[1] for entry in credit) < payable:
                blocked = True
                still_open.append(invoice_id)
                continue
            remaining = payable
            while remaining:
                entry = credit[0]
                take = min(entry[1], remaining)
                allocations.append((entry[0], invoice_id, take))
                entry[1] -= take
                remaining -= take
                if entry[1] == 0:
                    credit.popleft()
            for line in open_lines:
                line_state[line] = LINE_PAID
            invoice_out[invoice_id].paid_on = payment.value_date
            for _, key in open_lines:
                advance(key)
        open_invoices = still_open
        while credit and credit[0][1] == 0:
            credit.popleft()

    refundable = 0
    for invoice_id, out in invoice_out.items():
        states = [line_state[line] for line in lines_of[invoice_id]]
        out.payable = sum(amounts[line] for line in lines_of[invoice_id] if line_state[line] in (LINE_OPEN, LINE_PAID))
        out.paid = sum(amounts[line] for line in lines_of[invoice_id] if line_state[line] == LINE_PAID)
        if LINE_OPEN in states:
            out.status, out.paid_on = INVOICE_OPEN, None
        elif LINE_PAID in states:
            out.status = INVOICE_PAID
            refundable += sum(amounts[line] for line in lines_of[invoice_id] if line_state[line] == LINE_LEFT)
        else:
            out.status, out.paid_on = INVOICE_VOID, None
    balance = sum(entry[1] for entry in credit)
    return Settlement(
        segments=segments,
        invoices=invoice_out,
        lines=line_state,
        allocations=allocations,
        credit=balance,
        refundable=min(refundable, balance),
        members=member_by_key,
    )
