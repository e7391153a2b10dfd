"""Two people at once: the same worker edited twice, the same month billed twice, two payments of one village.

The simultaneous cases run in real threads, each with its own database connection, started together by a barrier.
They run on PostgreSQL only: pytest-django's SQLite test database is in memory with a shared cache, whose table locks
fail at once ("database table is locked") instead of waiting like the file database Lindung runs on; SQLite
serialises writing transactions anyway (IMMEDIATE, busy_timeout: lindung/core/tests/test_sqlite_concurrency.py).
The edit conflict through the pages runs on both.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections  # noqa: F401 - `connection` in the skipif condition
from django.test import Client

from lindung.accounts.models import Role
from lindung.audit.models import AuditEvent
from lindung.billing.models import BillingRun, Invoice, InvoiceLine, Payment, PaymentAllocation
from lindung.billing.services import billing_run, payment_record
from lindung.core.errors import ApplicationError
from lindung.programmes.models import Programme
from lindung.regions.models import Region
from lindung.registry.models import Worker
from lindung.registry.services import worker_save, worker_version
from tests.robustness import scenario

TEGAL_HARUM = "51.71.03.2008"
postgres_only = pytest.mark.skipif(
    "connection.vendor != 'postgresql'",
    reason="threads on the in-memory SQLite test database fail on shared-cache table locks instead of waiting",
)
pytestmark = pytest.mark.django_db(transaction=True)


def at_once(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in threads started together; each result is the return value or the exception raised."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


@pytest.fixture
def worker(bali) -> Worker:
    return Worker.objects.create(nik="5171030101850001", name="Made Awal", sex="L", birth_date=dt.date(1985, 1, 1),
                                 village_id=TEGAL_HARUM, address="Jl. Awal 1")  # fmt: skip


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _form_data(page: str, **changes: str) -> dict[str, str]:
    """The edit form as the browser would send it back: every input and selected option, then the changes."""
    data = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', page))
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        chosen = re.search(r'<option value="([^"]*)"[^>]*selected', body)
        data[name] = chosen.group(1) if chosen else ""
    data.pop("csrfmiddlewaretoken", None)
    return {**data, **changes}


def test_second_operator_saving_a_stale_form_is_refused_and_overwrites_nothing(worker, make_user) -> None:
    first = _client(make_user("op.satu", Role.VILLAGE_OPERATOR, TEGAL_HARUM))
    second = _client(make_user("op.dua", Role.VILLAGE_OPERATOR, TEGAL_HARUM))
    url = f"/pekerja/{worker.pk}/ubah/"
    page_1, page_2 = first.get(url).content.decode(), second.get(url).content.decode()  # both open the form
    assert 'name="version"' in page_1
    saved = first.post(url, _form_data(page_1, name="Made Satu"))
    assert saved.status_code == 302
    refused = second.post(url, _form_data(page_2, address="Jl. Dua 2"))
    assert refused.status_code == 200
    text = refused.content.decode()
    assert "sudah diubah pengguna lain" in text and "op.satu" in text and "TIDAK disimpan" in text
    worker.refresh_from_db()
    assert (worker.name, worker.address) == ("Made Satu", "Jl. Awal 1")  # the first save kept, nothing overwritten
    assert AuditEvent.objects.filter(action="registry.worker.update", target_id=str(worker.pk)).count() == 1
    again = second.get(url).content.decode()  # reopened: the latest data, and now the save goes through
    assert second.post(url, _form_data(again, address="Jl. Dua 2")).status_code == 302
    worker.refresh_from_db()
    assert (worker.name, worker.address) == ("Made Satu", "Jl. Dua 2")


@postgres_only
def test_two_saves_of_the_same_version_at_once_one_wins(worker, make_user) -> None:
    users = [make_user(f"op.{n}", Role.VILLAGE_OPERATOR, TEGAL_HARUM) for n in ("satu", "dua")]
    version = worker_version(worker)

    def save(user, **changes: str) -> Callable[[], Worker]:
        def call() -> Worker:
            copy = Worker.objects.get(pk=worker.pk)
            for field, value in changes.items():
                setattr(copy, field, value)
            return worker_save(acting_user=user, worker=copy, expected_version=version)

        return call

    results = at_once(save(users[0], name="Nama Satu"), save(users[1], address="Alamat Dua"))
    refused = [r for r in results if isinstance(r, ApplicationError)]
    assert len(refused) == 1 and refused[0].code == "stale"
    winner = next(r for r in results if isinstance(r, Worker))
    worker.refresh_from_db()
    assert (worker.name, worker.address) == (winner.name, winner.address)
    assert {(worker.name, worker.address)} < {("Nama Satu", "Jl. Awal 1"), ("Made Awal", "Alamat Dua")}
    assert AuditEvent.objects.filter(action="registry.worker.update").count() == 1


@pytest.fixture
def billing(bali) -> dict[str, Any]:
    made = scenario.billing_setup()  # 3 villages, 3/4/5 members from 2024-03; the first two paid Rp100.000 ahead
    return {"programme": Programme.objects.get(pk=made["programme"]), "villages": made["villages"]}


@postgres_only
def test_two_billing_runs_of_one_month_at_once_issue_one_set_of_invoices(billing) -> None:
    results = at_once(*[lambda: billing_run(period=dt.date(2024, 3, 1))] * 2)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted((r.invoices_created, r.invoices_unchanged) for r in results) == [(0, 3), (3, 0)]
    assert Invoice.objects.count() == 3
    assert InvoiceLine.objects.count() == 3 + 4 + 5
    assert sorted(Invoice.objects.values_list("total", flat=True)) == [50_400, 67_200, 84_000]
    assert BillingRun.objects.filter(finished_at__isnull=True).count() == 0


@postgres_only
def test_two_payments_of_one_village_at_once_are_both_kept_and_allocated(billing) -> None:
    billing_run(period=dt.date(2024, 3, 1))
    village = Region.objects.get(code=billing["villages"][2])  # 5 members: Rp84.000 open, nothing paid before

    def pay(amount: int, reference: str) -> Callable[[], Payment]:
        return lambda: payment_record(actor=None, programme=billing["programme"], village=village,
                                      value_date=dt.date(2024, 3, 10), amount=amount, reference=reference,
                                      budget_source="apbd")  # fmt: skip

    results = at_once(pay(50_000, "SP2D-A"), pay(40_000, "SP2D-B"))
    assert not [r for r in results if isinstance(r, Exception)], results
    payments = Payment.objects.filter(village=village)
    assert sorted(payments.values_list("reference", "amount")) == [("SP2D-A", 50_000), ("SP2D-B", 40_000)]
    invoice = Invoice.objects.get(village=village)
    allocated = sum(PaymentAllocation.objects.filter(invoice=invoice).values_list("amount", flat=True))
    assert (invoice.status, invoice.paid_amount, allocated) == ("paid", 84_000, 84_000)  # not over-allocated
    account = village.billing_accounts.get()
    assert account.credit == 90_000 - 84_000  # allocations + credit = the two payments
    assert all(
        sum(PaymentAllocation.objects.filter(payment=p).values_list("amount", flat=True)) <= p.amount for p in payments
    )
