"""The pages: upload → summary → apply, the export download, the P3KE preview and confirmation, refusals."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from lindung.accounts.models import Role
from lindung.interop.models import OpensidImport, PovertyProposal
from lindung.interop.tests.conftest import TEGAL_HARUM
from lindung.interop.tests.opensid_files import household_rows, nik, write
from lindung.registry.models import Child, Worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client(operator_tegal_harum) -> Client:
    client = Client()
    client.force_login(operator_tegal_harum)
    return client


def test_opensid_pages_upload_review_apply(tmp_path, operator_client):
    path = write(tmp_path / "penduduk.xlsx", household_rows())
    response = operator_client.post(reverse("interop:opensid"), {
        "village": TEGAL_HARUM, "file": SimpleUploadedFile("penduduk.xlsx", path.read_bytes()),
    })  # fmt: skip
    imp = OpensidImport.objects.get()
    assert response.status_code == 302 and response.url == reverse("interop:opensid_import", args=[imp.pk])
    page = operator_client.get(response.url).content.decode()
    assert "Yang akan terjadi" in page and "ASN/TNI/Polri/pejabat" in page
    assert nik("1978-01-20", 1, 6) not in page  # NIKs are masked on the summary
    operator_client.post(reverse("interop:opensid_apply", args=[imp.pk]))
    assert (Worker.objects.count(), Child.objects.count()) == (3, 5)
    assert "Tersimpan" in operator_client.get(reverse("interop:opensid_import", args=[imp.pk])).content.decode()


def test_opensid_export_download_is_the_two_sheet_file(operator_client):
    response = operator_client.get(reverse("interop:opensid_export"), {"desa": TEGAL_HARUM, "tahun": "2026"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="program_bantuan_5171032008.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Program", "Peserta"]
    assert [r[0] for r in book["Peserta"].iter_rows(values_only=True)] == ["Peserta", "###"]  # no member yet


def test_interop_pages_refused_to_read_only_roles(bali, make_user):
    client = Client()
    client.force_login(make_user("bpjs.denpasar", Role.BPJS_OFFICER, "51.71"))
    assert client.get(reverse("interop:opensid")).status_code == 403
    assert client.get(reverse("interop:poverty")).status_code == 403


def test_poverty_page_preview_confirm_and_register(tmp_path, operator_client):
    Worker.objects.create(nik=nik("1980-01-01", 1, 1), name="SATU", sex="L", birth_date="1980-01-01",
                          village_id=TEGAL_HARUM, kk_number="5171030101210001")  # fmt: skip
    extract = (
        "NIK;No KK;Nama;Desil;Miskin Ekstrem\n"
        f"{nik('1980-01-01', 1, 1)};5171030101210001;SATU;2;Tidak\n"
        f"{nik('1990-02-02', 2, 5)};5171030101210001;ISTRI SATU;3;Tidak\n"
    ).encode()
    preview = operator_client.post(reverse("interop:poverty"), {"file": SimpleUploadedFile("p3ke.csv", extract)})
    text = preview.content.decode()
    assert "Yang akan berubah" in text
    token = preview.context["token"]
    assert Worker.objects.get().decile is None
    operator_client.post(reverse("interop:poverty"), {"token": token, "village": ""})
    assert Worker.objects.get().decile == 2
    proposal = PovertyProposal.objects.get()
    response = operator_client.post(reverse("interop:proposals_confirm"), {"proposal": [str(proposal.pk)]})
    assert response.status_code == 302 and response.url == reverse("registry:workers")
    assert Worker.objects.filter(name="ISTRI SATU", sex="P", decile=3).exists()
