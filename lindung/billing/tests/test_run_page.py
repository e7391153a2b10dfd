"""The billing-run page: confirmation, the run as a task, its progress and result, scope and read-only roles.

Amounts are worked by hand from the parameter table (RULES.md, PP 44/2015 for BPU workers): at the declared income
of Rp1.000.000 a member owes JKK 1% = Rp10.000 plus JKM Rp6.800 flat = Rp16.800 a month; March 2024 is before the
PP 50/2025 discount.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from lindung.accounts.models import Role
from lindung.audit.models import AuditEvent
from lindung.billing.models import BillingRun, Invoice, RunStatus
from lindung.billing.tasks import billing_run_task
from lindung.core.errors import ApplicationError
from lindung.membership.tests.factories import SESETAN, TEGAL_HARUM, make_member

pytestmark = pytest.mark.django_db

URL = "/tagihan/penagihan/"
PER_MEMBER = 10_000 + 6_800
#: (village, period) → (invoice total, lines) for 3 members in Tegal Harum and 2 in Sesetan, billed for 03-2024.
EXPECTED = {
    (TEGAL_HARUM, dt.date(2024, 3, 1)): (3 * PER_MEMBER, 3),  # Rp50.400
    (SESETAN, dt.date(2024, 3, 1)): (2 * PER_MEMBER, 2),  # Rp33.600
}


@pytest.fixture
def immediate_tasks(settings):
    """Tasks run at once inside the request (the database backend and its worker are tried in the browser test)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def members(programme):
    for _ in range(3):
        make_member(programme, TEGAL_HARUM, dt.date(2023, 2, 1), kpj="1")
    for _ in range(2):
        make_member(programme, SESETAN, dt.date(2023, 6, 1), kpj="2")
    return programme


def _invoices() -> dict[tuple[str, dt.date], tuple[int, int]]:
    return {(i.village_id, i.period): (i.total, i.lines.count()) for i in Invoice.objects.all()}


def _start(client, period: str, region: str):
    form = {"period": period, "region": region}
    asked = client.post(URL, form)
    assert asked.status_code == 200
    return asked, client.post(URL, {**form, "confirm": "1"})


@pytest.mark.parametrize("via", ["page", "command"])
def test_page_and_command_issue_the_same_invoices(client, city_officer, members, immediate_tasks, via) -> None:
    if via == "command":
        call_command("billing-run", "--period", "2024-03", "--region", "51.71")
    else:
        client.force_login(city_officer)
        _start(client, "2024-03", "51.71")
    assert _invoices() == EXPECTED
    run = BillingRun.objects.get()
    assert (run.status, run.invoices_created, run.invoices_unchanged, run.lines, run.total) == (
        RunStatus.DONE, 2, 0, 5, 84_000,
    )  # fmt: skip


def test_confirmation_then_task_then_result_on_the_page(client, city_officer, members, immediate_tasks) -> None:
    client.force_login(city_officer)
    asked, started = _start(client, "2024-03", "51.71")
    assert asked.context["confirming"]
    assert "03-2024" in asked.content.decode()
    assert started.status_code == 302
    run = BillingRun.objects.get()
    assert started["Location"] == f"{URL}?run={run.pk}"
    assert (run.by, run.region_prefix, run.status, run.finished_at is not None) == (city_officer, "51.71", "done", True)
    page = client.get(started["Location"]).content.decode()
    assert 'data-status="done"' in page
    assert "2 tagihan baru (5 baris, Rp84.000); 0 sudah ada." in page
    assert "hx-trigger" not in page  # finished: the page stops polling
    event = AuditEvent.objects.get(action="billing.run")
    assert (event.actor, event.target_id, event.changes["total"]) == (city_officer, str(run.pk), 84_000)
    # Idempotent: the same month again creates nothing, the command after it neither.
    _start(client, "2024-03", "51.71")
    call_command("billing-run", "--period", "2024-03")
    assert _invoices() == EXPECTED
    latest = BillingRun.objects.order_by("-pk")[1]
    assert (latest.invoices_created, latest.invoices_unchanged, latest.total) == (0, 2, 0)


def test_nothing_happens_before_confirmation(client, city_officer, members, immediate_tasks) -> None:
    client.force_login(city_officer)
    client.post(URL, {"period": "2024-03", "region": "51.71"})
    assert not BillingRun.objects.exists()
    assert not Invoice.objects.exists()


def test_operator_runs_own_village_only(client, operator_tegal_harum, members, immediate_tasks) -> None:
    client.force_login(operator_tegal_harum)
    page = client.get(URL)
    assert [code for code, _ in page.context["form"].fields["region"].choices] == [TEGAL_HARUM]
    for region in (SESETAN, "51.71", "51.03.05.2001", "-"):
        answer = client.post(URL, {"period": "2024-03", "region": region, "confirm": "1"})
        assert answer.status_code in (404, 200), region
        assert answer.status_code == 404 or "region" in answer.context["form"].errors
    assert client.post(URL, {"period": "2024-03", "region": SESETAN}).status_code == 404
    assert not BillingRun.objects.exists()
    _start(client, "2024-03", TEGAL_HARUM)
    assert _invoices() == {(TEGAL_HARUM, dt.date(2024, 3, 1)): (3 * PER_MEMBER, 3)}


