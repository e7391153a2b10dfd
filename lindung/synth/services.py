"""`synth_run`: fill a scope of villages with synthetic programmes, candidates, members, billing and claims.

Set-based: rows are generated per chunk of whole districts (~2,000 villages) in Python and loaded with COPY on
PostgreSQL, `executemany` on SQLite; ids are assigned by the generator from the tables' current maximum (so a run
must be the only writer of these tables while it runs) and the sequences are moved past them at the end.

Refusing, not replacing: a scope that already holds registered workers (synthetic or real) or an earlier synth
run is refused with a message in Indonesian, and nothing is written.

Billing is written as Lindung's own rules derive it (RULES.md, `lindung.billing.cover`): invoice amounts from
`contributions.monthly_due`, one payment per settled batch of whole invoices, allocations oldest first, each
member's `paid_through` the last month of the unbroken paid run and the status on `as_of` (active, arrears 1-3
unpaid months, lapsed from 4, ended on death). The tests check it against `cover_recompute`, which must find nothing
to change.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import multiprocessing
import os
import re
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils.translation import gettext as _

from lindung.accounts.models import User
from lindung.audit.recording import audit_record
from lindung.billing.contributions import discount_allowed, monthly_due
from lindung.core.errors import ApplicationError
from lindung.programmes.models import Agreement, Funder, Package, Programme, ProgrammeRules
from lindung.programmes.services import programme_create
from lindung.regions.models import Region
from lindung.registry.models import Worker
from lindung.synth import generate as G
from lindung.synth.models import SynthRun

AS_OF = dt.date(2026, 6, 30)  # the fixed "today" of generated data (override with --as-of)
CHUNK_VILLAGES = 1000
SYNTH_USERNAME = "synth"
PROGRAMME_PREFIX = "Program Sintetis Pekerja Rentan"
VILLAGE_KINDS = (Region.Kind.DESA, Region.Kind.KELURAHAN, Region.Kind.DESA_ADAT)
LOAD_ORDER = tuple(G.COLUMNS)  # COLUMNS is written in foreign-key order


@dataclass
class SynthResult:
    counts: dict[str, int]
    seconds: float
    size_bytes: int
    checksum: str
    villages: int
    skipped: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "villages": self.villages,
            "counts": self.counts,
            "seconds": round(self.seconds, 2),
            "size_bytes": self.size_bytes,
            "checksum": self.checksum,
        }


def _scope_q(prefix: str) -> dict[str, Any]:
    return {"code__startswith": f"{prefix}."} if prefix else {}


def synth_user() -> User:
    user, created = User.objects.get_or_create(
        username=SYNTH_USERNAME, defaults={"full_name": "Generator data sintetis", "is_active": False}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def scope_villages(prefix: str, exclude: Iterable[str] = ()) -> list[G.Village]:
    """The desa/kelurahan under `prefix` ("" = the whole country), in code order, with regency and district names."""
    names = dict(
        Region.objects.filter(level__in=(Region.Level.REGENCY, Region.Level.DISTRICT)).values_list("code", "name")
    )
    rows = (
        Region.objects.filter(level=Region.Level.VILLAGE, kind__in=VILLAGE_KINDS, **_scope_q(prefix))
        .exclude(code__in=list(exclude))
        .order_by("code")
        .values_list("code", "name", "kind")
    )
    return [
        G.Village(code, name, kind, names.get(code[:5], code[:5]), names.get(code[:8], code[:8]))
        for code, name, kind in rows
    ]


def _refusal(prefix: str, villages: list[G.Village]) -> str | None:
    label = prefix or _("all of Indonesia")
    earlier = [
        r
        for r in SynthRun.objects.all()
        if not r.scope or not prefix or r.scope.startswith(prefix) or prefix.startswith(r.scope)
    ]
    if earlier:
        run = earlier[0]
        return _(
            "Synthetic data for the region %(region)s already exists (made with seed %(seed)s for the region "
            "%(scope)s). Nothing was changed; use a new database to make it again."
        ) % {"region": label, "seed": run.seed, "scope": run.scope or _("all of Indonesia")}
    workers = Worker.objects.all() if not prefix else Worker.objects.filter(village__code__startswith=f"{prefix}.")
    codes = {v.code for v in villages}
    if prefix and len(codes) < 5000:
        workers = Worker.objects.filter(village_id__in=codes)
    if workers.exists():
        return _(
            "The region %(region)s already has registered workers; synthetic data is only made for villages that "
            "are still empty. Nothing was changed."
        ) % {"region": label}
    return None


def _chunks(villages: list[G.Village], size: int) -> Iterable[list[G.Village]]:
    """Whole districts per chunk, at least `size` villages (a district never spans two chunks: NIK serials)."""
    chunk: list[G.Village] = []
    for village in villages:
        if chunk and len(chunk) >= size and chunk[-1].code[:8] != village.code[:8]:
            yield chunk
            chunk = []
        chunk.append(village)
    if chunk:
        yield chunk


def _next_ids() -> dict[str, int]:
    with connection.cursor() as cursor:
        result = {}
        for table in G.COLUMNS:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608 - table names from the code
            result[table] = int(cursor.fetchone()[0]) + 1
    return result


def _copy_text(table: str, rows: list[tuple[Any, ...]]) -> str:
    """COPY text format: generated values never hold a tab, newline or backslash, except JSON (escaped here)."""
    if not rows:
        return ""
    if table in G.JSON_TABLES:
        return "".join("\t".join(v if v == "\\N" else v.replace("\\", "\\\\") for v in row) + "\n" for row in rows)
    return "\n".join(map("\t".join, rows)) + "\n"


def _write(table: str, payload: str | list[tuple[Any, ...]]) -> None:
    if not payload:
        return
    columns = G.COLUMNS[table]
    quoted = ", ".join(f'"{c}"' for c in columns)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
            for start in range(0, len(payload), 1 << 22):
                copy.write(payload[start : start + (1 << 22)])
    else:
        connection.ensure_connection()
        marks = ", ".join("?" * len(columns))
        connection.connection.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({marks})", payload)  # noqa: S608


def _bounds(ctx: G.Context, villages: int) -> dict[str, int]:
    """Upper bounds of the ids one chunk can use, per table: chunks get disjoint id ranges, so they can be generated
    in parallel and in any order (gaps in the ids are harmless; the checksum leaves ids out)."""
    c = round(ctx.per_village * ctx.factor) * villages
    q, m = ctx.per_village * villages, ctx.months
    return {
        "programmes_agreement": villages,
        "programmes_agreementtransition": 3 * villages,
        "registry_worker": c,
        "registry_child": 5 * c,
        "registry_heir": c,
        "membership_membership": q,
        "membership_membershipstatuschange": 5 * q,
        "billing_invoice": m * villages,
        "billing_invoiceline": m * q,
        "billing_payment": m * villages,
        "billing_paymentallocation": m * villages,
        "billing_account": villages,
        "claims_incident": q,
        "claims_claim": q,
        "claims_claimtransition": 4 * q,
        "claims_scholarshipplan": 5 * q,
        "claims_plannedyear": 100 * q,
    }


def _bounded_imap(pool: Any, count: int, window: int) -> Iterable[dict[str, Any]]:
    """Results in chunk order, with at most `window` chunks generated ahead of the writer (bounded memory)."""
    pending: deque[Any] = deque()
    following = iter(range(count))
    for first in itertools.islice(following, window):
        pending.append(pool.apply_async(_generate, (first,)))
    while pending:
        result = pending.popleft().get()
        following_index = next(following, None)
        if following_index is not None:
            pending.append(pool.apply_async(_generate, (following_index,)))
        yield result


_JOB: dict[str, Any] = {}  # set before the pool forks: the workers read it


def _generate(index: int) -> dict[str, Any]:
    job = _JOB
    ctx = job["ctx"]
    ctx.next_ids = dict(job["bases"][index])
    chunk = G.Chunk(ctx, job["programmes"], job["existing"])
    for village in job["chunks"][index]:
        chunk.village(village)
    if job["vendor"] == "postgresql":
        return {table: (len(rows), _copy_text(table, rows)) for table, rows in chunk.tables.items()}
    return {table: (len(rows), rows) for table, rows in chunk.tables.items()}


def _reset_sequences() -> None:
    if connection.vendor != "postgresql":
        return  # SQLite's AUTOINCREMENT follows the largest id inserted
    with connection.cursor() as cursor:
        for table in G.COLUMNS:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table}), 1))"
            )


def _programmes(
    villages: list[G.Village], start: dt.date, per_village: int, seed: int, use: Programme | None
) -> dict[str, G.Programme]:
    """One programme per regency (reused if it exists, or `use` for all)."""
    result = {}
    regencies = sorted({v.code[:5] for v in villages})
    names = {v.code[:5]: v.regency_name for v in villages}
    for code in regencies:
        if use is not None:
            programme = use
        else:
            name = f"{PROGRAMME_PREFIX} {names[code]}"
            programme = Programme.objects.filter(name=name, region_id=code).first() or programme_create(
                acting_user=None,
                name=name,
                region=Region.objects.get(code=code),
                starts_on=start,
                quota_per_village=per_village,
                package=Package.JKK_JKM,
                declared_income=1_000_000,
                kelurahan_funder=Funder.APBD,
                legal_basis=f"Data sintetis (lindung synth, seed {seed})",
            )
        result[code] = G.Programme(
            id=programme.pk,
            funder_kelurahan=programme.kelurahan_funder,
            package=programme.package,
            declared_income=programme.declared_income,
        )
    return result


def synth_run(
    *,
    prefix: str = "",
    seed: int = 1,
    per_village: int = 100,
    candidates_factor: float = 1.5,
    months: int = 12,
    profile: str = "realistic",
    as_of: dt.date = AS_OF,
    exclude: Iterable[str] = (),
    programme: Programme | None = None,
    chunk_villages: int = CHUNK_VILLAGES,
    jobs: int = 2,
    user: User | None = None,
    with_checksum: bool = True,
    progress: Callable[[str], None] | None = None,
) -> SynthResult:
    """Generate the scope; refuse (ApplicationError, nothing written) when it already holds workers or synth data."""
    began = time.monotonic()
    if profile not in ("realistic", "full"):
        raise ApplicationError(_("The profile must be 'realistic' or 'full'."), code="profile")
    if months < 1 or per_village < 1 or candidates_factor < 1:
        raise ApplicationError(
            _("Months, quota and candidate factor must be positive (the factor at least 1)."), code="args"
        )
    exclude = sorted(exclude)
    prefix = prefix.strip().rstrip(".")
    villages = scope_villages(prefix, exclude)
    if not villages:
        raise ApplicationError(
            _("There is no desa/kelurahan in the region %(region)s: load the regions first (lindung regions-load).")
            % {"region": prefix or _("all of Indonesia")},
            code="empty",
        )
    refusal = _refusal(prefix, villages)
    if refusal:
        raise ApplicationError(refusal, code="exists")
    say = progress or (lambda _text: None)
    user = user or synth_user()  # who `reported_by`, `recorded_by` … name
    run = SynthRun.objects.create(
        scope=prefix,
        excluded=exclude,
        seed=seed,
        profile=profile,
        months=months,
        per_village=per_village,
        candidates_factor=candidates_factor,
        as_of=as_of,
    )
    ctx = G.Context(
        seed=seed,
        profile=profile,
        months=months,
        per_village=per_village,
        factor=candidates_factor,
        as_of=as_of,
        vendor=connection.vendor,
        user_id=user.pk,
        dues={},
        discount={},
        next_ids={},
        null="\\N" if connection.vendor == "postgresql" else None,
    )
    with transaction.atomic():
        programmes = _programmes(villages, ctx.start, per_village, seed, programme)
    ctx.existing_agreements = frozenset(
        Agreement.objects.filter(
            programme_id__in={p.id for p in programmes.values()}, village_id__in=[v.code for v in villages]
        ).values_list("village_id", flat=True)
    )
    sample = next(iter(programmes.values()))
    apbdes_discount = bool(
        ProgrammeRules.objects.filter(programme_id=sample.id, effective_from__lte=ctx.start)
        .order_by("-effective_from")
        .values_list("apply_discount_for_apbdes", flat=True)
        .first()
    )
    ctx.discount = {
        f: discount_allowed(f, apply_discount_for_apbdes=apbdes_discount) for f in (Funder.APBDES, Funder.APBD)
    }
    for m in range(months):
        period = G.month_add(ctx.start, m)
        for allowed in (False, True):
            ctx.dues[(period, allowed)] = monthly_due(sample.declared_income, sample.package, period, discount=allowed)
    prefixes = sorted({v.code[:8].replace(".", "") for v in villages})
    existing: set[str] = set()
    if Worker.objects.exists():
        provinces = sorted({p[:2] for p in prefixes})
        for province in provinces:
            existing.update(
                n
                for n in Worker.objects.filter(nik__startswith=province).values_list("nik", flat=True)
                if n[:6] in prefixes
            )
    chunks = list(_chunks(villages, chunk_villages))
    bases, cursor_ids = [], _next_ids()
    for chunk in chunks:
        bases.append(dict(cursor_ids))
        for table, bound in _bounds(ctx, len(chunk)).items():
            cursor_ids[table] += bound
    _JOB.update(ctx=ctx, programmes=programmes, existing=existing, chunks=chunks, bases=bases, vendor=connection.vendor)
    counts = dict.fromkeys(G.COLUMNS, 0)
    done = 0
    jobs = max(1, min(jobs, len(chunks))) if connection.vendor == "postgresql" else 1
    try:
        if jobs > 1:
            connection.close()  # the forked workers must not share the connection's socket
            pool = multiprocessing.get_context("fork").Pool(jobs)
            results: Iterable[dict[str, Any]] = _bounded_imap(pool, len(chunks), jobs + 1)
        else:
            pool = None
            results = map(_generate, range(len(chunks)))
        write_seconds: dict[str, float] = dict.fromkeys(LOAD_ORDER, 0.0)
        for index, tables in enumerate(results):
            with transaction.atomic():
                for table in LOAD_ORDER:
                    n, payload = tables[table]
                    t0 = time.monotonic()
                    _write(table, payload)
                    write_seconds[table] += time.monotonic() - t0
                    counts[table] += n
            done += len(chunks[index])
            say(
                f"synth: {done}/{len(villages)} desa, {counts['registry_worker']} pekerja, "
                f"{counts['membership_membership']} peserta, {time.monotonic() - began:.0f} s"
            )
        if pool is not None:
            pool.close()
            pool.join()
        if os.environ.get("LINDUNG_SYNTH_DEBUG"):
            say(f"synth: write seconds {json.dumps({k: round(v, 1) for k, v in write_seconds.items()})}")
    finally:
        _JOB.clear()
    _reset_sequences()
    counts["programmes_programme"] = len({p.id for p in programmes.values()}) if programme is None else 0
    generated = time.monotonic() - began
    checksum = ""
    if with_checksum:
        say("synth: checksum …")
        checksum = data_checksum(prefix, exclude, [p.id for p in programmes.values()])
    run.counts = counts
    run.checksum = checksum
    run.finished = True
    run.save(update_fields=["counts", "checksum", "finished"])
    audit_record(
        actor=None,
        actor_username=SYNTH_USERNAME,
        action="synth.run",
        target_type="synth_run",
        target_id=run.pk,
        region_code=prefix,
        changes={"seed": seed, "profile": profile, "months": months, "as_of": as_of.isoformat(), "counts": counts},
    )
    return SynthResult(
        counts=counts, seconds=generated, size_bytes=database_size(), checksum=checksum, villages=len(villages)
    )


def database_size() -> int:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_database_size(current_database())")
            return int(cursor.fetchone()[0])
        cursor.execute("PRAGMA page_count")
        pages = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA page_size")
        return pages * int(cursor.fetchone()[0])


# --- checksum ------------------------------------------------------------------------------------------------


def _text(kind: str, column: str, pg: bool) -> str:
    if kind == "b":
        return f"CASE WHEN {column} THEN '1' ELSE '0' END"
    if kind == "d":
        return f"COALESCE(to_char({column}, 'YYYY-MM-DD'), '')" if pg else f"COALESCE({column}, '')"
    if kind == "i":
        return f"COALESCE(CAST({column} AS TEXT), '')"
    if kind == "x":  # decimal with 2 places, as hundredths
        return f"COALESCE(CAST(CAST(ROUND({column} * 100) AS INTEGER) AS TEXT), '')"
    return f"COALESCE({column}, '')"


def _spec(text: str) -> list[tuple[str, str]]:
    """'t:w.nik i:w.decile' → [(kind, column)]."""
    return [tuple(item.split(":", 1)) for item in text.split()]  # type: ignore[misc]


#: (name, columns, FROM … body, scope column, order columns). Kinds: t text, i integer, b bool, d date, x decimal.
_QUERIES = [
    (
        "programmes",
        "t:p.name t:p.region_id i:p.quota_per_village t:p.package i:p.declared_income t:p.kelurahan_funder "
        "d:p.starts_on d:p.ends_on t:p.legal_basis",
        "programmes_programme p",
        None,
        "p.region_id p.name",
    ),
    (
        "agreements",
        "t:a.village_id t:p.name t:a.status t:a.village_number t:a.partner_number d:a.signed_on d:a.valid_from "
        "d:a.valid_until t:a.village_signatory t:a.partner_signatory i:a.quota t:a.funder t:a.funder_name",
        "programmes_agreement a JOIN programmes_programme p ON p.id = a.programme_id",
        "a.village_id",
        "a.village_id p.name",
    ),
    (
        "agreement_transitions",
        "t:a.village_id t:t.from_status t:t.to_status d:t.on t:t.note",
        "programmes_agreementtransition t JOIN programmes_agreement a ON a.id = t.agreement_id",
        "a.village_id",
        "a.village_id t.on t.from_status t.to_status",
    ),
    (
        "workers",
        "t:w.nik t:w.kk_number t:w.name t:w.sex t:w.birth_place d:w.birth_date t:w.address t:w.rt t:w.rw t:w.hamlet "
        "t:w.village_id t:w.phone i:w.occupation_code t:w.specialisation i:w.monthly_income t:w.employment_status "
        "i:w.decile b:w.extreme_poor t:w.extreme_poor_note b:w.has_disability b:w.is_wage_earner_member "
        "b:w.consent_given d:w.consent_on",
        "registry_worker w",
        "w.village_id",
        "w.nik",
    ),
    (
        "children",
        "t:w.nik t:c.name t:c.nik d:c.birth_date t:c.school_level i:c.grade b:c.grade_estimated b:c.married "
        "b:c.working",
        "registry_child c JOIN registry_worker w ON w.id = c.worker_id",
        "w.village_id",
        "w.nik c.birth_date c.name",
    ),
    (
        "heirs",
        "t:w.nik t:h.name t:h.relation t:h.nik t:h.phone",
        "registry_heir h JOIN registry_worker w ON w.id = h.worker_id",
        "w.village_id",
        "w.nik h.relation h.name",
    ),
    (
        "memberships",
        "t:w.nik t:m.kpj_number d:m.kpj_effective_on d:m.starts_on i:m.declared_income t:m.package t:m.status "
        "t:m.end_reason d:m.ended_on d:m.paid_through",
        "membership_membership m JOIN registry_worker w ON w.id = m.worker_id",
        "w.village_id",
        "w.nik m.starts_on",
    ),
    (
        "membership_history",
        "t:w.nik t:s.from_status t:s.to_status d:s.on t:s.reason",
        "membership_membershipstatuschange s JOIN membership_membership m ON m.id = s.membership_id "
        "JOIN registry_worker w ON w.id = m.worker_id",
        "w.village_id",
        "w.nik s.on s.from_status s.to_status",
    ),
    (
        "invoices",
        "t:i.village_id d:i.period t:i.funder t:i.funder_name b:i.discounted i:i.total t:i.status i:i.paid_amount "
        "d:i.paid_on",
        "billing_invoice i",
        "i.village_id",
        "i.village_id i.period",
    ),
    (
        "invoice_lines",
        "t:i.village_id d:i.period t:w.nik i:l.jkk i:l.jkm i:l.jht i:l.amount t:l.rules t:l.status",
        "billing_invoiceline l JOIN billing_invoice i ON i.id = l.invoice_id "
        "JOIN membership_membership m ON m.id = l.membership_id JOIN registry_worker w ON w.id = m.worker_id",
        "i.village_id",
        "i.village_id i.period w.nik",
    ),
    (
        "payments",
        "t:p.village_id d:p.value_date i:p.amount t:p.reference t:p.budget_source t:p.account_code t:p.note",
        "billing_payment p",
        "p.village_id",
        "p.village_id p.value_date p.reference",
    ),
    (
        "allocations",
        "t:p.reference d:i.period i:a.amount",
        "billing_paymentallocation a JOIN billing_payment p ON p.id = a.payment_id "
        "JOIN billing_invoice i ON i.id = a.invoice_id",
        "p.village_id",
        "p.reference i.period",
    ),
    (
        "accounts",
        "t:a.village_id i:a.credit i:a.refundable",
        "billing_account a",
        "a.village_id",
        "a.village_id",
    ),
    (
        "incidents",
        "t:w.nik d:n.date t:n.type t:n.village_id t:n.place t:n.description t:n.reporter_name t:n.reporter_role "
        "i:n.months_unable x:n.disability_percent x:n.function_loss_percent i:n.medical_cost i:n.transport_land "
        "i:n.transport_sea i:n.transport_air",
        "claims_incident n JOIN registry_worker w ON w.id = n.worker_id",
        "n.village_id",
        "w.nik n.date n.type",
    ),
    (
        "claim_transitions",
        "t:w.nik d:n.date t:t.from_status t:t.to_status d:t.on t:t.note",
        "claims_claimtransition t JOIN claims_claim c ON c.id = t.claim_id "
        "JOIN claims_incident n ON n.id = c.incident_id JOIN registry_worker w ON w.id = n.worker_id",
        "n.village_id",
        "w.nik n.date t.on t.from_status t.to_status",
    ),
    (
        "planned_years",
        "t:w.nik t:s.child_name i:y.school_year t:y.level i:y.grade i:y.amount",
        "claims_plannedyear y JOIN claims_scholarshipplan s ON s.id = y.plan_id "
        "JOIN claims_claim c ON c.id = s.claim_id JOIN claims_incident n ON n.id = c.incident_id "
        "JOIN registry_worker w ON w.id = n.worker_id",
        "n.village_id",
        "w.nik s.child_name y.school_year",
    ),
]


def _json(value: Any) -> str:
    if isinstance(value, str):
        value = json.loads(value)
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def data_checksum(prefix: str, exclude: Iterable[str], programme_ids: Iterable[int]) -> str:
    """SHA-256 over the scope's generated rows, read back in natural-key order, without ids and timestamps.

    Every row is one text line, fields joined by '|', built by the database itself in portable SQL (PostgreSQL:
    streamed with COPY … TO STDOUT; SQLite: fetched), so both databases hash the very same bytes.
    """
    pg = connection.vendor == "postgresql"
    collate = ' COLLATE "C"' if pg else ""
    exclude = list(exclude)
    programme_ids = sorted(set(programme_ids))
    total = hashlib.sha256()
    with connection.cursor() as cursor:
        for name, columns, body, scope_column, order in _QUERIES:
            conditions, params = [], []
            if scope_column and prefix:
                conditions.append(f"{scope_column} LIKE %s")
                params.append(f"{prefix}.%")
            if scope_column and exclude:
                conditions.append(f"{scope_column} NOT IN ({', '.join(['%s'] * len(exclude))})")
                params.extend(exclude)
            if name == "programmes":
                conditions.append(f"p.id IN ({', '.join(str(int(i)) for i in programme_ids) or '0'})")
            where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
            fields = " || '|' || ".join(_text(k, c, pg) for k, c in _spec(columns))
            order_sql = ", ".join(
                f"{c}{collate}"
                if c.split(".")[1]
                not in ("on", "date", "period", "starts_on", "birth_date", "value_date", "school_year")
                else c
                for c in order.split()
            )
            sql = f"SELECT {fields} FROM {body}{where} ORDER BY {order_sql}"  # noqa: S608 - from the code
            sql = re.sub(r"\b(\w)\.on\b", r'\1."on"', sql)
            digest = hashlib.sha256()
            if pg:
                with cursor.copy(cursor.mogrify(f"COPY ({sql}) TO STDOUT", params)) as copy:
                    for block in copy:
                        digest.update(block)
            else:
                cursor.execute(sql, params)
                while rows := cursor.fetchmany(10_000):
                    digest.update("".join(f"{row[0]}\n" for row in rows).encode())
            total.update(f"{name}:{digest.hexdigest()}\n".encode())
            if os.environ.get("LINDUNG_SYNTH_DEBUG"):
                print(name, digest.hexdigest()[:12], file=sys.stderr)
        # Claims and plans carry JSON: normalised in Python (key order and spacing differ between the databases).
        conditions, params = [], []
        if prefix:
            conditions.append("n.village_id LIKE %s")
            params.append(f"{prefix}.%")
        if exclude:
            conditions.append(f"n.village_id NOT IN ({', '.join(['%s'] * len(exclude))})")
            params.extend(exclude)
        where = f" WHERE {' AND '.join(conditions)}" if conditions else ""
        cursor.execute(
            "SELECT w.nik, n.date, n.type, c.status, c.quote, c.alternative_quote, c.cause_under_assessment, "  # noqa: S608
            "c.parameters_on, c.member_inputs, c.chosen_children, c.quote_children, c.bpjs_reference, "
            "c.bpjs_paid_amount, c.decided_on, c.rejection_reason FROM claims_claim c "
            "JOIN claims_incident n ON n.id = c.incident_id JOIN registry_worker w ON w.id = n.worker_id"
            f"{where}",
            params,
        )
        lines = []
        for row in cursor.fetchall():
            values = list(row)
            for k in (4, 5, 8, 9):
                values[k] = "" if values[k] is None else _json(values[k])
            children = values[10]
            values[10] = ",".join(sorted((json.loads(children) if isinstance(children, str) else children).keys()))
            values[6] = "1" if values[6] else "0"
            lines.append("|".join("" if v is None else str(v) for v in values))
        lines.sort()
        total.update(f"claims:{hashlib.sha256(chr(10).join(lines).encode()).hexdigest()}\n".encode())
        cursor.execute(
            "SELECT w.nik, s.child_name, s.schedule, s.status, ch.nik FROM claims_scholarshipplan s "  # noqa: S608
            "JOIN registry_child ch ON ch.id = s.child_id JOIN claims_claim c ON c.id = s.claim_id "
            "JOIN claims_incident n ON n.id = c.incident_id JOIN registry_worker w ON w.id = n.worker_id"
            f"{where}",
            params,
        )
        plans = sorted("|".join([r[0], r[1], _json(r[2]), r[3], r[4]]) for r in cursor.fetchall())
        total.update(f"plans:{hashlib.sha256(chr(10).join(plans).encode()).hexdigest()}\n".encode())
    return total.hexdigest()


def stderr_progress(text: str) -> None:
    print(text, file=sys.stderr, flush=True)
