"""Refusals of the interop services follow the request's language: English ids, Indonesian catalogue."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import translation

from lindung.core.errors import ApplicationError
from lindung.interop.poverty import poverty_proposals_confirm
from lindung.interop.services import opensid_import_create
from lindung.interop.tests.conftest import SERANGAN, TEGAL_HARUM, TODAY
from lindung.interop.tests.opensid_files import household_rows, write

pytestmark = pytest.mark.django_db


def refusal(service, **arguments) -> str:
    with pytest.raises(ApplicationError) as caught:
        service(**arguments)
    return caught.value.message


def _opensid(user, path: Path, village: str) -> dict:
    return {
        "acting_user": user, "source": path, "original_name": path.name, "village_code": village, "today": TODAY,
    }  # fmt: skip


def test_village_outside_the_area_in_both_languages(tmp_path, operator_tegal_harum) -> None:
    arguments = _opensid(operator_tegal_harum, write(tmp_path / "a.xlsx", household_rows()), SERANGAN)
    with translation.override("en"):
        assert refusal(opensid_import_create, **arguments) == f"Village {SERANGAN} is unknown or outside your area."
    with translation.override("id"):
        assert (
            refusal(opensid_import_create, **arguments) == f"Desa {SERANGAN} tidak dikenal atau di luar wilayah Anda."
        )


def test_file_that_is_not_a_workbook_in_both_languages(tmp_path, operator_tegal_harum) -> None:
    path = tmp_path / "penduduk.xlsx"
    path.write_text("nik;nama\n1;2\n", encoding="utf-8")
    arguments = _opensid(operator_tegal_harum, path, TEGAL_HARUM)
    with translation.override("en"):
        assert refusal(opensid_import_create, **arguments) == (
            "The file cannot be read as Excel (.xlsx/.xlsm). Upload an OpenSID population export."
        )
    with translation.override("id"):
        assert refusal(opensid_import_create, **arguments) == (
            "Berkas tidak dapat dibaca sebagai Excel (.xlsx/.xlsm). Unggah ekspor penduduk OpenSID."
        )


def test_confirming_no_proposal_in_both_languages(operator_tegal_harum) -> None:
    arguments = {"acting_user": operator_tegal_harum, "village_code": TEGAL_HARUM, "proposal_ids": []}
    with translation.override("en"):
        assert refusal(poverty_proposals_confirm, **arguments) == "Choose at least one proposal."
    with translation.override("id"):
        assert refusal(poverty_proposals_confirm, **arguments) == "Pilih sekurang-kurangnya satu usulan."
