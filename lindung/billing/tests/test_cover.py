"""Cover, arrears and lapse: hand-built cases from RULES.md / regulations-research.md, and property tests against an
independent month-by-month simulator written here (it does not call the production settlement)."""

from __future__ import annotations

import calendar
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lindung.billing.cover import CoverError, InvoiceIn, MemberIn, PaymentIn, settle

DUE = 16_800  # RULES.md: Rp16,800 per member per month at the default income


def m(year: int, month: int) -> dt.date:
    return dt.date(year, month, 1)


def invoices_for(members: dict[str, dt.date], first: dt.date, count: int, due: int = DUE) -> list[InvoiceIn]:
    out = []
    for i in range(count):
        month = dt.date(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, 1)
        lines = tuple((k, due) for k, start in members.items() if start <= month)
        out.append(InvoiceIn(id=f"inv-{month:%Y-%m}", period=month, lines=lines))
    return out


def test_monthly_payments_cover_each_month() -> None:
    members = [MemberIn("a", m(2023, 2))]
    invoices = invoices_for({"a": m(2023, 2)}, m(2023, 2), 3)
    payments = [PaymentIn(i, dt.date(2023, 2 + i, 10), DUE) for i in range(3)]
    result = settle(members, invoices, payments)
    assert result.paid_through("a") == m(2023, 4)
    assert result.credit == 0
    assert result.status_on("a", dt.date(2023, 1, 31)) == "before_start"
    assert result.status_on("a", dt.date(2023, 4, 30)) == "covered"
    assert result.masa_iur("a", dt.date(2023, 3, 5)) == 2  # Feb and Mar
    assert [result.invoices[i.id].paid_on for i in invoices] == [p.value_date for p in payments]


def test_nothing_paid_means_paid_through_the_month_before_start() -> None:
    result = settle([MemberIn("a", dt.date(2024, 5, 20))], invoices_for({"a": m(2024, 5)}, m(2024, 5), 1), [])
    assert result.paid_through("a") == m(2024, 4)
    assert result.status_on("a", dt.date(2024, 5, 21)) == "arrears"


def test_arrears_one_to_three_months_then_lapse_at_the_fourth() -> None:
    # Paid through June; July, August, September are arrears; October (4 unpaid months) is lapsed.
    members = [MemberIn("a", m(2023, 1))]
    invoices = invoices_for({"a": m(2023, 1)}, m(2023, 1), 6)
    result = settle(members, invoices, [PaymentIn("p", dt.date(2023, 1, 5), 6 * DUE)])
    assert result.paid_through("a") == m(2023, 6)
    assert [result.status_on("a", m(2023, k)) for k in range(6, 12)] == [
        "covered",
        "arrears",
        "arrears",
        "arrears",
        "lapsed",
        "lapsed",
    ]


def test_arrears_paid_in_time_restore_cover() -> None:
    members = [MemberIn("a", m(2023, 1))]
    invoices = invoices_for({"a": m(2023, 1)}, m(2023, 1), 9)
    payments = [PaymentIn("p1", dt.date(2023, 1, 5), 6 * DUE), PaymentIn("p2", dt.date(2023, 9, 30), 3 * DUE)]
    result = settle(members, invoices, payments)
    assert result.paid_through("a") == m(2023, 9)
    assert result.status_on("a", dt.date(2023, 7, 15)) == "covered"  # an event in July is covered once paid
    assert len(result.segments["a"]) == 1
    assert result.masa_iur("a", dt.date(2023, 9, 1)) == 9


