"""Every error has the one envelope {"error": {"code", "message", "details"}}, in the request's language."""

from __future__ import annotations

import json

import pytest
from django.conf import settings

from lindung.api.models import ApiRateWindow
from lindung.api.tests.conftest import bearer
from lindung.registry.models import ImportBatch


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code and body["error"]["message"]
    return body["error"]


def test_401_without_credentials_indonesian_by_default(api_client, db):
    response = api_client.get("/api/v1/workers")
    error = _error(response, 401, "unauthenticated")
    assert "Authorization: Bearer" in error["message"] and "Masuk" in error["message"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_messages_in_english_when_the_language_cookie_says_so(api_client, db):
    api_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    error = _error(api_client.get("/api/v1/workers"), 401, "unauthenticated")
    assert error["message"].startswith("Log in")


def test_401_for_an_unknown_token(api_client, db):
    error = _error(api_client.get("/api/v1/me", **bearer("ldg_tidak-ada")), 401, "token_invalid")
    assert error["message"] == "Token API tidak sah."


def test_404_for_missing_objects_and_unknown_paths(api_client, operator_token):
    _error(api_client.get("/api/v1/workers/424242", **bearer(operator_token)), 404, "not_found")
    _error(api_client.get("/api/v1/tidak-ada", **bearer(operator_token)), 404, "not_found")
    _error(api_client.get("/api/v1/", **bearer(operator_token)), 404, "not_found")
    assert api_client.get("/api/v1/workers/424242", **bearer(operator_token)).json()["error"]["message"] == (
        "Tidak ditemukan."
    )


def test_405_keeps_allow(api_client, operator_token):
    response = api_client.delete("/api/v1/workers", **bearer(operator_token))
    error = _error(response, 405, "method_not_allowed")
    assert set(response["Allow"].split(", ")) == {"GET", "POST"} == set(error["details"]["allowed"])


def test_422_names_each_field_in_indonesian(api_client, operator_token, bali):
    body = {"nik": "123", "name": "", "sex": "X", "birth_date": "kemarin", "village": "51.71.03.2008"}
    error = _error(
        api_client.post("/api/v1/workers", json.dumps(body), content_type="application/json", **bearer(operator_token)),
        422,
        "validation_error",
    )
    fields = {d["field"]: d["message"] for d in error["details"]}
    assert set(fields) == {"name", "sex", "birth_date"}
    assert fields["birth_date"] == "Isi tanggal dengan format YYYY-MM-DD."

    # Schema-valid, refused by the form's own rules (the same messages as on the page).
    body = {"nik": "5171 0345 0890 000", "name": "Ni Made", "sex": "P", "birth_date": "2090-01-01",
            "village": "51.71.03.2008", "decile": 3}  # fmt: skip
    error = _error(
        api_client.post("/api/v1/workers", json.dumps(body), content_type="application/json", **bearer(operator_token)),
        422,
        "validation_error",
    )
    fields = {d["field"]: d["message"] for d in error["details"]}
    assert set(fields) == {"nik", "birth_date"}
    assert fields["birth_date"] == "Tanggal lahir tidak boleh melebihi tanggal hari ini."


def test_400_for_a_body_that_is_not_json(api_client, operator_token):
    response = api_client.post(
        "/api/v1/workers", "{bukan json", content_type="application/json", **bearer(operator_token)
    )
    error = _error(response, 400, "bad_request")
    assert error["message"] == "Isi permintaan tidak dapat dibaca: kirim JSON yang sah."


def test_403_for_a_read_only_role(api_client, make_user, bali):
    from lindung.accounts.models import Role
    from lindung.api.tests.conftest import make_token

    viewer = make_user("bpjs.denpasar", Role.BPJS_OFFICER, "51.71")
    body = {"nik": "5171034508900003", "name": "X", "sex": "P", "birth_date": "1990-08-05", "village": "51.71.03.2008"}
    response = api_client.post(
        "/api/v1/workers", json.dumps(body), content_type="application/json", **bearer(make_token(viewer))
    )
    error = _error(response, 403, "forbidden")
    assert error["message"] == "Peran Anda tidak boleh melakukan ini."


def test_403_session_write_without_csrf_token(api_client, operator_tegal_harum):
    api_client.force_login(operator_tegal_harum)
    assert api_client.get("/api/v1/me").json()["auth"] == "session"  # reads need no CSRF token
    body = {"nik": "5171034508900003", "name": "X", "sex": "P", "birth_date": "1990-08-05", "village": "51.71.03.2008"}
    response = api_client.post("/api/v1/workers", json.dumps(body), content_type="application/json")
    _error(response, 403, "csrf_failed")

    # With the page's CSRF token the same call goes through.
    api_client.get("/akun/token/")
    csrf = api_client.cookies[settings.CSRF_COOKIE_NAME].value
    response = api_client.post(
        "/api/v1/workers", json.dumps(body), content_type="application/json", HTTP_X_CSRFTOKEN=csrf
    )
    assert response.status_code == 201


def test_application_error_from_a_service(api_client, operator_tegal_harum, operator_token, tmp_path):
    from lindung.registry.services import import_batch_create

    path = tmp_path / "x.csv"
    path.write_text("NIK;Nama\r\n")
    batch = import_batch_create(acting_user=operator_tegal_harum, source=path, original_name="x.csv")
    assert batch.status == ImportBatch.Status.UPLOADED
    error = _error(api_client.post(f"/api/v1/imports/{batch.pk}/apply", **bearer(operator_token)), 409, "state")
    assert error["message"] == "Impor ini tidak dapat disimpan dalam status saat ini."


def test_500_is_an_envelope_without_internals(api_client, operator_token, monkeypatch):
    from lindung.api.routes import me

    def boom(*args, **kwargs):
        raise RuntimeError("rahasia internal")

    monkeypatch.setattr(me, "user_scope", boom)
    response = api_client.get("/api/v1/me", **bearer(operator_token))
    error = _error(response, 500, "internal_error")
    assert "rahasia" not in response.content.decode()
    assert error["details"] is None


def test_429_with_retry_after_per_token(api_client, operator_tegal_harum, city_officer, settings):
    from lindung.api.tests.conftest import make_token

    settings.LINDUNG_API_RATE_LIMIT = "3/min"
    first, second = make_token(operator_tegal_harum, "satu"), make_token(operator_tegal_harum, "dua")
    for _ in range(3):
        ok = api_client.get("/api/v1/me", **bearer(first))
        assert ok.status_code == 200
    assert ok["X-RateLimit-Remaining"] == "0"
    response = api_client.get("/api/v1/me", **bearer(first))
    error = _error(response, 429, "rate_limited")
    retry_after = int(response["Retry-After"])
    assert 1 <= retry_after <= 60
    assert error["details"]["retry_after"] > 0
    # Another token has its own window.
    assert api_client.get("/api/v1/me", **bearer(second)).status_code == 200
    assert ApiRateWindow.objects.count() == 2


def test_fixed_window_resets(db):
    from lindung.api.auth import hit

    assert hit("token:1", 60, now=120.0) == (1, 60.0)
    assert hit("token:1", 60, now=150.0) == (2, 30.0)
    assert hit("token:1", 60, now=180.0)[0] == 1  # a new window starts from zero
    assert hit("token:2", 60, now=181.0)[0] == 1


@pytest.mark.parametrize("rate,expected", [("600/min", (600, 60)), ("10/s", (10, 1)), ("5000/hour", (5000, 3600))])
def test_rate_parsing(rate, expected):
    from lindung.api.auth import parse_rate

    assert parse_rate(rate) == expected
