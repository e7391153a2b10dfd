"""UU PDP 27/2022 retention rule (issue 11): a worker's personal data is anonymised once nothing needs it any more.

Anonymised, not deleted: the row stays so that statistics (village, occupation, sex, decile, income, birth year),
invoices, payments, claims and the audit chain stay whole. Three rules, disjoint (a worker is counted under the first
that applies):

- ``withdrawn``: never a member (no membership row at all), consent withdrawn (`privacy.consent_withdraw`, its
  ``withdrawn_on`` in the audit chain) more than ``LINDUNG_RETENTION_WITHDRAWN_DAYS`` (30) days ago, consent still
  off, and the record not changed since;
- ``candidates``: never a member and the record not changed for ``LINDUNG_RETENTION_CANDIDATE_YEARS`` (2) years;
- ``former_members``: every membership ended or lapsed more than ``LINDUNG_RETENTION_MEMBER_YEARS`` (10; UU 8/1997
  tentang Dokumen Perusahaan, Pasal 11: financial records are kept 10 years) years ago, no open claim (an incident
  without a paid or rejected claim), no claim decided and no payout paid within those years, and no scholarship
  year planned or disbursed within those years or later (the children's scholarships after a death run for up to
  ~17 years: that household is kept).

Never anonymised: a worker with a pending/active/in-arrears membership, an open claim, a running scholarship plan,
or an open village-transfer request.

Anonymising is set-based (one UPDATE per table, whatever the number of workers) in one transaction, with one summary
audit event listing the worker ids per rule (`audit_record` appends one event at a time; one event per worker would
be a query per worker). A second run finds nothing: ``anonymised_at`` is set.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import BigIntegerField, CharField, DateField, Exists, Func, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, Concat, LPad
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.audit.models import AuditEvent
from lindung.audit.recording import audit_record
from lindung.claims.models import Claim, Incident, Payout, PlannedYear, ScholarshipDisbursement, ScholarshipPlan
from lindung.core.errors import ApplicationError
from lindung.membership.models import Membership, MembershipStatusChange
from lindung.registry.models import Child, Heir, Worker, WorkerTransfer

ANONYMOUS_NAME = "Anonim"  # stored data, the same in every language
ANONYMISE_ACTION = "registry.retention.anonymise"
WITHDRAW_ACTION = "registry.consent.withdraw"  # written by privacy.consent_withdraw
RULES = ("withdrawn", "candidates", "former_members")

DEFAULT_CANDIDATE_YEARS = 2
DEFAULT_MEMBER_YEARS = 10
MINIMUM_MEMBER_YEARS = 10  # UU 8/1997 Pasal 11: financial records (village budget, BPJS contributions) 10 years
DEFAULT_WITHDRAWN_DAYS = 30
BATCH = 1000

OPEN_MEMBERSHIP = (Membership.Status.PENDING, Membership.Status.ACTIVE, Membership.Status.ARREARS)
CLOSED_CLAIM = (Claim.Status.PAID, Claim.Status.REJECTED)


@dataclass(frozen=True)
class RetentionPolicy:
    candidate_years: int = DEFAULT_CANDIDATE_YEARS
    member_years: int = DEFAULT_MEMBER_YEARS
    withdrawn_days: int = DEFAULT_WITHDRAWN_DAYS

    @classmethod
    def from_settings(cls) -> RetentionPolicy:
        policy = cls(
            candidate_years=int(getattr(settings, "LINDUNG_RETENTION_CANDIDATE_YEARS", DEFAULT_CANDIDATE_YEARS)),
            member_years=int(getattr(settings, "LINDUNG_RETENTION_MEMBER_YEARS", DEFAULT_MEMBER_YEARS)),
            withdrawn_days=int(getattr(settings, "LINDUNG_RETENTION_WITHDRAWN_DAYS", DEFAULT_WITHDRAWN_DAYS)),
        )
        if policy.candidate_years < 1 or policy.withdrawn_days < 0:
            raise ApplicationError(
                _("The retention periods must be at least one year (candidates) and zero days (withdrawn consent)."),
                code="config",
            )
        if policy.member_years < MINIMUM_MEMBER_YEARS:
            raise ApplicationError(
                _(
                    "LINDUNG_RETENTION_MEMBER_YEARS may not be below %(years)d: financial records are kept "
                    "%(years)d years (UU 8/1997, Pasal 11)."
                )
                % {"years": MINIMUM_MEMBER_YEARS},
                code="config",
            )
        return policy


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _start_of(day: dt.date) -> dt.datetime:
    """Midnight at the start of `day` in the server's time zone (updated_at is a moment, the cut-offs are days)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


