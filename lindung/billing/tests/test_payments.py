"""Payments, reversals, death and lapse through the database: derived cover written back to memberships."""

from __future__ import annotations

import datetime as dt

import pytest

from lindung.accounts.models import Role
from lindung.audit.models import AuditEvent
from lindung.billing.models import Account, Invoice, Payment, PaymentAllocation
from lindung.billing.services import billing_run, cover_recompute, cover_refresh, payment_record, payment_reverse
from lindung.core.errors import ApplicationError
from lindung.membership.models import Membership
from lindung.membership.services import membership_end
from lindung.membership.tests.factories import SESETAN, TEGAL_HARUM, make_member
from lindung.regions.models import Region

pytestmark = pytest.mark.django_db

DUE = 16_800


def months(first: dt.date, count: int) -> list[dt.date]:
    return [dt.date(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, 1) for i in range(count)]


def bill(first: dt.date, count: int) -> None:
    for month in months(first, count):
        billing_run(period=month)


def pay(programme, village: str, day: dt.date, amount: int, actor=None) -> Payment:
    return payment_record(
        actor=actor,
        programme=programme,
        village=Region.objects.get(code=village),
        value_date=day,
        amount=amount,
        reference=f"TRX-{day.isoformat()}-{amount}",
        budget_source="dana_desa",
        account_code="5.4.01.01",
    )


def test_payment_settles_oldest_invoice_and_derives_paid_through(programme, operator_tegal_harum) -> None:
    member = make_member(programme, TEGAL_HARUM, dt.date(2025, 1, 10), kpj="23011234567")
    bill(dt.date(2025, 1, 1), 4)
    pay(programme, TEGAL_HARUM, dt.date(2025, 1, 20), 2 * DUE + 5_000, actor=operator_tegal_harum)
    member.refresh_from_db()
    assert member.paid_through == dt.date(2025, 2, 1)
    assert [i.status for i in Invoice.objects.order_by("period")] == ["paid", "paid", "open", "open"]
    assert Account.objects.get().credit == 5_000
    assert PaymentAllocation.objects.count() == 2
    assert AuditEvent.objects.filter(action="billing.payment.record").count() == 1
    assert AuditEvent.objects.filter(action="billing.cover.recompute").exists()


def test_operator_cannot_pay_for_another_village(programme, operator_tegal_harum) -> None:
    with pytest.raises(ApplicationError):
        pay(programme, SESETAN, dt.date(2025, 1, 20), DUE, actor=operator_tegal_harum)
    assert not Payment.objects.exists()


@pytest.mark.parametrize("amount", [0, -5])
def test_payment_must_be_positive(programme, amount) -> None:
    with pytest.raises(ApplicationError):
        pay(programme, TEGAL_HARUM, dt.date(2025, 1, 20), amount)


def test_reversal_takes_the_cover_away_and_cannot_be_repeated(programme, make_user) -> None:
    operator = make_user("op2", Role.VILLAGE_OPERATOR, TEGAL_HARUM)
    member = make_member(programme, TEGAL_HARUM, dt.date(2025, 1, 1), kpj="1")
    bill(dt.date(2025, 1, 1), 3)
    payment = pay(programme, TEGAL_HARUM, dt.date(2025, 1, 5), 3 * DUE)
    member.refresh_from_db()
    assert member.paid_through == dt.date(2025, 3, 1)
    reversal = payment_reverse(actor=operator, payment=payment, reason="Salah input nominal")
    assert reversal.amount == -3 * DUE and reversal.reversal_of == payment
    member.refresh_from_db()
    assert member.paid_through == dt.date(2024, 12, 1)  # nothing paid: the month before the start
    assert Invoice.objects.filter(status="open").count() == 3
    with pytest.raises(ApplicationError):
        payment_reverse(actor=operator, payment=payment, reason="lagi")
    with pytest.raises(ApplicationError):
        payment_reverse(actor=operator, payment=reversal, reason="lagi")
    assert Payment.objects.get(pk=payment.pk).amount == 3 * DUE  # never edited


def test_death_stops_billing_and_prepaid_months_become_refundable(programme, admin_user) -> None:
    alive = make_member(programme, TEGAL_HARUM, dt.date(2025, 1, 1), kpj="1")
    dying = make_member(programme, TEGAL_HARUM, dt.date(2025, 1, 1), kpj="2")
    bill(dt.date(2025, 1, 1), 6)  # invoices issued before the death is known
    pay(programme, TEGAL_HARUM, dt.date(2025, 1, 3), 12 * DUE)  # six months prepaid for two members
    membership_end(actor=admin_user, membership=dying, reason="death", on=dt.date(2025, 3, 14))
    dying.refresh_from_db()
    alive.refresh_from_db()
    assert (dying.status, dying.paid_through) == ("ended", dt.date(2025, 3, 1))
    assert alive.paid_through == dt.date(2025, 6, 1)
    account = Account.objects.get()
    assert account.credit == account.refundable == 3 * DUE  # April, May, June of the member who died
    billing_run(period=dt.date(2025, 7, 1))
    july = Invoice.objects.get(period=dt.date(2025, 7, 1))
    assert july.total == DUE and july.lines.get().membership == alive


