"""Token lifecycle: created on the page, shown once, stored as a hash, expiring, revoked with confirmation."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.utils import timezone

from lindung.api.models import ApiToken
from lindung.api.tests.conftest import bearer, make_token
from lindung.audit.models import AuditEvent


def _create_on_page(client, name="SID Tegal Harum", last_day=None):
    last_day = last_day or (timezone.localdate() + dt.timedelta(days=90))
    return client.post("/akun/token/", {"name": name, "last_day": last_day.isoformat()})


def test_token_is_shown_once_and_only_its_hash_is_stored(client, operator_tegal_harum):
    client.force_login(operator_tegal_harum)
    page = client.get("/akun/token/")
    assert page.status_code == 200
    default_day = (timezone.localdate() + dt.timedelta(days=90)).isoformat()
    assert f'value="{default_day}"' in page.content.decode()  # 90 days by default

    response = _create_on_page(client)
    html = response.content.decode()
    token = ApiToken.objects.get()
    secret = html.split('data-testid="token-secret"><code>')[1].split("</code>")[0]
    assert secret.startswith("ldg_") and len(secret) > 40
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[:12]
    stored = [str(value) for value in ApiToken.objects.values_list(flat=False).get()]
    assert not any(secret in value for value in stored)  # never the secret itself
    assert "Cache-Control" in response.headers and "no-store" in response["Cache-Control"]

    # The list shows the prefix, never the secret again.
    listing = client.get("/akun/token/").content.decode()
    assert token.prefix in listing and secret not in listing

    event = AuditEvent.objects.get(action="api.token.create")
    assert event.actor == operator_tegal_harum and secret not in str(event.changes)

    # The token works for the API.
    assert client.get("/api/v1/me", **bearer(secret)).json()["username"] == operator_tegal_harum.username


def test_expiry_is_required_and_at_most_a_year(client, operator_tegal_harum):
    client.force_login(operator_tegal_harum)
    today = timezone.localdate()
    assert _create_on_page(client, last_day=today + dt.timedelta(days=400)).status_code == 200
    assert _create_on_page(client, last_day=today - dt.timedelta(days=1)).status_code == 200
    response = client.post("/akun/token/", {"name": "tanpa tanggal", "last_day": ""})
    assert "token-secret" not in response.content.decode()
    assert not ApiToken.objects.exists()
    assert "token-secret" in _create_on_page(client, last_day=today + dt.timedelta(days=365)).content.decode()


def test_expired_token_is_401_in_the_envelope(client, operator_tegal_harum):
    secret = make_token(operator_tegal_harum)
    ApiToken.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = client.get("/api/v1/me", **bearer(secret))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_expired"
    assert "kedaluwarsa" in response.json()["error"]["message"]


def test_revocation_asks_for_confirmation_and_stops_the_token(client, operator_tegal_harum, make_user):
    secret = make_token(operator_tegal_harum)
    token = ApiToken.objects.get()
    client.force_login(operator_tegal_harum)
    confirm = client.get(f"/akun/token/{token.pk}/cabut/")
    assert confirm.status_code == 200 and token.prefix in confirm.content.decode()
    token.refresh_from_db()
    assert token.revoked_at is None  # a GET only asks
    assert client.get("/api/v1/me", **bearer(secret)).status_code == 200

    assert client.post(f"/akun/token/{token.pk}/cabut/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    response = client.get("/api/v1/me", **bearer(secret))
    assert response.status_code == 401 and response.json()["error"]["code"] == "token_revoked"
    assert AuditEvent.objects.filter(action="api.token.revoke", target_id=str(token.pk)).count() == 1


def test_nobody_else_can_see_or_revoke_my_token(client, operator_tegal_harum, city_officer):
    make_token(operator_tegal_harum)
    token = ApiToken.objects.get()
    client.force_login(city_officer)
    assert token.prefix not in client.get("/akun/token/").content.decode()
    assert client.post(f"/akun/token/{token.pk}/cabut/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_token_of_a_deactivated_user_stops_working(client, operator_tegal_harum):
    secret = make_token(operator_tegal_harum)
    operator_tegal_harum.is_active = False
    operator_tegal_harum.save()
    assert client.get("/api/v1/me", **bearer(secret)).json()["error"]["code"] == "token_invalid"


def test_last_used_is_recorded(client, operator_tegal_harum):
    secret = make_token(operator_tegal_harum)
    assert ApiToken.objects.get().last_used_at is None
    client.get("/api/v1/me", **bearer(secret))
    assert ApiToken.objects.get().last_used_at is not None


def test_token_page_needs_login(client, db):
    response = client.get("/akun/token/")
    assert response.status_code == 302 and "/masuk/" in response["Location"]
