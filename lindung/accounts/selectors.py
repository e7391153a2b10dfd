"""Reads of users, always through the viewer's scope."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from lindung.accounts.access import user_scope
from lindung.accounts.models import RoleAssignment, User


def user_list(*, viewer: User, search: str = "") -> QuerySet[User]:
    """Users the viewer may administer: every region they hold lies inside the viewer's scope."""
    scope = user_scope(viewer)
    users = User.objects.all()
    if not scope.national:
        region_in_scope = RoleAssignment.objects.filter(scope.q("regions__code")).values("user_id")
        region_outside = (
            RoleAssignment.objects.filter(regions__isnull=False).exclude(scope.q("regions__code")).values("user_id")
        )
        national = RoleAssignment.objects.filter(national=True).values("user_id")
        users = users.filter(pk__in=region_in_scope).exclude(pk__in=region_outside).exclude(pk__in=national)
        users = users.exclude(is_superuser=True)
    if search:
        users = users.filter(Q(username__icontains=search) | Q(full_name__icontains=search))
    return users.prefetch_related("role_assignments__regions").order_by("username")


def access_user_by_id(viewer: User, user_id: int) -> User:
    """A user the viewer may administer, or Http404 (missing and out of scope alike)."""
    user = user_list(viewer=viewer).filter(pk=user_id).first()
    if user is None:
        raise Http404("Pengguna tidak ditemukan.")
    return user
