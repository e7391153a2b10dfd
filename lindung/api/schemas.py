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


# --- memberships ----------------------------------------------------------------------------------

MembershipStatus = Literal["pending", "active", "arrears", "lapsed", "ended"]


class MembershipStatusChangeOut(Schema):
    from_status: str = Field(description="Status sebelumnya (kosong untuk status pertama).")
    to_status: MembershipStatus
    on: dt.date
    reason: str
    recorded_at: dt.datetime


class MembershipOut(Schema):
    id: int
    programme: int
    worker: int
    worker_name: str
    nik_masked: str
    village: str = Field(description="Kode desa/kelurahan pekerja.")
    village_name: str
    kpj_number: str = Field(description="Nomor KPJ dari BPJS (kosong sebelum pendaftaran dijawab).")
    kpj_effective_on: dt.date | None
    starts_on: dt.date
    declared_income: int = Field(description="Penghasilan yang dilaporkan, rupiah per bulan.")
    package: str
    status: MembershipStatus
    status_label: str
    end_reason: str
    ended_on: dt.date | None
    renews: int | None = Field(description="Kepesertaan lama (yang lewat masa) yang diperbarui oleh yang ini.")
    paid_through: dt.date | None = Field(
        description="Hari pertama bulan terakhir yang sudah dibayar (dihitung dari pembayaran desa)."
    )
    paid_through_month: str | None = Field(description="`paid_through` sebagai `YYYY-MM`.", examples=["2026-09"])
    created_at: dt.datetime
    updated_at: dt.datetime


class MembershipDetail(MembershipOut):
    history: list[MembershipStatusChangeOut] = Field(description="Riwayat status, terlama dahulu.")


class MembershipPage(Page[MembershipOut]):
    pass


# --- invoices and payments ------------------------------------------------------------------------

InvoiceStatus = Literal["open", "paid", "void"]
BudgetSource = Literal["dana_desa", "add", "pades", "apbd", "other"]


class InvoiceOut(Schema):
    id: int
    programme: int
    village: str
    village_name: str
    funder: str
    funder_name: str
    period: dt.date = Field(description="Hari pertama bulan yang ditagih.")
    period_month: str = Field(examples=["2026-09"])
    discounted: bool = Field(description="Potongan iuran PP 50/2025 diterapkan.")
    total: int = Field(description="Rupiah.")
    status: InvoiceStatus
    status_label: str
    paid_amount: int
    paid_on: dt.date | None
    created_at: dt.datetime


class InvoiceLineOut(Schema):
    id: int
    membership: int
    worker: int
    worker_name: str
    jkk: int
    jkm: int
    jht: int
    amount: int
    rules: str = Field(description="Parameter peraturan yang dipakai.")
    status: str
    status_label: str


class InvoiceDetail(InvoiceOut):
    lines: list[InvoiceLineOut]


class InvoicePage(Page[InvoiceOut]):
    pass


class PaymentOut(Schema):
    id: int
    programme: int
    village: str
    village_name: str
    value_date: dt.date
    amount: int = Field(description="Rupiah; negatif untuk entri pembatalan.")
    reference: str
    budget_source: BudgetSource
    budget_source_label: str
    account_code: str
    note: str
    reversal_of: int | None = Field(description="Pembayaran yang dibatalkan oleh entri ini.")
    reversed_by: int | None = Field(description="Entri pembatalan pembayaran ini, bila sudah dibatalkan.")
    recorded_at: dt.datetime


class PaymentPage(Page[PaymentOut]):
    pass


class PaymentIn(Schema):
    programme: int = Field(ge=1, description="Program yang PKS-nya dimiliki desa ini.")
    value_date: dt.date = Field(description="Tanggal uang dibayarkan (tidak boleh di masa depan).")
    amount: int = Field(ge=1, le=10_000_000_000, description="Rupiah.")
    reference: str = Field(min_length=1, max_length=100, description="Nomor transfer atau kuitansi.")
    budget_source: BudgetSource
    account_code: str = Field("", max_length=50, description="Kode rekening APBDes/APBD.")
    note: str = Field("", max_length=255)


class ReversalIn(Schema):
    reason: str = Field(min_length=1, max_length=255, description="Alasan pembatalan (wajib).")


