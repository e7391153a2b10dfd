"""The personal-data retention rule (lindung/registry/retention.py, `lindung retention`): who is anonymised when,
who never is, what is kept, and that the audit chain stays whole."""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone, translation

from lindung.accounts.models import Role
from lindung.audit.models import AuditEvent
from lindung.audit.recording import audit_verify
from lindung.claims.models import Claim, Incident, Payout, PlannedYear, ScholarshipDisbursement, ScholarshipPlan
from lindung.core.errors import ApplicationError
from lindung.membership.models import Membership, MembershipStatusChange
from lindung.programmes.models import Programme
from lindung.registry.models import Child, Heir, Worker, WorkerTransfer
from lindung.registry.privacy import consent_withdraw, subject_report
from lindung.registry.retention import ANONYMOUS_NAME, RetentionPolicy, apply_retention, retention_plan

pytestmark = pytest.mark.django_db

TEGAL_HARUM = "51.71.03.2008"
AS_OF = dt.date(2026, 11, 25)
CANDIDATE_CUTOFF = dt.date(2024, 11, 25)  # 2 years
WITHDRAWN_CUTOFF = dt.date(2026, 10, 26)  # 30 days
MEMBER_CUTOFF = dt.date(2016, 11, 25)  # 10 years
LONG_AGO = dt.datetime(2010, 1, 1, 12, tzinfo=dt.UTC)

_serial = itertools.count(1)


def _noon(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12)))


def _worker(name: str, *, changed: dt.datetime = LONG_AGO, **fields) -> Worker:
    serial = next(_serial)
    worker = Worker.objects.create(
        nik=f"5171030101{serial:06d}",
        kk_number=f"5171030202{serial:06d}",
        name=name,
        sex="P",
        birth_place="Denpasar",
        birth_date=dt.date(1979, 3, 14),
        address=f"Jl. Gatot Subroto {serial}",
        rt="001",
        rw="002",
        hamlet="Banjar Tegal",
        village_id=TEGAL_HARUM,
        phone="081234567890",
        occupation_code=9,
        monthly_income=900_000,
        decile=2,
        consent_given=True,
        consent_on=dt.date(2020, 1, 2),
        **fields,
    )
    Worker.objects.filter(pk=worker.pk).update(updated_at=changed)  # auto_now is not applied by update()
    worker.refresh_from_db()
    return worker


def _membership(programme, worker, *, status="ended", ended_on=None, starts_on=dt.date(2005, 1, 1), **fields):
    return Membership.objects.create(
        programme=programme, worker=worker, starts_on=starts_on, declared_income=1_000_000, status=status,
        ended_on=ended_on, kpj_number=f"KPJ{worker.pk:06d}", **fields,
    )  # fmt: skip


@pytest.fixture
def programme(bali) -> Programme:
    return Programme.objects.create(name="Gerakan 1 Desa 100 Pekerja Rentan", region_id="51.71",
                                    starts_on=dt.date(2004, 1, 1))  # fmt: skip


@pytest.fixture
def clerk(make_user):
    return make_user("op.tegalharum", Role.VILLAGE_OPERATOR, TEGAL_HARUM)


def _death_claim(membership, clerk, *, status="paid", decided_on=dt.date(2010, 5, 1), children=(), heir=None):
    """A death of the member with its claim (status as given), a payout to the heir and a scholarship per child."""
    incident = Incident.objects.create(
        worker=membership.worker, membership=membership, village_id=TEGAL_HARUM, date=dt.date(2010, 3, 1),
        type="death", place="Rumah", description="Sakit jantung", reporter_name="Ni Luh Pelapor",
        reporter_role="family", reported_by=clerk,
    )  # fmt: skip
    quote = {"scholarship": {"children": [{"name": name, "years": []} for name, _ in children]}, "cash_total": 1}
    claim = Claim.objects.create(
        incident=incident, status=status, parameters_on=incident.date, quote=quote,
        quote_children={name: child.pk for name, child in children},
        decided_on=decided_on if status == "paid" else None,
    )  # fmt: skip
    if heir is not None:
        Payout.objects.create(
            claim=claim, heir=heir, recipient_name=heir.name, relation="spouse", quoted_amount=42_000_000,
            amount=42_000_000, paid_on=decided_on or dt.date(2010, 5, 2), bank="BPD Bali",
            account_number="0123456789", recorded_by=clerk,
        )  # fmt: skip
    plans = []
    for name, child in children:
        plans.append(ScholarshipPlan.objects.create(claim=claim, child=child, child_name=name, schedule=[]))
    return claim, plans


