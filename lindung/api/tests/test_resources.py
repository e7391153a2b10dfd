"""Workers, imports, regions, programmes, quotes through the API: the same services and rules as the pages/CLI."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re

from django.utils import timezone

from lindung.api.tests.conftest import bearer
from lindung.audit.models import AuditEvent
from lindung.benefits.tests.conftest import run_quote
from lindung.programmes.models import Agreement, Programme
from lindung.registry.models import Worker

NEW_WORKER = {
    "nik": "5171 0305 0890 0011", "name": "I Ketut Baru", "sex": "L", "birth_date": "1990-08-05",
    "village": "51.71.03.2008", "occupation_code": 24, "monthly_income": 800_000, "decile": 2,
}  # fmt: skip


def _post(client, url, body, token):
    return client.post(url, json.dumps(body), content_type="application/json", **bearer(token))


def _patch(client, url, body, token):
    return client.patch(url, json.dumps(body), content_type="application/json", **bearer(token))


def test_create_and_update_worker_are_audited_like_the_page(api_client, operator_token, operator_tegal_harum, bali):
    response = _post(api_client, "/api/v1/workers", NEW_WORKER, operator_token)
    assert response.status_code == 201, response.content
    body = response.json()
    worker = Worker.objects.get(pk=body["id"])
    assert worker.nik == "5171030508900011"  # spaces removed by the form, as on the page
    assert body["nik_masked"] == "5171********0011" and "5171030508900011" not in response.content.decode()
    assert (worker.occupation_code, worker.monthly_income, worker.decile) == (24, 800_000, 2)
    create = AuditEvent.objects.get(action="registry.worker.create", target_id=str(worker.pk))
    assert create.actor == operator_tegal_harum

    response = _patch(api_client, f"/api/v1/workers/{worker.pk}", {"phone": "081234", "decile": None}, operator_token)
    assert response.status_code == 200, response.content
    worker.refresh_from_db()
    assert (worker.phone, worker.decile, worker.name, worker.monthly_income) == (
        "081234",
        None,
        "I Ketut Baru",
        800_000,
    )
    update = AuditEvent.objects.get(action="registry.worker.update", target_id=str(worker.pk))
    assert update.changes == {"phone": ["", "081234"], "decile": ["2", None]}

    # The same validation as the form: decile 1..10 (schema), birth date not in the future (form).
    future = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
    response = _patch(api_client, f"/api/v1/workers/{worker.pk}", {"birth_date": future}, operator_token)
    assert response.status_code == 422
    assert [d["field"] for d in response.json()["error"]["details"]] == ["birth_date"]
    worker.refresh_from_db()
    assert worker.birth_date == dt.date(1990, 8, 5)


def test_by_nik_lookup_is_audited_found_or_not(api_client, operator_token, workers):
    mine, _denpasar, badung = workers
    response = api_client.get(f"/api/v1/workers/by-nik/{mine.nik}", **bearer(operator_token))
    assert response.status_code == 200 and response.json()["id"] == mine.pk
    assert api_client.get(f"/api/v1/workers/by-nik/{badung.nik}", **bearer(operator_token)).status_code == 404
    events = list(AuditEvent.objects.filter(action="api.worker.nik_lookup").order_by("seq"))
    assert [(e.target_id, e.changes["found"]) for e in events] == [(str(mine.pk), True), ("", False)]
    assert events[1].changes["nik"] == "5103********0007" and events[1].region_code == ""


def test_pagination_is_stable_and_complete(api_client, city_token, bali):
    for i in range(7):
        Worker.objects.create(
            nik=f"51710305089000{i + 20}", name=["Wayan", "Made", "Nyoman"][i % 3], sex="L",
            birth_date="1990-08-05", village_id="51.71.03.2008",
        )  # fmt: skip
    pages = []
    for page in (1, 2, 3):
        response = api_client.get(f"/api/v1/workers?page_size=3&page={page}", **bearer(city_token)).json()
        assert (response["count"], response["pages"]) == (7, 3)
        pages.append([item["id"] for item in response["items"]])
    ids = [i for page in pages for i in page]
    assert ids == sorted(Worker.objects.values_list("pk", flat=True))  # every worker once, by id
    assert [len(p) for p in pages] == [3, 3, 1]
    again = api_client.get("/api/v1/workers?page_size=3&page=2", **bearer(city_token)).json()
    assert [item["id"] for item in again["items"]] == pages[1]
    assert api_client.get("/api/v1/workers?page_size=3&page=9", **bearer(city_token)).json()["items"] == []
    assert api_client.get("/api/v1/workers?page_size=201", **bearer(city_token)).status_code == 422


def test_worker_filters(api_client, city_token, workers):
    mine, denpasar, _badung = workers

    def ids(query):
        return [i["id"] for i in api_client.get(f"/api/v1/workers?{query}", **bearer(city_token)).json()["items"]]

    assert ids("village=51.71.03") == [mine.pk]
    assert ids("village=51.71") == [mine.pk, denpasar.pk]
    assert ids("occupation=24") == [mine.pk]
    assert ids("decile=1") == [mine.pk]
    assert ids("q=darma") == [denpasar.pk]
    assert ids(f"q={mine.nik}") == []  # a NIK is looked up only by /workers/by-nik/, which is audited


def test_import_upload_progress_and_apply(api_client, operator_token, bali, tmp_path):
    csv = (
        "NIK;Nama;JK;Tgl Lahir;Kode Desa\r\n"
        "5171030508900011;I Ketut Impor;L;05-08-1990;51.71.03.2008\r\n"
        "123;Salah;L;05-08-1990;51.71.03.2008\r\n"
    )
    path = tmp_path / "pekerja.csv"
    path.write_text(csv)
    with path.open("rb") as f:
        response = api_client.post("/api/v1/imports", {"file": f}, **bearer(operator_token))
    assert response.status_code == 202, response.content
    batch = response.json()
    assert (batch["status"], batch["rows"], batch["valid"], batch["rejected"], batch["percent"]) == (
        "validated", 2, 1, 1, 100,
    )  # fmt: skip
    assert batch["has_errors_file"] and not Worker.objects.exists()  # nothing stored before apply

    status = api_client.get(f"/api/v1/imports/{batch['id']}", **bearer(operator_token)).json()
    assert status["status"] == "validated"
    applied = api_client.post(f"/api/v1/imports/{batch['id']}/apply", **bearer(operator_token))
    assert applied.status_code == 202 and applied.json()["status"] == "applied" and applied.json()["created"] == 1
    assert list(Worker.objects.values_list("nik", flat=True)) == ["5171030508900011"]
    again = api_client.post(f"/api/v1/imports/{batch['id']}/apply", **bearer(operator_token))
    assert again.status_code == 409
    assert AuditEvent.objects.filter(action="registry.import.apply").count() == 1


def test_regions_list_and_detail(api_client, city_token, bali):
    response = api_client.get("/api/v1/regions?parent=51.71.03&page_size=200", **bearer(city_token)).json()
    codes = [r["code"] for r in response["items"]]
    assert "51.71.03.2008" in codes and codes == sorted(codes)
    assert all(code.startswith("51.71.03.") for code in codes)
    detail = api_client.get("/api/v1/regions/51.71.03.2008", **bearer(city_token)).json()
    assert detail == {"code": "51.71.03.2008", "name": "Tegal Harum", "level": 4, "kind": "desa", "parent": "51.71.03"}


def test_programmes_and_agreements_scoped(api_client, operator_token, city_token, bali):
    programme = Programme.objects.create(
        name="G1D100", region_id="51.71", starts_on=dt.date(2025, 1, 1), quota_per_village=100
    )
    mine = Agreement.objects.create(programme=programme, village_id="51.71.03.2008", status="signed", quota=80)
    other = Agreement.objects.create(programme=programme, village_id="51.71.01.1001", status="prospect")
    badung = Programme.objects.create(name="Badung", region_id="51.03", starts_on=dt.date(2025, 1, 1))

    ids = [p["id"] for p in api_client.get("/api/v1/programmes", **bearer(operator_token)).json()["items"]]
    assert ids == [programme.pk]
    assert api_client.get(f"/api/v1/programmes/{badung.pk}", **bearer(operator_token)).status_code == 404
    agreements = api_client.get("/api/v1/agreements", **bearer(operator_token)).json()["items"]
    assert [(a["id"], a["quota"]) for a in agreements] == [(mine.pk, 80)]
    assert api_client.get(f"/api/v1/agreements/{other.pk}", **bearer(operator_token)).status_code == 404
    city = api_client.get("/api/v1/agreements?status=prospect", **bearer(city_token)).json()["items"]
    assert [(a["id"], a["quota"]) for a in city] == [(other.pk, 100)]


QUOTE = {
    "event": {"type": "death", "date": "2026-03-10"},
    "member": {"declared_income": 1_000_000, "membership_start": "2022-04-01", "paid_through": "2026-03"},
    "children": [
        {"name": "Ayu", "birth_date": "2019-01-15", "level": "SD", "grade": 1, "married": False, "working": False}
    ],
}


def test_quote_has_exactly_the_cli_contract(api_client, operator_token):
    response = _post(api_client, "/api/v1/quotes/benefits", QUOTE, operator_token)
    assert response.status_code == 200, response.content
    code, cli = run_quote(QUOTE)
    assert code == 0 and response.json() == cli
    # Example 1 of regulations-research.md §9 (death after 48 months): JKM lump sum 20,000,000.
    assert {b["code"]: b["amount"] for b in cli["benefits"]}["jkm_lump_sum"] == 20_000_000


def test_quote_errors_carry_the_cli_codes(api_client, operator_token):
    wrong = copy.deepcopy(QUOTE)
    wrong["event"]["date"] = "2026-02-30"
    response = _post(api_client, "/api/v1/quotes/benefits", wrong, operator_token)
    code, cli = run_quote(wrong)
    assert response.status_code == 422 and code == 2
    assert response.json()["error"]["code"] == cli["error"]["code"] == "invalid_date"
    assert response.json()["error"]["message"] == cli["error"]["message"]


def test_docs_page_works_offline_under_the_csp(client, db):
    response = client.get("/api/v1/docs")
    html = response.content.decode()
    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"]
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert scripts and all(src.startswith("/api/v1/docs/aset/") for src in scripts)
    assert "cdn" not in html.lower() and "<script>" not in html  # no inline script, nothing from elsewhere
    for src in scripts + re.findall(r'<link rel="stylesheet" href="([^"]+)"', html):
        asset = client.get(src)
        assert asset.status_code == 200 and b"".join(asset.streaming_content)
    assert client.get("/api/v1/docs/aset/settings.py").status_code == 404


def test_openapi_document(client, db):
    doc = client.get("/api/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    schemes = doc["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}
    assert any(s.get("scheme") == "bearer" for s in schemes.values())
    for path, operations in doc["paths"].items():
        for method, operation in operations.items():
            ok = [code for code in operation["responses"] if code.startswith("2")]
            assert len(ok) == 1, (method, path)
            schema = operation["responses"][ok[0]]["content"]["application/json"]["schema"]
            assert "$ref" in schema, (method, path)  # a concrete schema, never a bare object
            assert "422" in operation["responses"] and "401" in operation["responses"]