def test_example_7_payment_after_lapse_starts_a_new_membership() -> None:
    # regulations-research.md Example 7: paid through June, nothing in July-September, paid in October →
    # new membership from October; the money becomes credit and pays October onwards.
    members = [MemberIn("a", m(2023, 1))]
    invoices = invoices_for({"a": m(2023, 1)}, m(2023, 1), 12)
    payments = [PaymentIn("p1", dt.date(2023, 1, 5), 6 * DUE), PaymentIn("p2", dt.date(2023, 10, 2), 4 * DUE)]
    result = settle(members, invoices, payments)
    first, second = result.segments["a"]
    assert (first.start, first.paid_through, first.lapsed_in) == (m(2023, 1), m(2023, 6), m(2023, 10))
    assert (second.start, second.paid_through) == (m(2023, 10), m(2023, 12))
    assert [result.invoices[f"inv-2023-{k:02d}"].status for k in (7, 8, 9)] == ["void"] * 3
    assert result.credit == 4 * DUE - 3 * DUE  # Oct, Nov, Dec paid; one month's money left as credit
    assert result.status_on("a", m(2023, 8)) == "arrears"  # never paid: not covered
    assert result.status_on("a", m(2023, 10)) == "covered"
    assert result.masa_iur("a", dt.date(2023, 11, 20)) == 2  # Oct and Nov of the new membership only


@pytest.mark.parametrize(
    ("day", "segments", "paid_through"),
    [
        (dt.date(2023, 9, 30), 1, m(2023, 9)),  # last day of the 3rd unpaid month: July-September restored
        (dt.date(2023, 10, 1), 2, m(2023, 12)),  # first day of the 4th: lapsed; the money pays October-December
    ],
)
def test_lapse_boundary_is_the_first_day_of_the_fourth_unpaid_month(day, segments, paid_through) -> None:
    members = [MemberIn("a", m(2023, 1))]
    invoices = invoices_for({"a": m(2023, 1)}, m(2023, 1), 12)
    result = settle(members, invoices, [PaymentIn("p1", dt.date(2023, 1, 5), 6 * DUE), PaymentIn("p2", day, 3 * DUE)])
    assert len(result.segments["a"]) == segments
    assert result.paid_through("a") == paid_through


def test_partial_payments_stay_credit_until_an_invoice_is_complete() -> None:
    members = [MemberIn("a", m(2024, 1)), MemberIn("b", m(2024, 1))]
    invoices = invoices_for({"a": m(2024, 1), "b": m(2024, 1)}, m(2024, 1), 2)
    payments = [PaymentIn("p1", dt.date(2024, 1, 10), 20_000), PaymentIn("p2", dt.date(2024, 2, 3), 20_000)]
    result = settle(members, invoices, payments)
    assert result.paid_through("a") == m(2024, 1)  # 40,000 pays January's 33,600 only
    assert result.invoices["inv-2024-01"].paid_on == dt.date(2024, 2, 3)
    assert result.invoices["inv-2024-02"].status == "open"
    assert result.credit == 40_000 - 2 * DUE
    assert result.allocations == [("p1", "inv-2024-01", 20_000), ("p2", "inv-2024-01", 2 * DUE - 20_000)]


def test_prepaying_twelve_months() -> None:
    members = [MemberIn("a", m(2025, 1))]
    invoices = invoices_for({"a": m(2025, 1)}, m(2025, 1), 12)
    result = settle(members, invoices, [PaymentIn("p", dt.date(2024, 12, 20), 12 * DUE)])
    assert result.paid_through("a") == m(2025, 12)
    assert result.masa_iur("a", dt.date(2025, 3, 1)) == 3  # months prepaid beyond the event do not count


def test_reversal_cancels_the_payment() -> None:
    members = [MemberIn("a", m(2024, 1))]
    invoices = invoices_for({"a": m(2024, 1)}, m(2024, 1), 3)
    payments = [
        PaymentIn("p1", dt.date(2024, 1, 5), 3 * DUE),
        PaymentIn("r1", dt.date(2024, 2, 1), -3 * DUE, reversal_of="p1"),
        PaymentIn("p2", dt.date(2024, 2, 2), DUE),
    ]
    result = settle(members, invoices, payments)
    assert result.paid_through("a") == m(2024, 1)
    assert result.invoices["inv-2024-01"].paid_on == dt.date(2024, 2, 2)
    with pytest.raises(CoverError):
        settle(members, invoices, [*payments, PaymentIn("r2", dt.date(2024, 3, 1), -DUE + 1, reversal_of="p2")])
    with pytest.raises(CoverError):
        settle(members, invoices, [*payments, PaymentIn("r2", dt.date(2024, 3, 1), 3 * DUE, reversal_of="r1")])


