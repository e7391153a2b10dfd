"""The API's request and response shapes. Every 2xx response has one of these; errors have ErrorOut."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Generic, Literal, TypeVar

from ninja import Field, Schema

T = TypeVar("T")


# --- errors ---------------------------------------------------------------------------------------


class ErrorBody(Schema):
    code: str = Field(description="Kode untuk program, mis. `validation_error`, `not_found`, `rate_limited`.")
    message: str = Field(description="Pesan untuk orang, dalam bahasa permintaan.")
    details: Any = Field(None, description="Rincian, mis. daftar kolom yang salah (`field`, `message`).")


class ErrorOut(Schema):
    error: ErrorBody


#: Error statuses every operation may answer (the body is always ErrorOut).
ERROR_CODES = frozenset({400, 401, 403, 404, 409, 422, 429})


def responses(ok: Any, status: int = 200) -> dict[Any, Any]:
    return {status: ok, ERROR_CODES: ErrorOut}


# --- pagination -----------------------------------------------------------------------------------


class Page(Schema, Generic[T]):
    count: int = Field(description="Jumlah semua hasil yang cocok dengan filter.")
    page: int
    page_size: int
    pages: int
    items: list[T]


# --- regions --------------------------------------------------------------------------------------


class RegionOut(Schema):
    code: str = Field(examples=["51.71.03.2008"])
    name: str
    level: int = Field(description="1 provinsi, 2 kabupaten/kota, 3 kecamatan, 4 desa/kelurahan.")
    kind: str
    parent: str | None = Field(None, description="Kode wilayah induk.")


class RegionPage(Page[RegionOut]):
    pass


# --- workers --------------------------------------------------------------------------------------

Sex = Literal["L", "P"]
EmploymentStatus = Literal["informal", "self_employed", "daily_labourer", "not_working"]


class WorkerOut(Schema):
    id: int
    nik_masked: str = Field(description="NIK tersamar (`5171********0003`); NIK lengkap tidak pernah dikirim.")
    name: str
    sex: Sex
    birth_place: str
    birth_date: dt.date
    village: str = Field(description="Kode desa/kelurahan.")
    village_name: str
    address: str
    rt: str
    rw: str
    hamlet: str
    phone: str
    occupation_code: int | None
    specialisation: str
    monthly_income: int | None
    employment_status: EmploymentStatus
    decile: int | None
    extreme_poor: bool
    extreme_poor_note: str
    has_disability: bool
    is_wage_earner_member: bool
    consent_given: bool
    consent_on: dt.date | None
    registered_at: dt.datetime
    updated_at: dt.datetime


class WorkerSaved(WorkerOut):
    warnings: list[str] = Field(description="Peringatan NIK (tidak menghalangi penyimpanan).")


class WorkerPage(Page[WorkerOut]):
    pass


class _WorkerFields(Schema):
    kk_number: str = Field("", max_length=40)
    birth_place: str = Field("", max_length=100)
    address: str = Field("", max_length=255)
    rt: str = Field("", max_length=3)
    rw: str = Field("", max_length=3)
    hamlet: str = Field("", max_length=100)
    phone: str = Field("", max_length=20)
    occupation_code: int | None = Field(None, ge=1, le=32767, description="Kode pekerjaan (lihat halaman pekerja).")
    specialisation: str = Field("", max_length=150)
    monthly_income: int | None = Field(None, ge=0, le=2_147_483_647, description="Rupiah per bulan.")
    employment_status: EmploymentStatus = "informal"
    decile: int | None = Field(None, ge=1, le=10)
    extreme_poor: bool = False
    extreme_poor_note: str = Field("", max_length=255)
    has_disability: bool = False
    is_wage_earner_member: bool = False
    consent_given: bool = False
    consent_on: dt.date | None = None


class WorkerCreate(_WorkerFields):
    nik: str = Field(min_length=1, max_length=40, description="16 angka seperti di KTP.", examples=["5171034508900003"])
    name: str = Field(min_length=1, max_length=150)
    sex: Sex
    birth_date: dt.date
    village: str = Field(min_length=1, max_length=13, description="Kode desa/kelurahan di wilayah Anda.")


class WorkerUpdate(Schema):
    """Only the fields sent are changed; the others keep their values. The village changes by a transfer only."""

    nik: str | None = Field(None, min_length=1, max_length=40)
    kk_number: str | None = Field(None, max_length=40)
    name: str | None = Field(None, min_length=1, max_length=150)
    sex: Sex | None = None
    birth_place: str | None = Field(None, max_length=100)
    birth_date: dt.date | None = None
    address: str | None = Field(None, max_length=255)
    rt: str | None = Field(None, max_length=3)
    rw: str | None = Field(None, max_length=3)
    hamlet: str | None = Field(None, max_length=100)
    phone: str | None = Field(None, max_length=20)
    occupation_code: int | None = Field(None, ge=1, le=32767)
    specialisation: str | None = Field(None, max_length=150)
    monthly_income: int | None = Field(None, ge=0, le=2_147_483_647)
    employment_status: EmploymentStatus | None = None
    decile: int | None = Field(None, ge=1, le=10)
    extreme_poor: bool | None = None
    extreme_poor_note: str | None = Field(None, max_length=255)
    has_disability: bool | None = None
    is_wage_earner_member: bool | None = None
    consent_given: bool | None = None
    consent_on: dt.date | None = None


# --- imports --------------------------------------------------------------------------------------

ImportStatus = Literal["uploaded", "validating", "validated", "applying", "applied", "cancelled", "failed"]


class ImportOut(Schema):
    id: int
    original_name: str
    village: str | None
    status: ImportStatus
    status_label: str
    message: str
    progress_done: int
    progress_total: int
    percent: int = Field(description="Kemajuan pemeriksaan/penyimpanan, 0-100.")
    rows: int
    valid: int
    warnings: int
    rejected: int
    duplicates: int
    created: int
    updated: int
    unchanged: int
    has_errors_file: bool
    created_at: dt.datetime
    finished_at: dt.datetime | None


class ImportPage(Page[ImportOut]):
    pass


# --- programmes and agreements --------------------------------------------------------------------


class ProgrammeOut(Schema):
    id: int
    name: str
    region: str
    quota_per_village: int
    package: str
    declared_income: int
    kelurahan_funder: str
    starts_on: dt.date
    ends_on: dt.date | None
    legal_basis: list[str]


class ProgrammePage(Page[ProgrammeOut]):
    pass


class AgreementOut(Schema):
    id: int
    programme: int
    village: str
    village_name: str
    status: str
    status_label: str
    village_number: str
    partner_number: str
    signed_on: dt.date | None
    valid_from: dt.date | None
    valid_until: dt.date | None
    village_signatory: str
    partner_signatory: str
    quota: int = Field(description="Kuota yang berlaku (kuota PKS, atau kuota program bila kosong).")
    funder: str
    funder_name: str
    has_document: bool


class AgreementPage(Page[AgreementOut]):
    pass


# --- benefit quote (the contract of `lindung quote-benefits`) --------------------------------------

DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"
EventType = Literal[
    "death", "work_accident_death", "total_permanent_disability", "partial_disability", "temporary_disability"
]
SchoolLevel = Literal["none", "TK", "SD", "SMP", "SMA", "PT"]


class TransportIn(Schema):
    land: int | None = Field(None, ge=0)
    sea: int | None = Field(None, ge=0)
    air: int | None = Field(None, ge=0)


class EventIn(Schema):
    type: EventType
    date: str = Field(pattern=DATE_PATTERN, examples=["2025-03-10"])
    months_unable: int | None = Field(None, ge=0, le=1200)
    disability_percent: Decimal | None = Field(None, ge=0, le=100)
    function_loss_percent: Decimal | None = Field(None, ge=0, le=100)
    medical_cost: int | None = Field(None, ge=0)
    transport: TransportIn | None = None


class MemberIn(Schema):
    declared_income: int = Field(ge=0, examples=[1_000_000])
    membership_start: str = Field(pattern=DATE_PATTERN, examples=["2023-01-01"])
    paid_through: str = Field(pattern=r"^\d{4}-\d{2}$", examples=["2025-02"])


class ChildIn(Schema):
    name: str = Field(min_length=1, max_length=150)
    birth_date: str = Field(pattern=DATE_PATTERN)
    level: SchoolLevel
    grade: int | None = Field(None, ge=0, le=12)
    married: bool | None = None
    working: bool | None = None


class QuoteIn(Schema):
    event: EventIn
    member: MemberIn
    children: list[ChildIn] = Field(default_factory=list, max_length=20)
    chosen_children: list[str] | None = Field(None, max_length=20)


class BenefitLineOut(Schema):
    code: str
    amount: int
    rule: str


class ScholarshipYearOut(Schema):
    school_year: int
    level: str
    grade: int
    amount: int


class ChildScheduleOut(Schema):
    name: str
    years: list[ScholarshipYearOut]
    total: int


class ScholarshipOut(Schema):
    eligible: bool
    reason: str
    children: list[ChildScheduleOut]
    total: int


class QuoteOut(Schema):
    status: str
    masa_iur_months: int
    benefits: list[BenefitLineOut]
    cash_total: int
    scholarship: ScholarshipOut
    grand_total: int


# --- who am I -------------------------------------------------------------------------------------


class MeOut(Schema):
    username: str
    full_name: str
    roles: list[str]
    national: bool
    regions: list[str]
    auth: Literal["token", "session"]
    token_expires_at: dt.datetime | None
    rate_limit: int
    rate_remaining: int
