"""Reads of the interop app, each filtered by the viewer's scope."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from lindung.accounts.access import user_scope
from lindung.accounts.models import User
from lindung.interop.models import LifeEventReview, OpensidImport, PovertyProposal


def opensid_import_list(*, viewer: User) -> QuerySet[OpensidImport]:
    return OpensidImport.objects.filter(user_scope(viewer).q("village__code")).select_related("village")


def access_opensid_import_by_id(viewer: User, import_id: int) -> OpensidImport:
    found = opensid_import_list(viewer=viewer).select_related("batch").filter(pk=import_id).first()
    if found is None:
        raise Http404("Impor tidak ditemukan.")
    return found


def life_event_review_list(*, viewer: User) -> QuerySet[LifeEventReview]:
    return LifeEventReview.objects.filter(user_scope(viewer).q("village__code")).select_related("worker", "village")


def access_life_event_review_by_id(viewer: User, review_id: int) -> LifeEventReview:
    found = life_event_review_list(viewer=viewer).filter(pk=review_id).first()
    if found is None:
        raise Http404("Butir tinjauan tidak ditemukan.")
    return found


def poverty_proposal_list(*, viewer: User) -> QuerySet[PovertyProposal]:
    return PovertyProposal.objects.filter(user_scope(viewer).q("village__code")).select_related("village")
