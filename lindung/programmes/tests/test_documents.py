"""Scanned agreements: PDF, PNG or JPEG by content, within the size cap."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lindung.core.errors import ApplicationError
from lindung.programmes.models import Agreement
from lindung.programmes.services import agreement_create, agreement_update
from lindung.regions.models import Region

from .conftest import TEGAL_HARUM

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 64


@pytest.fixture
def agreement(programme, city_officer):
    return agreement_create(acting_user=city_officer, programme=programme, village=Region.objects.get(code=TEGAL_HARUM))


@pytest.mark.parametrize(("name", "content", "stored_as"), [
    ("pks.pdf", PDF, ".pdf"), ("scan.png", PNG, ".png"), ("scan.jpeg", JPEG, ".jpg"),
    ("pks.pdf", PNG, ".png"),  # a PNG named .pdf is kept, under its true extension
])  # fmt: skip
def test_accepted_documents_are_stored(agreement, city_officer, name, content, stored_as):
    agreement_update(acting_user=city_officer, agreement=agreement, document=SimpleUploadedFile(name, content))
    agreement.refresh_from_db()
    assert agreement.document.name.endswith(stored_as)
    with agreement.document.open("rb") as f:
        assert f.read() == content


def test_a_renamed_exe_is_refused(agreement, city_officer):
    with pytest.raises(ApplicationError) as excinfo:
        agreement_update(acting_user=city_officer, agreement=agreement, document=SimpleUploadedFile("pks.pdf", EXE))
    assert "PDF, PNG atau JPEG" in excinfo.value.message
    agreement.refresh_from_db()
    assert not agreement.document


def test_the_size_cap_comes_from_the_setting(agreement, city_officer, settings):
    settings.LINDUNG_DOCUMENT_MAX_BYTES = len(PDF) - 1
    with pytest.raises(ApplicationError, match="terlalu besar"):
        agreement_update(acting_user=city_officer, agreement=agreement, document=SimpleUploadedFile("a.pdf", PDF))
    settings.LINDUNG_DOCUMENT_MAX_BYTES = len(PDF)
    agreement_update(acting_user=city_officer, agreement=agreement, document=SimpleUploadedFile("a.pdf", PDF))


def test_default_cap_is_ten_megabytes(agreement, city_officer, settings):
    del settings.LINDUNG_DOCUMENT_MAX_BYTES  # fine when unset
    big = PDF + b"\x00" * (10 * 1024 * 1024 + 1 - len(PDF))
    with pytest.raises(ApplicationError, match="10,0 MB"):
        agreement_update(acting_user=city_officer, agreement=agreement, document=SimpleUploadedFile("a.pdf", big))


def test_empty_file_refused_on_create(programme, city_officer):
    with pytest.raises(ApplicationError, match="kosong"):
        agreement_create(
            acting_user=city_officer,
            programme=programme,
            village=Region.objects.get(code=TEGAL_HARUM),
            document=SimpleUploadedFile("a.pdf", b""),
        )
    assert not Agreement.objects.exists()
