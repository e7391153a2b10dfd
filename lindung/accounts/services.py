"""User administration: every write checks the actor's scope and records an audit event."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from lindung.accounts.access import CITY_GRANTABLE_ROLES, USER_ADMIN_ROLES, user_scope
from lindung.accounts.models import Role, RoleAssignment, User
from lindung.audit.recording import audit_record
from lindung.core.errors import ApplicationError
from lindung.regions.models import Region

VILLAGE_ROLES = frozenset({Role.VILLAGE_OPERATOR, Role.VILLAGE_HEAD})
_PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # noqa: S105 (an alphabet, not a secret)


def generate_password(length: int = 10) -> str:
    """A temporary password that is easy to read aloud (no 0/O, 1/l)."""
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(length))


def _require_user_admin(acting_user: User) -> None:
    if not user_scope(acting_user).has_role(*USER_ADMIN_ROLES):
        raise ApplicationError(_("You may not administer users."), code="forbidden")


def _check_grant(acting_user: User, *, role: str, regions: list[Region], national: bool) -> None:
    scope = user_scope(acting_user)
    if role not in Role.values:
        raise ApplicationError(_("Unknown role."), code="invalid_role")
    if not scope.has_role(Role.ADMIN) and role not in CITY_GRANTABLE_ROLES:
        raise ApplicationError(
            _("You may not give the role %(role)s.") % {"role": Role(role).label}, code="role_not_grantable"
        )
    if national:
        if not scope.has_role(Role.ADMIN):
            raise ApplicationError(_("Only an administrator may give a nation-wide scope."), code="scope")
        return
    if not regions:
        raise ApplicationError(_("Choose at least one region for the role."), code="scope_missing")
    for region in regions:
        if not scope.covers(region.code):
            raise ApplicationError(_("Region %(code)s is outside your scope.") % {"code": region.code}, code="scope")
        if role in VILLAGE_ROLES and region.level != Region.Level.VILLAGE:
            raise ApplicationError(
                _("A village role must be scoped to a desa/kelurahan, not %(region)s.") % {"region": region},
                code="scope_level",
            )


def _regions_by_code(codes: Iterable[str]) -> list[Region]:
    wanted = sorted({c.strip() for c in codes if c and c.strip()})
    found = list(Region.objects.filter(code__in=wanted))
    missing = sorted(set(wanted) - {r.code for r in found})
    if missing:
        raise ApplicationError(
            _("Unknown region code: %(codes)s.") % {"codes": ", ".join(missing)}, code="unknown_region"
        )
    return found


@transaction.atomic
def user_create(
    *,
    acting_user: User,
    username: str,
    full_name: str,
    role: str,
    region_codes: Iterable[str] = (),
    national: bool = False,
    password: str | None = None,
    phone: str = "",
) -> tuple[User, str]:
    """Create a user with one role and scope; return the user and the (temporary) password, shown once."""
    _require_user_admin(acting_user)
    username = username.strip().lower()
    if not username:
        raise ApplicationError(_("Username is required."), code="username_missing")
    if User.objects.filter(username__iexact=username).exists():
        raise ApplicationError(_("Username %(u)s is already taken.") % {"u": username}, code="username_taken")
    regions = _regions_by_code(region_codes)
    _check_grant(acting_user, role=role, regions=regions, national=national)
    temporary = password is None
    password = password or generate_password()
    user = User(username=username, full_name=full_name.strip(), phone=phone.strip(), must_change_password=temporary)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ApplicationError(" ".join(exc.messages), code="weak_password") from exc
    user.set_password(password)
    user.save()
    assignment = RoleAssignment.objects.create(user=user, role=role, national=national)
    assignment.regions.set(regions)
    audit_record(
        actor=acting_user,
        action="user.create",
        target_type="user",
        target_id=user.pk,
        region_code=regions[0].code if len(regions) == 1 else "",
        changes={
            "username": username,
            "role": role,
            "regions": [r.code for r in regions],
            "national": national,
        },
    )
    return user, password


@transaction.atomic
def user_reset_password(*, acting_user: User, user: User) -> str:
    """Set a new temporary password (villages often have no e-mail); it must be changed at next login."""
    _require_user_admin(acting_user)
    password = generate_password()
    user.set_password(password)
    user.must_change_password = True
    user.save(update_fields=["password", "must_change_password"])
    audit_record(actor=acting_user, action="user.reset_password", target_type="user", target_id=user.pk)
    return password


@transaction.atomic
def user_set_active(*, acting_user: User, user: User, active: bool) -> User:
    """Deactivate (or reactivate) an account; a user cannot deactivate themselves."""
    _require_user_admin(acting_user)
    if user.pk == acting_user.pk and not active:
        raise ApplicationError(_("You cannot deactivate your own account."), code="self")
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit_record(
        actor=acting_user,
        action="user.activate" if active else "user.deactivate",
        target_type="user",
        target_id=user.pk,
    )
    return user


@transaction.atomic
def user_change_own_password(*, user: User, password: str) -> User:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ApplicationError(" ".join(exc.messages), code="weak_password") from exc
    user.set_password(password)
    user.must_change_password = False
    user.save(update_fields=["password", "must_change_password"])
    audit_record(actor=user, action="user.change_password", target_type="user", target_id=user.pk)
    return user


@dataclass(frozen=True)
class CreatedAccount:
    username: str
    password: str
    role: str
    village_code: str
    village_name: str


def village_usernames(code: str) -> dict[str, str]:
    """The conventional usernames of a village's operator and head: `op.5171032008`, `kades.5171032008`."""
    digits = code.replace(".", "")
    return {Role.VILLAGE_OPERATOR: f"op.{digits}", Role.VILLAGE_HEAD: f"kades.{digits}"}


