"""Preparing, overriding, deliberating, approving (maker-checker) and versioning a village's list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lindung.accounts.models import Role
from lindung.audit.models import AuditEvent
from lindung.core.errors import ApplicationError
from lindung.programmes.models import Agreement
from lindung.programmes.services import RulesInput, agreement_create, programme_rules_set
from lindung.regions.models import Region
from lindung.registry.models import Child
from lindung.targeting import services
from lindung.targeting.models import Override, SelectionEntry, SelectionVersion
from lindung.targeting.selectors import approval_tasks, propose_replacement, version_entries
from lindung.targeting.tests.conftest import TEGAL_HARUM, TEGAL_KERTHA, make_worker, minutes_pdf

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 25)
Status = SelectionVersion.Status


@pytest.fixture
def village(bali):
    return Region.objects.get(code=TEGAL_HARUM)


@pytest.fixture
def selection_list(programme, village, operator):
    return services.selection_list_open(acting_user=operator, village=village, programme=programme, budget_year=2026)


def selected_names(version: SelectionVersion) -> list[str]:
    return list(version_entries(version, "selected").values_list("name", flat=True))


def agreed_and_submitted(version, operator):
    services.deliberation_record(
        acting_user=operator, version=version, held_on=dt.date(2026, 11, 20), attendees=42, minutes=minutes_pdf()
    )
    return services.version_submit(acting_user=operator, version=version)


# --- preparing ------------------------------------------------------------------------------------


def test_selection_prepare_ranks_the_village_and_fills_the_programme_quota(programme, selection_list, operator):
    programme.quota_per_village = 2
    programme.save()
    make_worker(name="Desil Tiga", decile=3)
    make_worker(name="Desil Satu", decile=1)
    make_worker(name="Tanpa Desil", decile=None)
    make_worker(name="Desil Dua Banyak Anak", decile=2, children=2)
    make_worker(name="Penghasilan Tinggi", monthly_income=3_000_000)
    make_worker(TEGAL_KERTHA, name="Desa Lain", decile=1)

    version = services.selection_prepare(acting_user=operator, selection_list=selection_list, on=DAY)

    assert (version.number, version.status, version.quota, version.quota_source) == (1, Status.DRAFT, 2, "programme")
    assert selected_names(version) == ["Desil Satu", "Desil Dua Banyak Anak"]
    waiting = version_entries(version, "waiting")
    assert [(e.name, e.position) for e in waiting] == [("Desil Tiga", 1), ("Tanpa Desil", 2)]
    ineligible = version.entries.get(status=SelectionEntry.Status.INELIGIBLE)
    assert ineligible.name == "Penghasilan Tinggi"
    assert ineligible.failures[0]["code"] == "income"
    assert "Rp3.000.000" in ineligible.failures[0]["reason"]
    second = version.entries.get(name="Desil Dua Banyak Anak")
    assert {"factor": "dependants", "label": "Tanggungan anak di bawah 18 tahun", "value": "2 anak"} in second.factors
    assert second.hamlet == "Banjar Tegal"
    assert version.rules["income_threshold"] == 1_000_000
    assert AuditEvent.objects.filter(action="targeting.version.prepare", target_id=str(version.pk)).exists()


def test_selection_prepare_takes_the_quota_from_the_agreement(programme, selection_list, operator, village):
    agreement_create(acting_user=None, programme=programme, village=village, quota=1)
    for decile in (2, 1, 3):
        make_worker(decile=decile)
    version = services.selection_prepare(acting_user=operator, selection_list=selection_list, on=DAY)
    assert (version.quota, version.quota_source, version.selected_count, version.waiting_count) == (
        1,
        "agreement",
        1,
        2,
    )
    assert Agreement.objects.get().effective_quota == 1


def test_only_children_under_18_on_the_reference_day_count_as_dependants(selection_list, operator):
    worker = make_worker(name="Orang Tua")
    Child.objects.create(worker=worker, name="Hampir Dewasa", birth_date=dt.date(2008, 11, 26))  # 17 on DAY
    Child.objects.create(worker=worker, name="Dewasa", birth_date=dt.date(2008, 11, 25))  # 18 on DAY
    version = services.selection_prepare(acting_user=operator, selection_list=selection_list, on=DAY)
    factors = {f["factor"]: f["value"] for f in version.entries.get().factors}
    assert factors["dependants"] == "1 anak"


def test_selection_prepare_uses_the_rules_in_force_on_the_day(programme, selection_list, operator, admin_user):
    make_worker(name="Penghasilan 900 ribu", monthly_income=900_000)
    programme_rules_set(
        acting_user=admin_user,
        programme=programme,
        rules=RulesInput(effective_from=dt.date(2026, 6, 1), income_threshold=800_000),
    )
    before = services.selection_prepare(acting_user=operator, selection_list=selection_list, on=dt.date(2026, 5, 31))
    assert before.selected_count == 1
    after = services.selection_prepare(acting_user=operator, selection_list=selection_list, on=DAY)
    assert after.pk == before.pk  # the open draft is recomputed in place
    assert after.selected_count == 0 and after.ineligible_count == 1


def _prepare_queries(selection_list, operator) -> int:
    with CaptureQueriesContext(connection) as captured:
        services.selection_prepare(acting_user=operator, selection_list=selection_list, on=DAY)
    return len(captured)


def test_selection_prepare_query_count_does_not_grow_with_workers(selection_list, operator):
    for _ in range(5):
        make_worker(children=1)
    services.selection_prepare(acting_user=operator, selection_list=selection_list, on=DAY)  # warm caches
    small = _prepare_queries(selection_list, operator)
    for _ in range(40):
        make_worker(children=2)
    assert _prepare_queries(selection_list, operator) == small


# --- overrides ------------------------------------------------------------------------------------


def test_override_requires_a_written_reason_and_is_audited(programme, selection_list, operator):
    programme.quota_per_village = 1
    programme.save()
    first = make_worker(name="Pertama", decile=1)
    second = make_worker(name="Kedua", decile=2)
    services.selection_prepare(acting_user=operator, selection_list=selection_list, on=DAY)
    with pytest.raises(ApplicationError, match="alasan tertulis"):
        services.override_add(
            acting_user=operator, selection_list=selection_list, worker=second, kind="force_in", reason="  "
        )
    version = services.override_add(
        acting_user=operator,
        selection_list=selection_list,
        worker=second,
        kind="force_in",
        reason="Korban banjir, disepakati musyawarah desa",
    )
    assert selected_names(version) == ["Kedua"]
    assert version.entries.get(worker=first).status == "waiting"
    assert version.entries.get(worker=second).override_reason == "Korban banjir, disepakati musyawarah desa"
    event = AuditEvent.objects.get(action="targeting.override.add")
    assert event.changes["reason"] == "Korban banjir, disepakati musyawarah desa"
    assert event.changes["nik"].count("*") == 8  # masked in the audit trail

    override = Override.objects.get()
    version = services.override_revoke(acting_user=operator, override=override, reason="Salah pilih pekerja")
    assert selected_names(version) == ["Pertama"]
    assert Override.objects.get().revoked_at is not None


def test_forcing_in_an_ineligible_worker_is_refused_with_the_reasons(selection_list, operator):
    wage = make_worker(is_wage_earner_member=True)
    services.selection_prepare(acting_user=operator, selection_list=selection_list, on=DAY)
    with pytest.raises(ApplicationError, match="Penerima Upah"):
        services.override_add(
            acting_user=operator,
            selection_list=selection_list,
            worker=wage,
            kind="force_in",
            reason="Diminta oleh kepala dusun",
        )
    assert not Override.objects.exists()


# --- deliberation, submission, approval -----------------------------------------------------------


def test_deliberation_minutes_are_checked_by_content_and_size(selection_list, operator, settings):
    make_worker()
    version = services.selection_prepare(acting_user=operator, selection_list=selection_list, on=DAY)
    with pytest.raises(ApplicationError, match="PDF, PNG atau JPEG"):
        services.deliberation_record(
            acting_user=operator,
            version=version,
            held_on=dt.date(2026, 11, 20),
            attendees=30,
            minutes=minutes_pdf("notulen.pdf", b"MZ\x90\x00 not a pdf"),
        )
    settings.LINDUNG_DOCUMENT_MAX_BYTES = 10
    with pytest.raises(ApplicationError, match="terlalu besar"):
        services.deliberation_record(
            acting_user=operator, version=version, held_on=dt.date(2026, 11, 20), attendees=30, minutes=minutes_pdf()
        )
    del settings.LINDUNG_DOCUMENT_MAX_BYTES
    with pytest.raises(ApplicationError, match="masa depan"):
        services.deliberation_record(
            acting_user=operator, version=version, held_on=dt.date(2099, 1, 1), attendees=30, minutes=minutes_pdf()
        )
    deliberation = services.deliberation_record(
        acting_user=operator, version=version, held_on=dt.date(2026, 11, 20), attendees=30, minutes=minutes_pdf()
    )
    assert deliberation.minutes.name.endswith(".pdf")
    assert deliberation.minutes.read().startswith(b"%PDF-")


def test_submit_requires_the_deliberation(selection_list, operator):
    make_worker()
    version = services.selection_prepare(acting_user=operator, selection_list=selection_list, on=DAY)
    with pytest.raises(ApplicationError, match="musyawarah desa"):
        services.version_submit(acting_user=operator, version=version)
    version = agreed_and_submitted(version, operator)
    assert version.status == Status.AWAITING_APPROVAL
    with pytest.raises(ApplicationError, match="menunggu persetujuan"):
        services.selection_prepare(acting_user=operator, selection_list=selection_list, on=DAY)


def test_only_the_village_head_approves(selection_list, operator, make_user):
    make_worker()
    version = agreed_and_submitted(
        services.selection_prepare(acting_user=operator, selection_list=selection_list, on=DAY), operator
    )
    other_operator = make_user("op.kedua", Role.VILLAGE_OPERATOR, TEGAL_HARUM)
    with pytest.raises(ApplicationError, match="Hanya kepala desa"):
        services.version_approve(acting_user=other_operator, version=version)
    other_head = make_user("perbekel.lain", Role.VILLAGE_HEAD, TEGAL_KERTHA)
    with pytest.raises(ApplicationError, match="di luar wilayah"):
        services.version_approve(acting_user=other_head, version=version)


def test_maker_checker_the_preparer_cannot_approve_their_own_version(selection_list, head, operator):
    make_worker()
    # The head prepares the list themselves: someone else must approve it.
    version = services.selection_prepare(acting_user=head, selection_list=selection_list, on=DAY)
    version = agreed_and_submitted(version, operator)
    with pytest.raises(ApplicationError, match="tidak dapat menyetujuinya sendiri"):
        services.version_approve(acting_user=head, version=version)
    assert SelectionVersion.objects.get().status == Status.AWAITING_APPROVAL
    assert list(approval_tasks(viewer=head)) == []  # not offered as a task either


def test_approval_freezes_and_later_changes_open_a_new_version(programme, selection_list, operator, head):
    programme.quota_per_village = 2
    programme.save()
    a = make_worker(name="Ani", decile=1)
    make_worker(name="Budi", decile=2)
    make_worker(name="Citra", decile=3)
    v1 = agreed_and_submitted(
        services.selection_prepare(acting_user=operator, selection_list=selection_list, on=DAY), operator
    )
    assert list(approval_tasks(viewer=head)) == [v1]
    v1 = services.version_approve(acting_user=head, version=v1, decree_number="141/07/TH/2026")
    assert (v1.status, v1.approved_by, v1.decree_number) == (Status.APPROVED, head, "141/07/TH/2026")
    assert list(approval_tasks(viewer=head)) == []

    # The registry changes after approval: the approved entries do not.
    a.monthly_income = 5_000_000
    a.name = "Ani Berubah"
    a.save()
    v2 = services.selection_prepare(acting_user=operator, selection_list=selection_list, on=DAY)
    assert v2.number == 2 and v2.pk != v1.pk
    v1.refresh_from_db()
    assert v1.status == Status.APPROVED
    assert selected_names(v1) == ["Ani", "Budi"]
    assert selected_names(v2) == ["Budi", "Citra"]

    v2 = agreed_and_submitted(v2, operator)
    services.version_approve(acting_user=head, version=v2)
    v1.refresh_from_db()
    assert v1.status == Status.SUPERSEDED and v1.is_frozen
    assert selected_names(v1) == ["Ani", "Budi"]  # old versions stay readable


def test_head_may_return_a_version_with_a_note(selection_list, operator, head):
    make_worker()
    version = agreed_and_submitted(
        services.selection_prepare(acting_user=operator, selection_list=selection_list, on=DAY), operator
    )
    with pytest.raises(ApplicationError, match="alasan tertulis"):
        services.version_return(acting_user=head, version=version, note="kurang")
    version = services.version_return(acting_user=head, version=version, note="Periksa lagi data Banjar Kaja")
    assert version.status == Status.DRAFT and version.return_note == "Periksa lagi data Banjar Kaja"
    again = services.selection_prepare(acting_user=operator, selection_list=selection_list, on=DAY)
    assert again.pk == version.pk and again.number == 1


# --- scope ----------------------------------------------------------------------------------------


def test_operator_cannot_open_a_list_for_another_village(programme, operator, bali):
    with pytest.raises(ApplicationError, match="di luar wilayah"):
        services.selection_list_open(
            acting_user=operator, village=Region.objects.get(code=TEGAL_KERTHA), programme=programme, budget_year=2026
        )


# --- a member leaves ------------------------------------------------------------------------------


def test_propose_replacement_returns_the_next_eligible_waiting_worker(programme, selection_list, operator, head):
    programme.quota_per_village = 2
    programme.save()
    member = make_worker(name="Anggota", decile=1)
    make_worker(name="Anggota Dua", decile=1)
    first_waiting = make_worker(name="Tunggu Satu", decile=2)
    make_worker(name="Tunggu Dua", decile=3)
    version = agreed_and_submitted(
        services.selection_prepare(acting_user=operator, selection_list=selection_list, on=DAY), operator
    )
    services.version_approve(acting_user=head, version=version)

    with pytest.raises(ApplicationError, match="tunggakan"):
        propose_replacement(selection_list=selection_list, leaving_worker_id=member.pk, reason="lapsed")
    proposal = propose_replacement(selection_list=selection_list, leaving_worker_id=member.pk, reason="death", on=DAY)
    assert proposal is not None and proposal.name == "Tunggu Satu"

    # The first on the waiting list became a wage earner since: the next one is proposed.
    first_waiting.is_wage_earner_member = True
    first_waiting.save()
    proposal = propose_replacement(selection_list=selection_list, leaving_worker_id=member.pk, reason="moved", on=DAY)
    assert proposal is not None and proposal.name == "Tunggu Dua"

    new_version = services.member_leave(
        acting_user=operator, selection_list=selection_list, worker=member, reason="death"
    )
    assert new_version.number == 2
    assert selected_names(new_version) == ["Anggota Dua", "Tunggu Dua"]
    assert new_version.entries.get(worker=member).status == "excluded"
    assert "meninggal dunia" in new_version.entries.get(worker=member).override_reason
