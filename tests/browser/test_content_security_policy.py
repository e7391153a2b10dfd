"""The Content-Security-Policy blocks nothing Lindung itself needs: no violation on the pages, htmx works."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from lindung.accounts.models import Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pages_load_without_csp_violations(page, live_server, bali, make_user):
    make_user("op.tegalharum", Role.VILLAGE_OPERATOR, "51.71.03.2008")
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)

    page.goto(f"{live_server.url}/masuk/")
    page.get_by_label("Nama pengguna").fill("op.tegalharum")
    page.get_by_label("Kata sandi").fill("rahasia-uji-123")
    page.get_by_role("button", name="Masuk").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ikhtisar wilayah Anda")
    for path in ("/", "/pekerja/", "/pekerja/baru/", "/impor/", "/akun/token/", "/api/v1/docs", "/program/"):
        response = page.goto(f"{live_server.url}{path}")
        assert response is not None and response.status == 200, path
        assert response.headers["content-security-policy"].startswith("default-src 'self'")
    assert page.evaluate("typeof window.htmx") == "object"
    assert violations == []
