"""The demo's Tegal Harum: 100 members since February 2023, paid monthly with two prepaid quarters, the last two
months unpaid. Expected figures are counted by hand: 100 members at Rp16.800 = Rp1.680.000 a month."""

from __future__ import annotations

import datetime as dt

import pytest

from lindung.accounts.models import Role
from lindung.audit.models import AuditEvent
from lindung.billing.models import Account, BillingRun, Invoice, Payment
from lindung.billing.selectors import arrears_warnings
from lindung.membership.demo import demo_memberships
from lindung.membership.models import Membership
from lindung.programmes.demo import demo_programmes
from lindung.targeting.demo import demo_targeting

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 25)


def test_demo_memberships_brings_tegal_harums_history_in_once(bali, make_user):
    operator = make_user("operator.tegalharum", Role.VILLAGE_OPERATOR, "51.71.03.2008")
    make_user("perbekel.tegalharum", Role.VILLAGE_HEAD, "51.71.03.2008")
    demo_programmes()
    demo_targeting()
    assert set(Membership.objects.values_list("status", "starts_on")) == {("pending", dt.date(2026, 2, 1))}

    first = demo_memberships(today=TODAY)

    assert first == {
        "memberships_created": 0,
        "memberships_completed": 100,  # the approval's pending memberships, given their history
        "invoices_created": 46,  # February 2023 to November 2026
        "payments_created": 40,  # 44 months paid (to September 2026), two of them quarters paid at once
    }
    members = Membership.objects.all()
    assert members.count() == 100
    assert set(members.values_list("starts_on", "paid_through", "status")) == {
        (dt.date(2023, 2, 1), dt.date(2026, 9, 1), "arrears")
    }
    assert len(set(members.values_list("kpj_number", flat=True))) == 100
    assert set(Invoice.objects.values_list("total", flat=True)) == {1_680_000}
    assert Invoice.objects.filter(status="open").count() == 2
    assert set(Payment.objects.values_list("amount", flat=True)) == {1_680_000, 5_040_000}
    assert Payment.objects.filter(amount=5_040_000).count() == 2
    assert Account.objects.get().credit == 0
    warnings = arrears_warnings(viewer=operator, today=TODAY)
    assert len(warnings) == 100
    assert {(w.unpaid_months, w.pay_by, w.village_due) for w in warnings} == {(2, dt.date(2026, 12, 31), 3_360_000)}

    counts = (Membership.objects.count(), Invoice.objects.count(), Payment.objects.count(), BillingRun.objects.count())
    events = AuditEvent.objects.count()
    second = demo_memberships(today=TODAY)
    assert second == {
        "memberships_created": 0,
        "memberships_completed": 0,
        "invoices_created": 0,
        "payments_created": 0,
    }
    after = (Membership.objects.count(), Invoice.objects.count(), Payment.objects.count(), BillingRun.objects.count())
    assert after == counts
    assert AuditEvent.objects.count() == events
