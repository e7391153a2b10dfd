"""The BPJS branch's monthly contribution statement (XLSX), imported and reconciled against Lindung's payments.

Two layouts (documented in docs/panduan/iuran-dan-tagihan.md, templates from `statement_template`), told apart by the
header row:
- per member: Periode, KPJ, NIK, Nama, Iuran (KPJ or NIK on every row; Periode optional, Tanggal Bayar ignored);
- per village: Periode, Kode Desa, Nama Desa, Iuran.

What is compared, for the statement's month and the villages under the chosen region:
- per member: the amount BPJS received for the member against the member's line on Lindung's invoice of that month
  when that invoice is paid (a month counts as paid for a member only when the village's invoice is fully paid,
  RULES.md "Invoices and payments");
- per village: the amount BPJS received from the village against what Lindung's payments settled on the village's
  invoices of that month (`Invoice.paid_amount`, the sum of its payment allocations).

Every row is checked first; a single problem (row number, column, Indonesian message) stores nothing. A clean
statement is stored as one `StatementImport` with its differences in one transaction; the same content (the same
rows, whatever the file's bytes) imported again for the same month and region finds that record and creates nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from lindung.accounts.access import user_scope
from lindung.accounts.models import Role
from lindung.audit.recording import audit_record
from lindung.billing.documents import RUPIAH_FORMAT
from lindung.billing.models import Invoice, InvoiceLine, StatementDifference, StatementImport
from lindung.core.errors import ApplicationError
from lindung.membership.models import Membership
from lindung.regions.models import Region
from lindung.registry.identity import mask_nik
from lindung.registry.importing.cells import CellError, clean_text, neutralise, parse_amount, parse_date, parse_nik
from lindung.registry.models import Worker

MEMBER = StatementImport.Layout.MEMBER.value
VILLAGE = StatementImport.Layout.VILLAGE.value
#: column key → the header written in the template and in messages
LABELS = {
    "period": "Periode",
    "kpj": "KPJ",
    "nik": "NIK",
    "name": "Nama",
    "amount": "Iuran",
    "paid_on": "Tanggal Bayar",
    "village": "Kode Desa",
    "village_name": "Nama Desa",
}
_ALIASES = {
    "periode": "period",
    "periodeiuran": "period",
    "bulan": "period",
    "bulaniuran": "period",
    "kpj": "kpj",
    "nokpj": "kpj",
    "nomorkpj": "kpj",
    "nik": "nik",
    "noktp": "nik",
    "nama": "name",
    "namapeserta": "name",
    "namalengkap": "name",
    "iuran": "amount",
    "jumlahiuran": "amount",
    "iurandibayar": "amount",
    "iuranditerima": "amount",
    "jumlah": "amount",
    "nominal": "amount",
    "tanggalbayar": "paid_on",
    "tglbayar": "paid_on",
    "kodedesa": "village",
    "kodewilayah": "village",
    "kodedesakelurahan": "village",
    "namadesa": "village_name",
    "desakelurahan": "village_name",
    "desa": "village_name",
}
TEMPLATE_HEADERS = {
    MEMBER: ("Periode", "KPJ", "NIK", "Nama", "Iuran", "Tanggal Bayar"),
    VILLAGE: ("Periode", "Kode Desa", "Nama Desa", "Iuran"),
}
_KPJ = re.compile(r"[0-9A-Za-z]{1,20}")
_VILLAGE_CODE = re.compile(r"\d{2}\.\d{2}\.\d{2}\.\d{4}")
_PERIOD = re.compile(r"(\d{4})[-/](\d{1,2})|(\d{1,2})[-/](\d{4})")
MAX_ROWS = 200_000
#: Roles that import the branch's statement: the BPJS officer who receives it, the village and the city who pay.
STATEMENT_ROLES = (Role.ADMIN, Role.CITY_OFFICER, Role.BPJS_OFFICER, Role.VILLAGE_HEAD, Role.VILLAGE_OPERATOR)


def can_import_statement(user: Any) -> bool:
    return user_scope(user).has_role(*STATEMENT_ROLES)


@dataclass
class StatementProblem:
    row: int
    column: str
    message: str

    def __str__(self) -> str:
        if self.row:
            return f"Baris {self.row}, kolom {self.column}: {self.message}"
        return self.message


@dataclass(frozen=True)
class StatementRow:
    row: int
    amount: int
    kpj: str = ""
    nik: str = ""
    name: str = ""
    village: str = ""


@dataclass
class StatementResult:
    problems: list[StatementProblem] = field(default_factory=list)
    statement: StatementImport | None = None
    created: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


def _header_key(value: object) -> str:
    return re.sub(r"[^a-z]", "", str(value or "").lower())


def _period_of(raw: object) -> dt.date | None:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if isinstance(raw, dt.datetime):
        return raw.date().replace(day=1)
    if isinstance(raw, dt.date):
        return raw.replace(day=1)
    text = str(raw).strip()
    match = _PERIOD.fullmatch(text)
    if match:
        year, month = (match.group(1), match.group(2)) if match.group(1) else (match.group(4), match.group(3))
        if 1 <= int(month) <= 12:
            return dt.date(int(year), int(month), 1)
        raise CellError(f"Bulan {month} tidak ada.")
    day = parse_date(text)  # raises CellError with its own message
    return day.replace(day=1) if day else None


def read_statement(path: Path) -> tuple[str, dict[str, int], list[tuple[int, tuple[Any, ...]]]]:
    """The layout, the columns found in the header row, and the data rows (with their row numbers)."""
    from openpyxl import load_workbook

    try:
        with path.open("rb") as handle:
            workbook = load_workbook(handle, read_only=True, data_only=True)
            sheet = workbook.worksheets[0]
            rows = list(sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 1))
            workbook.close()
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise ApplicationError(_("The BPJS contribution statement is not a readable XLSX file."), code="file") from exc
    if not rows:
        raise ApplicationError(_("The BPJS contribution statement is empty."), code="file")
    columns: dict[str, int] = {}
    for index, value in enumerate(rows[0]):
        key = _ALIASES.get(_header_key(value))
        if key and key not in columns:
            columns[key] = index
    if "kpj" in columns or "nik" in columns:
        layout = MEMBER
    elif "village" in columns:
        layout = VILLAGE
    else:
        raise ApplicationError(
            _(
                "The header row must contain the column KPJ or NIK (statement per member) or Kode Desa "
                "(statement per village)."
            ),
            code="columns",
        )
    if "amount" not in columns:
        raise ApplicationError(_("Required column not found in the header row: Iuran."), code="columns")
    data = [
        (number, row)
        for number, row in enumerate(rows[1:], start=2)
        if any(value is not None and str(value).strip() for value in row)
    ]
    return layout, columns, data


def parse_statement(path: Path, period: dt.date) -> tuple[str, list[StatementRow], list[StatementProblem]]:
    """Every row checked: the rows, or the problems with their row number and column."""
    layout, columns, data = read_statement(path)
    problems: list[StatementProblem] = []
    rows: list[StatementRow] = []
    seen: dict[tuple[str, str], int] = {}

    def cell(row: tuple[Any, ...], key: str) -> Any:
        index = columns.get(key)
        return row[index] if index is not None and index < len(row) else None

    for number, raw in data:
        before = len(problems)

        def problem(key: str, message: str, number: int = number) -> None:
            problems.append(StatementProblem(number, LABELS[key], message))

        try:
            month = _period_of(cell(raw, "period"))
            if month is not None and month != period:
                problem("period", f"periode baris ini {month:%m-%Y}, bukan periode rekening {period:%m-%Y}.")
        except CellError as exc:
            problem("period", str(exc))
        amount = 0
        try:
            parsed = parse_amount(cell(raw, "amount"))
            if parsed is None:
                problem("amount", "iuran wajib diisi (0 bila tidak ada yang dibayar).")
            elif parsed < 0:
                problem("amount", "iuran tidak boleh negatif.")
            else:
                amount = parsed
        except CellError as exc:
            problem("amount", str(exc))
        try:
            name = clean_text(cell(raw, "name") or cell(raw, "village_name"), max_length=150, what="Nama") or ""
        except CellError as exc:
            name = ""
            problem("name" if "name" in columns else "village_name", str(exc))
        kpj = nik = village = ""
        if layout == MEMBER:
            raw_kpj = cell(raw, "kpj")
            if raw_kpj is not None and str(raw_kpj).strip():
                text = str(raw_kpj).strip().lstrip("'")
                if isinstance(raw_kpj, float) and raw_kpj.is_integer():
                    text = str(int(raw_kpj))
                if _KPJ.fullmatch(text):
                    kpj = text
                else:
                    problem("kpj", f"nomor KPJ {text[:30]!r} hanya boleh berisi huruf dan angka (paling banyak 20).")
            try:
                nik = parse_nik(cell(raw, "nik")) or ""
            except CellError as exc:
                problem("nik", str(exc))
            if not kpj and not nik and len(problems) == before:
                problem("kpj", "isi nomor KPJ atau NIK peserta.")
            for key, value in (("kpj", kpj), ("nik", nik)):
                if value and (key, value) in seen:
                    problem(key, f"{LABELS[key]} {value if key == 'kpj' else mask_nik(value)} sudah ada di baris "
                                 f"{seen[(key, value)]}.")  # fmt: skip
                elif value:
                    seen[(key, value)] = number
        else:
            text = str(cell(raw, "village") or "").strip()
            if not _VILLAGE_CODE.fullmatch(text):
                problem("village", f"kode desa {text[:30]!r} harus berbentuk 51.71.03.2008.")
            elif ("village", text) in seen:
                problem("village", f"kode desa {text} sudah ada di baris {seen[('village', text)]}.")
            else:
                village = text
                seen[("village", text)] = number
        if len(problems) == before:
            rows.append(StatementRow(row=number, amount=amount, kpj=kpj, nik=nik, name=name, village=village))
    if not data:
        problems.append(StatementProblem(0, "", "Berkas rekening iuran BPJS tidak berisi baris data."))
    if len(data) > MAX_ROWS:
        problems.append(StatementProblem(0, "", f"Berkas berisi lebih dari {MAX_ROWS} baris; bagi per wilayah."))
    return layout, rows, problems


def _under(field_name: str, region_code: str) -> Q:
    return Q(**{field_name: region_code}) | Q(**{f"{field_name}__startswith": f"{region_code}."})


@dataclass
class _Difference:
    kind: str
    row: int | None = None
    village_code: str = ""
    kpj: str = ""
    nik_masked: str = ""
    name: str = ""
    bpjs_amount: int = 0
    lindung_amount: int = 0
    note: str = ""


def _compare(row: StatementRow | None, bpjs: int, lindung: int, **who: Any) -> _Difference | None:
    number = row.row if row is not None else None
    if bpjs == lindung:
        return None
    if lindung == 0:
        return _Difference(StatementDifference.Kind.NOT_RECORDED, number, bpjs_amount=bpjs, **who)
    if bpjs == 0:
        return _Difference(StatementDifference.Kind.NOT_AT_BPJS, number, lindung_amount=lindung, **who)
    return _Difference(StatementDifference.Kind.AMOUNT, number, bpjs_amount=bpjs, lindung_amount=lindung, **who)


def _reconcile_members(
    rows: list[StatementRow], period: dt.date, region_code: str
) -> tuple[list[_Difference], int, int, list[StatementProblem]]:
    """Differences, rows that agree, Lindung's total, and rows naming one member twice (a problem)."""
    kpjs = {r.kpj for r in rows if r.kpj}
    niks = {r.nik for r in rows if r.nik}
    by_kpj: dict[str, int] = {}
    for kpj, worker_id in (
        Membership.objects.filter(_under("worker__village__code", region_code), kpj_number__in=kpjs)
        .values_list("kpj_number", "worker_id")
        .order_by("kpj_number", "-starts_on")
    ):
        by_kpj.setdefault(kpj, worker_id)
    by_nik = dict(Worker.objects.filter(_under("village__code", region_code), nik__in=niks).values_list("nik", "id"))
    paid: dict[int, dict[str, Any]] = {}
    for group in (
        InvoiceLine.objects.filter(
            _under("invoice__village__code", region_code),
            invoice__period=period,
            status=InvoiceLine.Status.PAID,
        )
        .values(
            "membership__worker_id",
            "membership__worker__name",
            "membership__worker__nik",
            "membership__kpj_number",
            "invoice__village_id",
        )
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        entry = paid.setdefault(group["membership__worker_id"], {**group, "total": 0})
        entry["total"] += group["total"]
    differences: list[_Difference] = []
    problems: list[StatementProblem] = []
    matched = 0
    seen: dict[int, int] = {}
    for row in rows:
        who: dict[str, Any] = {"kpj": row.kpj, "nik_masked": mask_nik(row.nik) if row.nik else "", "name": row.name}
        from_kpj = by_kpj.get(row.kpj) if row.kpj else None
        from_nik = by_nik.get(row.nik) if row.nik else None
        if (row.kpj and from_kpj is None) or (row.nik and from_nik is None):
            what = "KPJ" if row.kpj and from_kpj is None else "NIK"
            differences.append(
                _Difference(StatementDifference.Kind.UNKNOWN, row.row, bpjs_amount=row.amount, **who,
                            note=f"{what} tidak dikenal sebagai peserta di wilayah ini.")
            )  # fmt: skip
            continue
        if from_kpj is not None and from_nik is not None and from_kpj != from_nik:
            differences.append(
                _Difference(StatementDifference.Kind.UNKNOWN, row.row, bpjs_amount=row.amount, **who,
                            note="KPJ dan NIK menunjuk dua peserta yang berbeda.")
            )  # fmt: skip
            continue
        found = from_kpj if from_kpj is not None else from_nik
        assert found is not None  # noqa: S101 - one of the two is set (parse_statement)
        worker_id = int(found)
        if worker_id in seen:
            problems.append(
                StatementProblem(row.row, "KPJ", f"peserta yang sama sudah ada di baris {seen[worker_id]}.")
            )
            continue
        seen[worker_id] = row.row
        settled = paid.get(worker_id)
        lindung = settled["total"] if settled else 0
        village = settled["invoice__village_id"] if settled else ""
        difference = _compare(row, row.amount, lindung, village_code=village, **who)
        if difference is None:
            matched += 1
        else:
            differences.append(difference)
    for worker_id, entry in sorted(paid.items(), key=lambda item: (item[1]["invoice__village_id"], item[0])):
        if worker_id not in seen and entry["total"]:
            differences.append(
                _Difference(
                    StatementDifference.Kind.NOT_AT_BPJS,
                    village_code=entry["invoice__village_id"],
                    kpj=entry["membership__kpj_number"],
                    nik_masked=mask_nik(entry["membership__worker__nik"]),
                    name=entry["membership__worker__name"],
                    lindung_amount=entry["total"],
                )
            )
    return differences, matched, sum(e["total"] for e in paid.values()), problems


def _reconcile_villages(
    rows: list[StatementRow], period: dt.date, region_code: str
) -> tuple[list[_Difference], int, int, list[StatementProblem]]:
    codes = {r.village for r in rows}
    villages = Region.objects.filter(_under("code", region_code), level=Region.Level.VILLAGE, code__in=codes)
    known = dict(villages.values_list("code", "name"))
    paid: dict[str, int] = defaultdict(int)
    for village, amount in (
        Invoice.objects.filter(_under("village__code", region_code), period=period, paid_amount__gt=0)
        .values_list("village_id")
        .annotate(total=Sum("paid_amount"))
        .order_by()
    ):
        paid[village] += amount
    differences: list[_Difference] = []
    matched = 0
    for row in rows:
        if row.village not in known:
            differences.append(
                _Difference(StatementDifference.Kind.UNKNOWN, row.row, village_code=row.village, name=row.name,
                            bpjs_amount=row.amount, note="Kode desa tidak dikenal di wilayah ini.")
            )  # fmt: skip
            continue
        difference = _compare(row, row.amount, paid.get(row.village, 0), village_code=row.village,
                              name=known[row.village])  # fmt: skip
        if difference is None:
            matched += 1
        else:
            differences.append(difference)
    listed = {r.village for r in rows}
    names = dict(Region.objects.filter(code__in=set(paid) - listed).values_list("code", "name"))
    differences.extend(
        _Difference(StatementDifference.Kind.NOT_AT_BPJS, village_code=code, name=names.get(code, ""),
                    lindung_amount=amount)
        for code, amount in sorted(paid.items())
        if code not in listed
    )  # fmt: skip
    return differences, matched, sum(paid.values()), []


def _content_hash(layout: str, period: dt.date, region_code: str, rows: list[StatementRow]) -> str:
    content = [layout, period.isoformat(), region_code, sorted((r.kpj, r.nik, r.village, r.amount) for r in rows)]
    return hashlib.sha256(json.dumps(content, separators=(",", ":")).encode()).hexdigest()


def statements_visible(user: Any) -> Any:
    """Statement imports whose region lies in the user's scope."""
    scope = user_scope(user)
    statements = StatementImport.objects.all()
    if scope.national:
        return statements
    condition = Q(pk__in=[])
    for code in scope.codes:
        condition |= Q(region_code=code) | Q(region_code__startswith=f"{code}.")
    return statements.filter(condition)


def statement_import(
    *, actor: Any, path: Path, period: dt.date, region_code: str, original_name: str = ""
) -> StatementResult:
    """Check, reconcile and store a statement (all or nothing); the same content again creates nothing."""
    region_code = region_code.strip()
    if actor is not None and not can_import_statement(actor):
        raise ApplicationError(_("Your role cannot import BPJS contribution statements."), code="forbidden")
    outside = actor is not None and not user_scope(actor).covers(region_code)
    if outside or not Region.objects.filter(code=region_code).exists():
        raise ApplicationError(_("Region not found or outside your area."), code="region")
    period = period.replace(day=1)
    layout, rows, problems = parse_statement(path, period)
    if problems:
        return StatementResult(problems=problems)
    digest = _content_hash(layout, period, region_code, rows)
    existing = StatementImport.objects.filter(
        region_code=region_code, period=period, layout=layout, content_hash=digest
    ).first()
    if existing is not None:
        return StatementResult(statement=existing, created=False)
    reconcile = _reconcile_members if layout == MEMBER else _reconcile_villages
    differences, matched, lindung_total, problems = reconcile(rows, period, region_code)
    if problems:
        return StatementResult(problems=problems)
    try:
        with transaction.atomic():
            statement = StatementImport.objects.create(
                period=period,
                region_code=region_code,
                layout=layout,
                original_name=original_name[:255],
                content_hash=digest,
                rows=len(rows),
                matched=matched,
                bpjs_total=sum(r.amount for r in rows),
                lindung_total=lindung_total,
                created_by=actor,
            )
            StatementDifference.objects.bulk_create(
                [StatementDifference(statement=statement, **vars(d)) for d in differences], batch_size=5000
            )
            counts: dict[str, int] = defaultdict(int)
            for d in differences:
                counts[d.kind] += 1
            audit_record(
                actor=actor,
                actor_username="" if actor is not None else "system",
                action="billing.statement.import",
                target_type="statement_import",
                target_id=statement.pk,
                region_code=region_code,
                changes={
                    "period": f"{period:%Y-%m}",
                    "layout": layout,
                    "rows": len(rows),
                    "matched": matched,
                    "differences": dict(counts),
                    "bpjs_total": statement.bpjs_total,
                    "lindung_total": lindung_total,
                },
            )
    except IntegrityError:  # the same statement imported at the same moment by someone else
        existing = StatementImport.objects.filter(
            region_code=region_code, period=period, layout=layout, content_hash=digest
        ).first()
        if existing is None:  # pragma: no cover - another integrity problem
            raise
        return StatementResult(statement=existing, created=False)
    return StatementResult(statement=statement, created=True)


# --- workbooks -----------------------------------------------------------------------------------------------


def _styled_header(sheet: Any, row: int) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    for cell in sheet[row]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = PatternFill("solid", fgColor="1F4E79")
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def statement_template(layout: str) -> bytes:
    """An empty statement with the documented columns and one example row (to be overwritten)."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Rekening Iuran"
    sheet.append(TEMPLATE_HEADERS[layout])
    _styled_header(sheet, 1)
    if layout == MEMBER:
        sheet.append(["2026-03", "23020000101", "5171034508900101", "Contoh Peserta", 16800, "10-03-2026"])
        widths: tuple[int, ...] = (10, 16, 20, 30, 12, 14)
    else:
        sheet.append(["2026-03", "51.71.03.2008", "Tegal Harum", 1680000])
        widths = (10, 16, 30, 14)
    for cell in sheet[2]:
        cell.number_format = "@" if not isinstance(cell.value, int) else RUPIAH_FORMAT
    for index, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


DIFFERENCE_TEXT = {
    StatementDifference.Kind.NOT_RECORDED: "Dibayar di BPJS, belum tercatat di Lindung",
    StatementDifference.Kind.NOT_AT_BPJS: "Tercatat di Lindung, tidak ada di BPJS",
    StatementDifference.Kind.AMOUNT: "Jumlah berbeda",
    StatementDifference.Kind.UNKNOWN: "KPJ/NIK atau desa tidak dikenal",
}


def reconciliation_workbook(statement: StatementImport) -> bytes:
    """The reconciliation result: a summary sheet and the differences, formatted, every text cell neutralised."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook()
    summary = workbook.active
    summary.title = "Ringkasan"
    for label, value in (
        ("Periode", f"{statement.period:%Y-%m}"),
        ("Wilayah", statement.region_code),
        ("Bentuk rekening", "per peserta" if statement.layout == MEMBER else "per desa"),
        ("Berkas", statement.original_name),
        ("Baris", statement.rows),
        ("Baris yang cocok", statement.matched),
        ("Jumlah di BPJS (Rp)", statement.bpjs_total),
        ("Jumlah tercatat di Lindung (Rp)", statement.lindung_total),
        ("Selisih (Rp)", statement.bpjs_total - statement.lindung_total),
    ):
        summary.append([neutralise(label), neutralise(value)])
        summary.cell(row=summary.max_row, column=1).font = Font(bold=True)
        if isinstance(value, int):
            summary.cell(row=summary.max_row, column=2).number_format = RUPIAH_FORMAT
    summary.column_dimensions["A"].width = 32
    summary.column_dimensions["B"].width = 40
    sheet = workbook.create_sheet("Selisih")
    sheet.append(
        ["Jenis", "Baris", "Kode Desa", "KPJ", "NIK", "Nama", "Di BPJS (Rp)", "Di Lindung (Rp)", "Selisih (Rp)",
         "Keterangan"]
    )  # fmt: skip
    _styled_header(sheet, 1)
    for d in statement.differences.all():
        row = [
            DIFFERENCE_TEXT.get(StatementDifference.Kind(d.kind), d.kind),
            d.row,
            d.village_code,
            d.kpj,
            d.nik_masked,
            d.name,
            d.bpjs_amount,
            d.lindung_amount,
            d.bpjs_amount - d.lindung_amount,
            d.note,
        ]
        sheet.append([neutralise(value) for value in row])
    for column in ("G", "H", "I"):
        for cell in sheet[column][1:]:
            cell.number_format = RUPIAH_FORMAT
    for column in ("C", "D", "E"):
        for cell in sheet[column][1:]:
            cell.number_format = "@"
    for column, width in zip("ABCDEFGHIJ", (40, 8, 16, 16, 20, 30, 14, 14, 14, 50), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:J{max(sheet.max_row, 1)}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
