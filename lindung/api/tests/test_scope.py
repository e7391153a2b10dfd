"""A token of Tegal Harum's operator cannot read, list, look up or change a worker of another village by any
endpoint: 404 or absent from lists, and nothing changes in the database."""

from __future__ import annotations

import json

import pytest
from django.forms.models import model_to_dict

from lindung.api.tests.conftest import OTHER_VILLAGE, bearer
from lindung.registry.models import ImportBatch, Worker

PATCH_BODIES = [{"name": "Diubah"}, {"decile": 5}, {"nik": "5103050505900007"}, {}]


def _snapshot():
    return sorted((model_to_dict(w) for w in Worker.objects.all()), key=lambda d: d["id"])


def test_operator_token_cannot_touch_a_worker_of_another_village(api_client, operator_token, workers):
    mine, denpasar, badung = workers
    auth = bearer(operator_token)
    before = _snapshot()

    for other in (badung, denpasar):
        assert api_client.get(f"/api/v1/workers/{other.pk}", **auth).status_code == 404
        assert api_client.get(f"/api/v1/workers/by-nik/{other.nik}", **auth).status_code == 404
        for body in PATCH_BODIES:
            response = api_client.patch(
                f"/api/v1/workers/{other.pk}", json.dumps(body), content_type="application/json", **auth
            )
            assert response.status_code == 404, body
            assert response.json()["error"]["code"] == "not_found"

    # 404 for out of scope is exactly the 404 for a missing worker.
    missing = api_client.get("/api/v1/workers/999999", **auth)
    assert api_client.get(f"/api/v1/workers/{badung.pk}", **auth).json() == missing.json()

    # Lists and searches show only Tegal Harum.
    for query in ("", "?village=51.03", f"?village={OTHER_VILLAGE}", "?q=Badung", "?q=Made", "?decile=1",
                  "?occupation=24", "?page_size=200"):  # fmt: skip
        items = api_client.get(f"/api/v1/workers{query}", **auth).json()["items"]
        assert {item["village"] for item in items} <= {mine.village_id}, query
    assert [i["id"] for i in api_client.get("/api/v1/workers?q=Made", **auth).json()["items"]] == [mine.pk]

    # Creating a worker in another village is refused like an unknown village; moving mine there too.
    body = {"nik": "5103050606900008", "name": "Baru", "sex": "L", "birth_date": "1990-06-06", "village": OTHER_VILLAGE}
    response = api_client.post("/api/v1/workers", json.dumps(body), content_type="application/json", **auth)
    assert response.status_code == 422
    assert [d["field"] for d in response.json()["error"]["details"]] == ["village"]
    # Re-registering another village's NIK in Tegal Harum does not reveal where it is.
    body = {"nik": badung.nik, "name": "Salinan", "sex": "L", "birth_date": "1990-05-05", "village": mine.village_id}
    response = api_client.post("/api/v1/workers", json.dumps(body), content_type="application/json", **auth)
    assert response.status_code == 422  # the form's unique check, as on the page
    assert [d["field"] for d in response.json()["error"]["details"]] == ["nik"]
    assert OTHER_VILLAGE not in response.content.decode() and "Badung" not in response.content.decode()

    assert _snapshot() == before


def test_operator_token_cannot_import_into_another_village(api_client, operator_token, workers, tmp_path):
    auth = bearer(operator_token)
    csv = "NIK;Nama;JK;Tgl Lahir;Kode Desa\r\n5103050606900008;Baru;L;06-06-1990;51.03.05.2001\r\n"
    path = tmp_path / "lain.csv"
    path.write_text(csv)
    before = _snapshot()
    with path.open("rb") as f:
        response = api_client.post("/api/v1/imports", {"file": f, "village": OTHER_VILLAGE}, **auth)
    assert response.status_code == 422  # a village outside the token's scope, named like an unknown one
    with path.open("rb") as f:
        response = api_client.post("/api/v1/imports", {"file": f}, **auth)
    assert response.status_code == 202
    batch = response.json()
    assert (batch["status"], batch["rows"], batch["valid"], batch["rejected"]) == ("validated", 1, 0, 1)
    response = api_client.post(f"/api/v1/imports/{batch['id']}/apply", **auth)
    assert response.status_code == 202 and response.json()["created"] == 0
    assert _snapshot() == before


def test_operator_cannot_see_someone_elses_import(api_client, operator_token, city_officer, tmp_path, workers):
    path = tmp_path / "x.csv"
    path.write_text("NIK;Nama;JK;Tgl Lahir;Kode Desa\r\n")
    from lindung.registry.services import import_batch_create

    batch = import_batch_create(acting_user=city_officer, source=path, original_name="x.csv")
    auth = bearer(operator_token)
    assert api_client.get(f"/api/v1/imports/{batch.pk}", **auth).status_code == 404
    assert api_client.post(f"/api/v1/imports/{batch.pk}/apply", **auth).status_code == 404
    assert api_client.post(f"/api/v1/imports/{batch.pk}/cancel", **auth).status_code == 404
    assert api_client.get("/api/v1/imports", **auth).json()["count"] == 0
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.UPLOADED


@pytest.mark.parametrize("code", [OTHER_VILLAGE, "51.03", "51.71.01.1001"])
def test_regions_outside_scope_are_404(api_client, operator_token, bali, code):
    assert api_client.get(f"/api/v1/regions/{code}", **bearer(operator_token)).status_code == 404


def test_city_officer_sees_denpasar_not_badung(api_client, city_token, workers):
    mine, denpasar, badung = workers
    auth = bearer(city_token)
    ids = {i["id"] for i in api_client.get("/api/v1/workers", **auth).json()["items"]}
    assert ids == {mine.pk, denpasar.pk}
    assert api_client.get(f"/api/v1/workers/{badung.pk}", **auth).status_code == 404
    assert api_client.get(f"/api/v1/workers/{denpasar.pk}", **auth).status_code == 200
