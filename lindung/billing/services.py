"""Writes of billing: the monthly billing run, payments and their reversals, and the derived cover.

Every write is atomic and audited. `billing_run` is set-based (a constant number of statements whatever the number of
villages and members: the invoice lines are written by one INSERT … SELECT); `cover_recompute` rewrites everything
derived for one paying village from its invoices and payments with the pure settlement of `lindung.billing.cover`.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Exists, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.accounts.access import require_village_change
from lindung.audit.recording import audit_record
from lindung.billing import cover
from lindung.billing.contributions import (
    DISCOUNT_OTHER,
    PACKAGE_JKK_JKM,
    PACKAGE_JKK_JKM_JHT,
    discount_allowed,
    monthly_due,
)
from lindung.billing.models import Account, BillingRun, Invoice, InvoiceLine, Payment, PaymentAllocation
from lindung.core.errors import ApplicationError
from lindung.core.parameters import parameters_on
from lindung.membership.models import Membership, MembershipStatusChange
from lindung.programmes.models import Agreement, Programme
from lindung.programmes.selectors import agreements_in_force, rules_on
from lindung.regions.models import Region
from lindung.registry.models import Worker

BATCH = 5000


def _actor_fields(actor: Any) -> dict[str, Any]:
    return {"actor": actor, "actor_username": "" if actor is not None else "system"}


def month_first(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_last(day: dt.date) -> dt.date:
    following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def parse_period(text: str) -> dt.date:
    """`YYYY-MM` → the first day of that month (ApplicationError otherwise)."""
    try:
        year, month = text.strip().split("-")
        if len(year) != 4 or len(month) != 2:
            raise ValueError
        return dt.date(int(year), int(month), 1)
    except ValueError:
        raise ApplicationError(
            _("The period must have the form YYYY-MM, for example 2026-05, not %(text)s.") % {"text": repr(text)}
        ) from None


# --- billing run ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BillingRunResult:
    period: str
    region: str
    invoices_created: int
    invoices_unchanged: int
    lines: int
    total: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _agreements_for_month(first: dt.date, region_prefix: str | None) -> Any:
    """Agreements in force on the first or the last day of the month (one query when evaluated)."""
    at_start = agreements_in_force(first, region_prefix).values("pk")
    at_end = agreements_in_force(month_last(first), region_prefix).values("pk")
    return Agreement.objects.filter(Q(pk__in=at_start) | Q(pk__in=at_end))


def billable_memberships(first: dt.date) -> Any:
    """Memberships billed for the month starting `first`: begun by its end, not left before it, and not replaced by a
    renewal (a lapsed membership is billed until the village's next payment starts the new one)."""
    return Membership.objects.filter(starts_on__lte=month_last(first)).filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=first),
        ~Exists(Membership.objects.filter(renews=OuterRef("pk"))),
    )


def _ratio(value: Decimal) -> tuple[int, int]:
    numerator, denominator = value.as_integer_ratio()
    return int(numerator), int(denominator)


