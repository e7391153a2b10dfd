"""The one place that answers "which regions may this user see or change".

Every later query that returns people filters through `Scope.q()`; every fetch of a region-bound object
goes through an `access_*` function that raises Http404 for "missing" and "not yours" alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from lindung.accounts.models import Role, RoleAssignment, User
from lindung.core.errors import ApplicationError
from lindung.regions.models import Region

#: Roles that may change data (the others only read).
CHANGE_ROLES = frozenset({Role.ADMIN, Role.CITY_OFFICER, Role.VILLAGE_HEAD, Role.VILLAGE_OPERATOR})
#: Roles that may administer users inside their scope.
USER_ADMIN_ROLES = frozenset({Role.ADMIN, Role.CITY_OFFICER})
#: Roles a city officer may hand out; an admin may hand out any.
CITY_GRANTABLE_ROLES = frozenset({Role.VILLAGE_OPERATOR, Role.VILLAGE_HEAD, Role.TRAINER})

# Order in which a user's roles are shown (the first is the "main" role in the header).
_ROLE_ORDER = [r.value for r in Role]


@dataclass(frozen=True)
class Scope:
    """The roles a user holds and the region codes they cover (prefixes of the dotted code)."""

    roles: tuple[str, ...]
    national: bool
    codes: tuple[str, ...]

    @property
    def is_empty(self) -> bool:
        return not self.national and not self.codes

    def has_role(self, *roles: str) -> bool:
        return any(r in self.roles for r in roles)

    def can_change(self) -> bool:
        return self.has_role(*CHANGE_ROLES)

    def q(self, field: str = "code") -> Q:
        """A filter on a region-code column: the scope's regions and everything below them."""
        if self.national:
            return Q()
        if not self.codes:
            return Q(pk__in=[])
        condition = Q()
        for code in self.codes:
            condition |= Q(**{field: code}) | Q(**{f"{field}__startswith": f"{code}."})
        return condition

    def covers(self, code: str) -> bool:
        return self.national or any(code == c or code.startswith(f"{c}.") for c in self.codes)


def user_scope(user: User) -> Scope:
    """The user's scope, computed once per request (cached on the user object)."""
    cached: Scope | None = getattr(user, "_lindung_scope", None)
    if cached is not None:
        return cached
    if not user.is_authenticated or not user.is_active:
        scope = Scope(roles=(), national=False, codes=())
    else:
        roles: set[str] = set()
        national = False
        regions: dict[str, Region] = {}
        # One query (assignments LEFT JOIN their regions): this runs on every page.
        rows = RoleAssignment.objects.filter(user=user).values_list(
            "role", "national", "regions__code", "regions__name", "regions__level", "regions__kind", "regions__parent"
        )
        for role, assigned_nationally, code, name, level, kind, parent in rows:
            roles.add(role)
            national = national or assigned_nationally
            if code is not None:
                regions[code] = Region(code=code, name=name, level=level, kind=kind, parent_id=parent)
        if user.is_superuser:
            roles.add(Role.ADMIN)
            national = True
        ordered = tuple(sorted(roles, key=_ROLE_ORDER.index))
        scope = Scope(roles=ordered, national=national, codes=tuple(sorted(regions)))
        user._lindung_scope_regions = [regions[code] for code in scope.codes]  # type: ignore[attr-defined]
    user._lindung_scope = scope  # type: ignore[attr-defined]
    return scope


def scope_regions(user: User) -> list[Region]:
    """The regions the user's roles are assigned to, by code (read with the scope: no further query)."""
    scope = user_scope(user)
    regions: list[Region] | None = getattr(user, "_lindung_scope_regions", None)
    if regions is None or [r.code for r in regions] != list(scope.codes):  # a scope set from outside
        regions = list(Region.objects.filter(code__in=scope.codes).order_by("code"))
        user._lindung_scope_regions = regions  # type: ignore[attr-defined]
    return regions


def regions_visible(user: User) -> QuerySet[Region]:
    """Regions the user may see: those in their scope and everything below them."""
    return Region.objects.filter(user_scope(user).q("code"))


def villages_visible(user: User) -> QuerySet[Region]:
    """Desa/kelurahan the user may see."""
    return regions_visible(user).filter(level=Region.Level.VILLAGE)


def villages_changeable(user: User) -> QuerySet[Region]:
    """Desa/kelurahan the user may change (none for read-only roles)."""
    scope = user_scope(user)
    if not scope.can_change():
        return Region.objects.none()
    return villages_visible(user)


def can_change_village(user: User, code: str) -> bool:
    """Whether the user may change data of the village `code` (no query once the scope is known)."""
    scope = user_scope(user)
    return scope.can_change() and scope.covers(code)


def require_village_change(user: User, code: str) -> None:
    """Raise the one "outside your area" error every write into a village uses."""
    if not can_change_village(user, code):
        raise ApplicationError(_("This village is outside your area."), code="scope")


def access_region_by_code(user: User, code: str) -> Region:
    """The region with `code` if the user may see it; Http404 otherwise (missing or out of scope alike)."""
    region = regions_visible(user).select_related("parent").filter(code=code).first()
    if region is None:
        raise Http404("Wilayah tidak ditemukan.")
    return region