@pytest.fixture
def population(programme, clerk):
    """One worker per case, each named after what should happen to it on AS_OF."""
    w = {}
    # (a) candidates never members: the record unchanged for two years
    w["candidate_old"] = _worker("Calon Lama", changed=_noon(CANDIDATE_CUTOFF - dt.timedelta(days=1)))
    w["candidate_recent"] = _worker("Calon Baru", changed=_noon(CANDIDATE_CUTOFF))
    # (a) never members who withdrew consent more than 30 days ago
    for key, day in (
        ("withdrawn_old", WITHDRAWN_CUTOFF - dt.timedelta(days=1)),
        ("withdrawn_recent", WITHDRAWN_CUTOFF),
    ):
        worker = _worker(key.replace("_", " ").title(), changed=_noon(dt.date(2026, 9, 1)))
        consent_withdraw(acting_user=None, worker=worker, reason="permintaan sendiri", on=day)
        Worker.objects.filter(pk=worker.pk).update(updated_at=_noon(dt.date(2026, 10, 1)))
        w[key] = worker
    # (b) former members: every membership ended more than ten years ago
    for key, day in (("ended_old", MEMBER_CUTOFF - dt.timedelta(days=1)), ("ended_recent", MEMBER_CUTOFF)):
        w[key] = _worker(key.replace("_", " ").title())
        _membership(programme, w[key], ended_on=day, end_reason="moved")
    for key, day in (("lapsed_old", MEMBER_CUTOFF - dt.timedelta(days=1)), ("lapsed_recent", MEMBER_CUTOFF)):
        w[key] = _worker(key.replace("_", " ").title())
        lapsed = _membership(programme, w[key], status="lapsed", paid_through=dt.date(2012, 1, 1))
        MembershipStatusChange.objects.create(membership=lapsed, from_status="arrears", to_status="lapsed", on=day)
    # never: open memberships, however old the record
    for status in ("active", "pending", "arrears"):
        w[f"member_{status}"] = _worker(f"Peserta {status}")
        _membership(programme, w[f"member_{status}"], status=status, ended_on=None)
    # a dead member whose household is done: claim paid long ago, child and heir
    w["dead_done"] = _worker("Almarhum Selesai")
    child = Child.objects.create(worker=w["dead_done"], name="Anak Selesai", nik="5171039999000001",
                                 birth_date=dt.date(2001, 4, 5))  # fmt: skip
    heir = Heir.objects.create(worker=w["dead_done"], name="Janda Selesai", relation="spouse",
                               nik="5171039999000002", phone="08111")  # fmt: skip
    done = _membership(programme, w["dead_done"], ended_on=dt.date(2010, 3, 1), end_reason="death")
    claim, plans = _death_claim(done, clerk, children=(("Anak Selesai", child),), heir=heir)
    Payout.objects.create(
        claim=claim, recipient_name="Anak Selesai", relation="child", quoted_amount=1, amount=1, is_minor=True,
        guardian_name="Janda Selesai", paid_on=dt.date(2010, 5, 2), bank="BPD Bali", account_number="999",
        recorded_by=clerk,
    )  # fmt: skip
    PlannedYear.objects.create(plan=plans[0], school_year=2014, level="SMA", grade=3, amount=3_000_000)
    # never: an open claim
    w["claim_open"] = _worker("Klaim Terbuka")
    _death_claim(_membership(programme, w["claim_open"], ended_on=dt.date(2010, 3, 1)), clerk, status="submitted")
    # never: a running scholarship plan (a year planned in the future)
    w["scholarship_running"] = _worker("Beasiswa Berjalan")
    young = Child.objects.create(worker=w["scholarship_running"], name="Anak Kecil", birth_date=dt.date(2009, 1, 1))
    running = _membership(programme, w["scholarship_running"], ended_on=dt.date(2010, 3, 1))
    _, plans = _death_claim(running, clerk, children=(("Anak Kecil", young),))
    PlannedYear.objects.create(plan=plans[0], school_year=2027, level="PT", grade=1, amount=3_000_000)
    # kept: a scholarship disbursed within the ten years
    w["scholarship_recent"] = _worker("Beasiswa Baru Dibayar")
    older = Child.objects.create(worker=w["scholarship_recent"], name="Anak Besar", birth_date=dt.date(1999, 1, 1))
    recent = _membership(programme, w["scholarship_recent"], ended_on=dt.date(2010, 3, 1))
    _, plans = _death_claim(recent, clerk, children=(("Anak Besar", older),))
    ScholarshipDisbursement.objects.create(plan=plans[0], school_year=2014, amount=1, proof="x.pdf", proof_name="x.pdf",
                                           paid_on=dt.date(2017, 1, 5), recorded_by=clerk)  # fmt: skip
    # kept: a claim decided within the ten years
    w["claim_decided_recent"] = _worker("Klaim Baru Diputus")
    _death_claim(_membership(programme, w["claim_decided_recent"], ended_on=dt.date(2010, 3, 1)), clerk,
                 decided_on=MEMBER_CUTOFF)  # fmt: skip
    # kept: an old candidate with an open transfer request
    w["transfer_open"] = _worker("Pindah Desa")
    WorkerTransfer.objects.create(worker=w["transfer_open"], from_village_id=TEGAL_HARUM,
                                  to_village_id="51.71.03.2001", requested_by=clerk)  # fmt: skip
    Worker.objects.filter(pk=w["transfer_open"].pk).update(updated_at=LONG_AGO)
    for worker in w.values():
        worker.refresh_from_db()
    return w