def _line_insert_sql(first: dt.date) -> tuple[str, list[Any]]:
    """INSERT … SELECT of every line of the run's invoices, with RULES.md arithmetic written in portable SQL.

    The amounts equal `contributions.monthly_due` (tests check it): components rounded down, the discount applied to
    JKK and JKM when the invoice is discounted.
    """
    params = parameters_on(first)
    jkk_n, jkk_d = _ratio(params.decimal("bpu_jkk_rate"))
    jht_n, jht_d = _ratio(params.decimal("bpu_jht_rate"))
    jkk_min, jkk_max = params.integer("bpu_jkk_min"), params.integer("bpu_jkk_max")
    jht_min, jht_max = params.integer("bpu_jht_min"), params.integer("bpu_jht_max")
    jkm = params.integer("bpu_jkm_flat")
    f_n, f_d = _ratio(params.decimal(DISCOUNT_OTHER)) if params.has(DISCOUNT_OTHER) else (1, 1)

    income_min = params.integer("bpu_min_declared_income")
    rules = {
        (package, discounted): "; ".join(monthly_due(income_min, package, first, discount=discounted).rules)
        for package in (PACKAGE_JKK_JKM, PACKAGE_JKK_JKM_JHT)
        for discounted in (False, True)
    }

    def bounded(rate_n: int, rate_d: int, low: int, high: int) -> str:
        raw = f"((m.declared_income * {rate_n}) / {rate_d})"
        return f"(CASE WHEN {raw} < {low} THEN {low} WHEN {raw} > {high} THEN {high} ELSE {raw} END)"

    jkk_full = bounded(jkk_n, jkk_d, jkk_min, jkk_max)
    jkk = f"(CASE WHEN i.discounted THEN ({jkk_full} * {f_n}) / {f_d} ELSE {jkk_full} END)"
    jkm_sql = f"(CASE WHEN i.discounted THEN ({jkm} * {f_n}) / {f_d} ELSE {jkm} END)"
    jht = f"(CASE WHEN m.package = %s THEN {bounded(jht_n, jht_d, jht_min, jht_max)} ELSE 0 END)"
    rules_sql = (
        "(CASE WHEN m.package = %s AND i.discounted THEN %s WHEN m.package = %s THEN %s "
        "WHEN i.discounted THEN %s ELSE %s END)"
    )
    line, member, worker, invoice = (
        InvoiceLine._meta.db_table,
        Membership._meta.db_table,
        Worker._meta.db_table,
        Invoice._meta.db_table,
    )
    sql = f"""
        INSERT INTO {line} (invoice_id, membership_id, jkk, jkm, jht, amount, rules, status)
        SELECT i.id, m.id, {jkk}, {jkm_sql}, {jht}, {jkk} + {jkm_sql} + {jht}, {rules_sql}, 'open'
        FROM {member} m
        JOIN {worker} w ON w.id = m.worker_id
        JOIN {invoice} i ON i.programme_id = m.programme_id AND i.village_id = w.village_id
        WHERE i.run_id = %s AND m.id IN ({{billable}})
    """  # noqa: S608 - table names and numbers come from the code and the parameter table, values are bound
    values: list[Any] = [
        PACKAGE_JKK_JKM_JHT,
        PACKAGE_JKK_JKM_JHT,
        PACKAGE_JKK_JKM_JHT,
        rules[(PACKAGE_JKK_JKM_JHT, True)],
        PACKAGE_JKK_JKM_JHT,
        rules[(PACKAGE_JKK_JKM_JHT, False)],
        rules[(PACKAGE_JKK_JKM, True)],
        rules[(PACKAGE_JKK_JKM, False)],
    ]
    return sql, values


