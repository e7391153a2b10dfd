"""The baseline: django-import-export as its users would set it up for the worker template.

A `ModelResource` for `Worker` keyed on the NIK, with the library's defaults (`use_bulk = False`, per-row
savepoints, diffs, one lookup per row). The file's Indonesian headers are mapped to model fields in a prepared
`tablib.Dataset`, with the small conversions a developer writes for Indonesian cells (Ya/Tidak, L/P, occupation
words to Dukcapil codes) and widgets for DD-MM-YYYY dates and "Rp 750.000" amounts. Nothing is tuned for speed.
The widgets for the village and the amount raise `ValueError` on a bad cell, so the row is reported invalid:
the library's own widgets raise `DoesNotExist` / `decimal.InvalidOperation` there, which it treats as an error
that rolls the whole import back.
"""

from __future__ import annotations

import csv
from itertools import islice
from pathlib import Path
from typing import Any

import tablib
from import_export import fields, resources, widgets

from lindung.regions.models import Region
from lindung.registry.models import Worker
from lindung.registry.occupations import match_occupation

#: Template header -> Worker field.
HEADER_FIELDS: dict[str, str] = {
    "Kode Desa": "village",
    "NIK": "nik",
    "Nomor KK": "kk_number",
    "Nama Lengkap": "name",
    "Jenis Kelamin": "sex",
    "Tempat Lahir": "birth_place",
    "Tanggal Lahir": "birth_date",
    "Alamat": "address",
    "RT": "rt",
    "RW": "rw",
    "Banjar/Dusun": "hamlet",
    "Nomor HP": "phone",
    "Pekerjaan": "occupation_code",
    "Keahlian/Spesialisasi": "specialisation",
    "Penghasilan per Bulan": "monthly_income",
    "Status Pekerjaan": "employment_status",
    "Desil P3KE/DTSEN": "decile",
    "Miskin Ekstrem": "extreme_poor",
    "Catatan Musdes": "extreme_poor_note",
    "Disabilitas": "has_disability",
    "Peserta PU": "is_wage_earner_member",
    "Persetujuan Data": "consent_given",
    "Tanggal Persetujuan": "consent_on",
}
FIELDS = tuple(HEADER_FIELDS.values())

_SEX = {"l": "L", "p": "P", "laki-laki": "L", "perempuan": "P", "1": "L", "2": "P"}
_YES_NO = {"ya": "1", "tidak": "0", "": ""}
_EMPLOYMENT = {
    "buruh harian lepas": "daily_labourer",
    "usaha sendiri": "self_employed",
    "informal": "informal",
    "tidak tetap": "informal",
    "serabutan": "informal",
    "": "informal",
}


class VillageWidget(widgets.ForeignKeyWidget):
    """The village by its Kemendagri code; an unknown code makes the row invalid (not an import error)."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        try:
            return super().clean(value, row, **kwargs)
        except Region.DoesNotExist:
            raise ValueError(f"Desa {value} tidak dikenal.") from None


class RupiahWidget(widgets.IntegerWidget):
    """Whole rupiah written the Indonesian way: "Rp 750.000", "1.500.000" or "750000"."""

    def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
        text = str(value or "").strip().removeprefix("Rp").replace(".", "").strip()
        if not text:
            return None
        if not text.isdigit():
            raise ValueError(f"Jumlah uang tidak valid: {value}.")
        return int(text)


class WorkerResource(resources.ModelResource):
    village = fields.Field(attribute="village", column_name="village", widget=VillageWidget(Region, "code"))
    monthly_income = fields.Field(attribute="monthly_income", column_name="monthly_income", widget=RupiahWidget())
    birth_date = fields.Field(attribute="birth_date", column_name="birth_date", widget=widgets.DateWidget("%d-%m-%Y"))
    consent_on = fields.Field(attribute="consent_on", column_name="consent_on", widget=widgets.DateWidget("%d-%m-%Y"))

    class Meta:
        model = Worker
        fields = FIELDS
        import_id_fields = ["nik"]
        use_bulk = False


def _prepare(values: dict[str, str]) -> list[str]:
    """One file row as the resource's columns, with the conversions a developer writes once."""
    row = {HEADER_FIELDS[header]: (value or "").strip() for header, value in values.items() if header in HEADER_FIELDS}
    row["sex"] = _SEX.get(row["sex"].lower(), row["sex"])
    occupation = match_occupation(row["occupation_code"]) if row["occupation_code"] else None
    if occupation is None and row["occupation_code"]:
        row["specialisation"] = row["specialisation"] or row["occupation_code"]
    row["occupation_code"] = str(occupation.code) if occupation else ""
    row["employment_status"] = _EMPLOYMENT.get(row["employment_status"].lower(), row["employment_status"])
    for name in ("extreme_poor", "has_disability", "is_wage_earner_member", "consent_given"):
        row[name] = _YES_NO.get(row[name].lower(), row[name])
    return [row[name] for name in FIELDS]


def _file_rows(path: Path, limit: int) -> list[dict[str, str]]:
    """The first `limit` data rows of the CSV or XLSX file, keyed by header."""
    with path.open("rb") as probe:
        is_xlsx = probe.read(2) == b"PK"
    if not is_xlsx:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            return list(islice(csv.DictReader(handle, delimiter=";"), limit))
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        headers = [str(h) for h in next(rows)]
        return [
            dict(zip(headers, ("" if v is None else str(v) for v in values), strict=False))
            for values in islice(rows, limit)
        ]
    finally:
        book.close()


def prepared_dataset(path: Path, limit: int) -> tablib.Dataset:
    return tablib.Dataset(*(_prepare(values) for values in _file_rows(path, limit)), headers=list(FIELDS))
