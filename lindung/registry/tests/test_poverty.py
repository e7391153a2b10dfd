"""Decile refresh from a P3KE/DTSEN extract: report, scope, all-or-nothing, audited."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from lindung.audit.models import AuditEvent
from lindung.registry.models import Worker


@pytest.fixture
def workers(bali):
    rows = [("5171034508900003", "51.71.03.2008", 3), ("5171036610880005", "51.71.03.2008", None),
            ("5171011203850001", "51.71.01.1001", 2)]  # fmt: skip
    for nik, village, decile in rows:
        Worker.objects.create(nik=nik, name=nik, sex="P", birth_date="1990-01-01", village_id=village, decile=decile)


def extract(tmp_path):
    path = tmp_path / "p3ke.csv"
    path.write_text(
        "Ekstrak P3KE Kota Denpasar;\n"  # a title row above the header
        "NIK;Desil\n"
        "5171034508900003;1\n"  # 3 -> 1
        "5171036610880005;2\n"  # none -> 2
        "5171011203850001;2\n"  # unchanged (and outside a Tegal Harum operator's area)
        "5171040101800004;4\n"  # not registered
        "5171034508900003;5\n"  # repeated NIK
        "51710345089;1\n"  # bad NIK
        "5171036610880006;12\n",  # decile out of range
        encoding="utf-8",
    )
    return path


def run(path, *args):
    out = StringIO()
    call_command("poverty-refresh", str(path), "--json", *args, stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])


def test_poverty_refresh_report_and_changes(tmp_path, workers, city_officer):
    preview = run(extract(tmp_path), "--dry-run", "--user", city_officer.username)
    assert (preview["rows"], preview["updated"], preview["unchanged"], preview["not_found"], preview["rejected"]) == (
        7, 2, 1, 1, 3,
    )  # fmt: skip
    assert Worker.objects.get(nik="5171034508900003").decile == 3  # dry run changed nothing
    assert sorted((t["from"], t["to"]) for t in preview["transitions"]) == [("-", 2), ("3", 1)]
    run(extract(tmp_path), "--user", city_officer.username)
    assert dict(Worker.objects.values_list("nik", "decile")) == {
        "5171034508900003": 1, "5171036610880005": 2, "5171011203850001": 2,
    }  # fmt: skip
    assert AuditEvent.objects.get(action="registry.poverty_refresh").changes["updated"] == 2


def test_poverty_refresh_only_in_scope(tmp_path, workers, operator_tegal_harum):
    result = run(extract(tmp_path), "--user", operator_tegal_harum.username)
    assert (result["updated"], result["unchanged"], result["not_found"]) == (2, 0, 2)
    assert Worker.objects.get(nik="5171011203850001").decile == 2


def test_poverty_refresh_page_previews_then_applies(client, tmp_path, workers, operator_tegal_harum):
    client.force_login(operator_tegal_harum)
    with extract(tmp_path).open("rb") as f:
        preview = client.post(reverse("registry:poverty_refresh"), {"file": f})
    assert preview.context["result"].updated == 2 and not preview.context["applied"]
    assert Worker.objects.get(nik="5171034508900003").decile == 3
    token = preview.context["token"]
    applied = client.post(reverse("registry:poverty_refresh"), {"token": token})
    assert applied.context["applied"]
    assert Worker.objects.get(nik="5171034508900003").decile == 1
    assert client.post(reverse("registry:poverty_refresh"), {"token": "9999-" + token}).status_code == 404


def test_poverty_refresh_page_refuses_oversized_upload(client, tmp_path, workers, operator_tegal_harum, settings):
    settings.LINDUNG_UPLOAD_MAX_BYTES = 50
    client.force_login(operator_tegal_harum)
    with extract(tmp_path).open("rb") as f:
        response = client.post(reverse("registry:poverty_refresh"), {"file": f}, follow=True)
    assert "terlalu besar" in response.content.decode()
    assert Worker.objects.get(nik="5171034508900003").decile == 3