ANONYMISED = {
    "withdrawn": {"withdrawn_old"},
    "candidates": {"candidate_old"},
    "former_members": {"ended_old", "lapsed_old", "dead_done"},
}


def _names(population, ids) -> set[str]:
    by_pk = {worker.pk: key for key, worker in population.items()}
    return {by_pk[pk] for pk in ids}


def test_plan_counts_each_rule_at_its_boundary_and_changes_nothing(population) -> None:
    before = list(Worker.objects.order_by("pk").values())
    events = AuditEvent.objects.count()
    plan = retention_plan(AS_OF)
    assert (plan.candidate_cutoff, plan.withdrawn_cutoff, plan.member_cutoff) == (
        CANDIDATE_CUTOFF, WITHDRAWN_CUTOFF, MEMBER_CUTOFF
    )  # fmt: skip
    assert (plan.withdrawn, plan.candidates, plan.former_members) == (1, 1, 3)
    for rule, queryset in plan.querysets().items():
        assert _names(population, queryset.values_list("pk", flat=True)) == ANONYMISED[rule], rule
    assert list(Worker.objects.order_by("pk").values()) == before
    assert AuditEvent.objects.count() == events


def test_apply_anonymises_exactly_the_planned_workers_and_keeps_the_statistics(population) -> None:
    originals = {key: (w.name, w.nik) for key, w in population.items()}
    result = apply_retention(AS_OF)
    assert {rule: _names(population, ids) for rule, ids in result.workers.items()} == ANONYMISED
    assert result.anonymised == 5
    anonymised = set().union(*ANONYMISED.values())
    for key, worker in population.items():
        fresh = Worker.objects.get(pk=worker.pk)
        if key not in anonymised:
            assert (fresh.name, fresh.nik, fresh.anonymised_at) == (*originals[key], None), key
            continue
        assert fresh.anonymised_at is not None
        assert (fresh.name, fresh.nik, fresh.kk_number) == (ANONYMOUS_NAME, f"X{worker.pk:015d}", "")
        assert (fresh.birth_place, fresh.address, fresh.rt, fresh.rw, fresh.hamlet, fresh.phone) == ("",) * 6
        assert fresh.birth_date == dt.date(1979, 7, 1)  # the year only
        assert (fresh.consent_given, fresh.consent_on) == (False, None)
        kept = (fresh.village_id, fresh.occupation_code, fresh.sex, fresh.decile, fresh.monthly_income)
        assert kept == (TEGAL_HARUM, 9, "P", 2, 900_000)
    dead = population["dead_done"]
    assert list(Child.objects.filter(worker=dead).values_list("name", "nik", "birth_date")) == [
        (ANONYMOUS_NAME, "", dt.date(2001, 7, 1))
    ]
    assert list(Heir.objects.filter(worker=dead).values_list("name", "nik", "phone")) == [(ANONYMOUS_NAME, "", "")]
    payouts = Payout.objects.filter(claim__incident__worker=dead).order_by("pk")
    assert list(payouts.values_list("recipient_name", "account_number", "amount", "guardian_name")) == [
        (ANONYMOUS_NAME, "", 42_000_000, ""),
        (ANONYMOUS_NAME, "", 1, ANONYMOUS_NAME),  # a minor's payout keeps a (pseudonymous) guardian: CHECK
    ]
    incident = Incident.objects.get(worker=dead)
    assert (incident.reporter_name, incident.place, incident.description, incident.type) == (
        ANONYMOUS_NAME, "", "", "death"
    )  # fmt: skip
    claim = Claim.objects.get(incident=incident)
    assert claim.quote["scholarship"]["children"][0]["name"] == "Anonim 1"
    assert claim.quote_children == {"Anonim 1": Child.objects.get(worker=dead).pk}
    assert ScholarshipPlan.objects.get(claim=claim).child_name == ANONYMOUS_NAME
    # the families of the workers that are kept are untouched
    assert Child.objects.get(worker=population["scholarship_running"]).name == "Anak Kecil"
    assert Incident.objects.get(worker=population["claim_decided_recent"]).reporter_name == "Ni Luh Pelapor"