def test_payment_after_lapse_starts_a_new_membership(programme) -> None:
    # Example 7: paid through June, July-September unpaid, paid in October → new membership from October.
    member = make_member(programme, TEGAL_HARUM, dt.date(2025, 1, 1), kpj="23011234567")
    bill(dt.date(2025, 1, 1), 6)
    pay(programme, TEGAL_HARUM, dt.date(2025, 1, 3), 6 * DUE)
    bill(dt.date(2025, 7, 1), 4)
    cover_recompute(programme=programme, village=member.worker.village, today=dt.date(2025, 9, 15))
    member.refresh_from_db()
    assert member.status == "arrears"
    assert member.status_changes.filter(to_status="arrears", on=dt.date(2025, 7, 1)).exists()
    pay(programme, TEGAL_HARUM, dt.date(2025, 10, 2), 4 * DUE)
    member.refresh_from_db()
    assert (member.status, member.paid_through) == ("lapsed", dt.date(2025, 6, 1))
    assert member.status_changes.filter(to_status="lapsed", on=dt.date(2025, 10, 1)).exists()
    renewal = Membership.objects.get(renews=member)
    assert (renewal.starts_on, renewal.paid_through, renewal.kpj_number) == (
        dt.date(2025, 10, 1), dt.date(2025, 10, 1), "23011234567",
    )  # fmt: skip
    assert renewal.status == "lapsed"  # as of today (2026): nothing paid since
    cover_recompute(programme=programme, village=member.worker.village, today=dt.date(2025, 10, 20))
    renewal.refresh_from_db()
    assert renewal.status == "active"
    assert [i.status for i in Invoice.objects.order_by("period")][6:] == ["void", "void", "void", "paid"]
    assert Account.objects.get().credit == 3 * DUE
    # November is billed to the new membership and paid from the credit once the village's cover is recomputed.
    billing_run(period=dt.date(2025, 11, 1))
    november = Invoice.objects.get(period=dt.date(2025, 11, 1))
    assert november.lines.get().membership == renewal
    cover_recompute(programme=programme, village=member.worker.village, today=dt.date(2025, 11, 5))
    renewal.refresh_from_db()
    assert renewal.paid_through == dt.date(2025, 11, 1)
    # Reversing the October payment takes the renewal away again: the lapse stays, nothing restarts.
    payment_reverse(actor=None, payment=Payment.objects.get(value_date=dt.date(2025, 10, 2)), reason="Ditolak bank")
    assert not Membership.objects.filter(renews=member).exists()
    member.refresh_from_db()
    assert member.paid_through == dt.date(2025, 6, 1)
    assert november.lines.get().membership == member


def test_prepaid_credit_settles_invoices_issued_later(programme) -> None:
    from django.core.management import call_command

    member = make_member(programme, TEGAL_HARUM, dt.date(2025, 1, 1), kpj="1")
    bill(dt.date(2025, 1, 1), 1)
    pay(programme, TEGAL_HARUM, dt.date(2025, 1, 3), 3 * DUE)  # January plus two months ahead
    assert Account.objects.get().credit == 2 * DUE
    call_command("billing-run", "--period", "2025-02", "--json")
    member.refresh_from_db()
    assert member.paid_through == dt.date(2025, 2, 1)
    assert Account.objects.get().credit == DUE


def test_warnings_from_the_second_unpaid_month(programme, operator_tegal_harum, city_officer) -> None:
    from lindung.billing.selectors import arrears_warnings

    late = make_member(programme, TEGAL_HARUM, dt.date(2025, 1, 1), kpj="1")
    bill(dt.date(2025, 1, 1), 5)
    pay(programme, TEGAL_HARUM, dt.date(2025, 1, 3), 2 * DUE)  # January and February paid
    make_member(programme, SESETAN, dt.date(2025, 4, 1), kpj="2")  # Sesetan: nothing paid since its April start
    billing_run(period=dt.date(2025, 4, 1))
    billing_run(period=dt.date(2025, 5, 1))
    assert cover_refresh() == 2  # the nightly refresh derives Sesetan's paid_through (nothing paid: March)

    # In March only one month is unpaid: no warning yet.
    assert arrears_warnings(viewer=operator_tegal_harum, today=dt.date(2025, 3, 20)) == []
    # In April the 2nd unpaid month begins: March and April, Rp33,600, to be paid by 31 May.
    (warning,) = arrears_warnings(viewer=operator_tegal_harum, today=dt.date(2025, 4, 2))
    assert (warning.membership, warning.unpaid_months, warning.pay_by, warning.village_due) == (
        late, 2, dt.date(2025, 5, 31), 2 * DUE,
    )  # fmt: skip
    # In June it has lapsed: no longer a warning. The city officer sees Sesetan's member (2nd unpaid month: May).
    assert arrears_warnings(viewer=operator_tegal_harum, today=dt.date(2025, 6, 1)) == []
    city = arrears_warnings(viewer=city_officer, today=dt.date(2025, 5, 15))
    assert [(w.membership.worker.village_id, w.unpaid_months) for w in city] == [(TEGAL_HARUM, 3), (SESETAN, 2)]


def test_refresh_without_news_leaves_no_audit_event(programme) -> None:
    make_member(programme, TEGAL_HARUM, dt.date(2025, 1, 1), kpj="1")
    bill(dt.date(2025, 1, 1), 2)
    pay(programme, TEGAL_HARUM, dt.date(2025, 1, 3), 2 * DUE)
    before = AuditEvent.objects.count()
    cover_refresh(today=dt.date(2025, 2, 10))  # statuses as of February: nothing new since the payment
    after_first = AuditEvent.objects.count()
    cover_refresh(today=dt.date(2025, 2, 10))
    assert AuditEvent.objects.count() == after_first >= before


def test_payment_needs_an_agreement_in_the_programme(programme) -> None:
    with pytest.raises(ApplicationError, match="PKS"):
        pay(programme, "51.71.01.1002", dt.date(2025, 1, 3), DUE)
