"""Reads of the recipient lists, always through the viewer's region scope."""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from lindung.accounts.access import user_scope
from lindung.accounts.models import Role, User
from lindung.core.errors import ApplicationError
from lindung.targeting import ranking
from lindung.targeting.models import Override, SelectionEntry, SelectionList, SelectionVersion
from lindung.targeting.services import LEAVING_REASONS, rules_for, village_candidates

VersionStatus = SelectionVersion.Status


def selection_list_list(*, viewer: User) -> QuerySet[SelectionList]:
    """Lists of the villages the viewer may see, newest budget year first."""
    return (
        SelectionList.objects.filter(user_scope(viewer).q("village__code"))
        .select_related("village", "programme")
        .order_by("village__name", "-budget_year", "programme__name")
    )


def selection_list_overview(*, viewer: User, limit: int = 300) -> list[tuple[SelectionList, SelectionVersion | None]]:
    """Each visible list with its current version (as `version_current`), in two queries."""
    lists = list(selection_list_list(viewer=viewer)[:limit])
    best: dict[int, SelectionVersion] = {}
    preference: dict[str, int] = {"draft": 0, "awaiting_approval": 0, "approved": 1}
    versions = SelectionVersion.objects.filter(selection_list__in=lists).order_by("-number")
    for version in versions:
        current = best.get(version.selection_list_id)
        rank = preference.get(version.status, 2)
        if current is None or rank < preference.get(current.status, 2):
            best[version.selection_list_id] = version
    return [(s, best.get(s.pk)) for s in lists]


def access_selection_list_by_id(viewer: User, list_id: int) -> SelectionList:
    """A list of a village in the viewer's scope, or Http404 (missing and out of scope alike)."""
    found = selection_list_list(viewer=viewer).select_related("village__parent__parent").filter(pk=list_id).first()
    if found is None:
        raise Http404("Daftar penerima tidak ditemukan.")
    return found


def access_version_by_id(viewer: User, version_id: int) -> SelectionVersion:
    found = (
        SelectionVersion.objects.filter(user_scope(viewer).q("selection_list__village__code"))
        .select_related(
            "selection_list__village__parent__parent",
            "selection_list__programme",
            "prepared_by",
            "submitted_by",
            "approved_by",
        )
        .filter(pk=version_id)
        .first()
    )
    if found is None:
        raise Http404("Versi daftar tidak ditemukan.")
    return found


def access_override_by_id(viewer: User, override_id: int) -> Override:
    found = (
        Override.objects.filter(user_scope(viewer).q("selection_list__village__code"))
        .select_related("selection_list__village")
        .filter(pk=override_id)
        .first()
    )
    if found is None:
        raise Http404("Pengecualian tidak ditemukan.")
    return found


def version_list(selection_list: SelectionList) -> QuerySet[SelectionVersion]:
    """Every version of the list, newest first (approved versions stay readable)."""
    return selection_list.versions.select_related("prepared_by", "submitted_by", "approved_by").order_by("-number")


def version_current(selection_list: SelectionList) -> SelectionVersion | None:
    """The version being worked on (draft or awaiting approval), else the approved one, else the latest."""
    versions = version_list(selection_list)
    open_version = versions.filter(status__in=[VersionStatus.DRAFT, VersionStatus.AWAITING_APPROVAL]).first()
    return open_version or versions.filter(status=VersionStatus.APPROVED).first() or versions.first()


def version_approved(selection_list: SelectionList) -> SelectionVersion | None:
    return selection_list.versions.filter(status=VersionStatus.APPROVED).first()


def version_entries(version: SelectionVersion, status: str | None = None) -> QuerySet[SelectionEntry]:
    """Entries in the order the page and the decree show them: selected by seat, waiting by number, the rest."""
    entries = version.entries.annotate(
        status_order=Case(
            *(When(status=s, then=Value(i)) for i, s in enumerate(SelectionEntry.Status.values)),
            output_field=IntegerField(),
        )
    )
    if status:
        entries = entries.filter(status=status)
    return entries.order_by("status_order", "position", "rank", "name", "pk")


def active_overrides(selection_list: SelectionList) -> QuerySet[Override]:
    return selection_list.overrides.filter(revoked_at__isnull=True).select_related("worker", "created_by")


def approval_tasks(*, viewer: User) -> QuerySet[SelectionVersion]:
    """Versions awaiting the viewer's approval as village head ("Tugas saya")."""
    scope = user_scope(viewer)
    if not scope.has_role(Role.VILLAGE_HEAD):
        return SelectionVersion.objects.none()
    return (
        SelectionVersion.objects.filter(scope.q("selection_list__village__code"))
        .filter(status=VersionStatus.AWAITING_APPROVAL)
        .exclude(prepared_by=viewer)
        .exclude(submitted_by=viewer)
        .select_related("selection_list__village", "selection_list__programme", "submitted_by")
        .order_by("submitted_at", "pk")
    )


def propose_replacement(
    *, selection_list: SelectionList, leaving_worker_id: int, reason: str, on: dt.date | None = None
) -> SelectionEntry | None:
    """The next worker on the approved waiting list who is still eligible today, to replace a member who
    leaves (death, moving away, withdrawal, becoming a wage earner). A lapse frees no place (RULES.md)."""
    if reason not in LEAVING_REASONS:
        raise ApplicationError(
            _("A membership lapsed for arrears is not leaving the programme: its place is not replaced."),
            code="reason",
        )
    approved = version_approved(selection_list)
    if approved is None:
        raise ApplicationError(_("This list has no approved version yet."), code="state")
    if not approved.entries.filter(worker_id=leaving_worker_id, status=SelectionEntry.Status.SELECTED).exists():
        raise ApplicationError(_("This worker is not a recipient in the approved list."), code="not_member")
    day = on or timezone.localdate()
    rules, _snapshot = rules_for(selection_list.programme, day)
    now = {c.worker_id: c for c in village_candidates(selection_list.village_id, day)}
    waiting = approved.entries.filter(status=SelectionEntry.Status.WAITING, worker__isnull=False).order_by("position")
    for entry in waiting:
        candidate = now.get(entry.worker_id or 0)
        if candidate is not None and not ranking.evaluate(candidate, rules):
            return entry
    return None