@dataclass(frozen=True)
class RetentionPlan:
    """What the rule would anonymise on `as_of`: the cut-off days and a count per rule."""

    as_of: dt.date
    policy: RetentionPolicy
    candidate_cutoff: dt.date  # never a member, record last changed before this day
    withdrawn_cutoff: dt.date  # never a member, consent withdrawn (and record last changed) before this day
    member_cutoff: dt.date  # every membership ended, claims decided and paid, scholarships planned before this day
    candidates: int = 0
    withdrawn: int = 0
    former_members: int = 0

    @property
    def total(self) -> int:
        return self.candidates + self.withdrawn + self.former_members

    def querysets(self) -> dict[str, QuerySet[Worker]]:
        """The workers of each rule, as lazy querysets (disjoint; in the order the rules are applied)."""
        return _rule_querysets(self)

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "cutoffs": {
                "candidates": self.candidate_cutoff.isoformat(),
                "withdrawn": self.withdrawn_cutoff.isoformat(),
                "former_members": self.member_cutoff.isoformat(),
            },
            "candidates": self.candidates,
            "withdrawn": self.withdrawn,
            "former_members": self.former_members,
        }


@dataclass(frozen=True)
class RetentionResult:
    plan: RetentionPlan
    workers: dict[str, list[int]] = field(default_factory=dict)  # rule -> anonymised worker ids
    audit_seq: int | None = None

    @property
    def anonymised(self) -> int:
        return sum(len(ids) for ids in self.workers.values())


def _cutoffs(as_of: dt.date, policy: RetentionPolicy) -> dict[str, Any]:  # keyword arguments of RetentionPlan
    return {
        "candidate_cutoff": _years_before(as_of, policy.candidate_years),
        "withdrawn_cutoff": as_of - dt.timedelta(days=policy.withdrawn_days),
        "member_cutoff": _years_before(as_of, policy.member_years),
    }


def _rule_querysets(plan: RetentionPlan) -> dict[str, QuerySet[Worker]]:
    member_cutoff = plan.member_cutoff
    # A school year Y runs from July Y to June Y+1: it is "within the period" if it ends in the cut-off year or later.
    school_year_cutoff = member_cutoff.year - 1

    base = Worker.objects.filter(anonymised_at__isnull=True).filter(
        ~Exists(WorkerTransfer.objects.filter(worker=OuterRef("pk"), status=WorkerTransfer.Status.REQUESTED))
    )
    never_member = base.filter(~Exists(Membership.objects.filter(worker=OuterRef("pk"))))

    withdrawals = AuditEvent.objects.filter(action=WITHDRAW_ACTION, target_type="worker").annotate(
        withdrawn_on=Cast(KT("changes__withdrawn_on"), CharField()),  # text: ISO dates compare as strings
        worker_id=Cast("target_id", BigIntegerField()),
    )
    cutoff_iso = plan.withdrawn_cutoff.isoformat()
    withdrawn = never_member.filter(
        consent_given=False,
        updated_at__lt=_start_of(plan.withdrawn_cutoff),
        pk__in=withdrawals.filter(withdrawn_on__lt=cutoff_iso).values("worker_id"),
    ).exclude(pk__in=withdrawals.filter(withdrawn_on__gte=cutoff_iso).values("worker_id"))

    candidates = never_member.filter(updated_at__lt=_start_of(plan.candidate_cutoff)).exclude(
        pk__in=withdrawn.values("pk")
    )

    lapsed_on = (
        MembershipStatusChange.objects.filter(membership=OuterRef("pk"), to_status=Membership.Status.LAPSED)
        .order_by("-on")
        .values("on")[:1]
    )
    recent_membership = (
        Membership.objects.filter(worker=OuterRef("pk"))
        .annotate(end=Coalesce("ended_on", Subquery(lapsed_on, output_field=DateField()), "paid_through", "starts_on"))
        .filter(Q(status__in=OPEN_MEMBERSHIP) | Q(end__isnull=True) | Q(end__gte=member_cutoff))
    )
    open_incident = Incident.objects.filter(worker=OuterRef("pk")).filter(
        ~Exists(Claim.objects.filter(incident=OuterRef("pk"), status__in=CLOSED_CLAIM))
    )
    recent_claim = Claim.objects.filter(incident__worker=OuterRef("pk"), decided_on__gte=member_cutoff)
    recent_payout = Payout.objects.filter(claim__incident__worker=OuterRef("pk"), paid_on__gte=member_cutoff)
    scholarship_year = PlannedYear.objects.filter(
        plan__claim__incident__worker=OuterRef("pk"), school_year__gte=school_year_cutoff
    )
    scholarship_paid = ScholarshipDisbursement.objects.filter(plan__claim__incident__worker=OuterRef("pk")).filter(
        Q(school_year__gte=school_year_cutoff) | Q(paid_on__gte=member_cutoff)
    )
    former_members = base.filter(
        Exists(Membership.objects.filter(worker=OuterRef("pk"))),
        ~Exists(recent_membership),
        ~Exists(open_incident),
        ~Exists(recent_claim),
        ~Exists(recent_payout),
        ~Exists(scholarship_year),
        ~Exists(scholarship_paid),
    )
    return {"withdrawn": withdrawn, "candidates": candidates, "former_members": former_members}


