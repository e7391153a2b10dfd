"""Business-rule messages follow the request's language: English msgids, Indonesian from the catalogue."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from lindung.core.errors import ApplicationError
from lindung.regions.models import Region
from lindung.targeting import services
from lindung.targeting.tests.conftest import TEGAL_HARUM, make_worker, minutes_pdf

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 11, 25)


@pytest.fixture
def selection_list(programme, operator):
    return services.selection_list_open(
        acting_user=operator, village=Region.objects.get(code=TEGAL_HARUM), programme=programme, budget_year=2026
    )


def _message(call) -> str:
    with pytest.raises(ApplicationError) as excinfo:
        call()
    return excinfo.value.message


def test_override_without_a_reason_names_what_needs_it(selection_list, operator):
    worker = make_worker()
    services.selection_prepare(acting_user=operator, selection_list=selection_list, on=DAY)

    def add():
        services.override_add(
            acting_user=operator, selection_list=selection_list, worker=worker, kind="force_in", reason="singkat"
        )

    with translation.override("en"):
        assert _message(add) == "An override requires a written reason (at least 10 characters)."
    with translation.override("id"):
        assert _message(add) == "Pengecualian wajib disertai alasan tertulis (paling sedikit 10 karakter)."


def test_submission_and_recompute_rules(selection_list, operator):
    make_worker()
    version = services.selection_prepare(acting_user=operator, selection_list=selection_list, on=DAY)

    def submit():
        services.version_submit(acting_user=operator, version=version)

    with translation.override("en"):
        assert _message(submit) == (
            "First record the village deliberation (date, attendees, minutes) for this version."
        )
    with translation.override("id"):
        assert _message(submit) == (
            "Catat dahulu hasil musyawarah desa (tanggal, jumlah peserta, berita acara) untuk versi ini."
        )

    services.deliberation_record(
        acting_user=operator, version=version, held_on=dt.date(2026, 11, 20), attendees=42, minutes=minutes_pdf()
    )
    submit()

    def prepare():
        services.selection_prepare(acting_user=operator, selection_list=selection_list, on=DAY)

    with translation.override("en"):
        assert _message(prepare) == (
            "Version 1 is awaiting the village head's approval. "
            "Ask the village head to return it before the list is changed."
        )
    with translation.override("id"):
        assert _message(prepare) == (
            "Versi 1 sedang menunggu persetujuan kepala desa. Minta kepala desa mengembalikannya sebelum daftar diubah."
        )
