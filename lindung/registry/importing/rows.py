"""Turn one spreadsheet row into a clean worker record, collecting every problem of the row.

Pure Python (no ORM): the caller supplies the villages the user may change and the date of today, so a
million rows are checked without a query per row.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from lindung.registry.identity import check_nik
from lindung.registry.importing.cells import (
    CellError,
    clean_text,
    parse_amount,
    parse_bool,
    parse_date,
    parse_int,
    parse_kk,
    parse_nik,
    parse_sex,
)
from lindung.registry.occupations import match_occupation

#: The worker fields an import writes, in the order of the staged CSV and of the database merge.
WORKER_FIELDS: tuple[str, ...] = (
    "nik", "kk_number", "name", "sex", "birth_place", "birth_date", "address", "rt", "rw", "hamlet",
    "village_id", "phone", "occupation_code", "specialisation", "monthly_income", "employment_status",
    "decile", "extreme_poor", "extreme_poor_note", "has_disability", "is_wage_earner_member",
    "consent_given", "consent_on",
)  # fmt: skip

#: Import column → the worker fields it fills (a column missing from the file leaves those fields as they are).
COLUMN_FIELDS: dict[str, tuple[str, ...]] = {
    "kode_desa": ("village_id",), "nik": ("nik",), "no_kk": ("kk_number",), "nama": ("name",),
    "jenis_kelamin": ("sex",), "tempat_lahir": ("birth_place",), "tanggal_lahir": ("birth_date",),
    "alamat": ("address",), "rt": ("rt",), "rw": ("rw",), "dusun": ("hamlet",), "telepon": ("phone",),
    "pekerjaan": ("occupation_code",), "keahlian": ("specialisation",), "penghasilan": ("monthly_income",),
    "status_pekerjaan": ("employment_status",), "desil": ("decile",), "miskin_ekstrem": ("extreme_poor",),
    "catatan_musdes": ("extreme_poor_note",), "disabilitas": ("has_disability",),
    "peserta_pu": ("is_wage_earner_member",), "persetujuan": ("consent_given",),
    "tanggal_persetujuan": ("consent_on",),
}  # fmt: skip

#: How each column is named to the user (the template's headers).
COLUMN_LABELS: dict[str, str] = {
    "kode_desa": "Kode Desa", "nik": "NIK", "no_kk": "Nomor KK", "nama": "Nama Lengkap",
    "jenis_kelamin": "Jenis Kelamin", "tempat_lahir": "Tempat Lahir", "tanggal_lahir": "Tanggal Lahir",
    "alamat": "Alamat", "rt": "RT", "rw": "RW", "dusun": "Banjar/Dusun", "telepon": "Nomor HP",
    "pekerjaan": "Pekerjaan", "keahlian": "Keahlian/Spesialisasi", "penghasilan": "Penghasilan per Bulan",
    "status_pekerjaan": "Status Pekerjaan", "desil": "Desil P3KE/DTSEN", "miskin_ekstrem": "Miskin Ekstrem",
    "catatan_musdes": "Catatan Musdes", "disabilitas": "Disabilitas", "peserta_pu": "Peserta PU",
    "persetujuan": "Persetujuan Data", "tanggal_persetujuan": "Tanggal Persetujuan",
}  # fmt: skip

_EMPLOYMENT = {
    "informal": "informal", "pekerja informal": "informal", "tidak tetap": "informal",
    "serabutan": "informal", "bekerja tidak tetap": "informal", "bukan penerima upah": "informal",
    "pekerja bukan penerima upah": "informal", "bpu": "informal", "pekerja mandiri": "informal",
    "usaha sendiri": "self_employed", "berusaha sendiri": "self_employed", "wiraswasta": "self_employed",
    "wirausaha": "self_employed", "self_employed": "self_employed",
    "buruh harian": "daily_labourer", "buruh harian lepas": "daily_labourer", "harian lepas": "daily_labourer",
    "daily_labourer": "daily_labourer",
    "tidak bekerja": "not_working", "belum bekerja": "not_working", "menganggur": "not_working",
    "not_working": "not_working",
}  # fmt: skip


@dataclass
class RowResult:
    row_number: int
    record: dict[str, Any] = field(default_factory=dict)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (column, message)
    warnings: list[tuple[str, str]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def normalise_village_code(raw: Any) -> str | None:
    """`5171032008`, `51.71.03.2008` or `51 71 03 2008` → `51.71.03.2008`; None when it cannot be one."""
    if raw is None:
        return None
    text = str(raw).strip()
    if isinstance(raw, float) and raw.is_integer():
        text = str(int(raw))
    digits = "".join(ch for ch in text if ch.isdigit())
    if len(digits) != 10 or any(ch not in "0123456789. " for ch in text):
        return None
    return f"{digits[:2]}.{digits[2:4]}.{digits[4:6]}.{digits[6:]}"


def _phone(raw: Any) -> str | None:
    if raw is None or str(raw).strip() == "":
        return None
    text = str(raw).strip()
    if isinstance(raw, float) and raw.is_integer():
        text = str(int(raw))
    digits = "".join(ch for ch in text if ch.isdigit())
    if text.startswith("+62") or digits.startswith("62"):
        digits = "0" + digits[2:]
    elif digits.startswith("8"):
        digits = "0" + digits
    if not 9 <= len(digits) <= 14 or not digits.startswith("0"):
        raise CellError(f"Nomor HP tidak valid: {text}.")
    return digits


def check_row(
    row_number: int,
    values: dict[str, Any],
    *,
    villages: dict[str, str],
    fixed_village: str | None,
    today: dt.date,
) -> RowResult:
    """Validate one row. `villages` maps the codes of the villages the user may change to their names."""
    result = RowResult(row_number)
    rec = result.record

    def cell(column: str, parse: Any, **kwargs: Any) -> Any:
        try:
            return parse(values.get(column), **kwargs)
        except CellError as exc:
            result.errors.append((column, exc.message))
            return None

    # Identity.
    nik = cell("nik", parse_nik)
    if nik is None and not any(c == "nik" for c, _ in result.errors):
        result.errors.append(("nik", "NIK wajib diisi."))
    name = cell("nama", clean_text, max_length=150)
    if name is None and not any(c == "nama" for c, _ in result.errors):
        result.errors.append(("nama", "Nama wajib diisi."))
    sex = cell("jenis_kelamin", parse_sex)
    if sex is None and not any(c == "jenis_kelamin" for c, _ in result.errors):
        result.errors.append(("jenis_kelamin", "Jenis kelamin wajib diisi (L atau P)."))
    birth_date = cell("tanggal_lahir", parse_date)
    if birth_date is None and not any(c == "tanggal_lahir" for c, _ in result.errors):
        result.errors.append(("tanggal_lahir", "Tanggal lahir wajib diisi."))
    elif birth_date is not None and (birth_date > today or birth_date.year < 1900):
        result.errors.append(("tanggal_lahir", f"Tanggal lahir {birth_date:%d-%m-%Y} tidak masuk akal."))
        birth_date = None
    if nik is not None:
        verdict = check_nik(nik, birth_date=birth_date, sex=sex, today=today)
        result.errors.extend(("nik", m) for m in verdict.errors)
        result.warnings.extend(("nik", m) for m in verdict.warnings)

    # Where they live.
    village: str | None
    if fixed_village is not None:
        village = fixed_village
        raw_code = values.get("kode_desa")
        if raw_code not in (None, "") and normalise_village_code(raw_code) != fixed_village:
            result.errors.append(("kode_desa", f"Kode desa {raw_code} berbeda dengan desa impor ({fixed_village})."))
    else:
        raw_code = values.get("kode_desa")
        village = normalise_village_code(raw_code)
        if raw_code in (None, ""):
            result.errors.append(("kode_desa", "Kode desa wajib diisi."))
        elif village is None:
            result.errors.append(("kode_desa", f"Kode desa tidak valid: {raw_code} (contoh: 51.71.03.2008)."))
        elif village not in villages:
            result.errors.append(("kode_desa", f"Desa {village} tidak dikenal atau di luar wilayah Anda."))
            village = None

    rec.update(
        nik=nik, name=name, sex=sex, birth_date=birth_date, village_id=village,
        kk_number=cell("no_kk", parse_kk) or "",
        birth_place=cell("tempat_lahir", clean_text, max_length=100) or "",
        address=cell("alamat", clean_text, max_length=255) or "",
        hamlet=cell("dusun", clean_text, max_length=100) or "",
    )  # fmt: skip
    for column in ("rt", "rw"):
        number = cell(column, parse_int, low=0, high=999, what=column.upper())
        rec[column] = f"{number:03d}" if number is not None else ""
    try:
        rec["phone"] = _phone(values.get("telepon")) or ""
    except CellError as exc:
        result.errors.append(("telepon", exc.message))

    # Work and income.
    occupation_text = cell("pekerjaan", clean_text, max_length=150)
    specialisation = cell("keahlian", clean_text, max_length=150) or ""
    rec["occupation_code"] = None
    if occupation_text:
        occupation = match_occupation(occupation_text)
        if occupation is None:
            result.warnings.append(
                ("pekerjaan", f"Pekerjaan '{occupation_text}' tidak dikenali; disimpan sebagai keahlian.")
            )
            specialisation = specialisation or occupation_text
        else:
            rec["occupation_code"] = occupation.code
            if occupation.excluded:
                result.warnings.append(
                    (
                        "pekerjaan",
                        f"{occupation.name}: ASN/TNI/Polri/pejabat punya skema sendiri, tidak memenuhi syarat program.",
                    )
                )
    rec["specialisation"] = specialisation
    income = cell("penghasilan", parse_amount)
    if income is not None and income > 1_000_000_000:
        result.errors.append(("penghasilan", f"Penghasilan Rp{income:,} per bulan tidak masuk akal.".replace(",", ".")))
        income = None
    rec["monthly_income"] = income
    status_text = cell("status_pekerjaan", clean_text, max_length=40)
    rec["employment_status"] = "informal"
    if status_text:
        status = _EMPLOYMENT.get(status_text.lower())
        if status is None:
            result.errors.append(
                (
                    "status_pekerjaan",
                    f"Status pekerjaan '{status_text}' tidak dikenal; isi salah satu: informal, "
                    "usaha sendiri, buruh harian, tidak bekerja.",
                )
            )
        else:
            rec["employment_status"] = status

    # Poverty and protection.
    rec["decile"] = cell("desil", parse_int, low=1, high=10, what="Desil")
    rec["extreme_poor"] = bool(cell("miskin_ekstrem", parse_bool))
    rec["extreme_poor_note"] = cell("catatan_musdes", clean_text, max_length=255) or ""
    if rec["extreme_poor"] and not rec["extreme_poor_note"] and rec["decile"] != 1:
        result.warnings.append(
            ("miskin_ekstrem", "Tanda miskin ekstrem dari musyawarah desa sebaiknya disertai catatan musdes.")
        )
    rec["has_disability"] = bool(cell("disabilitas", parse_bool))
    rec["is_wage_earner_member"] = bool(cell("peserta_pu", parse_bool))
    rec["consent_given"] = bool(cell("persetujuan", parse_bool))
    consent_on = cell("tanggal_persetujuan", parse_date)
    if consent_on is not None and consent_on > today:
        result.errors.append(("tanggal_persetujuan", "Tanggal persetujuan tidak boleh di masa depan."))
        consent_on = None
    rec["consent_on"] = consent_on
    return result
