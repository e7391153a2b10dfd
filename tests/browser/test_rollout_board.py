"""A city officer watches the roll-out: the headline, the desa-only filter, and a PKS signed with confirmation."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from lindung.accounts.models import Role
from lindung.programmes.demo import demo_programmes
from lindung.programmes.models import Agreement, AgreementTransition

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DENPASAR = "51.71"
PADANGSAMBIAN_KELOD = "51.71.03.2001"  # in discussion in the demo data
KELURAHAN_SERANGAN = "51.71.01.1001"


def test_city_officer_signs_an_agreement_from_the_board(page, live_server, bali, make_user, guide_shot):
    programme = demo_programmes()["programme"]
    make_user("dinas.denpasar", Role.CITY_OFFICER, DENPASAR)
    page.goto(f"{live_server.url}/masuk/")
    page.get_by_label("Nama pengguna").fill("dinas.denpasar")
    page.get_by_label("Kata sandi").fill("rahasia-uji-123")
    page.get_by_role("button", name="Masuk").click()

    page.goto(f"{live_server.url}/program/{programme.pk}/papan/?wilayah={DENPASAR}")
    headline = page.get_by_test_id("headline")
    expect(headline).to_contain_text("1 dari 27 desa telah menandatangani PKS, 12 dalam pembahasan")
    expect(headline).to_contain_text("0 dari 16 kelurahan")
    rows = page.get_by_test_id("board").locator("tbody tr")
    expect(rows).to_have_count(43)
    expect(page.locator(f'tr[data-village="{KELURAHAN_SERANGAN}"]')).to_have_count(1)

    page.get_by_label("Desa yang ditampilkan").select_option("desa")
    page.get_by_role("button", name="Tampilkan").click()
    expect(rows).to_have_count(27)
    expect(page.locator(f'tr[data-village="{KELURAHAN_SERANGAN}"]')).to_have_count(0)
    expect(headline).not_to_contain_text("kelurahan")
    guide_shot("papan-pks", full_page=True)

    row = page.locator(f'tr[data-village="{PADANGSAMBIAN_KELOD}"]')
    expect(row.get_by_test_id("status")).to_have_text("Dalam pembahasan")
    row.get_by_role("link", name="Tandai sudah ditandatangani").click()

    # The confirmation page changes nothing until the officer confirms.
    expect(page.get_by_test_id("confirm-question")).to_contain_text("dari “Dalam pembahasan” menjadi “Ditandatangani”")
    assert Agreement.objects.get(village_id=PADANGSAMBIAN_KELOD).status == Agreement.Status.IN_DISCUSSION
    page.get_by_label("Catatan").fill("Ditandatangani di kantor perbekel")
    page.get_by_test_id("confirm").click()

    # Back on the same board (desa only), with the new headline.
    expect(headline).to_contain_text("2 dari 27 desa telah menandatangani PKS, 11 dalam pembahasan")
    expect(rows).to_have_count(27)
    expect(row.get_by_test_id("status")).to_have_text("Ditandatangani")
    expect(page.get_by_role("status")).to_contain_text("status PKS kini Ditandatangani")
    agreement = Agreement.objects.get(village_id=PADANGSAMBIAN_KELOD)
    assert agreement.status == Agreement.Status.SIGNED and agreement.signed_on == timezone.localdate()
    assert AgreementTransition.objects.filter(agreement=agreement, to_status="signed").count() == 1