# --- claims ---------------------------------------------------------------------------------------

ClaimStatus = Literal["reported", "documents_complete", "submitted", "paid", "rejected"]


class IncidentOut(Schema):
    id: int
    worker: int
    worker_name: str
    membership: int
    village: str
    village_name: str
    date: dt.date
    type: EventType
    type_label: str
    place: str
    description: str
    reporter_name: str
    reporter_role: str
    reported_at: dt.datetime


class ClaimTransitionOut(Schema):
    from_status: str
    to_status: ClaimStatus
    on: dt.date
    note: str
    recorded_at: dt.datetime


class ClaimOut(Schema):
    id: int
    status: ClaimStatus
    status_label: str
    incident: IncidentOut
    cash_total: int = Field(description="Manfaat tunai menurut perhitungan yang tersimpan (rupiah).")
    cause_under_assessment: bool
    parameters_on: dt.date = Field(description="Parameter peraturan yang berlaku pada tanggal ini dipakai.")
    quoted_at: dt.datetime
    bpjs_reference: str
    bpjs_paid_amount: int | None
    decided_on: dt.date | None
    rejection_reason: str
    created_at: dt.datetime


class ClaimDetail(ClaimOut):
    quote: QuoteOut | None = Field(description="Perhitungan tersimpan (sama dengan `POST /quotes/benefits`).")
    alternative_quote: QuoteOut | None = Field(
        description="Selama penyebab kematian dinilai: perhitungan untuk penyebab yang lain."
    )
    transitions: list[ClaimTransitionOut] = Field(description="Riwayat status, terlama dahulu.")


class ClaimPage(Page[ClaimOut]):
    pass


class ClaimSubmitIn(Schema):
    on: dt.date = Field(description="Tanggal pengajuan ke BPJS (tidak boleh setelah hari ini).")
    note: str = Field("", max_length=1000)


class ClaimRejectIn(Schema):
    on: dt.date = Field(description="Tanggal keputusan BPJS.")
    reason: str = Field(min_length=1, max_length=1000, description="Alasan penolakan BPJS (wajib).")


class ClaimPayIn(Schema):
    on: dt.date = Field(description="Tanggal pembayaran BPJS.")
    reference: str = Field(min_length=1, max_length=100, description="Nomor referensi pembayaran BPJS.")
    amount: int = Field(ge=0, le=10_000_000_000, description="Rupiah yang dibayar BPJS.")
    note: str = Field("", max_length=1000, description="Wajib bila jumlahnya berbeda dari perhitungan.")
    work_accident: bool | None = Field(
        None, description="Keputusan BPJS atas penyebab kematian, wajib bila penyebabnya masih dinilai."
    )


# --- training -------------------------------------------------------------------------------------

EnrolmentStatus = Literal["invited", "enrolled", "completed", "dropped"]


class TrainingFillOut(Schema):
    invited: int
    enrolled: int
    completed: int
    dropped: int
    taken: int = Field(description="Tempat yang terisi (diundang, terdaftar, selesai).")
    free: int


class TrainingProgrammeOut(Schema):
    id: int
    title: str
    organiser: str = Field(description="OPD penyelenggara.")
    region: str
    region_name: str
    skill: str
    place: str
    starts_on: dt.date
    ends_on: dt.date
    capacity: int
    cost: int = Field(description="Rupiah.")
    target_occupations: list[int] = Field(description="Kode pekerjaan sasaran.")
    target_keywords: list[str] = Field(description="Kata kunci keahlian sasaran.")


class TrainingProgrammeDetail(TrainingProgrammeOut):
    fill: TrainingFillOut


class TrainingProgrammePage(Page[TrainingProgrammeOut]):
    pass


class EnrolmentOut(Schema):
    id: int
    programme: int
    programme_title: str
    worker: int
    worker_name: str
    village: str
    status: EnrolmentStatus
    status_label: str
    invited_on: dt.date
    enrolled_on: dt.date | None
    completed_on: dt.date | None
    dropped_on: dt.date | None
    drop_reason: str
    certificate_number: str


class EnrolmentPage(Page[EnrolmentOut]):
    pass
