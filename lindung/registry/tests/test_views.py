import pytest
from django.urls import reverse

from lindung.accounts.models import Role
from lindung.audit.models import AuditEvent
from lindung.registry.models import Worker


@pytest.fixture
def two_workers(bali):
    mine = Worker.objects.create(
        nik="5171034508900003",
        name="Ni Made Suryani",
        sex="P",
        birth_date="1990-08-05",
        village_id="51.71.03.2008",
    )
    other = Worker.objects.create(
        nik="5171011203850001",
        name="I Wayan Darma",
        sex="L",
        birth_date="1985-03-12",
        village_id="51.71.01.1001",
    )
    return mine, other


def test_worker_list_scoped_and_nik_masked(client, operator_tegal_harum, two_workers):
    client.force_login(operator_tegal_harum)
    html = client.get(reverse("registry:workers")).content.decode()
    assert "Ni Made Suryani" in html and "I Wayan Darma" not in html
    assert "5171********0003" in html and "5171034508900003" not in html


def test_worker_of_another_village_is_404(client, operator_tegal_harum, two_workers):
    mine, other = two_workers
    client.force_login(operator_tegal_harum)
    assert client.get(reverse("registry:worker_detail", args=[mine.pk])).status_code == 200
    for name in ("registry:worker_detail", "registry:worker_edit"):
        assert client.get(reverse(name, args=[other.pk])).status_code == 404
    assert client.post(reverse("registry:worker_nik_reveal", args=[other.pk])).status_code == 404


def test_city_officer_sees_both_masked_and_cannot_reveal(client, city_officer, two_workers):
    mine, _other = two_workers
    client.force_login(city_officer)
    html = client.get(reverse("registry:workers")).content.decode()
    assert "Ni Made Suryani" in html and "I Wayan Darma" in html
    assert client.post(reverse("registry:worker_nik_reveal", args=[mine.pk])).status_code == 403
    assert not AuditEvent.objects.filter(action="registry.nik_reveal").exists()


def test_nik_reveal_is_audited(client, operator_tegal_harum, two_workers):
    mine, _other = two_workers
    client.force_login(operator_tegal_harum)
    response = client.post(reverse("registry:worker_nik_reveal", args=[mine.pk]))
    assert "5171034508900003" in response.content.decode()
    event = AuditEvent.objects.get(action="registry.nik_reveal")
    assert event.actor == operator_tegal_harum and event.target_id == str(mine.pk)


def test_worker_create_form_inline_errors_and_audit(client, operator_tegal_harum):
    client.force_login(operator_tegal_harum)
    url = reverse("registry:worker_new")
    bad = client.post(url, {"nik": "5171 0345 0890", "name": "", "sex": "P", "birth_date": "1990-08-05",
                            "village": "51.71.03.2008", "employment_status": "informal"})  # fmt: skip
    assert bad.status_code == 200
    assert "16 digit" in bad.content.decode()
    assert not Worker.objects.exists()
    good = client.post(url, {"nik": "5171 0345 0890 0003", "name": "Ni Made Suryani", "sex": "P",
                             "birth_date": "1990-08-05", "village": "51.71.03.2008",
                             "employment_status": "informal", "occupation_code": "24"})  # fmt: skip
    assert good.status_code == 302
    worker = Worker.objects.get()
    assert (worker.nik, worker.occupation_code) == ("5171034508900003", 24)
    event = AuditEvent.objects.get(action="registry.worker.create")
    assert event.region_code == "51.71.03.2008" and event.changes["nik"][1] == "5171********0003"


def test_worker_create_in_another_village_rejected(client, operator_tegal_harum):
    client.force_login(operator_tegal_harum)
    response = client.post(reverse("registry:worker_new"), {
        "nik": "5171011203850001", "name": "I Wayan Darma", "sex": "L", "birth_date": "1985-03-12",
        "village": "51.71.01.1001", "employment_status": "informal",
    })  # fmt: skip
    assert response.status_code == 200
    assert not Worker.objects.exists()


def test_read_only_role_has_no_import(client, bali, make_user):
    viewer = make_user("prov", Role.PROVINCE_VIEWER, "51")
    client.force_login(viewer)
    assert client.get(reverse("registry:import_start")).status_code == 403


def test_worker_list_eligibility_filter_by_default_rules(client, city_officer, bali):
    from django.utils import timezone

    today = timezone.localdate()

    def born(years_ago: int, days: int = 0):
        return today.replace(year=today.year - years_ago) - __import__("datetime").timedelta(days=days)

    cases = {  # name: (birth date, income, PU member, occupation) -> eligible? (RULES.md defaults)
        "ok": (born(40), 900_000, False, 9, True),
        "just18": (born(18), None, False, 9, True),
        "17": (born(18, days=-1), None, False, 9, False),
        "65": (born(66, days=-1), None, False, 9, True),
        "66": (born(66), None, False, 9, False),
        "income1m": (born(40), 1_000_000, False, 9, False),
        "pu": (born(40), 500_000, True, 9, False),
        "pns": (born(40), 500_000, False, 5, False),
    }
    for i, (name, (birth, income, pu, occupation, _expected)) in enumerate(cases.items()):
        Worker.objects.create(
            nik=f"51710345089{i + 1:05d}", name=name, sex="P", birth_date=birth, village_id="51.71.03.2008",
            monthly_income=income, is_wage_earner_member=pu, occupation_code=occupation,
        )  # fmt: skip
    client.force_login(city_officer)
    shown = {w.name for w, _nik, _occ in client.get(reverse("registry:workers"), {"layak": "ya"}).context["rows"]}
    assert shown == {name for name, case in cases.items() if case[-1]}
