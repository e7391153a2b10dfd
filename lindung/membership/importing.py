"""Import of memberships that existed before Lindung, with the village's payment history.

A village that paid BPJS Ketenagakerjaan before it used Lindung (Tegal Harum since February 2023) brings in:

- sheet **Peserta** (or a CSV): one row per member — NIK, KPJ, Tanggal Mulai, and optionally Penghasilan Dilaporkan
  and Paket (the programme's when empty);
- sheet **Pembayaran** (or a second CSV, `--payments`): one row per payment the village made — Kode Desa,
  Tanggal Valuta, Jumlah, Referensi, optionally Sumber Anggaran and Kode Rekening.

Payments are given as rows, not as a "paid through" month per member: cover is derived from payments (RULES.md),
never typed in. After the import the village's invoices are issued for every month from the earliest start to the
current month (`billing_run`, set-based, only for months without an invoice yet) and `cover_recompute` settles them,
so `paid_through` and masa iur are right from day one.

Members are matched by NIK to workers registered in the importer's area. All or nothing: one problem (reported with
its sheet, row number and column, in Indonesian) and nothing is written. Re-importing the same file changes nothing.
A KPJ number already recorded is never overwritten by a different one; a recorded payment with the same reference but
another date or amount is reported, not changed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.accounts.access import user_scope
from lindung.audit.recording import audit_record
from lindung.billing.models import Invoice, InvoiceLine, Payment
from lindung.core.errors import ApplicationError
from lindung.membership.models import Membership, MembershipStatusChange
from lindung.programmes.models import Agreement, Funder, Package, Programme
from lindung.regions.models import Region
from lindung.registry.importing.cells import CellError, clean_text, neutralise, parse_amount, parse_date, parse_nik
from lindung.registry.importing.reading import FileProblem, check_upload, normalise_header
from lindung.registry.models import Worker

MEMBERS_SHEET = "Peserta"
PAYMENTS_SHEET = "Pembayaran"
HEADER_SEARCH_ROWS = 10
MAX_UPLOAD_BYTES = 20 * 1024 * 1024

#: canonical name → (header shown in messages, other spellings)
MEMBER_COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "nik": ("NIK", ("no ktp", "nomor induk kependudukan")),
    "kpj": ("KPJ", ("no kpj", "nomor kpj", "nomor kartu peserta")),
    "starts_on": (
        "Tanggal Mulai",
        ("tgl mulai", "mulai", "tanggal kepesertaan", "tanggal efektif", "mulai kepesertaan"),
    ),
    "declared_income": ("Penghasilan Dilaporkan", ("upah dilaporkan", "penghasilan", "dasar iuran")),
    "package": ("Paket", ("paket program", "program")),
}
PAYMENT_COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "village": ("Kode Desa", ("kode wilayah", "kode kemendagri", "kode kelurahan")),
    "value_date": ("Tanggal Valuta", ("tanggal bayar", "tgl bayar", "tanggal pembayaran", "tgl valuta")),
    "amount": ("Jumlah", ("jumlah bayar", "nominal", "jumlah (rp)", "jumlah pembayaran")),
    "reference": ("Referensi", ("nomor referensi", "no referensi", "no bukti", "nomor bukti")),
    "budget_source": ("Sumber Anggaran", ("sumber dana",)),
    "account_code": ("Kode Rekening", ("kode rek",)),
}
MEMBER_REQUIRED = ("nik", "kpj", "starts_on")
PAYMENT_REQUIRED = ("village", "value_date", "amount", "reference")

_KPJ = re.compile(r"[0-9A-Za-z]{8,20}")
_PACKAGES = {
    normalise_header(text): value
    for value, spellings in {
        Package.JKK_JKM.value: ("jkk_jkm", "JKK + JKM", "JKK JKM", "JKK, JKM"),
        Package.JKK_JKM_JHT.value: ("jkk_jkm_jht", "JKK + JKM + JHT", "JKK JKM JHT", "JKK, JKM, JHT"),
    }.items()
    for text in (*spellings, value)
}
_BUDGET_SOURCES = {normalise_header(value): value for value in Payment.BudgetSource.values} | {
    normalise_header(str(label)): value for value, label in Payment.BudgetSource.choices
}
_DEFAULT_SOURCE: dict[str, str] = {
    Funder.APBDES.value: "dana_desa",
    Funder.APBD.value: "apbd",
    Funder.OTHER.value: "other",
}


# --- results ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"Lembar {self.sheet}, baris {self.row}" if self.row else f"Lembar {self.sheet}"
        return f"{where}, kolom {self.column}: {self.message}" if self.column else f"{where}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "row": self.row, "column": self.column, "message": self.message}


@dataclass
class ImportResult:
    programme_id: int | None = None
    dry_run: bool = False
    member_rows: int = 0
    payment_rows: int = 0
    created: int = 0  # new memberships
    completed: int = 0  # open memberships without KPJ (from an approved list) given their history
    unchanged: int = 0
    payments_created: int = 0
    payments_unchanged: int = 0
    invoices_created: int = 0
    villages: list[str] = field(default_factory=list)
    paid_through: dict[str, int] = field(default_factory=dict)  # "YYYY-MM" → members of the file paid through it
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "dry_run": self.dry_run,
            "programme": self.programme_id,
            "member_rows": self.member_rows,
            "payment_rows": self.payment_rows,
            "memberships_created": self.created,
            "memberships_completed": self.completed,
            "memberships_unchanged": self.unchanged,
            "payments_created": self.payments_created,
            "payments_unchanged": self.payments_unchanged,
            "invoices_created": self.invoices_created,
            "villages": self.villages,
            "paid_through": self.paid_through,
            "problems": [p.as_dict() for p in self.problems],
        }


@dataclass(frozen=True)
class MemberRow:
    row: int
    nik: Any
    kpj: Any
    starts_on: Any
    declared_income: Any = None
    package: Any = None


@dataclass(frozen=True)
class PaymentRow:
    row: int
    village: Any
    value_date: Any
    amount: Any
    reference: Any
    budget_source: Any = None
    account_code: Any = None


# --- reading --------------------------------------------------------------------------------------------------------


def _lookup(columns: dict[str, tuple[str, tuple[str, ...]]]) -> dict[str, str]:
    return {normalise_header(s): name for name, (header, others) in columns.items() for s in (name, header, *others)}


_MEMBER_LOOKUP = _lookup(MEMBER_COLUMNS)
_PAYMENT_LOOKUP = _lookup(PAYMENT_COLUMNS)


def _header(cells: Sequence[Any], lookup: dict[str, str]) -> dict[str, int]:
    positions: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = lookup.get(normalise_header(cell))
        if name and name not in positions:
            positions[name] = index
    return positions


def _table(rows: Iterable[Sequence[Any]], kind: str) -> tuple[dict[str, int], list[tuple[int, Sequence[Any]]]] | None:
    """Find the header row of a members or payments table among the first rows; its data rows with Excel numbers."""
    lookup, required = (_MEMBER_LOOKUP, MEMBER_REQUIRED) if kind == "members" else (_PAYMENT_LOOKUP, PAYMENT_REQUIRED)
    rows = list(rows)
    for number, cells in enumerate(rows[:HEADER_SEARCH_ROWS], start=1):
        positions = _header(cells, lookup)
        if all(name in positions for name in required):
            body = [
                (n, r)
                for n, r in enumerate(rows[number:], start=number + 1)
                if any(v is not None and str(v).strip() for v in r)
            ]
            return positions, body
    return None


def _missing_columns(kind: str, sheet: str) -> FileProblem:
    columns = MEMBER_COLUMNS if kind == "members" else PAYMENT_COLUMNS
    required = MEMBER_REQUIRED if kind == "members" else PAYMENT_REQUIRED
    names = ", ".join(columns[name][0] for name in required)
    return FileProblem(
        _("Sheet %(sheet)s: no header row with the columns %(columns)s in the first 10 rows.")
        % {"sheet": sheet, "columns": names}
    )


def _csv_rows(path: Path) -> list[tuple[Any, ...]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    sample = text[:65536]
    delimiter = max((";", ",", "\t"), key=lambda d: sample.split("\n", 1)[0].count(d))
    return [tuple(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter)]


def _xlsx_sheets(path: Path) -> list[tuple[str, list[tuple[Any, ...]]]]:
    import openpyxl

    try:
        with path.open("rb") as binary:
            workbook = openpyxl.load_workbook(binary, read_only=True, data_only=True)
            try:
                return [(sheet.title, list(sheet.iter_rows(values_only=True))) for sheet in workbook.worksheets]
            finally:
                workbook.close()
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise FileProblem(_("The file is not a readable XLSX or CSV file.")) from exc


def _is_xlsx(path: Path) -> bool:
    with path.open("rb") as binary:
        return binary.read(4) == b"PK\x03\x04"


def _tables(path: Path) -> dict[str, tuple[str, dict[str, int], list[tuple[int, Sequence[Any]]]]]:
    """The members and payments tables found in one file (a CSV holds one of them)."""
    check_upload(path, max_bytes=None)
    found: dict[str, tuple[str, dict[str, int], list[tuple[int, Sequence[Any]]]]] = {}
    sheets = _xlsx_sheets(path) if _is_xlsx(path) else [(path.name, _csv_rows(path))]
    for title, rows in sheets:
        for kind in ("members", "payments"):
            if kind in found:
                continue
            table = _table(rows, kind)
            if table is not None:
                found[kind] = (title, *table)
                break
    return found


def read_rows(path: Path, payments_path: Path | None = None) -> tuple[str, list[MemberRow], str, list[PaymentRow]]:
    """The member rows and payment rows of an import (raw cells, parsed later). Raises FileProblem."""
    tables = _tables(path)
    if payments_path is not None:
        extra = _tables(payments_path)
        if "payments" not in extra:
            raise _missing_columns("payments", payments_path.name)
        if "payments" in tables:
            raise FileProblem(_("Payments given twice: in a sheet of the members file and in a separate file."))
        tables["payments"] = extra["payments"]
    if "members" not in tables:
        raise _missing_columns("members", MEMBERS_SHEET)

    def cell(row: Sequence[Any], positions: dict[str, int], name: str) -> Any:
        index = positions.get(name)
        if index is None or index >= len(row):
            return None
        value = row[index]
        return None if isinstance(value, str) and not value.strip() else value

    sheet, positions, body = tables["members"]
    members = [
        MemberRow(n, *(cell(r, positions, name) for name in MEMBER_COLUMNS))  # type: ignore[arg-type]
        for n, r in body
    ]
    payments: list[PaymentRow] = []
    payment_sheet = PAYMENTS_SHEET
    if "payments" in tables:
        payment_sheet, positions, body = tables["payments"]
        payments = [
            PaymentRow(n, *(cell(r, positions, name) for name in PAYMENT_COLUMNS))  # type: ignore[arg-type]
            for n, r in body
        ]
    return sheet, members, payment_sheet, payments


# --- checking -------------------------------------------------------------------------------------------------------


@dataclass
class _Member:
    row: MemberRow
    worker: Worker
    kpj: str
    starts_on: dt.date
    declared_income: int
    package: str
    existing: Membership | None = None


@dataclass
class _Payment:
    row: PaymentRow
    village: Region
    value_date: dt.date
    amount: int
    reference: str
    budget_source: str
    account_code: str


def _kpj(raw: Any) -> str:
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip().lstrip("'") if raw is not None else ""


def _month_first(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next_month(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    months, month = [], _month_first(first)
    while month <= last:
        months.append(month)
        month = _next_month(month)
    return months


def _choose_programme(village_codes: set[str]) -> Programme | None:
    """The one programme with an agreement in these villages; None when there is none (the rows say why)."""
    candidates = list(Programme.objects.filter(agreements__village_id__in=village_codes).distinct()[:2])
    if len(candidates) > 1:
        raise ApplicationError(
            _("These villages take part in more than one programme: choose the programme (--programme)."),
            code="programme",
        )
    return candidates[0] if candidates else None


def _check(
    actor: Any,
    programme: Programme | None,
    member_sheet: str,
    member_rows: list[MemberRow],
    payment_sheet: str,
    payment_rows: list[PaymentRow],
    result: ImportResult,
    today: dt.date,
) -> tuple[Programme | None, list[_Member], list[_Payment]]:
    problems = result.problems
    scope = user_scope(actor) if actor is not None else None

    def visible(queryset: Any, field: str) -> Any:
        return queryset.filter(scope.q(field)) if scope is not None else queryset

    # NIKs first, to look the workers up in one query.
    niks: dict[int, str] = {}
    for row in member_rows:
        try:
            nik = parse_nik(row.nik)
        except CellError as exc:
            problems.append(Problem(member_sheet, row.row, "NIK", exc.message))
            continue
        if nik is None:
            problems.append(Problem(member_sheet, row.row, "NIK", "NIK kosong."))
            continue
        niks[row.row] = nik
    workers = {w.nik: w for w in visible(Worker.objects.filter(nik__in=niks.values()), "village__code")}
    if not member_rows and not payment_rows:
        problems.append(Problem(member_sheet, 0, "", "Berkas tidak berisi baris peserta."))
        return None, [], []
    if programme is None:
        codes = {w.village_id for w in workers.values()} or {str(r.village).strip() for r in payment_rows}
        programme = _choose_programme(codes)
    agreements = (
        {a.village_id: a for a in Agreement.objects.filter(programme=programme)} if programme is not None else {}
    )
    existing = (
        {
            m.worker_id: m
            for m in Membership.objects.filter(
                programme=programme, worker__in=workers.values(), status__in=("pending", "active", "arrears")
            )
        }
        if programme is not None
        else {}
    )
    seen_nik: dict[str, int] = {}
    seen_kpj: dict[str, int] = {}
    members: list[_Member] = []
    for row in member_rows:
        before = len(problems)
        nik = niks.get(row.row)
        worker = workers.get(nik) if nik else None
        if nik and nik in seen_nik:
            problems.append(Problem(member_sheet, row.row, "NIK", f"NIK sama dengan baris {seen_nik[nik]}."))
        elif nik and worker is None:
            problems.append(
                Problem(
                    member_sheet,
                    row.row,
                    "NIK",
                    f"NIK {nik} tidak terdaftar sebagai pekerja di wilayah Anda; daftarkan pekerjanya dahulu.",
                )
            )
        if nik:
            seen_nik.setdefault(nik, row.row)
        kpj = _kpj(row.kpj)
        if not kpj:
            problems.append(Problem(member_sheet, row.row, "KPJ", "Nomor KPJ kosong."))
        elif not _KPJ.fullmatch(kpj):
            problems.append(Problem(member_sheet, row.row, "KPJ", f"Nomor KPJ tidak sah: {neutralise(kpj)[:30]}."))
        elif kpj in seen_kpj:
            problems.append(Problem(member_sheet, row.row, "KPJ", f"Nomor KPJ sama dengan baris {seen_kpj[kpj]}."))
        else:
            seen_kpj[kpj] = row.row
        starts_on = None
        try:
            starts_on = parse_date(row.starts_on)
        except CellError as exc:
            problems.append(Problem(member_sheet, row.row, "Tanggal Mulai", exc.message))
        else:
            if starts_on is None:
                problems.append(Problem(member_sheet, row.row, "Tanggal Mulai", "Tanggal mulai kosong."))
            elif starts_on > today:
                problems.append(
                    Problem(member_sheet, row.row, "Tanggal Mulai", "Tanggal mulai tidak boleh di masa depan.")
                )
        income = programme.declared_income if programme is not None else 0
        try:
            given = parse_amount(row.declared_income)
        except CellError as exc:
            problems.append(Problem(member_sheet, row.row, "Penghasilan Dilaporkan", exc.message))
        else:
            if given is not None:
                if given <= 0:
                    problems.append(
                        Problem(member_sheet, row.row, "Penghasilan Dilaporkan", "Penghasilan harus lebih dari nol.")
                    )
                income = given
        package = programme.package if programme is not None else ""
        if row.package is not None:
            found = _PACKAGES.get(normalise_header(row.package))
            if found is None:
                problems.append(
                    Problem(
                        member_sheet,
                        row.row,
                        "Paket",
                        f"Paket tidak dikenal: {neutralise(str(row.package))[:30]} (isi JKK + JKM atau "
                        "JKK + JKM + JHT).",
                    )
                )
            else:
                package = found
        if worker is None or starts_on is None or len(problems) > before:
            continue
        agreement = agreements.get(worker.village_id)
        if programme is None:
            problems.append(
                Problem(
                    member_sheet,
                    row.row,
                    "NIK",
                    f"Desa pekerja ini ({worker.village_id}) tidak mempunyai PKS dalam program apa pun.",
                )
            )
            continue
        if agreement is None or agreement.status not in (Agreement.Status.SIGNED, Agreement.Status.ACTIVE):
            problems.append(
                Problem(
                    member_sheet,
                    row.row,
                    "NIK",
                    f"Desa pekerja ini ({worker.village_id}) tidak mempunyai PKS yang berlaku dalam program "
                    f"{programme.name}.",
                )
            )
            continue
        valid_from = max(d for d in (agreement.valid_from, programme.starts_on) if d is not None)
        if starts_on < valid_from.replace(day=1):
            problems.append(
                Problem(
                    member_sheet,
                    row.row,
                    "Tanggal Mulai",
                    f"Tanggal mulai {starts_on:%d-%m-%Y} sebelum PKS/program berlaku ({valid_from:%d-%m-%Y}).",
                )
            )
            continue
        member = _Member(row, worker, kpj, starts_on, income, package, existing.get(worker.pk))
        current = member.existing
        if current is not None and current.kpj_number and current.kpj_number != kpj:
            problems.append(
                Problem(
                    member_sheet,
                    row.row,
                    "KPJ",
                    f"{worker.name} sudah tercatat dengan KPJ {current.kpj_number}; KPJ {kpj} tidak ditimpa.",
                )
            )
            continue
        if current is not None and current.kpj_number and _differs(current, member):
            problems.append(
                Problem(
                    member_sheet,
                    row.row,
                    "Tanggal Mulai",
                    f"{worker.name} sudah terdaftar dengan KPJ {current.kpj_number} mulai "
                    f"{current.starts_on:%d-%m-%Y}, penghasilan {current.declared_income} dan paket "
                    f"{current.package}; data berbeda di berkas tidak ditimpa.",
                )
            )
            continue
        if (
            current is not None
            and (current.declared_income, current.package) != (income, package)
            and current.invoice_lines.exists()
        ):
            problems.append(
                Problem(
                    member_sheet,
                    row.row,
                    "Penghasilan Dilaporkan",
                    f"{worker.name} sudah ditagih dengan penghasilan {current.declared_income} dan paket "
                    f"{current.package}; data berbeda di berkas tidak ditimpa.",
                )
            )
            continue
        members.append(member)

    if members:
        _check_taken_kpj(members, member_sheet, problems)
        _check_issued_invoices(programme, members, member_sheet, problems, today)

    payments = _check_payments(actor, programme, payment_sheet, payment_rows, agreements, visible, problems, today)
    problems.sort(key=lambda p: (p.sheet != member_sheet, p.row, p.column))
    return programme, members, payments


def _differs(current: Membership, member: _Member) -> bool:
    return (current.starts_on, current.declared_income, current.package) != (
        member.starts_on,
        member.declared_income,
        member.package,
    )


def _check_taken_kpj(members: list[_Member], sheet: str, problems: list[Problem]) -> None:
    taken = dict(
        Membership.objects.filter(kpj_number__in=[m.kpj for m in members])
        .exclude(worker_id__in=[m.worker.pk for m in members])
        .values_list("kpj_number", "worker__name")
    )
    problems.extend(
        Problem(sheet, m.row.row, "KPJ", f"Nomor KPJ {m.kpj} sudah dipakai peserta lain ({taken[m.kpj]}).")
        for m in members
        if m.kpj in taken
    )


def _check_issued_invoices(
    programme: Programme | None, members: list[_Member], sheet: str, problems: list[Problem], today: dt.date
) -> None:
    """A member whose months are on invoices already issued without them cannot be added silently to those."""
    if programme is None:
        return
    issued: dict[str, list[tuple[int, dt.date]]] = defaultdict(list)
    for pk, village, period in Invoice.objects.filter(
        programme=programme, village_id__in={m.worker.village_id for m in members}
    ).values_list("pk", "village_id", "period"):
        issued[village].append((pk, period))
    if not issued:
        return
    on_lines: dict[int, set[int]] = defaultdict(set)
    existing_ids = [m.existing.pk for m in members if m.existing is not None]
    for membership_id, invoice_id in InvoiceLine.objects.filter(membership_id__in=existing_ids).values_list(
        "membership_id", "invoice_id"
    ):
        on_lines[membership_id].add(invoice_id)
    for member in members:
        lines = on_lines.get(member.existing.pk, set()) if member.existing is not None else set()
        missing = sorted(
            period
            for pk, period in issued.get(member.worker.village_id, [])
            if period >= _month_first(member.starts_on) and pk not in lines
        )
        if missing:
            problems.append(
                Problem(
                    sheet,
                    member.row.row,
                    "Tanggal Mulai",
                    f"Tagihan desa periode {missing[0]:%m-%Y} sudah terbit tanpa peserta ini; kepesertaan lama "
                    "diimpor sebelum tagihan pertama desa untuk bulan-bulan itu.",
                )
            )


def _check_payments(
    actor: Any,
    programme: Programme | None,
    sheet: str,
    rows: list[PaymentRow],
    agreements: dict[str, Agreement],
    visible: Any,
    problems: list[Problem],
    today: dt.date,
) -> list[_Payment]:
    if not rows:
        return []
    codes = {str(r.village).strip() for r in rows if r.village is not None}
    villages = {v.code: v for v in visible(Region.objects.filter(code__in=codes), "code")}
    recorded = (
        {
            (p.village_id, p.reference): p
            for p in Payment.objects.filter(programme=programme, village_id__in=villages, reversal_of__isnull=True)
        }
        if programme is not None
        else {}
    )
    seen: dict[tuple[str, str], int] = {}
    payments: list[_Payment] = []
    for row in rows:
        before = len(problems)
        code = str(row.village).strip() if row.village is not None else ""
        village = villages.get(code)
        if not code:
            problems.append(Problem(sheet, row.row, "Kode Desa", "Kode desa kosong."))
        elif village is None or not village.is_village:
            problems.append(
                Problem(
                    sheet, row.row, "Kode Desa", f"Kode desa {neutralise(code)[:20]} tidak dikenal di wilayah Anda."
                )
            )
            village = None
        elif code not in agreements:
            problems.append(
                Problem(sheet, row.row, "Kode Desa", f"Desa {village.name} tidak mempunyai PKS dalam program ini.")
            )
        value_date = None
        try:
            value_date = parse_date(row.value_date)
        except CellError as exc:
            problems.append(Problem(sheet, row.row, "Tanggal Valuta", exc.message))
        else:
            if value_date is None:
                problems.append(Problem(sheet, row.row, "Tanggal Valuta", "Tanggal valuta kosong."))
            elif value_date > today:
                problems.append(Problem(sheet, row.row, "Tanggal Valuta", "Tanggal valuta tidak boleh di masa depan."))
        amount = None
        try:
            amount = parse_amount(row.amount)
        except CellError as exc:
            problems.append(Problem(sheet, row.row, "Jumlah", exc.message))
        else:
            if not amount:
                problems.append(Problem(sheet, row.row, "Jumlah", "Jumlah pembayaran harus lebih dari nol."))
        reference = ""
        try:
            reference = clean_text(row.reference, max_length=100, what="Referensi") or ""
        except CellError as exc:
            problems.append(Problem(sheet, row.row, "Referensi", exc.message))
        else:
            if not reference:
                problems.append(Problem(sheet, row.row, "Referensi", "Nomor referensi pembayaran kosong."))
        source = ""
        if row.budget_source is not None:
            source = _BUDGET_SOURCES.get(normalise_header(row.budget_source), "")
            if not source:
                problems.append(
                    Problem(
                        sheet,
                        row.row,
                        "Sumber Anggaran",
                        f"Sumber anggaran tidak dikenal: {neutralise(str(row.budget_source))[:30]}.",
                    )
                )
        elif code in agreements:
            source = _DEFAULT_SOURCE.get(agreements[code].funder, "other")
        try:
            account_code = clean_text(row.account_code, max_length=50, what="Kode rekening") or ""
        except CellError as exc:
            problems.append(Problem(sheet, row.row, "Kode Rekening", exc.message))
            account_code = ""
        if len(problems) > before or village is None or value_date is None or amount is None:
            continue
        key = (village.code, reference)
        if key in seen:
            problems.append(
                Problem(sheet, row.row, "Referensi", f"Referensi {reference} sama dengan baris {seen[key]}.")
            )
            continue
        seen[key] = row.row
        known = recorded.get(key)
        if known is not None and (known.value_date, known.amount) != (value_date, amount):
            problems.append(
                Problem(
                    sheet,
                    row.row,
                    "Referensi",
                    f"Pembayaran dengan referensi {reference} sudah tercatat ({known.value_date:%d-%m-%Y}, "
                    f"Rp{known.amount}); data berbeda di berkas tidak ditimpa. Koreksi dengan pembatalan.",
                )
            )
            continue
        payments.append(_Payment(row, village, value_date, amount, reference, source, account_code))
    return payments


# --- applying -------------------------------------------------------------------------------------------------------


def memberships_import_rows(
    *,
    actor: Any,
    member_rows: list[MemberRow],
    payment_rows: list[PaymentRow] | None = None,
    programme: Programme | None = None,
    dry_run: bool = False,
    member_sheet: str = MEMBERS_SHEET,
    payment_sheet: str = PAYMENTS_SHEET,
    today: dt.date | None = None,
) -> ImportResult:
    """Check every row, then (when all are clean) write memberships and payments, issue the missing invoices and
    recompute cover, in one transaction. `dry_run` does all of it and rolls back, reporting what would change."""
    from lindung.billing.services import billing_run, cover_recompute  # billing builds on membership

    today = today or timezone.localdate()
    payment_rows = payment_rows or []
    result = ImportResult(dry_run=dry_run, member_rows=len(member_rows), payment_rows=len(payment_rows))
    chosen, members, payments = _check(
        actor, programme, member_sheet, member_rows, payment_sheet, payment_rows, result, today
    )
    if result.problems or chosen is None:
        return result
    programme = chosen
    result.programme_id = programme.pk
    with transaction.atomic():
        touched: set[str] = set()
        created_ids: list[int] = []
        completed: dict[str, dict[str, Any]] = {}
        for member in members:
            current = member.existing
            if current is None:
                membership = Membership.objects.create(
                    programme=programme,
                    worker=member.worker,
                    kpj_number=member.kpj,
                    kpj_effective_on=member.starts_on,
                    starts_on=member.starts_on,
                    declared_income=member.declared_income,
                    package=member.package,
                    status=Membership.Status.ACTIVE,
                    paid_through=_month_before(member.starts_on),
                )
                MembershipStatusChange.objects.create(
                    membership=membership, from_status="", to_status=membership.status, on=member.starts_on,
                    reason="import", by=actor,
                )  # fmt: skip
                created_ids.append(membership.pk)
                result.created += 1
                touched.add(member.worker.village_id)
            elif current.kpj_number == member.kpj and not _differs(current, member):
                result.unchanged += 1
            else:
                completed[str(current.pk)] = {
                    "starts_on": [current.starts_on.isoformat(), member.starts_on.isoformat()],
                    "kpj": [current.kpj_number, member.kpj],
                    "declared_income": [current.declared_income, member.declared_income],
                    "package": [current.package, member.package],
                }
                current.kpj_number = member.kpj
                current.kpj_effective_on = current.kpj_effective_on or member.starts_on
                current.starts_on = member.starts_on
                current.declared_income = member.declared_income
                current.package = member.package
                current.paid_through = _month_before(member.starts_on)
                current.save(
                    update_fields=[
                        "kpj_number", "kpj_effective_on", "starts_on", "declared_income", "package", "paid_through",
                        "updated_at",
                    ]
                )  # fmt: skip
                result.completed += 1
                touched.add(member.worker.village_id)
        new_payments = []
        for payment in payments:
            if Payment.objects.filter(
                programme=programme, village=payment.village, reference=payment.reference, reversal_of__isnull=True
            ).exists():
                result.payments_unchanged += 1
                continue
            new_payments.append(
                Payment(
                    programme=programme,
                    village=payment.village,
                    value_date=payment.value_date,
                    amount=payment.amount,
                    reference=payment.reference,
                    budget_source=payment.budget_source,
                    account_code=payment.account_code,
                    note="Impor riwayat pembayaran",
                    recorded_by=actor,
                )
            )
            touched.add(payment.village.code)
        Payment.objects.bulk_create(new_payments, batch_size=1000)
        result.payments_created = len(new_payments)

        # Invoices for every month from the earliest start to this month that the village does not have yet.
        first_by_village: dict[str, dt.date] = {}
        for member in members:
            code = member.worker.village_id
            first_by_village[code] = min(first_by_village.get(code, member.starts_on), member.starts_on)
        for code in sorted(touched):
            first = first_by_village.get(code)
            if first is None:
                continue
            have = set(Invoice.objects.filter(programme=programme, village_id=code).values_list("period", flat=True))
            for month in _months(first, today):
                if month not in have:
                    result.invoices_created += billing_run(
                        period=month, region_prefix=code, actor=actor
                    ).invoices_created
        villages = Region.objects.in_bulk(sorted(touched))
        for code in sorted(touched):
            cover_recompute(programme=programme, village=villages[code], actor=actor, today=today)
        result.villages = sorted({m.worker.village_id for m in members} | {p.village.code for p in payments})
        worker_ids = [m.worker.pk for m in members]
        for paid in Membership.objects.filter(
            programme=programme, worker_id__in=worker_ids, renewals__isnull=True
        ).values_list("paid_through", flat=True):
            if paid is not None:
                result.paid_through[f"{paid:%Y-%m}"] = result.paid_through.get(f"{paid:%Y-%m}", 0) + 1
        result.paid_through = dict(sorted(result.paid_through.items()))
        if touched:
            audit_record(
                actor=actor,
                actor_username="" if actor is not None else "system",
                action="membership.import",
                target_type="programme",
                target_id=programme.pk,
                region_code=result.villages[0] if len(result.villages) == 1 else "",
                changes={
                    "rows": result.member_rows,
                    "payment_rows": result.payment_rows,
                    "created": created_ids,
                    "completed": completed,
                    "unchanged": result.unchanged,
                    "payments_created": [p.pk for p in new_payments],
                    "payments_unchanged": result.payments_unchanged,
                    "invoices_created": result.invoices_created,
                },
            )
        if dry_run:
            transaction.set_rollback(True)
    return result


def _month_before(day: dt.date) -> dt.date:
    return (_month_first(day) - dt.timedelta(days=1)).replace(day=1)


def memberships_import(
    *,
    actor: Any,
    path: Path,
    payments_path: Path | None = None,
    programme: Programme | None = None,
    dry_run: bool = False,
    today: dt.date | None = None,
) -> ImportResult:
    """Read the file(s) and import them (see the module's docstring). Raises ApplicationError for a file that
    cannot be read as a whole; row problems come back in the result."""
    try:
        member_sheet, members, payment_sheet, payments = read_rows(path, payments_path)
    except FileProblem as exc:
        raise ApplicationError(exc.message, code="file") from exc
    return memberships_import_rows(
        actor=actor,
        member_rows=members,
        payment_rows=payments,
        programme=programme,
        dry_run=dry_run,
        member_sheet=member_sheet,
        payment_sheet=payment_sheet,
        today=today,
    )


def programmes_for(actor: Any) -> Any:
    """Programmes with an agreement in the actor's area (all for a national user)."""
    scope = user_scope(actor)
    if scope.national:
        return Programme.objects.all().order_by("name", "pk")
    return Programme.objects.filter(scope.q("agreements__village__code")).distinct().order_by("name", "pk")


__all__ = [
    "ImportResult",
    "MemberRow",
    "PaymentRow",
    "Problem",
    "memberships_import",
    "memberships_import_rows",
    "programmes_for",
    "read_rows",
]