def _lock_month(first: dt.date) -> None:
    """Serialise billing runs of one month until the caller's transaction ends. PostgreSQL: a transaction-level
    advisory lock (two runs started at once would otherwise both find no invoice and the second fail on the unique
    constraint); SQLite already serialises writing transactions (IMMEDIATE)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [0x4C42, first.year * 100 + first.month])


def billing_run(
    *, period: dt.date, region_prefix: str | None = None, actor: Any = None, run: BillingRun | None = None
) -> BillingRunResult:
    """Issue one invoice per paying village (agreement in force that month) with a line per billable member.

    Idempotent per period: a village that already has its invoice for the month is counted as unchanged. `run`: a
    BillingRun row made beforehand (the page queues one and a task fills it); otherwise one is created here.
    """
    first = month_first(period)
    prefix = (region_prefix or "").strip()
    if actor is not None and prefix:
        require_village_change(actor, prefix)
    agreements = _agreements_for_month(first, prefix or None)
    members = billable_memberships(first)
    existing = Invoice.objects.filter(programme=OuterRef("programme"), village=OuterRef("village"), period=first)
    with transaction.atomic():
        _lock_month(first)  # a second run of the month waits here, then finds this run's invoices
        unchanged = agreements.filter(Exists(existing)).count()
        to_bill = list(
            agreements.filter(~Exists(existing))
            .filter(Exists(members.filter(programme=OuterRef("programme"), worker__village=OuterRef("village"))))
            .values_list("programme_id", "village_id", "funder", "funder_name")
        )
        if run is None:
            run = BillingRun.objects.create(period=first, region_prefix=prefix, by=actor)
        discount_by_funder: dict[tuple[int, str], bool] = {}
        in_force = parameters_on(first).has(DISCOUNT_OTHER)
        programmes = {p.pk: p for p in Programme.objects.filter(pk__in={row[0] for row in to_bill})}
        apbdes_switch = {pk: rules_on(p, first).apply_discount_for_apbdes for pk, p in programmes.items()}
        invoices = []
        for programme_id, village_id, funder, funder_name in to_bill:
            key = (programme_id, funder)
            if key not in discount_by_funder:
                allowed = discount_allowed(funder, apply_discount_for_apbdes=apbdes_switch[programme_id])
                discount_by_funder[key] = in_force and allowed
            invoices.append(
                Invoice(
                    programme_id=programme_id,
                    village_id=village_id,
                    funder=funder,
                    funder_name=funder_name,
                    period=first,
                    discounted=discount_by_funder[key],
                    run=run,
                )
            )
        Invoice.objects.bulk_create(invoices, batch_size=BATCH)
        if invoices:
            sql, values = _line_insert_sql(first)
            billable_sql, billable_params = members.order_by().values("pk").query.sql_with_params()
            with connection.cursor() as cursor:
                cursor.execute(sql.format(billable=billable_sql), [*values, run.pk, *billable_params])
                lines = cursor.rowcount
            line_sums = InvoiceLine.objects.filter(invoice=OuterRef("pk")).values("invoice").annotate(s=Sum("amount"))
            Invoice.objects.filter(run=run).update(total=Coalesce(Subquery(line_sums.values("s")), 0))
        else:
            lines = 0
        # The run's figures from the INSERT's row count and its invoices' totals, not a re-read of every line
        # (measured: the re-read was ~16 % of a Bali run).
        run.invoices_created = len(invoices)
        run.invoices_unchanged = unchanged
        run.lines = lines
        run.total = (Invoice.objects.filter(run=run).aggregate(t=Sum("total"))["t"] or 0) if invoices else 0
        run.finished_at = timezone.now()
        run.save(update_fields=["invoices_created", "invoices_unchanged", "lines", "total", "finished_at"])
        result = BillingRunResult(
            period=f"{first:%Y-%m}",
            region=prefix,
            invoices_created=run.invoices_created,
            invoices_unchanged=unchanged,
            lines=run.lines,
            total=run.total,
        )
        audit_record(
            **_actor_fields(actor),
            action="billing.run",
            target_type="billing_run",
            target_id=run.pk,
            region_code=prefix,
            changes=result.as_dict(),
        )
    return result


# --- payments -------------------------------------------------------------------------------------------------


def payment_record(
    *,
    actor: Any,
    programme: Programme,
    village: Region,
    value_date: dt.date,
    amount: int,
    reference: str,
    budget_source: str,
    account_code: str = "",
    note: str = "",
) -> Payment:
    """Record money a village paid; its invoices, credit and its members' cover are recomputed at once."""
    if actor is not None:
        require_village_change(actor, village.code)
    if not isinstance(amount, int) or amount <= 0:
        raise ApplicationError(
            _("The payment amount must be a whole number of rupiah greater than zero."), code="amount"
        )
    if value_date > timezone.localdate():
        raise ApplicationError(_("The value date cannot be in the future."), code="value_date")
    if not reference.strip():
        raise ApplicationError(_("The payment reference number is required."), code="reference")
    if budget_source not in Payment.BudgetSource.values:
        raise ApplicationError(_("Unknown budget source."), code="budget_source")
    if not Agreement.objects.filter(programme=programme, village=village).exists():
        raise ApplicationError(
            _("%(village)s has no cooperation agreement (PKS) in the programme %(programme)s.")
            % {"village": village, "programme": programme.name},
            code="agreement",
        )
    with transaction.atomic():
        payment = Payment.objects.create(
            programme=programme,
            village=village,
            value_date=value_date,
            amount=amount,
            reference=reference.strip()[:100],
            budget_source=budget_source,
            account_code=account_code.strip()[:50],
            note=note.strip()[:255],
            recorded_by=actor,
        )
        audit_record(
            **_actor_fields(actor),
            action="billing.payment.record",
            target_type="payment",
            target_id=payment.pk,
            region_code=village.code,
            changes={
                "value_date": value_date.isoformat(),
                "amount": amount,
                "reference": payment.reference,
                "budget_source": budget_source,
                "account_code": payment.account_code,
            },
        )
        cover_recompute(programme=programme, village=village, actor=actor)
    return payment


