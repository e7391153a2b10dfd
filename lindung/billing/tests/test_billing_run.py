"""The monthly billing run: who is billed, at what amount, idempotency and a constant number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lindung.audit.models import AuditEvent
from lindung.billing.contributions import monthly_due
from lindung.billing.models import Invoice, InvoiceLine
from lindung.billing.services import billing_run
from lindung.membership.tests.factories import EXPIRED_VILLAGE, SESETAN, TEGAL_HARUM, make_member
from lindung.programmes.models import Agreement, ProgrammeRules

pytestmark = pytest.mark.django_db


def test_one_invoice_per_village_in_force_with_a_line_per_member(programme) -> None:
    for _ in range(3):
        make_member(programme, TEGAL_HARUM, dt.date(2023, 2, 1), kpj="1")
    make_member(programme, SESETAN, dt.date(2023, 6, 1), kpj="2")
    make_member(programme, EXPIRED_VILLAGE, dt.date(2023, 1, 1), kpj="3")  # agreement expired: not billed
    result = billing_run(period=dt.date(2024, 3, 1))
    assert (result.invoices_created, result.invoices_unchanged, result.lines) == (2, 0, 4)
    assert result.total == 4 * 16_800
    invoice = Invoice.objects.get(village_id=TEGAL_HARUM)
    assert (invoice.period, invoice.total, invoice.funder, invoice.status) == (
        dt.date(2024, 3, 1),
        50_400,
        "apbdes",
        "open",
    )
    line = invoice.lines.first()
    assert (line.jkk, line.jkm, line.jht, line.amount) == (10_000, 6_800, 0, 16_800)
    assert "bpu_jkm_flat (PP44/2015)" in line.rules
    assert not Invoice.objects.filter(village_id=EXPIRED_VILLAGE).exists()
    assert AuditEvent.objects.filter(action="billing.run").count() == 1


def test_rerun_creates_nothing_new(programme) -> None:
    make_member(programme, TEGAL_HARUM, dt.date(2023, 2, 1))
    billing_run(period=dt.date(2024, 3, 1))
    again = billing_run(period=dt.date(2024, 3, 1))
    assert (again.invoices_created, again.invoices_unchanged, again.lines, again.total) == (0, 1, 0, 0)
    assert Invoice.objects.count() == 1
    assert InvoiceLine.objects.count() == 1


def test_agreement_not_yet_in_force_is_not_billed(programme) -> None:
    make_member(programme, SESETAN, dt.date(2023, 1, 1))
    assert billing_run(period=dt.date(2023, 5, 1)).invoices_created == 0  # Sesetan's PKS from June 2023
    assert billing_run(period=dt.date(2023, 6, 1)).invoices_created == 1


def test_start_month_billed_in_full_and_leaving_month_last(programme) -> None:
    joiner = make_member(programme, TEGAL_HARUM, dt.date(2024, 3, 28))
    leaver = make_member(programme, TEGAL_HARUM, dt.date(2023, 2, 1), ended_on=dt.date(2024, 3, 2), end_reason="death")
    billing_run(period=dt.date(2024, 2, 1))
    billing_run(period=dt.date(2024, 3, 1))
    billing_run(period=dt.date(2024, 4, 1))
    billed = {
        (ln.membership_id, ln.invoice.period.month): ln.amount for ln in InvoiceLine.objects.select_related("invoice")
    }
    assert billed == {
        (leaver.pk, 2): 16_800,
        (leaver.pk, 3): 16_800,
        (joiner.pk, 3): 16_800,  # starts on the 28th: the month is billed in full
        (joiner.pk, 4): 16_800,
    }


def test_region_filter(programme) -> None:
    make_member(programme, TEGAL_HARUM, dt.date(2023, 2, 1))
    make_member(programme, SESETAN, dt.date(2023, 6, 1))
    result = billing_run(period=dt.date(2024, 3, 1), region_prefix="51.71.03")
    assert result.invoices_created == 1
    assert Invoice.objects.get().village_id == TEGAL_HARUM


def test_pp50_discount_by_funder_and_programme_switch(programme) -> None:
    make_member(programme, TEGAL_HARUM, dt.date(2023, 2, 1))
    make_member(programme, SESETAN, dt.date(2023, 6, 1))
    other = make_member(programme, EXPIRED_VILLAGE, dt.date(2023, 6, 1))
    Agreement.objects.filter(village_id=EXPIRED_VILLAGE).update(valid_until=None, funder="other", funder_name="CSR")
    billing_run(period=dt.date(2026, 3, 1))  # before the discount period
    billing_run(period=dt.date(2026, 5, 1))
    totals = {(i.village_id, i.period.month): i.total for i in Invoice.objects.all()}
    assert totals == {
        (TEGAL_HARUM, 3): 16_800, (SESETAN, 3): 16_800, (EXPIRED_VILLAGE, 3): 16_800,
        (TEGAL_HARUM, 5): 16_800,  # APBDes: not discounted by default
        (SESETAN, 5): 16_800,  # APBD: excluded by PP 50/2025 Pasal 3
        (EXPIRED_VILLAGE, 5): 8_400,  # another funder: Rp8,400
    }  # fmt: skip
    line = InvoiceLine.objects.get(membership=other, invoice__period=dt.date(2026, 5, 1))
    assert (line.jkk, line.jkm) == (5_000, 3_400)
    assert "relief_pp50_2025_factor_other" in line.rules
    ProgrammeRules.objects.create(
        programme=programme, effective_from=dt.date(2026, 6, 1), apply_discount_for_apbdes=True
    )
    billing_run(period=dt.date(2026, 6, 1))
    assert Invoice.objects.get(village_id=TEGAL_HARUM, period=dt.date(2026, 6, 1)).total == 8_400
    assert Invoice.objects.get(village_id=SESETAN, period=dt.date(2026, 6, 1)).total == 16_800
    billing_run(period=dt.date(2027, 1, 1))
    assert Invoice.objects.get(village_id=TEGAL_HARUM, period=dt.date(2027, 1, 1)).total == 16_800


@pytest.mark.parametrize("package", ["jkk_jkm", "jkk_jkm_jht"])
def test_sql_amounts_equal_monthly_due(programme, package) -> None:
    incomes = [1_000_000, 1_234_567, 2_500_001, 9_999_999, 20_700_000]
    members = {
        make_member(programme, TEGAL_HARUM, dt.date(2023, 2, 1), income=i, package=package).pk: i for i in incomes
    }
    Agreement.objects.filter(village_id=TEGAL_HARUM).update(funder="other")
    for period in (dt.date(2025, 1, 1), dt.date(2026, 7, 1)):
        billing_run(period=period)
        for line in InvoiceLine.objects.filter(invoice__period=period):
            due = monthly_due(members[line.membership_id], package, period, discount=True)
            assert (line.jkk, line.jkm, line.jht, line.amount) == (due.jkk, due.jkm, due.jht, due.total)
            assert line.rules == "; ".join(due.rules)
    # Hand-checked: Rp1,234,567 → JKK Rp12,345 (+ JHT Rp24,691); with the 2026 discount JKK Rp6,172, JKM Rp3,400.
    line = InvoiceLine.objects.get(membership__declared_income=1_234_567, invoice__period=dt.date(2026, 7, 1))
    assert (line.jkk, line.jkm) == (6_172, 3_400)


def _queries_for_run(period: dt.date) -> int:
    with CaptureQueriesContext(connection) as captured:
        billing_run(period=period)
    return len(captured)


def test_query_count_does_not_grow_with_members(programme, django_assert_max_num_queries) -> None:
    make_member(programme, TEGAL_HARUM, dt.date(2023, 2, 1))
    few = _queries_for_run(dt.date(2024, 1, 1))
    for village in (TEGAL_HARUM, SESETAN):
        for _ in range(40):
            make_member(programme, village, dt.date(2023, 6, 1))
    with django_assert_max_num_queries(few):
        result = billing_run(period=dt.date(2024, 2, 1))
    assert (result.invoices_created, result.lines) == (2, 81)


def test_cli_prints_one_json_object(programme, capsys) -> None:
    make_member(programme, TEGAL_HARUM, dt.date(2023, 2, 1))
    call_command("billing-run", "--period", "2024-03", "--json")
    out = capsys.readouterr().out
    import json

    assert json.loads(out) == {
        "period": "2024-03", "region": "", "invoices_created": 1, "invoices_unchanged": 0, "lines": 1, "total": 16_800,
        "villages_settled_from_credit": 0,
    }  # fmt: skip
