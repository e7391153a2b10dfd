"""SIGKILL `lindung billing-run` (the monthly cron command) in the middle of its work, run it again, and compare
with an uninterrupted run on another database.

The scenario (scenario.py, `billing-setup`): three paying villages of Kota Denpasar with 3, 4 and 5 members from
2024-03-01 (declared income Rp1.000.000, package JKK+JKM: Rp10.000 JKK at its floor + Rp6.800 JKM = Rp16.800 a
member, RULES.md), the first two with Rp100.000 paid in advance. `billing-run --period 2024-03` issues the invoices
in one transaction, then settles them from each village's credit, one village per transaction.

"Whole" for a batch of the run (from the data): every invoice of the month exists with one line per member and a
total equal to its lines; "absent": no invoice, no line, no billing run of the month. A village's settlement is
whole when its allocations equal its invoice's paid amount and its credit is what is left of the payment.
"""

from __future__ import annotations

MONTH = "2024-03-01"
EXPECTED_INVOICES = [(3, 50_400), (4, 67_200), (5, 84_000)]  # (lines, total) per village, hand-worked


def _invoices(db) -> list[tuple]:
    return db.rows(
        "SELECT i.village_id, COUNT(l.id), i.total, COALESCE(SUM(l.amount), 0), i.status, i.paid_amount "
        "FROM billing_invoice i LEFT JOIN billing_invoiceline l ON l.invoice_id = i.id "
        "WHERE i.period = ? GROUP BY i.id, i.village_id, i.total, i.status, i.paid_amount ORDER BY i.village_id",
        (MONTH,),
    )


def _state(db) -> dict[str, list[tuple]]:
    """Everything billing derives, by natural keys (ids differ: a killed transaction still used up sequence values)."""
    return {
        "invoices": db.rows("SELECT village_id, period, funder, discounted, total, status, paid_amount, paid_on "
                            "FROM billing_invoice ORDER BY village_id, period"),
        "lines": db.rows("SELECT i.village_id, w.nik, l.jkk, l.jkm, l.jht, l.amount, l.status, l.rules "
                         "FROM billing_invoiceline l JOIN billing_invoice i ON i.id = l.invoice_id "
                         "JOIN membership_membership m ON m.id = l.membership_id "
                         "JOIN registry_worker w ON w.id = m.worker_id ORDER BY w.nik, i.period"),
        "allocations": db.rows("SELECT p.reference, i.village_id, i.period, a.amount FROM billing_paymentallocation a "
                               "JOIN billing_payment p ON p.id = a.payment_id "
                               "JOIN billing_invoice i ON i.id = a.invoice_id ORDER BY p.reference, i.period"),
        "accounts": db.rows("SELECT village_id, credit, refundable FROM billing_account ORDER BY village_id"),
        "memberships": db.rows("SELECT w.nik, m.starts_on, m.status, m.paid_through FROM membership_membership m "
                               "JOIN registry_worker w ON w.id = m.worker_id ORDER BY w.nik, m.starts_on"),
        "payments": db.rows("SELECT reference, amount, value_date FROM billing_payment ORDER BY reference"),
    }  # fmt: skip


def _settled(db, villages: list[str]) -> list[tuple]:
    return [
        (v, db.value("SELECT COALESCE(SUM(a.amount), 0) FROM billing_paymentallocation a JOIN billing_invoice i "
                     "ON i.id = a.invoice_id WHERE i.village_id = ? AND i.period = ?", (v, MONTH)),
         db.value("SELECT COALESCE(MAX(credit), 0) FROM billing_account WHERE village_id = ?", (v,)))
        for v in villages
    ]  # fmt: skip


_CLEAN: dict[str, dict[str, list[tuple]]] = {}


def _clean_run(fresh_database) -> dict[str, list[tuple]]:
    """The state after an uninterrupted `billing-run` on another database (made once per test process)."""
    if "state" not in _CLEAN:
        clean = fresh_database("clean")
        clean.scenario("billing-setup")
        clean.run("billing-run", "--period", "2024-03")
        _CLEAN["state"] = _state(clean)
    return _CLEAN["state"]


