"""Reads the API needs that the apps do not offer as selectors, always through `lindung.accounts.access`."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from lindung.accounts.access import user_scope
from lindung.accounts.models import Role, User
from lindung.api.models import ApiToken
from lindung.billing.models import Invoice, Payment
from lindung.billing.selectors import invoice_list, payment_list
from lindung.membership.models import Membership
from lindung.programmes.models import Programme
from lindung.training.models import Enrolment
from lindung.training.selectors import OVERSEER_ROLES, programme_list, village_enrolments


def token_list(*, owner: User) -> QuerySet[ApiToken]:
    """The user's own tokens, newest first; nobody sees another person's tokens."""
    return ApiToken.objects.filter(user=owner).order_by("-created_at", "-pk")


def access_token_by_id(owner: User, token_id: int) -> ApiToken:
    token = token_list(owner=owner).filter(pk=token_id).first()
    if token is None:
        raise Http404("Token tidak ditemukan.")
    return token


def region_prefix_q(prefix: str, field: str) -> Q:
    """Rows whose region code (in `field`) is `prefix` or lies below it."""
    prefix = prefix.rstrip(".")
    return Q(**{field: prefix}) | Q(**{f"{field}__startswith": f"{prefix}."})


# --- memberships ----------------------------------------------------------------------------------


def membership_list(*, viewer: User, village: str = "", status: str = "") -> QuerySet[Membership]:
    """Memberships whose worker lives in the viewer's scope, in a stable order (by id)."""
    memberships = Membership.objects.filter(user_scope(viewer).q("worker__village__code")).select_related(
        "worker__village"
    )
    if village:
        memberships = memberships.filter(region_prefix_q(village, "worker__village__code"))
    if status:
        memberships = memberships.filter(status=status)
    return memberships.order_by("pk")


def access_membership_by_id(viewer: User, membership_id: int) -> Membership:
    membership = membership_list(viewer=viewer).filter(pk=membership_id).first()
    if membership is None:
        raise Http404("Kepesertaan tidak ditemukan.")
    return membership


# --- invoices and payments ------------------------------------------------------------------------


def access_invoice_by_id(viewer: User, invoice_id: int) -> Invoice:
    invoice = invoice_list(viewer=viewer).filter(pk=invoice_id).first()
    if invoice is None:
        raise Http404("Tagihan tidak ditemukan.")
    return invoice


def access_payment_by_id(viewer: User, payment_id: int) -> Payment:
    payment = payment_list(viewer=viewer).select_related("programme", "reversal").filter(pk=payment_id).first()
    if payment is None:
        raise Http404("Pembayaran tidak ditemukan.")
    return payment


def payment_programmes(village_code: str) -> QuerySet[Programme]:
    """Programmes a village may pay into: those it has an agreement (PKS) in, as on the payment page."""
    return Programme.objects.filter(agreements__village_id=village_code).distinct().order_by("-starts_on", "pk")


# --- training -------------------------------------------------------------------------------------


def enrolment_list(*, viewer: User) -> QuerySet[Enrolment]:
    """Enrolments of workers in the viewer's scope. Village heads/operators and overseers see those of every
    programme (as on the village's training page); a trainer only those of the programmes they run."""
    enrolments = village_enrolments(viewer=viewer)
    if not user_scope(viewer).has_role(Role.VILLAGE_HEAD, Role.VILLAGE_OPERATOR, *OVERSEER_ROLES):
        enrolments = enrolments.filter(programme__in=programme_list(viewer=viewer))
    return enrolments.order_by("pk")
