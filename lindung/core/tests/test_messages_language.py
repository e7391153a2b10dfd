"""Core rules (backups, demo data) answer in the request's language: English ids, Indonesian in the project
catalogue."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.utils import translation

from lindung.core.backup import backup_restore
from lindung.core.demo import demo_setup
from lindung.core.errors import ApplicationError

pytestmark = pytest.mark.django_db


def message(call) -> str:
    with pytest.raises(ApplicationError) as caught:
        call()
    return caught.value.message


def test_missing_backup_message_in_both_languages(tmp_path) -> None:
    missing = tmp_path / "tidak-ada.backup"
    with translation.override("en"):
        assert message(lambda: backup_restore(missing)) == f"Backup file not found: {missing}"
    with translation.override("id"):
        assert message(lambda: backup_restore(missing)) == f"Berkas cadangan tidak ditemukan: {missing}"


@override_settings(DEMO_MODE=False)
def test_demo_refusal_message_in_both_languages() -> None:
    with translation.override("en"):
        assert message(demo_setup) == "Demo data is not created in production mode."
    with translation.override("id"):
        assert message(demo_setup) == "Data demo tidak dibuat dalam mode produksi."
