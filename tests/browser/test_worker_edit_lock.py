"""The worker edit form with its optimistic lock, in real headless Chromium: two operators in two browsers open the
same worker; the first save goes through, the second is refused with the Indonesian message and changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from lindung.accounts.models import Role
from lindung.registry.models import Worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEGAL_HARUM = "51.71.03.2008"
PASSWORD = "rahasia-uji-123"


def _login(tab, live_server, username: str) -> None:
    tab.goto(f"{live_server.url}/masuk/")
    tab.get_by_label("Nama pengguna").fill(username)
    tab.get_by_label("Kata sandi").fill(PASSWORD)
    tab.get_by_role("button", name="Masuk").click()
    expect(tab.get_by_test_id("who")).to_be_visible()


def test_second_browser_saving_a_stale_worker_form_is_refused(browser, page, live_server, bali, make_user):
    make_user("op.satu", Role.VILLAGE_OPERATOR, TEGAL_HARUM)
    make_user("op.dua", Role.VILLAGE_OPERATOR, TEGAL_HARUM)
    worker = Worker.objects.create(nik="5171030101850001", name="Made Awal", sex="L", birth_date=dt.date(1985, 1, 1),
                                   village_id=TEGAL_HARUM, address="Jl. Awal 1")  # fmt: skip
    other_context = browser.new_context(locale="id-ID")
    other = other_context.new_page()
    try:
        _login(page, live_server, "op.satu")
        _login(other, live_server, "op.dua")
        edit = f"{live_server.url}/pekerja/{worker.pk}/ubah/"
        page.goto(edit)
        other.goto(edit)  # both forms open on the same version

        page.get_by_label("Nama lengkap").fill("Made Satu")
        page.get_by_role("button", name="Simpan").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Made Satu")  # the worker's page

        other.get_by_label("Alamat").fill("Jl. Dua 2")
        other.get_by_role("button", name="Simpan").click()
        alert = other.get_by_role("alert").first
        expect(alert).to_contain_text("sudah diubah pengguna lain")
        expect(alert).to_contain_text("op.satu")
        worker.refresh_from_db()
        assert (worker.name, worker.address) == ("Made Satu", "Jl. Awal 1")

        other.goto(edit)  # reopened: the first operator's name is there, and the change now goes through
        expect(other.get_by_label("Nama lengkap")).to_have_value("Made Satu")
        other.get_by_label("Alamat").fill("Jl. Dua 2")
        other.get_by_role("button", name="Simpan").click()
        expect(other.get_by_role("heading", level=1)).to_contain_text("Made Satu")
        worker.refresh_from_db()
        assert (worker.name, worker.address) == ("Made Satu", "Jl. Dua 2")
    finally:
        other_context.close()