def test_billing_run_killed_inside_its_transaction_leaves_no_invoice(fresh_database) -> None:
    crashed = fresh_database("crash")
    villages = crashed.scenario("billing-setup")["villages"]
    before = _state(crashed)
    # Stopped after the run wrote its invoices, lines, totals and audit event, before the commit.
    process = crashed.run_until_crashpoint(
        "lindung.billing.services:audit_record", "billing-run", "--period", "2024-03", when="after", nth=1
    )
    crashed.kill(process)
    # Absent: no invoice, no line, no billing run of the month; nothing else moved.
    assert _invoices(crashed) == []
    assert crashed.value("SELECT COUNT(*) FROM billing_billingrun") == 0
    assert _state(crashed) == before
    crashed.run("billing-run", "--period", "2024-03")
    assert [(n, total) for _v, n, total, *_ in _invoices(crashed)] == EXPECTED_INVOICES
    assert _settled(crashed, villages) == [(villages[0], 50_400, 49_600), (villages[1], 67_200, 32_800),
                                           (villages[2], 0, 0)]  # fmt: skip
    assert _state(crashed) == _clean_run(fresh_database)
    crashed.run("audit-verify")


def test_billing_run_killed_between_villages_settlements_resumes_to_the_same_result(fresh_database) -> None:
    crashed = fresh_database("crash")
    villages = crashed.scenario("billing-setup")["villages"]
    # Stopped as the second village's settlement begins: the invoices are committed, the first village settled.
    process = crashed.run_until_crashpoint(
        "lindung.billing.services:cover_recompute", "billing-run", "--period", "2024-03", when="before", nth=2
    )
    crashed.kill(process)
    invoices = _invoices(crashed)
    assert [(v, n, total, lines_sum) for v, n, total, lines_sum, *_ in invoices] == [
        (v, n, total, total) for v, (n, total) in zip(villages, EXPECTED_INVOICES, strict=True)
    ]  # every invoice whole: one line a member, total = its lines
    assert [status for *_, status, _paid in invoices] == ["paid", "open", "open"]
    assert _settled(crashed, villages) == [(villages[0], 50_400, 49_600), (villages[1], 0, 100_000),
                                           (villages[2], 0, 0)]  # fmt: skip
    assert crashed.value("SELECT COUNT(*) FROM billing_billingrun WHERE finished_at IS NULL") == 0

    crashed.run("billing-run", "--period", "2024-03")  # the cron job's next attempt
    assert crashed.value("SELECT COUNT(*) FROM billing_invoice") == 3  # no second set of invoices
    assert _settled(crashed, villages) == [(villages[0], 50_400, 49_600), (villages[1], 67_200, 32_800),
                                           (villages[2], 0, 0)]  # fmt: skip
    assert _state(crashed) == _clean_run(fresh_database)
    crashed.run("audit-verify")


def test_task_worker_killed_while_settling_a_queued_run_resumes_to_the_same_result(fresh_database) -> None:
    """The run queued from the billing page, done by `lindung db_worker`: killed while settling (the invoices
    committed, the first village settled, the run's row saying "settling"), recovered and finished on restart."""
    crashed = fresh_database("crash")
    made = crashed.scenario("billing-queue")
    villages = made["villages"]
    worker = crashed.run_until_crashpoint(
        "lindung.billing.services:cover_recompute",
        "db_worker", "--no-reload", "--no-startup-delay", "--batch",
        when="before", nth=2,
    )  # fmt: skip
    crashed.kill(worker)
    assert crashed.rows("SELECT status FROM billing_billingrun") == [("settling",)]  # the stale running state
    assert crashed.value("SELECT status FROM django_tasks_database_dbtaskresult") == "RUNNING"
    assert _settled(crashed, villages) == [(villages[0], 50_400, 49_600), (villages[1], 0, 100_000),
                                           (villages[2], 0, 0)]  # fmt: skip
    assert [(n, total) for _v, n, total, *_ in _invoices(crashed)] == EXPECTED_INVOICES  # every invoice whole

    recovered = crashed.run("tasks-recover")
    assert "Penagihan yang terhenti: 1 dilanjutkan tugasnya, 0 diantrekan ulang." in recovered.stdout
    crashed.run("db_worker", "--no-reload", "--no-startup-delay", "--batch")
    assert crashed.rows("SELECT status FROM billing_billingrun") == [("done",)]
    assert crashed.value("SELECT status FROM django_tasks_database_dbtaskresult") == "SUCCESSFUL"
    assert crashed.value("SELECT COUNT(*) FROM billing_invoice") == 3
    assert _state(crashed) == _clean_run(fresh_database)
    crashed.run("audit-verify")
