"""Protected workers back to OpenSID: the programme-assistance import file (``format_impor_program_bantuan.xlsx``).

Layout, as OpenSID's own template: sheet ``Program`` holds key-value rows (ID Program, Nama Program, Sasaran
Program, Keterangan, Asal Dana, Rentang Waktu (Awal), Rentang Waktu (Akhir)) closed by ``###``; sheet
``Peserta`` has the header Peserta, No. Peserta, NIK, Nama, Tempat Lahir, Tanggal Lahir, Alamat, one row per
member (target = individuals, so Peserta is the NIK; the KPJ number is the card number) and a closing ``###``.
Every cell is text (format ``@``), as in the template, so NIKs keep their 16 digits.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import IO

from django.utils.translation import gettext as _
from openpyxl import Workbook

from lindung.accounts.models import User
from lindung.audit.recording import audit_record
from lindung.core.errors import ApplicationError
from lindung.interop.services import OPEN_MEMBERSHIP, changeable_village
from lindung.membership.models import Membership

PROGRAM_KEYS = (
    "ID Program", "Nama Program", "Sasaran Program", "Keterangan", "Asal Dana", "Rentang Waktu (Awal)",
    "Rentang Waktu (Akhir)",
)  # fmt: skip
PESERTA_HEADER = ("Peserta", "No. Peserta", "NIK", "Nama", "Tempat Lahir", "Tanggal Lahir", "Alamat")
END = "###"
TARGET_INDIVIDUALS = "1"  # Sasaran: 1 penduduk, 2 keluarga, 3 rumah tangga, 4 kelompok
FUND_SOURCE = "Dana Desa"  # Asal Dana: 1 Pusat, 2 Provinsi, 3 Kab/Kota, 4 Dana Desa, 5 Lain-lain


def _address(address: str, rt: str, rw: str, hamlet: str) -> str:
    parts = [address] if address else []
    parts.append(f"RT {rt or '-'} RW {rw or '-'}")
    if hamlet:
        parts.append(hamlet if hamlet.lower().startswith(("dusun", "banjar")) else f"Dusun {hamlet}")
    return " ".join(parts)


def _text_row(sheet, values: list[str]) -> None:  # type: ignore[no-untyped-def]
    sheet.append(values)
    for cell in sheet[sheet.max_row]:
        cell.number_format = "@"


def opensid_programme_export(
    *,
    acting_user: User | None,
    village_code: str,
    out: Path | IO[bytes],
    year: int | None = None,
    programme_id: int | None = None,
) -> int:
    """Write the village's members with an open membership (pending, active, in arrears); return how many."""
    village = changeable_village(acting_user, village_code)
    members = Membership.objects.filter(worker__village_id=village.code, status__in=OPEN_MEMBERSHIP)
    if programme_id is not None:
        members = members.filter(programme_id=programme_id)
    programmes = list(members.values_list("programme_id", "programme__name").distinct().order_by("programme_id"))
    if len(programmes) > 1:
        raise ApplicationError(
            _("This village has members in more than one programme; choose the programme."), code="programme"
        )
    rows = list(
        members.order_by("worker__name", "worker__nik").values_list(
            "kpj_number",
            "worker__nik",
            "worker__name",
            "worker__birth_place",
            "worker__birth_date",
            "worker__address",
            "worker__rt",
            "worker__rw",
            "worker__hamlet",
        )
    )
    year = year or dt.date.today().year  # noqa: DTZ011 - a calendar year
    name = programmes[0][1] if programmes else "Perlindungan Pekerja Rentan (BPJS Ketenagakerjaan)"
    book = Workbook()
    program = book.active
    program.title = "Program"
    info = [
        "",
        name,
        TARGET_INDIVIDUALS,
        f"Iuran JKK dan JKM BPJS Ketenagakerjaan dibayar Desa {village.name} (data dari Lindung)",
        FUND_SOURCE,
        f"{year}-01-01",
        f"{year}-12-31",
    ]
    for key, value in zip(PROGRAM_KEYS, info, strict=True):
        _text_row(program, [key, value])
    _text_row(program, [END])
    peserta = book.create_sheet("Peserta")
    _text_row(peserta, list(PESERTA_HEADER))
    for kpj, nik, person, place, born, address, rt, rw, hamlet in rows:
        _text_row(peserta, [nik, kpj, nik, person, place, born.isoformat(), _address(address, rt, rw, hamlet)])
    _text_row(peserta, [END])
    book.save(out)
    audit_record(
        actor=acting_user,
        actor_username="" if acting_user else "cli",
        action="interop.opensid.export",
        target_type="region",
        target_id=village.code,
        region_code=village.code,
        changes={"members": len(rows), "year": year, "programme": programmes[0][0] if programmes else None},
    )
    return len(rows)
