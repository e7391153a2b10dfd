"""Memberships (read-only): the worker's BPJS membership in a programme, its status history and `paid_through`."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from lindung.api.routes.common import PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX, paginate, viewer
from lindung.api.schemas import MembershipDetail, MembershipPage, MembershipStatus, responses
from lindung.api.selectors import access_membership_by_id, membership_list
from lindung.membership.models import Membership
from lindung.registry.identity import mask_nik

router = Router(tags=["Kepesertaan"])


def membership_out(membership: Membership) -> dict[str, Any]:
    worker = membership.worker
    return {
        "id": membership.pk,
        "programme": membership.programme_id,
        "worker": worker.pk,
        "worker_name": worker.name,
        "nik_masked": mask_nik(worker.nik),
        "village": worker.village_id,
        "village_name": worker.village.name,
        **{
            name: getattr(membership, name)
            for name in ("kpj_number", "kpj_effective_on", "starts_on", "declared_income", "package", "status")
        },
        "status_label": str(membership.get_status_display()),
        "end_reason": membership.end_reason,
        "ended_on": membership.ended_on,
        "renews": membership.renews_id,
        "paid_through": membership.paid_through,
        "paid_through_month": membership.paid_through.strftime("%Y-%m") if membership.paid_through else None,
        "created_at": membership.created_at,
        "updated_at": membership.updated_at,
    }


@router.get("/memberships", response=responses(MembershipPage), summary="Kepesertaan pekerja dalam cakupan Anda")
def memberships_list(
    request: HttpRequest,
    village: str | None = Query(None, max_length=13, description="Awalan kode wilayah, mis. `51.71.03`."),
    status: MembershipStatus | None = Query(None),  # noqa: B008 - a Literal is immutable
    page: int = Query(1, ge=1, le=100_000),
    page_size: int = Query(PAGE_SIZE_DEFAULT, ge=1, le=PAGE_SIZE_MAX),
) -> dict[str, Any]:
    memberships = membership_list(viewer=viewer(request), village=village or "", status=status or "")
    return paginate(memberships, page, page_size, membership_out)


@router.get(
    "/memberships/{membership_id}", response=responses(MembershipDetail), summary="Satu kepesertaan dan riwayatnya"
)
def membership_detail(request: HttpRequest, membership_id: int) -> dict[str, Any]:
    membership = access_membership_by_id(viewer(request), membership_id)
    history = [
        {
            "from_status": change.from_status,
            "to_status": change.to_status,
            "on": change.on,
            "reason": change.reason,
            "recorded_at": change.recorded_at,
        }
        for change in membership.status_changes.order_by("on", "pk")
    ]
    return {**membership_out(membership), "history": history}