@transaction.atomic
def users_bulk_create_for_villages(*, acting_user: User, village_codes: Iterable[str]) -> list[CreatedAccount]:
    """Create one operator and one head per village, skipping accounts that exist; one audit event."""
    _require_user_admin(acting_user)
    villages = _regions_by_code(village_codes)
    for village in villages:
        _check_grant(acting_user, role=Role.VILLAGE_OPERATOR, regions=[village], national=False)
    planned = [
        (username, role, village) for village in villages for role, username in village_usernames(village.code).items()
    ]
    existing = set(User.objects.filter(username__in=[p[0] for p in planned]).values_list("username", flat=True))
    planned = [p for p in planned if p[0] not in existing]
    passwords = {username: generate_password() for username, _role, _v in planned}
    User.objects.bulk_create(
        [
            User(
                username=username,
                full_name=f"{Role(role).label} {village.name}",
                password=make_password(passwords[username]),
                must_change_password=True,
            )
            for username, role, village in planned
        ]
    )
    users_by_name = {u.username: u for u in User.objects.filter(username__in=passwords)}
    RoleAssignment.objects.bulk_create(
        [RoleAssignment(user=users_by_name[username], role=role) for username, role, _v in planned]
    )
    assignments = list(RoleAssignment.objects.filter(user__in=users_by_name.values()).select_related("user"))
    village_of = {username: village for username, _role, village in planned}
    RoleAssignment.regions.through.objects.bulk_create(
        [
            RoleAssignment.regions.through(roleassignment_id=a.pk, region_id=village_of[a.user.username].code)
            for a in assignments
        ]
    )
    created = [
        CreatedAccount(username, passwords[username], role, village.code, village.name)
        for username, role, village in planned
    ]
    if created:
        audit_record(
            actor=acting_user,
            action="user.bulk_create",
            target_type="user",
            changes={
                "count": len(created),
                "usernames": [c.username for c in created][:200],
                "skipped_existing": sorted(existing)[:200],
            },
        )
    return created
