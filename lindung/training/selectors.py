"""Reads of the training app, always through the viewer's region scope (``lindung.accounts.access``).

Who sees what:

- admins, city officers and province viewers: every programme whose region lies in their scope;
- trainers: only the programmes they own (and only inside their scope);
- village heads and operators: no programme pages, but the enrolments of their own villages' workers
  (``village_enrolments``), read-only;
- a worker outside the viewer's scope is never listed, and fetching one directly is a 404.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Lower, Trim
from django.http import Http404

from lindung.accounts.access import regions_visible, user_scope
from lindung.accounts.models import Role, RoleAssignment, User
from lindung.regions.models import Region
from lindung.registry.models import Worker
from lindung.registry.occupations import occupation_by_code
from lindung.training import matching
from lindung.training.models import Enrolment, Outcome, TrainingProgramme, TrainingSession

Status = Enrolment.Status

#: Roles that see every programme in their scope.
OVERSEER_ROLES = (Role.ADMIN, Role.CITY_OFFICER, Role.PROVINCE_VIEWER)
#: Roles that create and manage programmes (a trainer only their own).
MANAGER_ROLES = (Role.ADMIN, Role.CITY_OFFICER)
#: Statuses that take a place in the programme (count against its capacity).
OCCUPYING = (Status.INVITED, Status.ENROLLED, Status.COMPLETED)
#: Statuses that mean "already trained in this skill" for the matching.
TRAINED = (Status.ENROLLED, Status.COMPLETED)


def region_q(region_code: str, field: str = "village__code") -> Q:
    """Rows whose village code is the region or lies below it (a prefix filter on the dotted code)."""
    return Q(**{field: region_code}) | Q(**{f"{field}__startswith": f"{region_code}."})


# --- programmes -----------------------------------------------------------------------------------


def programme_list(*, viewer: User) -> QuerySet[TrainingProgramme]:
    scope = user_scope(viewer)
    programmes = TrainingProgramme.objects.filter(scope.q("region__code")).select_related("region")
    if scope.has_role(*OVERSEER_ROLES):
        return programmes
    if scope.has_role(Role.TRAINER):
        return programmes.filter(trainers=viewer)
    return TrainingProgramme.objects.none()


def access_programme_by_id(viewer: User, programme_id: int) -> TrainingProgramme:
    """A programme the viewer may see, or Http404 (missing, out of scope, another trainer's alike)."""
    programme = programme_list(viewer=viewer).filter(pk=programme_id).first()
    if programme is None:
        raise Http404("Program pelatihan tidak ditemukan.")
    return programme


def can_create_programmes(viewer: User) -> bool:
    return user_scope(viewer).has_role(Role.TRAINER, *MANAGER_ROLES)


def can_manage_programme(viewer: User, programme: TrainingProgramme) -> bool:
    """Admins and city officers of the programme's region, and the programme's own trainers."""
    scope = user_scope(viewer)
    if not scope.covers(programme.region_id):
        return False
    if scope.has_role(*MANAGER_ROLES):
        return True
    return scope.has_role(Role.TRAINER) and programme.trainers.filter(pk=viewer.pk).exists()


def creatable_regions(viewer: User) -> QuerySet[Region]:
    """Regions a programme may serve: the viewer's province, regencies/cities and districts."""
    if not can_create_programmes(viewer):
        return Region.objects.none()
    return regions_visible(viewer).filter(level__lt=Region.Level.VILLAGE).order_by("code")


def trainer_choices(viewer: User) -> QuerySet[User]:
    """Users holding the trainer role over a region in the viewer's scope (for the owner field)."""
    scope = user_scope(viewer)
    assignments = RoleAssignment.objects.filter(role=Role.TRAINER)
    if not scope.national:
        assignments = assignments.filter(scope.q("regions__code"))
    return User.objects.filter(pk__in=assignments.values("user_id"), is_active=True).order_by("username")


def trainer_covers(user: User, region_code: str) -> bool:
    scope = user_scope(user)
    return scope.has_role(Role.TRAINER) and scope.covers(region_code)


def programme_fill(programme: TrainingProgramme) -> dict[str, int]:
    """Enrolments by status (one aggregate) plus ``taken`` (places occupied) and ``free``."""
    counts = dict(programme.enrolments.order_by().values_list("status").annotate(n=Count("pk")))
    fill = {status: int(counts.get(status, 0)) for status in Status.values}
    fill["taken"] = sum(fill[s] for s in OCCUPYING)
    fill["free"] = max(programme.capacity - fill["taken"], 0)
    return fill


def session_list(programme: TrainingProgramme) -> QuerySet[TrainingSession]:
    return programme.sessions.annotate(present=Count("attendances", filter=Q(attendances__present=True)))


def access_session_by_id(viewer: User, session_id: int) -> TrainingSession:
    session = (
        TrainingSession.objects.filter(programme__in=programme_list(viewer=viewer))
        .select_related("programme__region")
        .filter(pk=session_id)
        .first()
    )
    if session is None:
        raise Http404("Sesi tidak ditemukan.")
    return session


# --- enrolments -----------------------------------------------------------------------------------


def enrolment_list(programme: TrainingProgramme, *, viewer: User) -> QuerySet[Enrolment]:
    """The programme's enrolments whose workers are in the viewer's scope, by worker name."""
    return (
        programme.enrolments.filter(user_scope(viewer).q("worker__village__code"))
        .select_related("worker__village")
        .order_by("worker__name", "worker__nik")
    )


def access_enrolment_by_id(viewer: User, enrolment_id: int) -> Enrolment:
    """An enrolment of a programme the viewer sees, with its worker in scope; Http404 otherwise."""
    enrolment = (
        Enrolment.objects.filter(programme__in=programme_list(viewer=viewer))
        .filter(user_scope(viewer).q("worker__village__code"))
        .select_related("worker__village", "programme__region")
        .filter(pk=enrolment_id)
        .first()
    )
    if enrolment is None:
        raise Http404("Peserta tidak ditemukan.")
    return enrolment


def village_enrolments(*, viewer: User) -> QuerySet[Enrolment]:
    """Read-only: enrolments of the workers living in the viewer's villages (for village heads/operators).

    A trainer (without a village or overseer role) sees only the enrolments of their own programmes: another
    trainer's programme is hidden from them everywhere."""
    scope = user_scope(viewer)
    if scope.is_empty:
        return Enrolment.objects.none()
    enrolments = Enrolment.objects.filter(scope.q("worker__village__code"))
    if scope.has_role(Role.TRAINER) and not scope.has_role(Role.VILLAGE_HEAD, Role.VILLAGE_OPERATOR, *OVERSEER_ROLES):
        enrolments = enrolments.filter(programme__in=programme_list(viewer=viewer))
    return enrolments.select_related("worker__village", "programme").order_by(
        "worker__village_id", "worker__name", "-programme__starts_on", "pk"
    )


# --- matching -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CandidateList:
    ranking: matching.Ranking
    status_here: dict[int, str]  # worker id -> status of their enrolment in this programme
    village_names: dict[int, str]  # worker id -> village name


def programme_target(programme: TrainingProgramme) -> matching.Target:
    return matching.Target(
        region_code=programme.region_id,
        occupation_codes=frozenset(int(c) for c in programme.target_occupations),
        keywords=tuple(str(k) for k in programme.target_keywords),
        skill_key=programme.skill_key,
    )


def programme_candidates(
    programme: TrainingProgramme, *, viewer: User, worker_ids: list[int] | None = None
) -> CandidateList:
    """The programme's ranked matches among the viewer's workers: one query, ranked by ``matching.rank``.

    The database narrows by region, scope and occupation/keyword, and tells for each worker whether
    they are already trained in the skill and their status in this programme; the order is Python's.
    """
    target = programme_target(programme)
    wanted = Q(occupation_code__in=sorted(target.occupation_codes)) if target.occupation_codes else Q(pk__in=[])
    for keyword in target.keywords:
        if keyword.strip():
            wanted |= Q(specialisation__icontains=keyword.strip())
    trained = Enrolment.objects.filter(
        worker=OuterRef("pk"), status__in=TRAINED, programme__skill_key=programme.skill_key
    )
    here = Enrolment.objects.filter(worker=OuterRef("pk"), programme=programme).values("status")[:1]
    workers = (
        Worker.objects.filter(region_q(programme.region_id), anonymised_at__isnull=True)  # retention: not invited
        .filter(user_scope(viewer).q("village__code"))
        .filter(wanted)
    )
    if worker_ids is not None:
        workers = workers.filter(pk__in=worker_ids)
    rows = workers.annotate(already_trained=Exists(trained), status_here=Subquery(here)).values(
        "pk", "nik", "name", "village_id", "village__name", "occupation_code", "specialisation", "decile",
        "extreme_poor", "monthly_income", "already_trained", "status_here",
    )  # fmt: skip
    candidates = []
    status_here: dict[int, str] = {}
    village_names: dict[int, str] = {}
    for row in rows:
        candidates.append(
            matching.Candidate(
                worker_id=row["pk"],
                nik=row["nik"],
                name=row["name"],
                village_code=row["village_id"],
                occupation_code=row["occupation_code"],
                specialisation=row["specialisation"],
                decile=row["decile"],
                extreme_poor=row["extreme_poor"],
                monthly_income=row["monthly_income"],
                trained_skills=frozenset({programme.skill_key}) if row["already_trained"] else frozenset(),
            )
        )
        if row["status_here"]:
            status_here[row["pk"]] = row["status_here"]
        village_names[row["pk"]] = row["village__name"]
    return CandidateList(
        ranking=matching.rank(candidates, target), status_here=status_here, village_names=village_names
    )


# --- skills map -----------------------------------------------------------------------------------


@dataclass
class Counts:
    total: int = 0
    trained: int = 0
    in_training: int = 0

    @property
    def not_trained(self) -> int:
        return self.total - self.trained

    def add(self, other: Counts) -> None:
        self.total += other.total
        self.trained += other.trained
        self.in_training += other.in_training


@dataclass
class SpecialisationRow:
    specialisation: str
    counts: Counts


@dataclass
class OccupationRow:
    code: int | None
    name: str
    counts: Counts = field(default_factory=Counts)
    specialisations: list[SpecialisationRow] = field(default_factory=list)


@dataclass
class GroupRow:
    isco_major: int | None  # None: no major group (not working, status only, or not recorded)
    counts: Counts = field(default_factory=Counts)
    occupations: list[OccupationRow] = field(default_factory=list)


@dataclass
class SkillsMap:
    region: Region
    groups: list[GroupRow]
    totals: Counts


def skills_map(region: Region) -> SkillsMap:
    """Workers of the region by ISCO major group, occupation and specialisation, trained or not.

    One aggregate query grouped by (occupation code, lower-cased trimmed specialisation); *trained* =
    has a completed enrolment, *in training* = invited or enrolled somewhere and not yet completed.
    The ISCO major group comes from the occupation list (a file), so grouping by it happens here.
    """
    completed = Enrolment.objects.filter(worker=OuterRef("pk"), status=Status.COMPLETED)
    ongoing = Enrolment.objects.filter(worker=OuterRef("pk"), status__in=(Status.INVITED, Status.ENROLLED))
    rows = (
        Worker.objects.filter(region_q(region.code))
        .annotate(spec=Lower(Trim("specialisation")))
        .order_by()
        .values("occupation_code", "spec")
        .annotate(
            total=Count("pk"),
            trained=Count("pk", filter=Q(Exists(completed))),
            in_training=Count("pk", filter=Q(Exists(ongoing)) & ~Q(Exists(completed))),
        )
    )
    by_occupation: dict[int | None, OccupationRow] = {}
    for row in rows:
        code = row["occupation_code"]
        occupation = by_occupation.get(code)
        if occupation is None:
            known = occupation_by_code(code) if code is not None else None
            occupation = OccupationRow(code=code, name=known.name if known else "")
            by_occupation[code] = occupation
        counts = Counts(total=row["total"], trained=row["trained"], in_training=row["in_training"])
        occupation.counts.add(counts)
        if row["spec"]:
            occupation.specialisations.append(SpecialisationRow(specialisation=row["spec"], counts=counts))
    groups: dict[int | None, GroupRow] = defaultdict(lambda: GroupRow(isco_major=None))
    for code, occupation in by_occupation.items():
        known = occupation_by_code(code) if code is not None else None
        major = known.isco_major if known else None
        group = groups[major]
        group.isco_major = major
        group.occupations.append(occupation)
        group.counts.add(occupation.counts)
        occupation.specialisations.sort(key=lambda s: (-s.counts.total, s.specialisation))
    ordered = sorted(groups.values(), key=lambda g: (g.isco_major is None, g.isco_major or 0))
    totals = Counts()
    for group in ordered:
        group.occupations.sort(key=lambda o: (o.code is None, o.code or 0))
        totals.add(group.counts)
    return SkillsMap(region=region, groups=ordered, totals=totals)


# --- figures for the dashboards -------------------------------------------------------------------


def training_figures(region_prefix: str) -> dict[str, int]:
    """Counts of workers living under ``region_prefix`` (a region code; ``""`` for the whole country).

    - ``trained``: workers with at least one completed enrolment;
    - ``income_improved``: of those, workers with a completed enrolment whose latest follow-up after
      training (month 6 or 12) records a monthly income above the baseline; the baseline is the month-0
      follow-up's income, or, without one, the registry's income when the worker was invited;
    - ``left_decile_1``: of those, workers with a completed enrolment whose baseline decile (month-0
      follow-up, else the decile when invited) was 1 and whose latest follow-up after training records
      a decile above 1.

    Two queries whatever the number of workers.
    """
    enrolments = Enrolment.objects.filter(status=Status.COMPLETED)
    if region_prefix:
        enrolments = enrolments.filter(region_q(region_prefix, "worker__village__code"))
    base: dict[int, tuple[int, int | None, int | None]] = {
        pk: (worker_id, income, decile)
        for pk, worker_id, income, decile in enrolments.values_list(
            "pk", "worker_id", "income_at_invite", "decile_at_invite"
        )
    }
    follow_ups: dict[int, dict[int, tuple[int | None, int | None]]] = defaultdict(dict)
    outcomes = Outcome.objects.filter(enrolment__in=enrolments).values_list(
        "enrolment_id", "month", "monthly_income", "decile"
    )
    for enrolment_id, month, income, decile in outcomes:
        follow_ups[enrolment_id][month] = (income, decile)
    trained: set[int] = set()
    improved: set[int] = set()
    left: set[int] = set()
    for pk, (worker_id, invite_income, invite_decile) in base.items():
        trained.add(worker_id)
        months = follow_ups.get(pk, {})
        month_0_income, month_0_decile = months.get(0, (None, None))
        before_income = month_0_income if month_0_income is not None else invite_income
        before_decile = month_0_decile if month_0_decile is not None else invite_decile
        after = [months[m] for m in sorted(months, reverse=True) if m > 0]
        if not after:
            continue
        after_income, after_decile = after[0]
        if after_income is not None and before_income is not None and after_income > before_income:
            improved.add(worker_id)
        if before_decile == 1 and after_decile is not None and after_decile > 1:
            left.add(worker_id)
    return {"trained": len(trained), "income_improved": len(improved), "left_decile_1": len(left)}
