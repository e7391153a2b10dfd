"""Refresh the dashboard summary tables from the source tables, set-based.

A village row is computed by one grouped query per source table (never a query per village or per row); the rows of
districts, cities, provinces and the country are sums of the rows one level below. Without explicit villages, only the
villages whose source rows changed since the last refresh are recomputed: the services of the other apps are not
touched, the changes are read from their own timestamps (and, for what has none, from the audit trail's region codes).
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, Substr, TruncMonth
from django.utils import timezone

from lindung.audit.models import AuditEvent
from lindung.billing.models import Account, Invoice, InvoiceLine, Payment
from lindung.claims.models import (
    Claim,
    ClaimTransition,
    Incident,
    IncidentType,
    Payout,
    PlannedYear,
    ScholarshipDisbursement,
    ScholarshipPlan,
)
from lindung.membership.models import Membership, MembershipStatusChange
from lindung.programmes.models import Agreement, AgreementTransition
from lindung.regions.models import Region
from lindung.registry.models import Worker
from lindung.reporting.models import COUNTRY, CURRENT_FIELDS, MONTH_FIELDS, RefreshState, Summary, SummaryMonth
from lindung.training.models import Enrolment

#: Rows are stamped by the application before their transaction commits: a refresh looks back this far before its own
#: previous start, so a change committed while the previous refresh was reading is not missed.
SLACK = dt.timedelta(minutes=5)
CHUNK = 2000  # villages per grouped query when only some are refreshed (bind-parameter limits)
FULL_CHUNK = 10_000  # villages per step of a full refresh (bounded memory at national scale)
BATCH = 5000  # rows per INSERT
#: Length of the region code of each level (0 = the country, 4 = a desa/kelurahan).
CODE_LENGTH = {1: 2, 2: 5, 3: 8, 4: 13}
SIGNED = (Agreement.Status.SIGNED, Agreement.Status.ACTIVE)
COVERED = (Membership.Status.ACTIVE, Membership.Status.ARREARS)


@dataclass(frozen=True)
class RefreshResult:
    villages: int  # village rows recomputed
    regions: int  # district/city/province/country rows recomputed
    months: int  # village-month rows written
    duration_s: float
    as_of: dt.datetime
    full: bool


def parent_of(code: str) -> str:
    """The code of the region above `code` ("ID" above a province, "" above the country)."""
    if code == COUNTRY:
        return ""
    if len(code) == CODE_LENGTH[1]:
        return COUNTRY
    return code.rsplit(".", 1)[0]


def level_of(code: str) -> int:
    if code == COUNTRY:
        return 0
    return code.count(".") + 1


# --- what changed -------------------------------------------------------------------------------


def changed_villages(since: dt.datetime) -> set[str]:
    """Villages with a source row written at or after `since` (one query per source table)."""
    sources: list[QuerySet[Any]] = [
        Payment.objects.filter(recorded_at__gte=since).values_list("village_id"),
        Invoice.objects.filter(created_at__gte=since).values_list("village_id"),
        Account.objects.filter(recomputed_at__gte=since).values_list("village_id"),
        Membership.objects.filter(updated_at__gte=since).values_list("worker__village_id"),
        MembershipStatusChange.objects.filter(recorded_at__gte=since).values_list("membership__worker__village_id"),
        Worker.objects.filter(updated_at__gte=since).values_list("village_id"),
        Agreement.objects.filter(updated_at__gte=since).values_list("village_id"),
        AgreementTransition.objects.filter(recorded_at__gte=since).values_list("agreement__village_id"),
        Incident.objects.filter(reported_at__gte=since).values_list("village_id"),
        Claim.objects.filter(created_at__gte=since).values_list("incident__village_id"),
        ClaimTransition.objects.filter(recorded_at__gte=since).values_list("claim__incident__village_id"),
        Payout.objects.filter(recorded_at__gte=since).values_list("claim__incident__village_id"),
        ScholarshipPlan.objects.filter(created_at__gte=since).values_list("claim__incident__village_id"),
        ScholarshipDisbursement.objects.filter(recorded_at__gte=since).values_list("plan__claim__incident__village_id"),
    ]
    villages: set[str] = set()
    for source in sources:
        villages.update(code for (code,) in source.distinct().order_by() if code)
    # What has no timestamp of its own (training enrolments, stopped scholarship plans, …) is audited with a
    # region code: a village's code names the village, a higher region's code all its villages.
    regions = set(
        AuditEvent.objects.filter(occurred_at__gte=since)
        .exclude(region_code="")
        .values_list("region_code", flat=True)
        .distinct()
        .order_by()
    )
    higher = {code for code in regions if level_of(code) < 4}
    villages.update(regions - higher)
    if higher:
        condition = Q(pk__in=[])
        for code in higher:
            condition |= Q(code__startswith=f"{code}.")
        villages.update(Region.objects.filter(condition, level=Region.Level.VILLAGE).values_list("code", flat=True))
    return villages


# --- village rows -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Grouping:
    """Which villages to read (exact `codes`, or all under `prefix`, or all) and what to group them by: the village
    code itself, or its first `key_len` characters (the district, city or province: the raw baseline of the
    benchmark groups this way)."""

    codes: list[str] | None = None
    prefix: str | None = None
    between: tuple[str, str] | None = None  # first and last village code, inclusive
    key_len: int | None = None

    def rows(self, queryset: QuerySet[Any], field: str) -> QuerySet[Any]:
        if self.codes is not None:
            queryset = queryset.filter(**{f"{field}__in": self.codes})
        if self.between is not None:
            queryset = queryset.filter(**{f"{field}__gte": self.between[0], f"{field}__lte": self.between[1]})
        if self.prefix:
            start = f"{self.prefix}."
            queryset = queryset.annotate(_prefix=Substr(field, 1, len(start))).filter(_prefix=start)
        if self.key_len is not None:
            return queryset.annotate(_key=Substr(field, 1, self.key_len))
        return queryset.annotate(_key=F(field))

    def grouped(self, queryset: QuerySet[Any], field: str, **aggregates: Any) -> Iterator[dict[str, Any]]:
        return iter(self.rows(queryset, field).values("_key").annotate(**aggregates).order_by())


def _month(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date().replace(day=1) if timezone.is_aware(value) else value.date()
    return value.replace(day=1)


def current_figures(g: Grouping) -> dict[str, dict[str, int]]:
    """Current figures per group key: one grouped query per source table."""
    rows: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(CURRENT_FIELDS, 0))
    for r in g.grouped(
        Region.objects.filter(level=Region.Level.VILLAGE),
        "code",
        desa=Count("pk", filter=~Q(kind=Region.Kind.KELURAHAN)),
        kelurahan=Count("pk", filter=Q(kind=Region.Kind.KELURAHAN)),
    ):
        rows[r["_key"]]["villages_desa"] += r["desa"]
        rows[r["_key"]]["villages_kelurahan"] += r["kelurahan"]

    def add(code: str | None, figures: dict[str, Any]) -> None:
        if code in rows:
            target = rows[code]
            for name, value in figures.items():
                target[name] += int(value or 0)

    signed = Agreement.objects.filter(status__in=SIGNED)
    quota = Sum(Coalesce("quota", "programme__quota_per_village"))
    # A village counts once whatever the number of its programmes' agreements.
    for r in g.grouped(
        signed,
        "village_id",
        desa=Count("village_id", distinct=True, filter=~Q(village__kind=Region.Kind.KELURAHAN)),
        kelurahan=Count("village_id", distinct=True, filter=Q(village__kind=Region.Kind.KELURAHAN)),
        quota=quota,
    ):
        add(r["_key"], {"agreements_desa": r["desa"], "agreements_kelurahan": r["kelurahan"], "quota": r["quota"]})

    renewed = Exists(Membership.objects.filter(renews=OuterRef("pk")))
    for r in g.grouped(
        Membership.objects.all(),
        "worker__village_id",
        active=Count("pk", filter=Q(status__in=COVERED)),
        arrears=Count("pk", filter=Q(status=Membership.Status.ARREARS)),
        lapsed=Count("pk", filter=Q(status=Membership.Status.LAPSED) & ~renewed),
    ):
        add(r["_key"], {"members_active": r["active"], "members_arrears": r["arrears"], "members_lapsed": r["lapsed"]})

    extreme = Q(decile=1) | Q(extreme_poor=True)
    poor = Q(decile__gte=1, decile__lte=4) | Q(extreme_poor=True)
    for r in g.grouped(
        Worker.objects.all(),
        "village_id",
        registered=Count("pk"),
        extreme=Count("pk", filter=extreme),
        poor=Count("pk", filter=poor),
    ):
        add(
            r["_key"],
            {"workers_registered": r["registered"], "extreme_registered": r["extreme"], "poor_registered": r["poor"]},
        )
    # Covered: a worker with at least one membership in force (active or in arrears), counted once.
    for r in g.grouped(
        Membership.objects.filter(status__in=COVERED),
        "worker__village_id",
        extreme=Count("worker_id", distinct=True, filter=Q(worker__decile=1) | Q(worker__extreme_poor=True)),
        poor=Count(
            "worker_id",
            distinct=True,
            filter=Q(worker__decile__gte=1, worker__decile__lte=4) | Q(worker__extreme_poor=True),
        ),
    ):
        add(r["_key"], {"extreme_covered": r["extreme"], "poor_covered": r["poor"]})

    for r in g.grouped(Invoice.objects.exclude(status=Invoice.Status.VOID), "village_id", total=Sum("total")):
        add(r["_key"], {"contributions_billed": r["total"]})
    for r in g.grouped(Payment.objects.all(), "village_id", total=Sum("amount")):
        add(r["_key"], {"contributions_paid": r["total"]})

    claim_counts: dict[str, Any] = {
        f"claims_{status}": Count("pk", filter=Q(status=status)) for status in Claim.Status.values
    }
    claim_counts.update({f"claims_{kind}": Count("pk", filter=Q(incident__type=kind)) for kind in IncidentType.values})
    for r in g.grouped(Claim.objects.all(), "incident__village_id", **claim_counts):
        add(r["_key"], {name: r[name] for name in claim_counts})

    for r in g.grouped(Payout.objects.all(), "claim__incident__village_id", total=Sum("amount")):
        add(r["_key"], {"benefits_paid": r["total"]})
    plans = ScholarshipPlan.objects.filter(status=ScholarshipPlan.Status.ACTIVE)
    for r in g.grouped(plans, "claim__incident__village_id", n=Count("pk")):
        add(r["_key"], {"scholarships_active": r["n"]})
    # Money still owed: planned years of active plans without a disbursement (the claims app's own definition,
    # `claims.selectors.scholarship_liabilities`).
    paid_year = ScholarshipDisbursement.objects.filter(plan=OuterRef("plan"), school_year=OuterRef("school_year"))
    owed = PlannedYear.objects.filter(plan__status=ScholarshipPlan.Status.ACTIVE).exclude(Exists(paid_year))
    for r in g.grouped(owed, "plan__claim__incident__village_id", total=Sum("amount")):
        add(r["_key"], {"scholarships_owed": r["total"]})

    done = (Enrolment.Status.ENROLLED, Enrolment.Status.COMPLETED)
    for r in g.grouped(
        Enrolment.objects.all(),
        "worker__village_id",
        enrolled=Count("pk", filter=Q(status__in=done)),
        completed=Count("pk", filter=Q(status=Enrolment.Status.COMPLETED)),
    ):
        add(r["_key"], {"training_enrolled": r["enrolled"], "training_completed": r["completed"]})
    return dict(rows)


MONTH_INDEX = {name: i for i, name in enumerate(MONTH_FIELDS)}


def month_figures(g: Grouping) -> dict[tuple[str, dt.date], list[int]]:
    """Monthly flows keyed by (group key, first day of the month), values in MONTH_FIELDS order (lists: a national
    chunk holds hundreds of thousands of them)."""
    rows: dict[tuple[str, dt.date], list[int]] = defaultdict(lambda: [0] * len(MONTH_FIELDS))

    def flow(queryset: QuerySet[Any], village: str, month: Any, name: str, value: Any) -> None:
        grouped = (
            g.rows(queryset, village)
            .annotate(m=month)
            .values("_key", "m")
            .annotate(v=value)
            .order_by()
            .values_list("_key", "m", "v")
        )
        for code, when, amount in grouped:
            if code and when is not None:
                rows[(code, _month(when))][MONTH_INDEX[name]] += int(amount or 0)

    signed = Agreement.objects.filter(signed_on__isnull=False)
    flow(signed, "village_id", TruncMonth("signed_on"), "agreements_signed", Count("pk"))
    flow(Worker.objects.all(), "village_id", TruncMonth("registered_at"), "workers_registered", Count("pk"))
    flow(Membership.objects.all(), "worker__village_id", TruncMonth("starts_on"), "members_started", Count("pk"))
    flow(
        InvoiceLine.objects.filter(status=InvoiceLine.Status.PAID),
        "invoice__village_id",
        F("invoice__period"),
        "members_paid",
        Count("pk"),
    )
    billed = Invoice.objects.exclude(status=Invoice.Status.VOID)
    flow(billed, "village_id", F("period"), "contributions_billed", Sum("total"))
    flow(Payment.objects.all(), "village_id", TruncMonth("value_date"), "contributions_paid", Sum("amount"))
    flow(Claim.objects.all(), "incident__village_id", TruncMonth("incident__date"), "claims_reported", Count("pk"))
    flow(Payout.objects.all(), "claim__incident__village_id", TruncMonth("paid_on"), "benefits_paid", Sum("amount"))
    flow(
        ScholarshipDisbursement.objects.all(),
        "plan__claim__incident__village_id",
        TruncMonth("paid_on"),
        "scholarships_paid",
        Sum("amount"),
    )
    flow(
        Enrolment.objects.filter(enrolled_on__isnull=False),
        "worker__village_id",
        TruncMonth("enrolled_on"),
        "training_enrolled",
        Count("pk"),
    )
    flow(
        Enrolment.objects.filter(completed_on__isnull=False, status=Enrolment.Status.COMPLETED),
        "worker__village_id",
        TruncMonth("completed_on"),
        "training_completed",
        Count("pk"),
    )
    return rows


def _batches(items: list[Any]) -> Iterator[list[Any]]:
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]


def _chunks(codes: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(codes), CHUNK):
        yield codes[start : start + CHUNK]


def _write_villages(g: Grouping, now: dt.datetime, *, replace: list[str] | None) -> tuple[int, int]:
    """Write the village rows of grouping `g` (keyed by the village code); delete `replace`'s old rows first."""
    current = current_figures(g)
    months = month_figures(g)
    if replace:
        Summary.objects.filter(region_code__in=replace).delete()
        SummaryMonth.objects.filter(region_code__in=replace).delete()
    stamp = Summary._meta.get_field("refreshed_at").get_db_prep_value(now, connection)
    _insert(
        Summary,
        ["region_code", "level", "parent_code", "refreshed_at", *CURRENT_FIELDS],
        ((code, 4, parent_of(code), stamp, *(figures[n] for n in CURRENT_FIELDS)) for code, figures in current.items()),
    )
    month_field = SummaryMonth._meta.get_field("month")
    written = _insert(
        SummaryMonth,
        ["region_code", "level", "month", *MONTH_FIELDS],
        (
            (code, 4, month_field.get_db_prep_value(month, connection), *values)
            for (code, month), values in months.items()
            if code in current
        ),
    )
    return len(current), written


