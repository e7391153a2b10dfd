"""Who may do what with a claim, on top of `lindung.accounts.access` (the one scope helper)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from lindung.accounts.access import can_change_village, user_scope
from lindung.accounts.models import Role, User
from lindung.core.errors import ApplicationError

#: Approving a submission to BPJS (the checker of maker-checker).
APPROVER_ROLES = (Role.ADMIN, Role.CITY_OFFICER, Role.VILLAGE_HEAD)
#: Recording what BPJS decided and paid.
BPJS_ROLES = (Role.ADMIN, Role.CITY_OFFICER, Role.BPJS_OFFICER)


def can_prepare(user: User, village_code: str) -> bool:
    """Report an incident, upload documents, recompute the quote: village operator/head, city officer, admin."""
    return can_change_village(user, village_code)


def can_approve(user: User, village_code: str) -> bool:
    scope = user_scope(user)
    return scope.has_role(*APPROVER_ROLES) and scope.covers(village_code)


def can_record_bpjs(user: User, village_code: str) -> bool:
    scope = user_scope(user)
    return scope.has_role(*BPJS_ROLES) and scope.covers(village_code)


def can_disburse(user: User, village_code: str) -> bool:
    """Yearly scholarship disbursements and stopping a plan: the village (who collects the proof) or BPJS/city."""
    return can_prepare(user, village_code) or can_record_bpjs(user, village_code)


def _require(allowed: bool, message: str) -> None:
    if not allowed:
        raise ApplicationError(message, code="scope")


def require_prepare(user: User, village_code: str) -> None:
    _require(can_prepare(user, village_code), _("This village is outside your area."))


def require_approve(user: User, village_code: str) -> None:
    _require(
        can_approve(user, village_code),
        _(
            "Only the village head, a city office officer or an admin in this area can approve the submission of a "
            "claim."
        ),
    )


def require_record_bpjs(user: User, village_code: str) -> None:
    _require(
        can_record_bpjs(user, village_code),
        _("Only a BPJS officer, a city office officer or an admin in this area can record the decisions of BPJS."),
    )


def require_disburse(user: User, village_code: str) -> None:
    _require(can_disburse(user, village_code), _("This village is outside your area."))
