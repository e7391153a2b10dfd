"""The operator of Tegal Harum sees the arrears warning first on the home page, records the payment of the open
invoices (with the confirmation step), and the warning is gone: on the page and in the database."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from lindung.accounts.models import Role
from lindung.billing.models import Invoice, Payment
from lindung.billing.services import billing_run, payment_record
from lindung.membership.models import Membership
from lindung.membership.tests.factories import TEGAL_HARUM, make_member
from lindung.membership.tests.factories import programme as programme  # the fixture
from lindung.regions.models import Region

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
MEMBERS = 3
MONTHLY = MEMBERS * 16_800  # three members at the default declared income, JKK + JKM


def _month_add(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def test_operator_pays_the_open_invoices_and_the_arrears_warning_disappears(page, live_server, programme, make_user):
    this_month = timezone.localdate().replace(day=1)
    start = _month_add(this_month, -5)
    for i in range(MEMBERS):
        make_member(programme, TEGAL_HARUM, start, kpj=f"2302000010{i}")
    for k in range(6):
        billing_run(period=_month_add(start, k), region_prefix=TEGAL_HARUM)
    # Four months paid in advance at the start: the last two months are unpaid.
    payment_record(
        actor=None, programme=programme, village=Region.objects.get(code=TEGAL_HARUM),
        value_date=start.replace(day=10), amount=4 * MONTHLY, reference="TH-AWAL", budget_source="dana_desa",
    )  # fmt: skip
    assert set(Membership.objects.values_list("status", "paid_through")) == {("arrears", _month_add(start, 3))}
    make_user("op.tegalharum", Role.VILLAGE_OPERATOR, TEGAL_HARUM)

    page.goto(f"{live_server.url}/masuk/")
    page.get_by_label("Nama pengguna").fill("op.tegalharum")
    page.get_by_label("Kata sandi").fill("rahasia-uji-123")
    page.get_by_role("button", name="Masuk").click()

    warnings = page.get_by_test_id("arrears-warnings")
    expect(warnings).to_be_visible()
    expect(warnings.get_by_test_id("arrears-count")).to_have_text(str(MEMBERS))
    expect(warnings.get_by_test_id("arrears-total")).to_have_text("Rp100.800")  # two open months of Rp50.400

    warnings.get_by_role("link").first.click()
    expect(page.get_by_test_id("invoices")).to_be_visible()
    page.get_by_test_id("record-payment").click()
    page.locator("[name=amount]").fill(str(2 * MONTHLY))
    page.locator("[name=reference]").fill("TH-TRANSFER-01")
    page.locator("[name=budget_source]").select_option("dana_desa")
    page.locator("[name=account_code]").fill("5.1.04")
    page.get_by_role("button", name="Lanjutkan").click()

    question = page.get_by_test_id("confirm-question")
    expect(question).to_contain_text("100.800")
    expect(question).to_contain_text("TH-TRANSFER-01")
    assert not Payment.objects.filter(reference="TH-TRANSFER-01").exists()  # nothing written before confirming
    page.get_by_test_id("confirm").click()

    expect(page.get_by_test_id("payments")).to_contain_text("TH-TRANSFER-01")
    page.goto(f"{live_server.url}/")
    expect(page.get_by_test_id("arrears-warnings")).to_have_count(0)

    payment = Payment.objects.get(reference="TH-TRANSFER-01")
    assert (payment.amount, payment.value_date, payment.account_code) == (
        2 * MONTHLY,
        timezone.localdate(),
        "5.1.04",
    )
    assert set(Invoice.objects.values_list("status", flat=True)) == {"paid"}
    assert set(Membership.objects.values_list("status", "paid_through")) == {("active", this_month)}
