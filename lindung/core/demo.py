"""Demo data for Kota Denpasar: regions of Bali, the Denpasar branch, one user per role. Idempotent."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from lindung.accounts.models import Role, RoleAssignment, User
from lindung.audit.recording import audit_record
from lindung.core.errors import ApplicationError
from lindung.regions.models import BranchOffice, Region
from lindung.regions.services import RegionsLoadResult, regions_load

DEMO_PASSWORD = "lindung-demo"  # noqa: S105 (demo mode only; documented in the README)
DENPASAR = "51.71"
TEGAL_HARUM = "51.71.03.2008"


@dataclass(frozen=True)
class DemoUser:
    username: str
    full_name: str
    role: str
    scope: str  # region code, "" for the whole country


DEMO_USERS = [
    DemoUser("admin", "Administrator Lindung", Role.ADMIN, ""),
    DemoUser("provinsi.bali", "Pemantau Provinsi Bali", Role.PROVINCE_VIEWER, "51"),
    DemoUser("dinas.denpasar", "Petugas Dinas PMD Kota Denpasar", Role.CITY_OFFICER, DENPASAR),
    DemoUser("bpjs.denpasar", "Petugas BPJS Ketenagakerjaan Cabang Denpasar", Role.BPJS_OFFICER, DENPASAR),
    DemoUser("perbekel.tegalharum", "Perbekel Desa Tegal Harum", Role.VILLAGE_HEAD, TEGAL_HARUM),
    DemoUser("operator.tegalharum", "Operator Desa Tegal Harum", Role.VILLAGE_OPERATOR, TEGAL_HARUM),
    DemoUser("pelatih.denpasar", "Pelatih OPD Kota Denpasar", Role.TRAINER, DENPASAR),
]


@dataclass(frozen=True)
class DemoResult:
    regions: RegionsLoadResult
    users_created: int
    steps: dict[str, dict] = field(default_factory=dict)  # what each app's demo step created


def _app_demo_steps() -> list[tuple[str, Callable[[], dict]]]:
    """The apps' own demo steps, in dependency order (each idempotent; imported here to keep core's imports light)."""
    from lindung.membership.demo import demo_memberships
    from lindung.programmes.demo import demo_programmes
    from lindung.reporting.tasks import refresh_summaries_task
    from lindung.synth.demo import demo_synth
    from lindung.targeting.demo import demo_targeting

    return [
        ("programmes", demo_programmes),
        ("targeting", demo_targeting),
        ("membership", demo_memberships),
        ("synth", demo_synth),  # after Tegal Harum's hand-made data: the other Denpasar villages
        ("reporting", refresh_summaries_task.func),  # the dashboards have figures on the first visit
    ]


def demo_setup() -> DemoResult:
    """Load Bali and the Denpasar demo set; refuse in production, change nothing on a second run."""
    if not settings.DEMO_MODE:
        raise ApplicationError(_("Demo data is not created in production mode."), code="production")
    regions = regions_load(prefix="51")
    with transaction.atomic():
        branch, created_branch = BranchOffice.objects.get_or_create(
            code="DPS",
            defaults={
                "name": "BPJS Ketenagakerjaan Kantor Cabang Denpasar",
                "address": "Jl. Dr. Kusuma Atmaja No.1, Denpasar",
            },
        )
        if created_branch:
            branch.regencies.set(Region.objects.filter(code=DENPASAR))
        existing = set(
            User.objects.filter(username__in=[u.username for u in DEMO_USERS]).values_list("username", flat=True)
        )
        created = 0
        for demo in DEMO_USERS:
            if demo.username in existing:
                continue
            user = User(
                username=demo.username,
                full_name=demo.full_name,
                is_staff=demo.role == Role.ADMIN,
                is_superuser=demo.role == Role.ADMIN,
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            assignment = RoleAssignment.objects.create(user=user, role=demo.role, national=not demo.scope)
            if demo.scope:
                assignment.regions.set(Region.objects.filter(code=demo.scope))
            created += 1
        if created or created_branch:
            audit_record(
                actor=None,
                actor_username="system",
                action="demo.setup",
                changes={"users_created": created, "branch_created": created_branch},
            )
    steps = {name: step() for name, step in _app_demo_steps()}
    return DemoResult(regions=regions, users_created=created, steps=steps)