def retention_plan(as_of: dt.date | None = None, policy: RetentionPolicy | None = None) -> RetentionPlan:
    """Count what the rule would anonymise on `as_of` (today by default); changes nothing."""
    as_of = as_of or timezone.localdate()
    policy = policy or RetentionPolicy.from_settings()
    empty = RetentionPlan(as_of=as_of, policy=policy, **_cutoffs(as_of, policy))
    counts: dict[str, Any] = {rule: qs.count() for rule, qs in empty.querysets().items()}
    return RetentionPlan(as_of=as_of, policy=policy, **_cutoffs(as_of, policy), **counts)


class _MidYear(Func):
    """1 July of the date's year: the birth year stays for age statistics, the day does not."""

    output_field = DateField()
    template = "make_date(CAST(EXTRACT(YEAR FROM %(expressions)s) AS integer), 7, 1)"  # PostgreSQL

    sqlite_template = "(substr(%(expressions)s, 1, 4) || '-07-01')"  # SQLite stores dates as 'YYYY-MM-DD' text

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template=self.sqlite_template, **extra_context)


def _placeholder_nik() -> Concat:
    """'X' and the row id padded to 15 digits: 16 characters, unique (the id is), never a real NIK (digits only)."""
    return Concat(Value("X"), LPad(Cast("pk", CharField()), 15, Value("0")), output_field=CharField())


def _anonymise(workers: QuerySet[Worker], stamp: dt.datetime) -> int:
    return workers.update(
        name=ANONYMOUS_NAME,
        nik=_placeholder_nik(),
        kk_number="",
        birth_place="",
        birth_date=_MidYear("birth_date"),
        address="",
        rt="",
        rw="",
        hamlet="",
        phone="",
        extreme_poor_note="",
        consent_given=False,
        consent_on=None,
        anonymised_at=stamp,
        updated_at=stamp,
    )


def _anonymise_related(stamp: dt.datetime) -> dict[str, int]:
    """The worker's family and the copies of names in the claim records, for the workers stamped now."""
    return {
        "children": Child.objects.filter(worker__anonymised_at=stamp).update(
            name=ANONYMOUS_NAME, nik="", birth_date=_MidYear("birth_date")
        ),
        "heirs": Heir.objects.filter(worker__anonymised_at=stamp).update(name=ANONYMOUS_NAME, nik="", phone=""),
        "incidents": Incident.objects.filter(worker__anonymised_at=stamp).update(
            reporter_name=ANONYMOUS_NAME, place="", description=""
        ),
        "payouts": Payout.objects.filter(claim__incident__worker__anonymised_at=stamp).update(
            recipient_name=ANONYMOUS_NAME, account_number=""
        ),
        # A minor's payout must name a guardian (CHECK payout_minor_guardian): the name is replaced, not cleared.
        "guardians": Payout.objects.filter(claim__incident__worker__anonymised_at=stamp)
        .exclude(guardian_name="")
        .update(guardian_name=ANONYMOUS_NAME),
        "scholarship_plans": ScholarshipPlan.objects.filter(claim__incident__worker__anonymised_at=stamp).update(
            child_name=ANONYMOUS_NAME, stop_note=""
        ),
        "claim_quotes": _anonymise_claim_quotes(stamp),
    }


