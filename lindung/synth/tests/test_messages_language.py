"""Refusals of the synthetic data generator follow the request's language: English ids, Indonesian catalogue."""

from __future__ import annotations

import pytest
from django.utils import translation

from lindung.core.errors import ApplicationError
from lindung.membership.tests.factories import make_worker
from lindung.synth.services import synth_run

pytestmark = pytest.mark.django_db


def message(**arguments) -> str:
    with pytest.raises(ApplicationError) as caught:
        synth_run(jobs=1, **arguments)
    return caught.value.message


def test_profile_message_in_both_languages() -> None:
    with translation.override("en"):
        assert message(profile="lengkap") == "The profile must be 'realistic' or 'full'."
    with translation.override("id"):
        assert message(profile="lengkap") == "Profil harus 'realistic' atau 'full'."


def test_no_villages_message_in_both_languages() -> None:
    with translation.override("en"):
        assert message(prefix="99") == (
            "There is no desa/kelurahan in the region 99: load the regions first (lindung regions-load)."
        )
    with translation.override("id"):
        assert message(prefix="99") == (
            "Tidak ada desa/kelurahan di wilayah 99: muat wilayah dulu (lindung regions-load)."
        )


def test_refusal_for_a_region_with_workers_in_both_languages(bali) -> None:
    make_worker("51.71.03.2008")
    with translation.override("en"):
        assert message(prefix="51.71.03") == (
            "The region 51.71.03 already has registered workers; synthetic data is only made for villages that "
            "are still empty. Nothing was changed."
        )
    with translation.override("id"):
        assert message(prefix="51.71.03") == (
            "Wilayah 51.71.03 sudah memiliki pekerja terdaftar; data sintetis hanya dibuat untuk desa yang masih "
            "kosong. Tidak ada yang diubah."
        )