def test_death_stops_billing_and_prepaid_months_become_refundable_credit() -> None:
    # Two members, 12 months prepaid in January; "b" dies in March (invoices were issued before the death was known).
    members = [MemberIn("a", m(2025, 1)), MemberIn("b", m(2025, 1), left_in=dt.date(2025, 3, 14))]
    invoices = invoices_for({"a": m(2025, 1), "b": m(2025, 1)}, m(2025, 1), 12)
    result = settle(members, invoices, [PaymentIn("p", dt.date(2025, 1, 3), 24 * DUE)])
    assert result.paid_through("a") == m(2025, 12)
    assert result.paid_through("b") == m(2025, 3)
    assert result.credit == 9 * DUE
    assert result.refundable == 9 * DUE
    assert result.status_on("b", m(2025, 4)) == "ended"
    assert result.lines[("inv-2025-04", "b")] == "left"


# --- independent month-by-month simulator -----------------------------------------------------------------------


def _idx(day: dt.date) -> int:
    return day.year * 12 + day.month - 1


def simulate(members, invoices, payments):
    """Walk month by month; in each month take that month's payments in order, check lapses, settle invoices.

    members: {key: (start_index, left_index | None)}; invoices: {id: (month_index, {key: amount})};
    payments: [(id, date, amount, reversal_of)]. Returns (starts, paid_through, credit, invoice_paid_on).
    """
    reversed_ids = {p[3] for p in payments if p[3] is not None}
    live = sorted((p for p in payments if p[3] is None and p[0] not in reversed_ids), key=lambda p: (p[1], str(p[0])))
    starts = {k: [s] for k, (s, _) in members.items()}  # each membership's start month
    paid: set[tuple[str, int]] = set()  # (member, month) whose line is paid
    dead: set[tuple[str, int]] = set()  # lines that can never be paid
    ended_lapsed: set[str] = set()
    history: dict[str, list[int]] = {k: [] for k in members}  # paid-through of each lapsed membership
    for k, (s, left) in members.items():
        for inv_month, lines in invoices.values():
            if k in lines and (inv_month < s or (left is not None and inv_month > left)):
                dead.add((k, inv_month))

    def paid_through(k: str) -> int:
        month = starts[k][-1]
        while (k, month) in paid:
            month += 1
        return month - 1

    pool = 0
    paid_on: dict[str, dt.date] = {}
    if not live:
        months: list[int] = []
    else:
        months = list(range(_idx(live[0][1]), _idx(live[-1][1]) + 1))
    for month in months:
        for _pid, day, amount, _ in (p for p in live if _idx(p[1]) == month):
            for k, (_, left) in members.items():
                p = paid_through(k)
                if k in ended_lapsed or (left is not None and p >= left):
                    continue
                if month - p > 3:
                    for inv_month, lines in invoices.values():
                        if k in lines and inv_month < month and (k, inv_month) not in paid:
                            dead.add((k, inv_month))
                    history[k].append(p)
                    if left is not None and left < month:
                        ended_lapsed.add(k)
                    else:
                        starts[k].append(month)
            pool += amount
            for inv_id, (inv_month, lines) in sorted(invoices.items(), key=lambda kv: (kv[1][0], kv[0])):
                due = [(k, a) for k, a in lines.items() if (k, inv_month) not in paid and (k, inv_month) not in dead]
                if not due:
                    continue
                if pool < sum(a for _, a in due):
                    break
                pool -= sum(a for _, a in due)
                paid.update((k, inv_month) for k, _ in due)
                paid_on[inv_id] = day
    through = {k: [*history[k], paid_through(k)][: len(starts[k])] for k in members}
    return starts, through, pool, paid_on


