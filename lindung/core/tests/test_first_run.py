"""The first-run path on the home page: each step's state computed from the data, scoped to the user's villages,
gone once the village has its first invoice. States are set up row by row here (not through the services), so
each expectation is written by hand."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from lindung.accounts.models import Role
from lindung.billing.models import Invoice
from lindung.core.selectors import arrears_summary, first_run_progress
from lindung.membership.models import RegistrationFile
from lindung.membership.tests.factories import EXPIRED_VILLAGE, SESETAN, TEGAL_HARUM, make_member, make_worker
from lindung.membership.tests.factories import programme as programme  # the fixture
from lindung.targeting.models import SelectionList, SelectionVersion

pytestmark = pytest.mark.django_db


def _states(run) -> dict[str, bool]:
    return {step.key: step.done for step in run.steps}


def _version(programme, village: str, status: str) -> SelectionVersion:
    selection_list, _ = SelectionList.objects.get_or_create(village_id=village, programme=programme, budget_year=2026)
    number = selection_list.versions.count() + 1
    return SelectionVersion.objects.create(
        selection_list=selection_list, number=number, status=status, reference_date=dt.date(2026, 1, 1), quota=100,
        quota_source="programme",
    )  # fmt: skip


def test_first_run_steps_follow_the_data_until_the_first_invoice(programme, make_user):
    operator = make_user("op.th", Role.VILLAGE_OPERATOR, TEGAL_HARUM)
    # Another village's progress never counts for Tegal Harum.
    make_worker(SESETAN)
    _version(programme, SESETAN, SelectionVersion.Status.APPROVED)

    (run,) = first_run_progress(viewer=operator)
    assert run.village.code == TEGAL_HARUM
    assert _states(run) == {"workers": False, "list": False, "approve": False, "kpj": False, "invoice": False}
    assert (run.next_step.key, run.next_step.url) == ("workers", reverse("registry:import_start"))

    make_worker(TEGAL_HARUM)
    draft = _version(programme, TEGAL_HARUM, SelectionVersion.Status.DRAFT)
    (run,) = first_run_progress(viewer=operator)
    assert (run.done_count, run.next_step.key) == (1, "list")
    assert run.next_step.url == reverse("targeting:list_detail", args=[draft.selection_list_id])

    draft.status = SelectionVersion.Status.AWAITING_APPROVAL
    draft.save()
    (run,) = first_run_progress(viewer=operator)
    assert (run.done_count, run.next_step.key) == (2, "approve")
    assert run.next_step.url == reverse("targeting:version_detail", args=[draft.pk])

    draft.status = SelectionVersion.Status.APPROVED
    draft.save()
    members = [make_member(programme, TEGAL_HARUM, dt.date(2026, 12, 1)) for _ in range(2)]
    (run,) = first_run_progress(viewer=operator)
    assert (run.done_count, run.next_step.key) == (3, "kpj")
    assert run.next_step.url == reverse("membership:registration_files")

    record = RegistrationFile.objects.create(programme=programme, region_code=TEGAL_HARUM)
    record.memberships.set(members)
    members[0].kpj_number, members[0].status = "23020000011", "active"
    members[0].save()
    (run,) = first_run_progress(viewer=operator)
    assert run.next_step.key == "kpj"  # one member still waits for its KPJ number
    assert run.next_step.url == reverse("membership:registration_file", args=[record.pk])

    members[1].kpj_number, members[1].status = "23020000012", "active"
    members[1].save()
    (run,) = first_run_progress(viewer=operator)
    assert (run.done_count, run.next_step.key) == (4, "invoice")
    assert run.next_step.url == reverse("billing:village", args=[TEGAL_HARUM])
    assert "12-2026" in str(run.next_step.note)

    Invoice.objects.create(programme=programme, village_id=TEGAL_HARUM, funder="apbdes", period=dt.date(2026, 12, 1))
    assert first_run_progress(viewer=operator) == []  # running: the normal home page


def test_first_run_only_for_village_roles_and_agreements_in_force(programme, make_user):
    make_worker(TEGAL_HARUM)
    head = make_user("kades.th", Role.VILLAGE_HEAD, TEGAL_HARUM)
    both = make_user("op.dua", Role.VILLAGE_OPERATOR, TEGAL_HARUM, SESETAN, EXPIRED_VILLAGE)
    city = make_user("dinas", Role.CITY_OFFICER, "51.71")
    bpjs = make_user("bpjs", Role.BPJS_OFFICER, "51.71")

    (run,) = first_run_progress(viewer=head)
    assert _states(run)["workers"] is True
    # Tegal Harum and Sesetan (signed/active); the expired agreement (valid until 2023) and the prospect are left out.
    assert [r.village.code for r in first_run_progress(viewer=both)] == [SESETAN, TEGAL_HARUM]
    assert first_run_progress(viewer=city) == []
    assert first_run_progress(viewer=bpjs) == []


def test_first_run_is_one_query_for_many_villages(programme, make_user, django_assert_num_queries):
    operator = make_user("op.dua", Role.VILLAGE_OPERATOR, TEGAL_HARUM, SESETAN)
    for village in (TEGAL_HARUM, SESETAN):
        make_worker(village)
        make_member(programme, village, dt.date(2026, 12, 1))
    first_run_progress(viewer=operator)  # the scope is cached on the user object after this
    with django_assert_num_queries(1):
        runs = first_run_progress(viewer=operator)
    assert [_states(r)["kpj"] for r in runs] == [False, False]


def test_home_page_shows_the_next_step_and_the_stale_sentence_is_gone(client, programme, make_user):
    client.force_login(make_user("op.th", Role.VILLAGE_OPERATOR, TEGAL_HARUM))
    body = client.get("/").content.decode()
    assert 'data-testid="first-run"' in body
    assert "Impor data pekerja desa" in body
    assert "akan tampil di sini setelah dicatat" not in body


class _Warning:
    def __init__(self, member, due: int, pay_by: dt.date) -> None:
        self.membership, self.village_due, self.pay_by = member, due, pay_by


def test_arrears_summary_counts_each_village_due_once(programme):
    th = [make_member(programme, TEGAL_HARUM, dt.date(2026, 1, 1)) for _ in range(3)]
    ses = make_member(programme, SESETAN, dt.date(2026, 1, 1))
    rows = [_Warning(m, 100_800, dt.date(2026, 12, 31)) for m in th] + [_Warning(ses, 33_600, dt.date(2026, 11, 30))]
    summary = arrears_summary(rows)
    assert (summary.members, summary.due, summary.pay_by) == (4, 134_400, dt.date(2026, 11, 30))
    assert [(v.code, v.members, v.due) for v in summary.villages] == [(SESETAN, 1, 33_600), (TEGAL_HARUM, 3, 100_800)]