def payment_reverse(*, actor: Any, payment: Payment, reason: str) -> Payment:
    """Correct a payment by a reversal entry (never an edit): the two cancel out and cover is recomputed."""
    if actor is not None:
        require_village_change(actor, payment.village_id)
    if not reason.strip():
        raise ApplicationError(_("The reason for the reversal is required."), code="reason")
    with transaction.atomic():
        payment = Payment.objects.select_for_update().get(pk=payment.pk)
        if payment.reversal_of_id is not None:
            raise ApplicationError(_("A reversal entry cannot itself be reversed."), code="reversal")
        if Payment.objects.filter(reversal_of=payment).exists():
            raise ApplicationError(_("This payment has already been reversed."), code="reversed")
        reversal = Payment.objects.create(
            programme_id=payment.programme_id,
            village_id=payment.village_id,
            value_date=timezone.localdate(),
            amount=-payment.amount,
            reference=f"BATAL {payment.reference}"[:100],
            budget_source=payment.budget_source,
            account_code=payment.account_code,
            note=reason.strip()[:255],
            reversal_of=payment,
            recorded_by=actor,
        )
        audit_record(
            **_actor_fields(actor),
            action="billing.payment.reverse",
            target_type="payment",
            target_id=reversal.pk,
            region_code=payment.village_id,
            changes={"reverses": payment.pk, "amount": reversal.amount, "reason": reversal.note},
        )
        cover_recompute(programme=payment.programme, village=payment.village, actor=actor)
    return reversal


# --- derived cover --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecomputeResult:
    credit: int
    refundable: int
    memberships_changed: int
    renewals_created: int
    renewals_removed: int


def _chains(memberships: list[Membership]) -> dict[int, list[Membership]]:
    """Memberships grouped by the first of their chain (a renewal follows the membership it renews)."""
    by_pk = {m.pk: m for m in memberships}

    def root(m: Membership) -> int:
        while m.renews_id is not None and m.renews_id in by_pk:
            m = by_pk[m.renews_id]
        return m.pk

    chains: dict[int, list[Membership]] = defaultdict(list)
    for m in sorted(memberships, key=lambda m: (m.starts_on, m.pk)):
        chains[root(m)].append(m)
    return chains


def _derived_status(row: Membership, state: str) -> Membership.Status:
    if state in (cover.COVERED, cover.BEFORE_START):
        return Membership.Status.ACTIVE if row.kpj_number else Membership.Status.PENDING
    if state == cover.ARREARS:
        return Membership.Status.ARREARS if row.kpj_number else Membership.Status.PENDING
    if state == cover.LAPSED:
        return Membership.Status.LAPSED
    return Membership.Status.ENDED