def _status(starts: list[int], through: list[int], left: int | None, month: int) -> str:
    if left is not None and month > left:
        return "ended"
    begun = [i for i, s in enumerate(starts) if s <= month]
    if not begun:
        return "before_start"
    gap = month - through[begun[-1]]
    return "covered" if gap <= 0 else ("arrears" if gap <= 3 else "lapsed")


BASE = 2025 * 12  # January 2025
HORIZON = 24


@st.composite
def scenarios(draw):
    n_members = draw(st.integers(1, 3))
    members = {}
    for i in range(n_members):
        start = BASE + draw(st.integers(0, 6))
        left = draw(st.one_of(st.none(), st.integers(start, BASE + HORIZON)))
        members[f"w{i}"] = (start, left)
    n_invoices = draw(st.integers(0, HORIZON))
    invoices = {}
    for month in range(BASE, BASE + n_invoices):
        # Discount periods: 2026 April-December at half the JKK+JKM (Rp8,400), written out here by hand.
        due = 8_400 if BASE + 15 <= month <= BASE + 23 and draw(st.booleans()) else DUE
        lines = {k: due for k, (s, _) in members.items() if s <= month}
        if lines:
            invoices[f"i{month}"] = (month, lines)
    payments = []
    for j in range(draw(st.integers(0, 8))):
        month = BASE + draw(st.integers(0, HORIZON + 2))
        last = calendar.monthrange(month // 12, month % 12 + 1)[1]
        day = dt.date(month // 12, month % 12 + 1, draw(st.sampled_from([1, 2, 15, last - 1, last])))
        amount = draw(st.sampled_from([DUE, 8_400, 2 * DUE, 3 * DUE, 6 * DUE, 12 * DUE, 10_000, 50_000]))
        payments.append((f"p{j}", day, amount, None))
    reversals = draw(st.lists(st.sampled_from([p[0] for p in payments]), unique=True) if payments else st.just([]))
    for pid in reversals:
        original = next(p for p in payments if p[0] == pid)
        payments.append((f"r{pid}", original[1] + dt.timedelta(days=draw(st.integers(0, 90))), -original[2], pid))
    return members, invoices, payments


def _to_engine(members, invoices, payments):
    return (
        [
            MemberIn(
                k, dt.date(s // 12, s % 12 + 1, 9), None if left is None else dt.date(left // 12, left % 12 + 1, 27)
            )
            for k, (s, left) in members.items()
        ],
        [InvoiceIn(i, dt.date(mo // 12, mo % 12 + 1, 1), tuple(lines.items())) for i, (mo, lines) in invoices.items()],
        [PaymentIn(pid, day, amount, rev) for pid, day, amount, rev in payments],
    )


@settings(max_examples=300, deadline=None)
@given(scenarios())
def test_settlement_matches_month_by_month_simulator(scenario) -> None:
    members, invoices, payments = scenario
    starts, paid_through, pool, paid_on = simulate(members, invoices, payments)
    result = settle(*_to_engine(members, invoices, payments))
    assert result.credit == pool
    for k in members:
        assert [_idx(s.start) for s in result.segments[k]] == starts[k]
        assert [_idx(s.paid_through) for s in result.segments[k]] == paid_through[k]
    assert {i: o.paid_on for i, o in result.invoices.items() if o.status == "paid"} == paid_on
    for k, (_, left) in members.items():
        for month in range(BASE - 1, BASE + HORIZON + 4):
            expected = _status(starts[k], paid_through[k], left, month)
            last = calendar.monthrange(month // 12, month % 12 + 1)[1]
            for day in (1, last):  # both ends of the month
                assert result.status_on(k, dt.date(month // 12, month % 12 + 1, day)) == expected, (k, month)