def test_open_memberships_claims_and_scholarships_are_never_anonymised_however_old(population) -> None:
    result = apply_retention(timezone.localdate(), policy=RetentionPolicy(candidate_years=1, member_years=10))
    touched = _names(population, [pk for ids in result.workers.values() for pk in ids])
    never = {"member_active", "member_pending", "member_arrears", "claim_open", "scholarship_running", "transfer_open"}
    assert not touched & never
    assert Worker.objects.filter(pk__in=[population[key].pk for key in never], anonymised_at__isnull=False).count() == 0


def test_subject_report_of_an_anonymised_worker_holds_nothing_personal(population, city_officer) -> None:
    dead = population["dead_done"]
    original_nik, original_name = dead.nik, dead.name
    apply_retention(AS_OF)
    with pytest.raises(ApplicationError) as missing:
        subject_report(viewer=city_officer, nik=original_nik)
    assert missing.value.code == "not_found"
    report = json.dumps(subject_report(viewer=city_officer, nik=f"X{dead.pk:015d}").as_dict())
    personal = (original_nik, original_name, "Anak Selesai", "Janda Selesai", "5171039999000001", "5171039999000002",
                "0123456789", "Ni Luh Pelapor", "Jl. Gatot", "Denpasar", "1979-03-14", "2001-04-05")  # fmt: skip
    for value in personal:
        assert value not in report, value


def test_the_audit_chain_verifies_after_apply_and_a_second_apply_is_a_no_op(population) -> None:
    result = apply_retention(AS_OF)
    event = AuditEvent.objects.get(action="registry.retention.anonymise")
    assert event.seq == result.audit_seq and event.actor_username == "cli"
    assert {rule: _names(population, ids) for rule, ids in event.changes["workers"].items()} == ANONYMISED
    assert event.changes["anonymised"] == 5 and event.changes["as_of"] == AS_OF.isoformat()
    assert all(key not in json.dumps(event.changes) for key in ("Calon Lama", "Almarhum Selesai"))
    assert audit_verify().ok
    snapshot = list(Worker.objects.order_by("pk").values())
    events = AuditEvent.objects.count()
    again = apply_retention(AS_OF)
    assert again.anonymised == 0 and again.audit_seq is None
    assert list(Worker.objects.order_by("pk").values()) == snapshot
    assert AuditEvent.objects.count() == events
    assert retention_plan(AS_OF).total == 0
    assert audit_verify().ok


def test_apply_refuses_a_future_date_and_a_member_period_below_the_legal_ten_years(settings, population) -> None:
    with pytest.raises(ApplicationError) as future:
        apply_retention(timezone.localdate() + dt.timedelta(days=1))
    assert future.value.code == "future"
    settings.LINDUNG_RETENTION_MEMBER_YEARS = 5
    with pytest.raises(ApplicationError) as short:
        retention_plan(AS_OF)
    assert short.value.code == "config"
    assert not Worker.objects.filter(anonymised_at__isnull=False).exists()


