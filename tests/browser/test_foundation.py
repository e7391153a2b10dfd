"""A village operator's first visit, in a real browser: scoped figures, language switch, lockout."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lindung.accounts.models import Role
from lindung.regions.models import Region

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEGAL_HARUM = "51.71.03.2008"
PASSWORD = "rahasia-uji-123"


def _login(page, live_server, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{live_server.url}/masuk/")
    page.get_by_label("Nama pengguna").fill(username)
    page.get_by_label("Kata sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()


def _figures(page) -> tuple[int, int, int]:
    def value(testid: str) -> int:
        return int(page.get_by_test_id(testid).inner_text().replace(".", "").replace(",", ""))

    return value("villages"), value("desa"), value("kelurahan")


def test_village_operator_sees_own_figures_and_switches_language(page, live_server, bali, make_user, guide_shot):
    make_user("op.tegalharum", Role.VILLAGE_OPERATOR, TEGAL_HARUM)
    make_user("dinas.denpasar", Role.CITY_OFFICER, "51.71")

    _login(page, live_server, "op.tegalharum")
    expect(page.get_by_role("heading", level=1)).to_have_text("Ikhtisar wilayah Anda")
    # The stylesheet and htmx are served (the layout is not raw HTML).
    assert page.evaluate("getComputedStyle(document.querySelector('.topbar')).display") == "flex"
    assert page.evaluate("typeof window.htmx") == "object"
    expect(page.get_by_test_id("who")).to_contain_text("Operator Desa")
    expect(page.get_by_test_id("who")).to_contain_text("Tegal Harum")
    guide_shot("beranda-operator")
    village_figures = _figures(page)
    own = Region.objects.filter(code=TEGAL_HARUM)
    assert village_figures == (
        own.count(),
        own.filter(kind=Region.Kind.DESA).count(),
        own.filter(kind=Region.Kind.KELURAHAN).count(),
    )

    # Another village's page is "not found", exactly like a page that does not exist.
    response = page.goto(f"{live_server.url}/wilayah/51.71.03.2001/")
    assert response.status == 404

    # English and back.
    page.goto(f"{live_server.url}/")
    page.get_by_role("button", name="English").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Overview of your area")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.get_by_role("button", name="Bahasa Indonesia").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ikhtisar wilayah Anda")
    page.get_by_role("button", name="Keluar").click()
    expect(page).to_have_url(re.compile(r"/masuk/$"))

    # The city officer's figures are the city's, and differ from the village's.
    _login(page, live_server, "dinas.denpasar")
    city = Region.objects.filter(code__startswith="51.71.", level=Region.Level.VILLAGE)
    city_figures = _figures(page)
    assert city_figures == (
        city.count(),
        city.filter(kind=Region.Kind.DESA).count(),
        city.filter(kind=Region.Kind.KELURAHAN).count(),
    )
    assert city_figures != village_figures


def test_five_wrong_passwords_lock_the_account(page, live_server, bali, make_user):
    make_user("op.tegalharum", Role.VILLAGE_OPERATOR, TEGAL_HARUM)
    for attempt in range(1, 6):
        _login(page, live_server, "op.tegalharum", f"salah-{attempt}")
        if attempt < 5:
            expect(page.get_by_role("alert")).to_contain_text("Nama pengguna atau kata sandi salah")
    expect(page.get_by_test_id("locked")).to_contain_text("dikunci selama 15 menit")
    # The right password no longer gets in while the lock lasts.
    _login(page, live_server, "op.tegalharum")
    expect(page.get_by_test_id("locked")).to_be_visible()
    expect(page).to_have_url(re.compile(r"/masuk/"))