@pytest.mark.parametrize("role", [Role.PROVINCE_VIEWER, Role.TRAINER, Role.BPJS_OFFICER])
def test_read_only_roles_see_the_list_without_the_form(client, make_user, members, immediate_tasks, role) -> None:
    BillingRun.objects.create(period=dt.date(2024, 2, 1), region_prefix="51.71", invoices_created=7, total=117_600)
    client.force_login(make_user("baca", role, "51" if role == Role.PROVINCE_VIEWER else "51.71"))
    page = client.get(URL)
    assert page.status_code == 200
    assert not page.context["can_run"]
    assert 'data-testid="run-form"' not in page.content.decode()
    assert "117.600" in page.content.decode()
    assert client.post(URL, {"period": "2024-03", "region": "51.71", "confirm": "1"}).status_code == 403
    assert not Invoice.objects.exists()
    assert not DBTaskResult.objects.exists()


def test_list_shows_only_runs_in_scope(client, city_officer, bali) -> None:
    for prefix, total in (("51.71", 111_111), ("51.71.03.2008", 222_222), ("51.03", 333_333), ("", 444_444)):
        BillingRun.objects.create(period=dt.date(2024, 2, 1), region_prefix=prefix, total=total)
    client.force_login(city_officer)
    page = client.get(URL).content.decode()
    assert ("111.111" in page, "222.222" in page, "333.333" in page, "444.444" in page) == (True, True, False, False)
    outside = BillingRun.objects.get(region_prefix="51.03")
    assert 'data-testid="run-status"' not in client.get(f"{URL}?run={outside.pk}").content.decode()


def test_period_checked(client, city_officer, members, immediate_tasks) -> None:
    client.force_login(city_officer)
    errors = client.post(URL, {"period": "2024-3", "region": "51.71"}).context["form"].errors
    assert errors["period"] == ["Periode harus berbentuk TTTT-BB, misalnya 2026-05, bukan '2024-3'."]
    errors = client.post(URL, {"period": "2099-01", "region": "51.71"}).context["form"].errors
    assert errors["period"][0].startswith("Penagihan paling jauh dapat dijalankan untuk bulan depan")


def test_progress_is_polled_until_done(client, city_officer, bali) -> None:
    run = BillingRun.objects.create(
        period=dt.date(2024, 3, 1), region_prefix="51.71", status=RunStatus.SETTLING, progress_done=3,
        progress_total=8, finished_at=None,
    )  # fmt: skip
    client.force_login(city_officer)
    part = client.get(f"{URL}?run={run.pk}", HTTP_HX_REQUEST="true")
    body = part.content.decode()
    assert next(t.name for t in part.templates) == "billing/runs_table.html"
    assert 'hx-trigger="every 1s"' in body
    assert 'max="8" value="3"' in body
    assert "3 dari 8 desa bersaldo sudah dilunasi." in body
    BillingRun.objects.filter(pk=run.pk).update(status=RunStatus.DONE)
    assert "hx-trigger" not in client.get(f"{URL}?run={run.pk}", HTTP_HX_REQUEST="true").content.decode()


def test_failure_is_shown_in_indonesian(client, city_officer, members, immediate_tasks, monkeypatch) -> None:
    def refuse(**kwargs):
        raise ApplicationError("Desa ini di luar wilayah Anda.", code="scope")

    monkeypatch.setattr("lindung.billing.tasks.billing_run", refuse)
    client.force_login(city_officer)
    _asked, started = _start(client, "2024-03", "51.71")
    run = BillingRun.objects.get()
    assert (run.status, run.message) == (RunStatus.FAILED, "Desa ini di luar wilayah Anda.")
    page = client.get(started["Location"]).content.decode()
    assert "Gagal" in page and "Desa ini di luar wilayah Anda." in page
    assert not Invoice.objects.exists()


def test_task_runs_again_safely_after_a_crash(city_officer, members) -> None:
    run = BillingRun.objects.create(
        period=dt.date(2024, 3, 1), region_prefix="51.71", by=city_officer, status=RunStatus.RUNNING, finished_at=None
    )
    billing_run_task.call(run.pk)  # the worker died while running: the recovered task runs it again
    billing_run_task.call(run.pk)  # and once more after it finished: nothing happens
    assert _invoices() == EXPECTED
    run.refresh_from_db()
    assert (run.status, run.invoices_created, run.total) == (RunStatus.DONE, 2, 84_000)
    assert BillingRun.objects.count() == 1
