"""UU PDP: the data-subject report and the withdrawal of consent (lindung/registry/privacy.py)."""

from __future__ import annotations

import datetime as dt

import pytest

from lindung.accounts.models import Role
from lindung.audit.models import AuditEvent
from lindung.billing.services import billing_run
from lindung.core.errors import ApplicationError
from lindung.membership.tests.factories import TEGAL_HARUM, make_member, programme  # noqa: F401 - fixture
from lindung.registry.models import Child, Heir, Worker
from lindung.registry.privacy import consent_withdraw, subject_report

pytestmark = pytest.mark.django_db


@pytest.fixture
def subject(programme):  # noqa: F811
    """A member of Tegal Harum with a child and an heir, billed for March 2024, and named as another worker's heir."""
    member = make_member(programme, TEGAL_HARUM, dt.date(2024, 3, 1), kpj="KPJ1")
    worker = member.worker
    worker.consent_given, worker.consent_on = True, dt.date(2025, 6, 2)
    worker.save()
    Child.objects.create(worker=worker, name="Anak Satu", birth_date=dt.date(2015, 5, 5))
    Heir.objects.create(worker=worker, name="Istri Satu", relation="spouse")
    other = Worker.objects.create(nik="5171030101850999", name="Kakak", sex="L", birth_date=dt.date(1980, 1, 1),
                                  village_id=TEGAL_HARUM)  # fmt: skip
    Heir.objects.create(worker=other, name=worker.name, relation="sibling", nik=worker.nik)
    billing_run(period=dt.date(2024, 3, 1))
    return worker


def _rows(report, table: str) -> list[dict]:
    return next(s.rows for s in report.sections if s.table == table)


def test_city_officer_gets_everything_held_about_a_nik_and_the_report_is_audited(subject, city_officer) -> None:
    report = subject_report(viewer=city_officer, nik=subject.nik)
    assert report.worker["nik"] == subject.nik and report.worker["name"] == subject.name
    assert [r["name"] for r in _rows(report, "registry.child")] == ["Anak Satu"]
    assert [r["name"] for r in _rows(report, "registry.heir")] == ["Istri Satu"]
    assert [r["kpj_number"] for r in _rows(report, "membership.membership")] == ["KPJ1"]
    lines = _rows(report, "billing.invoiceline")
    assert [(line["amount"], line["jkk"], line["jkm"]) for line in lines] == [(16_800, 10_000, 6_800)]  # RULES.md
    mentioned = _rows(report, "registry.heir#nik")
    assert [(r["worker_id"], r["relation"]) for r in mentioned] == [(Worker.objects.get(name="Kakak").pk, "sibling")]
    as_json = report.as_dict()
    assert as_json["worker"]["birth_date"] == subject.birth_date.isoformat()
    event = AuditEvent.objects.get(action="registry.subject_report")
    assert (event.actor_username, event.target_id) == ("dinas.denpasar", str(subject.pk))
    assert subject.nik not in str(event.changes)  # the audit log holds the masked NIK only
    assert event.changes["rows"]["billing.invoiceline"] == 1


def test_report_refused_to_village_roles_and_not_found_outside_the_area(subject, operator_tegal_harum, make_user):
    with pytest.raises(ApplicationError) as refused:
        subject_report(viewer=operator_tegal_harum, nik=subject.nik)
    assert refused.value.code == "forbidden"
    badung = make_user("dinas.badung", Role.CITY_OFFICER, "51.03")
    with pytest.raises(ApplicationError) as outside:
        subject_report(viewer=badung, nik=subject.nik)
    assert outside.value.code == "not_found"
    assert not AuditEvent.objects.filter(action="registry.subject_report").exists()


def test_consent_withdrawal_keeps_the_record_and_is_audited(subject, operator_tegal_harum) -> None:
    consent_withdraw(acting_user=operator_tegal_harum, worker=subject, reason="permintaan sendiri",
                     on=dt.date(2026, 11, 2))  # fmt: skip
    subject.refresh_from_db()
    assert (subject.consent_given, subject.consent_on) == (False, None)
    assert Worker.objects.filter(pk=subject.pk).exists() and subject.memberships.count() == 1
    event = AuditEvent.objects.get(action="registry.consent.withdraw")
    assert event.changes == {"consent_given": [True, False], "consent_on": ["2025-06-02", None],
                             "withdrawn_on": "2026-11-02", "reason": "permintaan sendiri"}  # fmt: skip
    with pytest.raises(ApplicationError) as again:
        consent_withdraw(acting_user=operator_tegal_harum, worker=subject, reason="lagi")
    assert again.value.code == "no_consent"


def test_consent_withdrawal_needs_a_reason_and_the_village(subject, make_user) -> None:
    with pytest.raises(ApplicationError):
        consent_withdraw(acting_user=None, worker=subject, reason="  ")
    outsider = make_user("op.lain", Role.VILLAGE_OPERATOR, "51.03.05.2001")
    with pytest.raises(ApplicationError) as refused:
        consent_withdraw(acting_user=outsider, worker=subject, reason="permintaan sendiri")
    assert refused.value.code == "scope"
    subject.refresh_from_db()
    assert subject.consent_given is True


def test_report_page_takes_the_nik_by_post_and_shows_every_section(client, subject, city_officer) -> None:
    client.force_login(city_officer)
    assert client.get("/pekerja/data-subjek/").status_code == 200
    page = client.post("/pekerja/data-subjek/", {"nik": subject.nik}).content.decode()
    assert 'data-testid="subject-report"' in page
    assert "Anak Satu" in page and "Istri Satu" in page and "KPJ1" in page and "16800" in page
    assert AuditEvent.objects.filter(action="registry.subject_report").count() == 1
    missing = client.post("/pekerja/data-subjek/", {"nik": "5171030101859999"}).content.decode()
    assert "Tidak ada data dengan NIK ini di wilayah Anda." in missing


def test_consent_withdrawal_page(client, subject, operator_tegal_harum) -> None:
    client.force_login(operator_tegal_harum)
    url = f"/pekerja/{subject.pk}/tarik-persetujuan/"
    assert "Tarik persetujuan" in client.get(f"/pekerja/{subject.pk}/").content.decode()  # the link on the page
    assert "wajib" in client.post(url, {"on": "2026-11-02", "reason": ""}).content.decode()  # required field
    done = client.post(url, {"on": "2026-11-02", "reason": "permintaan sendiri"})
    assert done.status_code == 302
    subject.refresh_from_db()
    assert subject.consent_given is False
