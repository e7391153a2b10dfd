"""The billing benchmark's own parts: the month-by-month simulator on hand-worked cases (and against the production
settlement on random histories), the baseline SQL against Lindung's billing run on a small data set built with
Lindung's services, and the measured steps leaving the database as they found it."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lindung.benchmarks.billing import Bill, Money, Person, simulate_village, step_lindung, step_sql, step_verify
from lindung.billing import cover
from lindung.billing.models import Invoice, InvoiceLine, Payment
from lindung.billing.services import billing_run, payment_record
from lindung.membership.models import Membership
from lindung.membership.tests.factories import SESETAN, TEGAL_HARUM, make_member, programme  # noqa: F401
from lindung.programmes.models import Agreement
from lindung.regions.models import Region


def m(year: int, month: int) -> int:
    return year * 12 + month - 1


def bills(person_amounts: dict[int, int], months: list[int]) -> list[Bill]:
    return [Bill(month=month, id=i, lines=dict(person_amounts)) for i, month in enumerate(months)]


# --- the simulator on hand-worked histories ----------------------------------------------------------------


def test_simulator_monthly_payments_then_a_lapse_and_a_new_membership():
    # Jan and Feb paid; nothing until 15 July: 7 - 2 = 5 unpaid months ≥ 4, so the membership lapsed; the July
    # payment starts a new one in July (paid through June, nothing yet) and Mar to Jun can no longer be paid.
    people = {1: Person(start=m(2026, 1), left=None)}
    history = bills({1: 10_000}, [m(2026, k) for k in range(1, 7)])
    money = [
        Money(1, dt.date(2026, 1, 10), 10_000),
        Money(2, dt.date(2026, 2, 10), 10_000),
        Money(3, dt.date(2026, 7, 15), 20_000),
    ]
    assert simulate_village(people, history, money) == {1: [m(2026, 2), m(2026, 6)]}


def test_simulator_partial_payment_stays_credit_until_the_invoice_is_complete():
    people = {1: Person(start=m(2026, 1), left=None)}
    history = bills({1: 10_000}, [m(2026, 1), m(2026, 2)])
    assert simulate_village(people, history, [Money(1, dt.date(2026, 1, 5), 6_000)]) == {1: [m(2025, 12)]}
    money = [Money(1, dt.date(2026, 1, 5), 6_000), Money(2, dt.date(2026, 2, 5), 4_000)]
    assert simulate_village(people, history, money) == {1: [m(2026, 1)]}


def test_simulator_prepaid_months_settle_invoices_issued_later():
    people = {1: Person(start=m(2026, 1), left=None)}
    history = bills({1: 10_000}, [m(2026, k) for k in range(1, 5)])
    assert simulate_village(people, history, [Money(1, dt.date(2026, 1, 1), 30_000)]) == {1: [m(2026, 3)]}


def test_simulator_member_who_left_is_not_billed_after_the_month_of_leaving():
    people = {1: Person(start=m(2026, 1), left=None), 2: Person(start=m(2026, 1), left=m(2026, 2))}
    history = bills({1: 10_000, 2: 10_000}, [m(2026, 1), m(2026, 2), m(2026, 3)])
    money = [
        Money(1, dt.date(2026, 1, 9), 20_000),
        Money(2, dt.date(2026, 2, 9), 20_000),
        Money(3, dt.date(2026, 3, 9), 10_000),
    ]
    assert simulate_village(people, history, money) == {1: [m(2026, 3)], 2: [m(2026, 2)]}


def test_simulator_a_reversed_payment_counts_as_never_made():
    people = {1: Person(start=m(2026, 1), left=None)}
    history = bills({1: 10_000}, [m(2026, 1), m(2026, 2)])
    money = [
        Money(1, dt.date(2026, 1, 9), 10_000),
        Money(2, dt.date(2026, 2, 9), 10_000),
        Money(3, dt.date(2026, 3, 1), -10_000, reverses=2),
    ]
    assert simulate_village(people, history, money) == {1: [m(2026, 1)]}


@settings(max_examples=150, deadline=None)
@given(
    starts=st.lists(st.integers(0, 3), min_size=1, max_size=3),
    amounts=st.lists(st.integers(1, 3), min_size=3, max_size=3),
    payments=st.lists(st.tuples(st.integers(0, 11), st.integers(1, 28), st.integers(1, 12)), max_size=6),
    months=st.integers(1, 10),
)
def test_simulator_agrees_with_the_production_settlement(starts, amounts, payments, months):
    """Two independent derivations of paid_through agree on random histories (lapses, gaps, prepayments)."""
    base = m(2025, 1)
    people = {k: Person(start=base + s, left=None) for k, s in enumerate(starts)}
    history = [Bill(month=base + i, id=i, lines={k: amounts[k] * 1000 for k in people}) for i in range(months)]
    money = [Money(j, dt.date(2025, 1 + mo, day), units * 1000) for j, (mo, day, units) in enumerate(payments)]
    settled = cover.settle(
        [cover.MemberIn(key=k, start=cover.month_date(p.start)) for k, p in people.items()],
        [cover.InvoiceIn(id=b.id, period=cover.month_date(b.month), lines=tuple(b.lines.items())) for b in history],
        [cover.PaymentIn(p.id, p.day, p.amount) for p in money],
    )
    expected = {k: [cover.month_index(s.paid_through) for s in settled.segments[k]] for k in people}
    assert simulate_village(people, history, money) == expected


# --- the baseline against Lindung's billing run, on Lindung's own data ---------------------------------------


@pytest.fixture
def billed(programme):  # noqa: F811
    """Kota Denpasar: Tegal Harum (APBDes), Sesetan (APBD), a village paid by a CSR funder (discounted), members with
    the JHT package, a high income, one who left and one who starts later; six months billed, Tegal Harum paying."""
    csr_village = "51.71.02.1006"
    Agreement.objects.create(
        programme=programme, village_id=csr_village, status="signed", valid_from=dt.date(2026, 1, 1),
        funder="other", funder_name="CSR Bank",
    )  # fmt: skip
    start = dt.date(2026, 1, 1)
    make_member(programme, TEGAL_HARUM, start, kpj="K1")
    make_member(programme, TEGAL_HARUM, start, kpj="K2", income=3_500_000, package="jkk_jkm_jht")
    make_member(programme, TEGAL_HARUM, start, kpj="K3", ended_on=dt.date(2026, 3, 15), end_reason="moved")
    make_member(programme, TEGAL_HARUM, dt.date(2026, 5, 10), kpj="K4")
    make_member(programme, SESETAN, start, kpj="K5", income=20_000_000)
    make_member(programme, csr_village, start, kpj="K6")
    make_member(programme, csr_village, start, kpj="K7", package="jkk_jkm_jht")
    for month in range(1, 7):
        billing_run(period=dt.date(2026, month, 1))
    tegal = Region.objects.get(code=TEGAL_HARUM)
    for month, amount in ((1, 1), (2, 1), (6, 2)):  # Jan and Feb paid; a double payment in June
        total = Invoice.objects.get(village=tegal, period=dt.date(2026, month, 1)).total
        payment_record(actor=None, programme=programme, village=tegal, value_date=dt.date(2026, month, 20),
                       amount=total * amount, reference=f"TRF-{month}", budget_source="dana_desa")  # fmt: skip
    return programme


def _state() -> tuple:
    return (Invoice.objects.count(), InvoiceLine.objects.count(), Payment.objects.count(),
            sorted(Membership.objects.values_list("pk", "status", "paid_through")))  # fmt: skip


def test_baseline_writes_the_same_lines_and_lindung_matches_the_simulator(billed):
    before = _state()

    found = step_verify(dt.date(2026, 7, 1), "51.71", sample=100)

    assert found["set_differences"] == dict.fromkeys(
        ["lines only in lindung", "lines only in baseline", "totals only in lindung", "totals only in baseline"], 0
    )
    # July: Tegal Harum 3 (K3 left in March), Sesetan 1, the CSR village 2.
    assert found["baseline_lines"] == 6
    # Tegal Harum paid Jan and Feb, then nothing until 20 June: 6 - 2 = 4 unpaid months, K1 and K2 lapsed and the
    # June payment started a renewal for each (K3 left in March: no renewal; K4 started in May): 7 + 2 memberships.
    assert found["paid_through_checked"] == 9
    assert found["paid_through_mismatches"] == 0, found["paid_through_examples"]
    assert _state() == before  # rolled back


def test_measured_steps_write_the_same_number_of_lines_and_roll_back(billed):
    before = _state()

    lindung = step_lindung(dt.date(2026, 7, 1), "51.71")
    sql = step_sql(dt.date(2026, 7, 1), "51.71")

    assert lindung["lines"] == sql["lines"] == 6
    assert lindung["seconds"] > 0 and sql["seconds"] > 0
    assert _state() == before


def test_baseline_amounts_by_hand(billed):
    """July 2026, worked by hand from parameters.csv: JKK 1 % of the declared income (min 10,000, max 207,000), JKM
    6,800, JHT 2 % (min 20,000); the CSR-funded village has the PP 50/2025 factor 0.5 on JKK and JKM (2026-04 to
    2026-12), APBDes (switch off) and APBD do not; K3 left in March and is not billed."""
    from django.db import connection

    from lindung.benchmarks.billing import due_select

    sql, values = due_select(dt.date(2026, 7, 1), "51.71")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT village_id, jkk, jkm, jht, amount FROM ({sql}) d ORDER BY village_id, amount", values)  # noqa: S608
        rows = [tuple(r) for r in cursor.fetchall()]

    assert rows == [
        (SESETAN, 200_000, 6_800, 0, 206_800),  # 1 % of 20,000,000
        ("51.71.02.1006", 5_000, 3_400, 0, 8_400),
        ("51.71.02.1006", 5_000, 3_400, 20_000, 28_400),
        (TEGAL_HARUM, 10_000, 6_800, 0, 16_800),
        (TEGAL_HARUM, 10_000, 6_800, 0, 16_800),
        (TEGAL_HARUM, 35_000, 6_800, 70_000, 111_800),  # 1 % and 2 % of 3,500,000
    ]
