"""Reads of programmes and agreements; the ones behind pages go through the viewer's region scope."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.apps import apps
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.accounts.access import user_scope
from lindung.accounts.models import User
from lindung.core.errors import ApplicationError
from lindung.programmes.models import Agreement, Programme, ProgrammeRules
from lindung.regions.models import Region

#: Statuses in which an agreement binds the village (members may be enrolled and billed).
IN_FORCE_STATUSES = (Agreement.Status.SIGNED, Agreement.Status.ACTIVE)


def rules_on(programme: Programme, day: date) -> ProgrammeRules:
    """The rules row in force on `day`: the latest `effective_from` on or before it."""
    rules = programme.rules.filter(effective_from__lte=day).order_by("-effective_from").first()
    if rules is None:
        raise ApplicationError(
            _("Programme %(programme)s has no rules in force on %(date)s.")
            % {"programme": programme.name, "date": day.strftime("%d-%m-%Y")},
            code="no_rules",
        )
    return rules


def agreement_for(programme: Programme, village: Region) -> Agreement | None:
    """The village's agreement (PKS) in the programme, if one is recorded."""
    return Agreement.objects.filter(programme=programme, village=village).select_related("programme").first()


def agreements_in_force(on: date, region_prefix: str | None = None) -> QuerySet[Agreement]:
    """Agreements signed or active whose validity covers `on`, optionally only villages under `region_prefix`."""
    agreements = (
        Agreement.objects.filter(status__in=IN_FORCE_STATUSES)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=on))
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=on))
        .select_related("programme", "village")
    )
    if region_prefix:
        under = Q(village__code=region_prefix) | Q(village__code__startswith=f"{region_prefix}.")
        agreements = agreements.filter(under)
    return agreements.order_by("programme_id", "village_id")


# --- scoped reads behind the pages ----------------------------------------------------------------


def _programme_scope_q(viewer: User) -> Q:
    """Programmes running over any region of the viewer's scope: above it (a village's city) or inside it."""
    scope = user_scope(viewer)
    if scope.national:
        return Q()
    above = {".".join(code.split(".")[:i]) for code in scope.codes for i in range(1, code.count(".") + 2)}
    return Q(region_id__in=sorted(above)) | scope.q("region__code")


def programme_list(*, viewer: User) -> QuerySet[Programme]:
    return Programme.objects.filter(_programme_scope_q(viewer)).select_related("region").order_by("-starts_on", "pk")


def access_programme_by_id(viewer: User, programme_id: int) -> Programme:
    """A programme the viewer may see, or Http404 (missing and out of scope alike)."""
    programme = programme_list(viewer=viewer).filter(pk=programme_id).first()
    if programme is None:
        raise Http404("Program tidak ditemukan.")
    return programme


def agreement_list(
    *, viewer: User, programme: Programme | None = None, status: str = "", search: str = ""
) -> QuerySet[Agreement]:
    """Agreements of villages in the viewer's scope."""
    agreements = Agreement.objects.filter(user_scope(viewer).q("village__code")).select_related(
        "programme", "village", "village__parent", "framework"
    )
    if programme is not None:
        agreements = agreements.filter(programme=programme)
    if status:
        agreements = agreements.filter(status=status)
    if search:
        agreements = agreements.filter(
            Q(village__name__icontains=search)
            | Q(village_number__icontains=search)
            | Q(partner_number__icontains=search)
        )
    return agreements.order_by("programme_id", "village_id")


def access_agreement_by_id(viewer: User, agreement_id: int) -> Agreement:
    """An agreement of a village in the viewer's scope, or Http404 (missing and out of scope alike)."""
    agreement = agreement_list(viewer=viewer).filter(pk=agreement_id).first()
    if agreement is None:
        raise Http404("PKS tidak ditemukan.")
    return agreement


def rules_history(programme: Programme) -> QuerySet[ProgrammeRules]:
    return programme.rules.select_related("created_by").order_by("-effective_from")


# --- the roll-out board ---------------------------------------------------------------------------

#: Pipeline order, for sorting by status (no agreement first).
STATUS_ORDER = {"": 0} | {status: i + 1 for i, status in enumerate(Agreement.Status.values)}
DESA_KINDS = (Region.Kind.DESA, Region.Kind.DESA_ADAT)
SORT_KEYS = ("kode", "nama", "kecamatan", "jenis", "status", "tanggal", "peserta", "kuota")


@dataclass(frozen=True)
class BoardRow:
    village: Region
    district: str
    agreement: Agreement | None
    enrolled: int
    quota: int

    @property
    def status(self) -> str:
        return self.agreement.status if self.agreement else ""

    @property
    def status_label(self) -> str:
        return str(self.agreement.get_status_display()) if self.agreement else ""

    @property
    def signed_on(self) -> date | None:
        return self.agreement.signed_on if self.agreement else None

    @property
    def is_desa(self) -> bool:
        return self.village.kind in DESA_KINDS

    @property
    def lapsed(self) -> bool:
        """Expired, or still signed/active on paper while its validity has ended (billing has stopped)."""
        if self.agreement is None:
            return False
        if self.agreement.status == Agreement.Status.EXPIRED:
            return True
        until = self.agreement.valid_until
        return self.agreement.status in IN_FORCE_STATUSES and until is not None and until < timezone.localdate()