def test_settings_change_the_periods(settings, population) -> None:
    settings.LINDUNG_RETENTION_CANDIDATE_YEARS = 3  # cut-off 2023-11-25: the old candidate is now kept
    settings.LINDUNG_RETENTION_WITHDRAWN_DAYS = 29  # cut-off 2026-10-27: both withdrawals are older
    plan = retention_plan(AS_OF)
    assert _names(population, plan.querysets()["candidates"].values_list("pk", flat=True)) == set()
    assert plan.withdrawn == 2


def _command(*args: str) -> list[str]:
    out = io.StringIO()
    with translation.override("en"):
        call_command("retention", *args, stdout=out)
    return out.getvalue().splitlines()


def test_command_dry_run_json_apply_and_second_apply(population) -> None:
    day = AS_OF.isoformat()
    dry = json.loads(_command("--as-of", day, "--json")[-1])
    assert dry == {"as_of": "2026-11-25", "candidates": 1, "former_members": 3, "withdrawn": 1, "anonymised": 0,
                   "applied": False}  # fmt: skip
    assert not Worker.objects.filter(anonymised_at__isnull=False).exists()
    text = _command("--as-of", day)
    assert text[0] == "Personal data retention rule as of 2026-11-25."
    assert text[1:4] == [
        "  Never members, record unchanged since before 2024-11-25: 1",
        "  Never members, consent withdrawn before 2026-10-26: 1",
        "  Former members, every membership ended before 2016-11-25, no open claim or scholarship: 3",
    ]
    assert text[-1] == "Dry run: nothing was changed. Run again with --apply to anonymise 5 workers."
    assert not Worker.objects.filter(anonymised_at__isnull=False).exists()
    applied = _command("--as-of", day, "--apply")
    seq = AuditEvent.objects.get(action="registry.retention.anonymise").seq
    assert applied[-1] == f"Anonymised 5 workers (audit event #{seq})."
    again = json.loads(_command("--as-of", day, "--apply", "--json")[-1])
    assert again == {"as_of": "2026-11-25", "candidates": 0, "former_members": 0, "withdrawn": 0, "anonymised": 0,
                     "applied": True}  # fmt: skip
    assert _command("--as-of", day)[-1] == "Nothing to anonymise."
    assert audit_verify().ok
    call_command("audit-verify", stdout=io.StringIO())  # raises CommandError when the chain is broken


def test_command_json_after_apply_counts_what_was_anonymised(population) -> None:
    applied = json.loads(_command("--as-of", AS_OF.isoformat(), "--apply", "--json")[-1])
    assert applied == {"as_of": "2026-11-25", "candidates": 1, "former_members": 3, "withdrawn": 1, "anonymised": 5,
                       "applied": True}  # fmt: skip


def test_command_rejects_a_bad_date() -> None:
    with pytest.raises(CommandError):
        _command("--as-of", "25-11-2026")


def test_apply_is_set_based_whatever_the_number_of_workers(population) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(25):
        _worker("Calon Lama Lain", changed=_noon(CANDIDATE_CUTOFF - dt.timedelta(days=10)))
    with CaptureQueriesContext(connection) as queries:
        result = apply_retention(AS_OF)
    assert result.anonymised == 30
    assert len(queries) < 40, len(queries)  # one UPDATE per rule and per table, not one per worker
    updates = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "registry_worker"')]
    assert len(updates) == 3  # one per rule


def test_the_worker_page_of_an_anonymised_worker_says_so_and_offers_no_changes(population, clerk, client) -> None:
    apply_retention(AS_OF)
    anonymised = Worker.objects.filter(anonymised_at__isnull=False).first()
    kept = Worker.objects.filter(anonymised_at__isnull=True).exclude(name=ANONYMOUS_NAME).first()
    client.force_login(clerk)
    page = client.get(f"/pekerja/{anonymised.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Data pribadi telah dianonimkan sesuai aturan retensi." in text
    assert f"/pekerja/{anonymised.pk}/ubah/" not in text
    other = client.get(f"/pekerja/{kept.pk}/").content.decode()
    assert "dianonimkan" not in other
    assert f"/pekerja/{kept.pk}/ubah/" in other