def _write_columns(model: type[Any], fields: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Write `fields` of the rows `(pk, value, …)` (in this order) with one statement per batch.

    PostgreSQL: `UPDATE … FROM (VALUES …)`; SQLite: one prepared UPDATE run for every row (no round trips there).
    Django's `bulk_update` builds a `CASE WHEN` per row and field, which cost more Python time than the recompute
    itself (measured: 17 of 40 s for 15 villages)."""
    if not rows:
        return
    table = model._meta.db_table
    columns = [model._meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    pk = quote(model._meta.pk.column)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            casts = [f"%s::{field.db_type(connection)}" for field in columns]
            row_sql = f"(%s::bigint, {', '.join(casts)})"
            assign = ", ".join(f"{quote(f.column)} = v.{quote(f.column)}" for f in columns)
            names = ", ".join(["id_", *(quote(f.column) for f in columns)])
            for start in range(0, len(rows), BATCH):
                batch = rows[start : start + BATCH]
                params: list[Any] = []
                for pk_value, *values in batch:
                    params.append(pk_value)
                    params.extend(f.get_db_prep_save(v, connection) for f, v in zip(columns, values, strict=True))
                cursor.execute(
                    f"UPDATE {quote(table)} AS t SET {assign} FROM (VALUES {', '.join([row_sql] * len(batch))}) "  # noqa: S608
                    f"AS v({names}) WHERE t.{pk} = v.id_",
                    params,
                )
        else:
            assign = ", ".join(f"{quote(f.column)} = %s" for f in columns)
            cursor.executemany(
                f"UPDATE {quote(table)} SET {assign} WHERE {pk} = %s",  # noqa: S608
                [
                    [*(f.get_db_prep_save(v, connection) for f, v in zip(columns, values, strict=True)), pk_value]
                    for pk_value, *values in rows
                ],
            )


def cover_recompute(*, programme: Programme, village: Region, actor: Any = None, today: dt.date | None = None) -> Any:
    """Rewrite what is derived for one paying village: line and invoice status, allocations, credit, and each
    member's `paid_through`, status (with its dated history) and renewals after a lapse."""
    today = today or timezone.localdate()
    with transaction.atomic():
        Account.objects.select_for_update().filter(programme=programme, village=village).first()  # serialise
        invoices = list(Invoice.objects.filter(programme=programme, village=village))
        # Lines as tuples (pk, invoice, membership, amount, status): a village has thousands, model instances cost
        # more than the settlement.
        lines = list(
            InvoiceLine.objects.filter(invoice__programme=programme, invoice__village=village).values_list(
                "pk", "invoice_id", "membership_id", "amount", "status"
            )
        )
        # The village's members, plus members billed here who have since moved away (read from the lines already
        # in hand: one indexed query each, not an OR over the lines with DISTINCT).
        memberships = list(Membership.objects.filter(programme=programme, worker__village=village))
        known = {m.pk for m in memberships}
        moved = {line[2] for line in lines} - known
        if moved:
            memberships += list(Membership.objects.filter(pk__in=moved))
        chains = _chains(memberships)
        root_of = {m.pk: key for key, rows in chains.items() for m in rows}
        lines_by_invoice: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for _pk, invoice_id, membership_id, amount, _status in lines:
            lines_by_invoice[invoice_id].append((root_of[membership_id], amount))
        payments = list(Payment.objects.filter(programme=programme, village=village))

        members_in = []
        for key, rows in chains.items():
            ended = [r.ended_on for r in rows if r.ended_on is not None]
            members_in.append(cover.MemberIn(key=key, start=rows[0].starts_on, left_in=max(ended) if ended else None))
        try:
            settled = cover.settle(
                members_in,
                [
                    cover.InvoiceIn(
                        id=inv.pk,
                        period=inv.period,
                        lines=tuple(lines_by_invoice[inv.pk]),
                    )
                    for inv in invoices
                ],
                [cover.PaymentIn(p.pk, p.value_date, p.amount, p.reversal_of_id) for p in payments],
            )
        except cover.CoverError as exc:
            raise ApplicationError(
                _("The billing data of the village %(village)s is inconsistent: %(error)s")
                % {"village": village.name, "error": exc},
                code="cover",
            ) from exc

        changed_lines = []
        for pk, invoice_id, membership_id, _amount, old_status in lines:
            status = settled.lines[(invoice_id, root_of[membership_id])]
            if old_status != status:
                changed_lines.append((pk, status))
        _write_columns(InvoiceLine, ["status"], changed_lines)
        changed_invoices = []
        for inv in invoices:
            out = settled.invoices[inv.pk]
            if (inv.status, inv.paid_amount, inv.paid_on) != (out.status, out.paid, out.paid_on):
                inv.status, inv.paid_amount, inv.paid_on = out.status, out.paid, out.paid_on
                changed_invoices.append(inv)
        _write_columns(
            Invoice,
            ["status", "paid_amount", "paid_on"],
            [(i.pk, i.status, i.paid_amount, i.paid_on) for i in changed_invoices],
        )
        stored = PaymentAllocation.objects.filter(payment__programme=programme, payment__village=village)
        wanted = sorted((int(str(p)), int(str(i)), a) for p, i, a in settled.allocations)
        allocations_changed = sorted(stored.values_list("payment_id", "invoice_id", "amount")) != wanted
        if allocations_changed:
            stored.delete()
            PaymentAllocation.objects.bulk_create(
                [PaymentAllocation(payment_id=p, invoice_id=i, amount=a) for p, i, a in wanted], batch_size=BATCH
            )
        account = Account.objects.filter(programme=programme, village=village).first()
        account_changed = account is None or (account.credit, account.refundable) != (
            settled.credit,
            settled.refundable,
        )
        Account.objects.update_or_create(
            programme=programme,
            village=village,
            defaults={"credit": settled.credit, "refundable": settled.refundable, "recomputed_at": timezone.now()},
        )

        history: list[MembershipStatusChange] = []
        closing: list[Membership] = []  # updated first, so that no two open memberships of a worker meet
        opening: list[Membership] = []
        renewals: list[tuple[list[Membership], list[tuple[cover.Segment, str]]]] = []
        removed = 0
        paid_through_changes: dict[str, str] = {}
        for key, rows in chains.items():
            segments = settled.segments[key]
            for surplus in rows[len(segments) :]:
                # A renewal the payments no longer support (a reversal took the restarting payment away).
                InvoiceLine.objects.filter(membership=surplus).update(membership=rows[len(segments) - 1])
                surplus.delete()
                removed += 1
            rows = rows[: len(segments)]
            member = settled.members[key]
            new_segments: list[tuple[cover.Segment, str]] = []
            for index, segment in enumerate(segments):
                if index < len(segments) - 1:
                    target, on = Membership.Status.LAPSED, segment.lapse_month
                else:
                    state = cover.status_on(segments, today, member.left_in)
                    on = today
                    if state == cover.ARREARS:
                        on = cover.month_date(cover.month_index(segment.paid_through) + 1)
                    elif state == cover.LAPSED:
                        on = segment.lapse_month
                    target = _derived_status(rows[min(index, len(rows) - 1)], state)
                if index >= len(rows):
                    new_segments.append((segment, target))
                    continue
                row = rows[index]
                if row.ended_on is not None:
                    target, on = Membership.Status.ENDED, row.ended_on
                dirty = False
                if row.paid_through != segment.paid_through:
                    row.paid_through = segment.paid_through
                    paid_through_changes[str(row.pk)] = segment.paid_through.isoformat()
                    dirty = True
                if row.status != target:
                    history.append(
                        MembershipStatusChange(
                            membership=row, from_status=row.status, to_status=target, on=on, by=actor
                        )
                    )
                    row.status = target
                    dirty = True
                if dirty:
                    (opening if row.is_open else closing).append(row)
            if new_segments:
                renewals.append((rows, new_segments))
        _write_columns(Membership, ["paid_through", "status"], [(m.pk, m.paid_through, m.status) for m in closing])
        _write_columns(Membership, ["paid_through", "status"], [(m.pk, m.paid_through, m.status) for m in opening])
        MembershipStatusChange.objects.bulk_create(history, batch_size=BATCH)
        created = 0
        for rows, new_segments in renewals:
            chain = [r.pk for r in rows]
            previous = rows[-1]
            for segment, renewal_status in new_segments:
                renewal = Membership.objects.create(
                    programme_id=previous.programme_id,
                    worker_id=previous.worker_id,
                    kpj_number=previous.kpj_number,
                    kpj_effective_on=previous.kpj_effective_on,
                    starts_on=segment.start,
                    declared_income=previous.declared_income,
                    package=previous.package,
                    status=renewal_status,
                    renews=previous,
                    paid_through=segment.paid_through,
                )
                MembershipStatusChange.objects.create(
                    membership=renewal,
                    from_status="",
                    to_status=renewal_status,
                    on=segment.start,
                    reason="renewal",
                    by=actor,
                )
                # Lines from the new start on belong to the new membership.
                InvoiceLine.objects.filter(
                    membership__in=chain, invoice__programme=programme, invoice__period__gte=segment.start
                ).update(membership=renewal)
                paid_through_changes[str(renewal.pk)] = segment.paid_through.isoformat()
                chain.append(renewal.pk)
                previous = renewal
                created += 1
        result = RecomputeResult(
            credit=settled.credit,
            refundable=settled.refundable,
            memberships_changed=len(closing) + len(opening),
            renewals_created=created,
            renewals_removed=removed,
        )
        changed = changed_lines or changed_invoices or closing or opening or created or removed or allocations_changed
        if changed or account_changed:  # a refresh that finds nothing new leaves no trace in the audit chain
            audit_record(
                **_actor_fields(actor),
                action="billing.cover.recompute",
                target_type="village",
                target_id=village.code,
                region_code=village.code,
                changes={**asdict(result), "paid_through": paid_through_changes},
            )
    return result


def cover_refresh(
    *,
    region_prefix: str | None = None,
    only_with_credit: bool = False,
    today: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Recompute the cover of every paying village (under `region_prefix`): statuses move with the calendar (a member
    enters arrears, then lapses, without any new event), and credit settles invoices issued since the last payment.
    One recompute per village; returns how many villages were recomputed."""
    pairs = Invoice.objects.values_list("programme_id", "village_id").distinct().order_by("village_id")
    if region_prefix:
        pairs = pairs.filter(Q(village_id=region_prefix) | Q(village__code__startswith=f"{region_prefix}."))
    if only_with_credit:
        with_credit = Account.objects.filter(credit__gt=0).values_list("programme_id", "village_id")
        wanted = set(with_credit)
        todo = [pair for pair in pairs if pair in wanted]
    else:
        todo = list(pairs)
    programmes = Programme.objects.in_bulk({p for p, _ in todo})
    villages = Region.objects.in_bulk({v for _, v in todo})
    for done, (programme_id, village_id) in enumerate(todo, start=1):
        cover_recompute(programme=programmes[programme_id], village=villages[village_id], today=today)
        if progress is not None:  # (villages done, villages in all), e.g. for a task's progress bar
            progress(done, len(todo))
    return len(todo)
