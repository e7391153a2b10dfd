"""Business-rule messages follow the request's language: English msgids, Indonesian from the catalogue."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import pytest
from django.utils import translation

from lindung.core.errors import ApplicationError
from lindung.programmes.documents import check_document
from lindung.programmes.models import Agreement
from lindung.programmes.services import RulesInput, agreement_create, agreement_transition, programme_rules_set
from lindung.regions.models import Region

from .conftest import TEGAL_HARUM

S = Agreement.Status


def _message(call) -> str:
    with pytest.raises(ApplicationError) as excinfo:
        call()
    return excinfo.value.message


def test_forbidden_transition_names_both_statuses_in_the_language(programme, city_officer):
    agreement = agreement_create(
        acting_user=city_officer, programme=programme, village=Region.objects.get(code=TEGAL_HARUM)
    )

    def move():
        agreement_transition(agreement, S.ACTIVE, date(2023, 3, 1), city_officer, "")

    with translation.override("en"):
        assert _message(move) == "An agreement with status Prospect cannot be changed to Active."
    with translation.override("id"):
        assert _message(move) == "PKS berstatus Prospek tidak dapat diubah menjadi Aktif."


def test_rules_before_the_programme_starts_keep_the_date_format(programme, admin_user):
    def set_rules():
        programme_rules_set(
            acting_user=admin_user, programme=programme, rules=RulesInput(effective_from=date(2023, 1, 15))
        )

    with translation.override("en"):
        assert _message(set_rules) == "The effective date cannot be before the programme starts (01-02-2023)."
    with translation.override("id"):
        assert _message(set_rules) == "Tanggal berlaku tidak boleh sebelum program dimulai (01-02-2023)."


def test_document_size_messages(db):
    big = BytesIO(b"%PDF-" + b"\x00" * 2 * 1024 * 1024)
    with translation.override("en"):
        assert _message(lambda: check_document(BytesIO(b""))) == "The document file is empty."
        assert (
            _message(lambda: check_document(big, max_bytes=1024 * 1024))
            == "The document file is too large (2,0 MB); the limit is 1,0 MB."
        )
    with translation.override("id"):
        assert _message(lambda: check_document(BytesIO(b""))) == "Berkas dokumen kosong."
        assert (
            _message(lambda: check_document(big, max_bytes=1024 * 1024))
            == "Berkas dokumen terlalu besar (2,0 MB); batasnya 1,0 MB."
        )
