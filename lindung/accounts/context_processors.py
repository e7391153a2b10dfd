from django.http import HttpRequest

from lindung.accounts.access import USER_ADMIN_ROLES, scope_regions, user_scope
from lindung.accounts.models import Role


def viewer(request: HttpRequest) -> dict:
    """The header's role and scope labels, and which menu entries the user gets."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = user_scope(user)
    scope_names = ["Indonesia"] if scope.national else [str(r) for r in scope_regions(user)[:3]]
    return {
        "viewer_roles": [Role(r).label for r in scope.roles],
        "viewer_scope_names": scope_names,
        "viewer_scope_more": max(0, len(scope.codes) - 3),
        "viewer_can_admin_users": scope.has_role(*USER_ADMIN_ROLES),
    }