def _renamed_children(quote: Any, names: dict[str, str]) -> Any:
    """The quote with each scholarship child's name replaced by its pseudonym (assigned in order of appearance)."""
    if not isinstance(quote, dict) or not isinstance(quote.get("scholarship"), dict):
        return quote
    children = []
    for child in quote["scholarship"].get("children") or []:
        if isinstance(child, dict) and "name" in child:
            name = str(child["name"])
            names.setdefault(name, f"{ANONYMOUS_NAME} {len(names) + 1}")
            child = {**child, "name": names[name]}
        children.append(child)
    return {**quote, "scholarship": {**quote["scholarship"], "children": children}}


def _anonymise_claim_quotes(stamp: dt.datetime) -> int:
    """The children's names inside the claims' quotes (JSON): renamed "Anonim 1", "Anonim 2"… consistently within
    a claim, so the quote still maps each child to its registry row. Read once, written back in batches."""
    changed = []
    claims = Claim.objects.filter(incident__worker__anonymised_at=stamp).only(
        "pk", "quote", "alternative_quote", "quote_children"
    )
    for claim in claims.iterator(chunk_size=BATCH):
        names: dict[str, str] = {}
        quote = _renamed_children(claim.quote, names)
        alternative = _renamed_children(claim.alternative_quote, names)
        mapping = claim.quote_children if isinstance(claim.quote_children, dict) else {}
        for name in mapping:
            names.setdefault(name, f"{ANONYMOUS_NAME} {len(names) + 1}")
        if not names:
            continue
        claim.quote, claim.alternative_quote = quote, alternative
        claim.quote_children = {names[name]: pk for name, pk in mapping.items()}
        changed.append(claim)
    Claim.objects.bulk_update(changed, ["quote", "alternative_quote", "quote_children"], batch_size=BATCH)
    return len(changed)


def apply_retention(
    as_of: dt.date | None = None, actor: Any = None, policy: RetentionPolicy | None = None
) -> RetentionResult:
    """Anonymise every worker the rule names on `as_of`, in one transaction, with one summary audit event."""
    today = timezone.localdate()
    as_of = as_of or today
    if as_of > today:
        raise ApplicationError(_("The retention rule cannot be applied as of a future date."), code="future")
    policy = policy or RetentionPolicy.from_settings()
    plan = RetentionPlan(as_of=as_of, policy=policy, **_cutoffs(as_of, policy))  # the counts come from the UPDATEs
    workers: dict[str, list[int]] = {}
    audit_seq = None
    with transaction.atomic():
        stamp = timezone.now()
        done: set[int] = set()
        for rule, queryset in plan.querysets().items():
            # Each rule's set is read at its UPDATE; the workers already stamped are out of the next rules' sets.
            # `anonymised_at IS NULL` at the top as well: a concurrent run's rows are re-checked after its commit.
            _anonymise(Worker.objects.filter(anonymised_at__isnull=True, pk__in=queryset.values("pk")), stamp)
            stamped = set(Worker.objects.filter(anonymised_at=stamp).values_list("pk", flat=True))
            workers[rule] = sorted(stamped - done)
            done = stamped
        if done:
            related = _anonymise_related(stamp)
            event = audit_record(
                actor=actor,
                actor_username="" if actor is not None else "cli",
                action=ANONYMISE_ACTION,
                target_type="worker",
                changes={
                    **plan.as_dict(),
                    "policy": {
                        "candidate_years": plan.policy.candidate_years,
                        "member_years": plan.policy.member_years,
                        "withdrawn_days": plan.policy.withdrawn_days,
                    },
                    **{rule: len(ids) for rule, ids in workers.items()},
                    "anonymised": len(done),
                    "related": related,
                    "workers": workers,
                },
            )
            audit_seq = event.seq
    applied = RetentionPlan(
        as_of=plan.as_of,
        policy=plan.policy,
        candidate_cutoff=plan.candidate_cutoff,
        withdrawn_cutoff=plan.withdrawn_cutoff,
        member_cutoff=plan.member_cutoff,
        **{rule: len(ids) for rule, ids in workers.items()},
    )
    return RetentionResult(plan=applied, workers=workers, audit_seq=audit_seq)


__all__ = [
    "ANONYMOUS_NAME",
    "RetentionPlan",
    "RetentionPolicy",
    "RetentionResult",
    "apply_retention",
    "retention_plan",
]
