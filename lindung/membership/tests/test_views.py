"""Collective registration pages: create, download, answer with a mismatching NIK, then a clean answer."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from lindung.membership.models import Membership, RegistrationFile
from lindung.membership.tests.factories import SESETAN, TEGAL_HARUM, make_member

pytestmark = pytest.mark.django_db


def xlsx(rows) -> SimpleUploadedFile:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("jawaban.xlsx", buffer.getvalue())


def test_round_trip_through_the_pages(client, operator_tegal_harum, programme) -> None:
    members = [make_member(programme, TEGAL_HARUM, dt.date(2025, 3, 1)) for _ in range(2)]
    make_member(programme, SESETAN, dt.date(2025, 3, 1))  # outside the operator's village
    client.force_login(operator_tegal_harum)
    created = client.post(reverse("membership:registration_files"), {"programme": programme.pk, "village": TEGAL_HARUM})
    assert created.status_code == 302
    record = RegistrationFile.objects.get()
    assert set(record.memberships.all()) == set(members)
    download = client.get(reverse("membership:registration_file_download", args=[record.pk]))
    rows = list(load_workbook(io.BytesIO(download.content)).active.iter_rows(values_only=True))
    assert len(rows) == 3
    url = reverse("membership:registration_file", args=[record.pk])
    bad = client.post(
        url,
        {
            "answer": xlsx(
                [
                    ("NIK", "KPJ", "Tanggal Efektif"),
                    (rows[1][0], "23011111111", "01-03-2025"),
                    ("5171030101859998", "23011111112", "01-03-2025"),
                ]
            )
        },
    )
    assert bad.status_code == 200
    assert "Baris 3, kolom NIK" in bad.content.decode()
    assert not Membership.objects.exclude(kpj_number="").exists()
    good = client.post(
        url,
        {
            "answer": xlsx(
                [
                    ("NIK", "KPJ", "Tanggal Efektif"),
                    (rows[1][0], "23011111111", "01-03-2025"),
                    (rows[2][0], "23011111112", "01-03-2025"),
                ]
            )
        },
    )
    assert good.status_code == 302
    assert Membership.objects.exclude(kpj_number="").count() == 2


def test_file_of_another_area_is_not_found(client, make_user, operator_tegal_harum, programme) -> None:
    from lindung.accounts.models import Role

    make_member(programme, SESETAN, dt.date(2025, 3, 1))
    other = make_user("op.sesetan", Role.VILLAGE_OPERATOR, SESETAN)
    client.force_login(other)
    client.post(reverse("membership:registration_files"), {"programme": programme.pk, "village": SESETAN})
    record = RegistrationFile.objects.get()
    client.force_login(operator_tegal_harum)
    assert client.get(reverse("membership:registration_file", args=[record.pk])).status_code == 404
    assert client.get(reverse("membership:registration_file_download", args=[record.pk])).status_code == 404
