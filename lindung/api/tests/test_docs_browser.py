"""The interactive API docs render in real headless Chromium from Lindung's own files, under the site's CSP,
without any request leaving the server (the app must work offline); and the token page works end to end."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lindung.api.models import ApiToken

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
CHROMIUM = os.environ.get("LINDUNG_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture
def chromium_page():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium tidak ada di {CHROMIUM}: jalankan `make test` (memasang paket chromium).")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"])
        context = browser.new_context(locale="en-US")
        page = context.new_page()
        page.set_default_timeout(15_000)
        yield page
        browser.close()


def test_docs_render_offline_under_the_csp(chromium_page, live_server):
    page = chromium_page
    violations: list[str] = []
    outside: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(live_server.url) else None)
    page.goto(f"{live_server.url}/api/v1/docs")
    page.locator(".swagger-ui .info .title").wait_for()
    assert "Lindung API" in page.locator(".swagger-ui .info .title").inner_text()
    assert page.locator(".opblock").count() >= 15  # every operation is listed
    assert violations == [] and outside == []


def test_token_page_shows_the_secret_once(chromium_page, live_server, bali, make_user):
    from lindung.accounts.models import Role

    make_user("op.tegalharum", Role.VILLAGE_OPERATOR, "51.71.03.2008")
    page = chromium_page
    page.goto(f"{live_server.url}/masuk/")
    page.get_by_label("Nama pengguna").fill("op.tegalharum")
    page.get_by_label("Kata sandi").fill("rahasia-uji-123")
    page.get_by_role("button", name="Masuk").click()
    page.goto(f"{live_server.url}/akun/token/")
    page.get_by_label("Nama").fill("SID Tegal Harum")
    page.get_by_role("button", name="Buat token").click()
    secret = page.get_by_test_id("token-secret").inner_text()
    assert secret.startswith("ldg_") and "hanya ditampilkan kali ini" in page.content()
    page.get_by_role("link", name="Selesai").click()
    assert secret not in page.content()
    page.get_by_role("link", name="Cabut").click()
    page.get_by_role("button", name="Ya, cabut token").click()
    assert "Dicabut" in page.get_by_test_id("token-list").inner_text()
    assert ApiToken.objects.get().revoked_at is not None