@dataclass(frozen=True)
class KindCounts:
    total: int = 0
    signed: int = 0  # signed or active
    in_discussion: int = 0
    prospect: int = 0
    expired: int = 0
    terminated: int = 0
    enrolled: int = 0
    quota: int = 0  # sum of quotas of villages with an agreement in force


@dataclass(frozen=True)
class Board:
    programme: Programme
    region: Region
    rows: list[BoardRow]
    desa: KindCounts
    kelurahan: KindCounts
    include_kelurahan: bool

    @property
    def headline(self) -> str:
        return _("%(signed)s of %(total)s desa have signed the agreement (PKS), %(discussion)s in discussion") % {
            "signed": self.desa.signed,
            "total": self.desa.total,
            "discussion": self.desa.in_discussion,
        }

    @property
    def kelurahan_headline(self) -> str:
        return _("%(signed)s of %(total)s kelurahan have signed the agreement (PKS), %(discussion)s in discussion") % {
            "signed": self.kelurahan.signed,
            "total": self.kelurahan.total,
            "discussion": self.kelurahan.in_discussion,
        }

    @property
    def headlines(self) -> list[str]:
        return [self.headline, self.kelurahan_headline] if self.include_kelurahan else [self.headline]


def board_region(programme: Programme, region: Region) -> str:
    """The code whose villages the board lists: the deeper of the programme's region and the one asked for.

    A village's own code gives a board of that one village (what a village operator may see).
    """
    for inner, outer in ((region.code, programme.region_id), (programme.region_id, region.code)):
        if inner == outer or inner.startswith(f"{outer}."):
            return inner
    raise Http404("Wilayah ini tidak termasuk wilayah program.")


def _under(field: str, prefix: str) -> Q:
    """`field` is the region `prefix` itself or below it."""
    return Q(**{field: prefix}) | Q(**{f"{field}__startswith": f"{prefix}."})


def _enrolled_by_village(programme: Programme, prefix: str) -> dict[str, int]:
    """Members enrolled (memberships active or in arrears) per village, in one aggregate query."""
    try:
        membership = apps.get_model("membership", "Membership")
    except LookupError:  # the membership app has no model yet
        return {}
    rows = (
        membership.objects.filter(
            _under("worker__village__code", prefix), programme=programme, status__in=("active", "arrears")
        )
        .values("worker__village_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["worker__village_id"]: row["n"] for row in rows}


def _count(rows: list[BoardRow]) -> KindCounts:
    statuses = [r.status for r in rows]
    in_force = [r for r in rows if r.status in IN_FORCE_STATUSES]
    return KindCounts(
        total=len(rows),
        signed=len(in_force),
        in_discussion=statuses.count(Agreement.Status.IN_DISCUSSION),
        prospect=statuses.count(Agreement.Status.PROSPECT),
        expired=statuses.count(Agreement.Status.EXPIRED),
        terminated=statuses.count(Agreement.Status.TERMINATED),
        enrolled=sum(r.enrolled for r in rows),
        quota=sum(r.quota for r in in_force),
    )


def _sort_key(key: str) -> Any:
    far = date.max
    return {
        "kode": lambda r: r.village.code,
        "nama": lambda r: (r.village.name, r.village.code),
        "kecamatan": lambda r: (r.district, r.village.name),
        "jenis": lambda r: (r.village.kind, r.village.code),
        "status": lambda r: (STATUS_ORDER[r.status], r.village.code),
        "tanggal": lambda r: (r.signed_on or far, r.village.code),
        "peserta": lambda r: (r.enrolled, r.village.code),
        "kuota": lambda r: (r.quota, r.village.code),
    }[key]


def rollout_board(
    programme: Programme,
    region: Region,
    *,
    include_kelurahan: bool = True,
    sort: str = "kode",
    descending: bool = False,
) -> Board:
    """Every village of the region with its agreement and members enrolled; a constant number of queries."""
    prefix = board_region(programme, region)
    villages = list(
        Region.objects.filter(_under("code", prefix), level=Region.Level.VILLAGE)
        .select_related("parent")
        .order_by("code")
    )
    agreements = {
        a.village_id: a
        for a in Agreement.objects.filter(_under("village__code", prefix), programme=programme).select_related(
            "programme"
        )
    }
    enrolled = _enrolled_by_village(programme, prefix)
    rows = []
    for village in villages:
        agreement = agreements.get(village.code)
        if agreement is not None:
            agreement.village = village
        rows.append(
            BoardRow(
                village=village,
                district=village.parent.name if village.parent else "",
                agreement=agreement,
                enrolled=enrolled.get(village.code, 0),
                quota=agreement.effective_quota if agreement else programme.quota_per_village,
            )
        )
    desa = _count([r for r in rows if r.is_desa])
    kelurahan = _count([r for r in rows if not r.is_desa])
    shown = rows if include_kelurahan else [r for r in rows if r.is_desa]
    shown.sort(key=_sort_key(sort if sort in SORT_KEYS else "kode"), reverse=descending)
    return Board(
        programme=programme,
        region=region,
        rows=shown,
        desa=desa,
        kelurahan=kelurahan,
        include_kelurahan=include_kelurahan,
    )