def _insert(model: Any, columns: list[str], rows: Iterable[tuple[Any, ...]]) -> int:
    """INSERT rows with multi-row VALUES statements as large as the driver's parameter limit allows; no model
    instances (a national refresh writes millions of values)."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    per_statement = max(1, min(BATCH, (connection.features.max_query_params or 65_535) // len(columns)))
    count = 0
    batch: list[Any] = []
    in_batch = 0
    with connection.cursor() as cursor:

        def flush() -> None:
            sql = f"INSERT INTO {table} ({names}) VALUES {', '.join([one] * in_batch)}"  # noqa: S608 (own names)
            cursor.execute(sql, batch)

        for row in rows:
            batch.extend(row)
            in_batch += 1
            if in_batch == per_statement:
                flush()
                count += in_batch
                batch, in_batch = [], 0
        if in_batch:
            flush()
            count += in_batch
    return count


def _write_level(level: int, codes: set[str] | None, now: dt.datetime) -> int:
    """Rows of `level` (0 to 3) as sums of the rows one level below; only `codes` (all when None)."""
    below: QuerySet[Any] = Summary.objects.filter(level=level + 1)
    below_months: QuerySet[Any] = SummaryMonth.objects.filter(level=level + 1)
    key_current: QuerySet[Any]
    key_months: QuerySet[Any]
    if level == 0:
        key_current = below.values("level")  # one group: every province
        key_months = below_months.values("month")
    else:
        key_current = below.values("parent_code")
        below_months = below_months.annotate(parent=Substr("region_code", 1, CODE_LENGTH[level]))
        key_months = below_months.values("parent", "month")
    if codes is not None and level > 0:
        key_current = key_current.filter(parent_code__in=codes)
        key_months = key_months.filter(parent__in=codes)
    current = list(key_current.annotate(**{name: Sum(name) for name in CURRENT_FIELDS}).order_by())
    months = list(key_months.annotate(**{name: Sum(name) for name in MONTH_FIELDS}).order_by())
    targets = codes if level > 0 else {COUNTRY}
    Summary.objects.filter(level=level, **({} if targets is None else {"region_code__in": targets})).delete()
    SummaryMonth.objects.filter(level=level, **({} if targets is None else {"region_code__in": targets})).delete()
    rows = []
    for r in current:
        code = COUNTRY if level == 0 else r["parent_code"]
        figures = {name: int(r[name] or 0) for name in CURRENT_FIELDS}
        rows.append(Summary(region_code=code, level=level, parent_code=parent_of(code), refreshed_at=now, **figures))
    for batch in _batches(rows):
        Summary.objects.bulk_create(batch)
    month_rows = []
    for r in months:
        code = COUNTRY if level == 0 else r["parent"]
        month_rows.append(
            SummaryMonth(
                region_code=code, level=level, month=r["month"], **{name: int(r[name] or 0) for name in MONTH_FIELDS}
            )
        )
    for batch in _batches(month_rows):
        SummaryMonth.objects.bulk_create(batch)
    return len(rows)


def _ancestors(codes: Iterable[str]) -> dict[int, set[str]]:
    levels: dict[int, set[str]] = {1: set(), 2: set(), 3: set()}
    for code in codes:
        parts = code.split(".")
        for level in (1, 2, 3):
            levels[level].add(".".join(parts[:level]))
    return levels


def refresh_summaries(village_codes: Iterable[str] | None = None, *, full: bool = False) -> RefreshResult:
    """Recompute the summaries of `village_codes`, or of every village whose source rows changed since the last
    refresh (None), or of everything (`full`); then the rows of the regions above them. One transaction."""
    started = time.perf_counter()
    now = timezone.now()
    with transaction.atomic():
        state, _ = RefreshState.objects.select_for_update().get_or_create(pk=1)
        if full or (village_codes is None and state.watermark is None):
            codes: list[str] | None = None
            full = True
        elif village_codes is None:
            assert state.watermark is not None  # noqa: S101 (checked above)
            codes = sorted(changed_villages(state.watermark - SLACK))
        else:
            codes = sorted(set(village_codes))
        villages = months = regions = 0
        if codes is None:
            # Everything, a range of village codes at a time (bounded memory at national scale; a range is an index
            # scan on every table's village column).
            Summary.objects.all().delete()
            SummaryMonth.objects.all().delete()
            every = list(
                Region.objects.filter(level=Region.Level.VILLAGE).order_by("code").values_list("code", flat=True)
            )
            for start in range(0, len(every), FULL_CHUNK):
                part = every[start : start + FULL_CHUNK]
                v, m = _write_villages(Grouping(between=(part[0], part[-1])), now, replace=None)
                villages += v
                months += m
            for level in (3, 2, 1, 0):
                regions += _write_level(level, None, now)
        elif codes:
            for chunk in _chunks(codes):
                v, m = _write_villages(Grouping(codes=chunk), now, replace=chunk)
                villages += v
                months += m
            ancestors = _ancestors(codes)
            for level in (3, 2, 1):
                for chunk in _chunks(sorted(ancestors[level])):
                    regions += _write_level(level, set(chunk), now)
            regions += _write_level(0, None, now)
        duration = time.perf_counter() - started
        RefreshState.objects.filter(pk=1).update(
            refreshed_at=now, watermark=now, last_duration_s=duration, last_villages=villages
        )
    return RefreshResult(villages=villages, regions=regions, months=months, duration_s=duration, as_of=now, full=full)
