"""Claims: incidents and their claims in scope, with the benefit engine's stored quote and history; the BPJS steps
(submit, paid, rejected) through the claims services, with their role checks and maker-checker. Reporting an incident
and uploading documents stay on the pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from lindung.api.routes.common import PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX, paginate, viewer
from lindung.api.schemas import (
    ClaimDetail,
    ClaimPage,
    ClaimPayIn,
    ClaimRejectIn,
    ClaimStatus,
    ClaimSubmitIn,
    responses,
)
from lindung.api.selectors import region_prefix_q
from lindung.claims.models import Claim
from lindung.claims.selectors import access_claim_by_id, claim_list
from lindung.claims.services import claim_record_payment, claim_reject, claim_submit

router = Router(tags=["Klaim"])


def _quote(stored: dict[str, Any] | None) -> dict[str, Any] | None:
    """The stored engine output (`quote_to_json`), or None when there is none."""
    return stored if stored and "status" in stored else None


def claim_out(claim: Claim) -> dict[str, Any]:
    incident = claim.incident
    return {
        "id": claim.pk,
        "status": claim.status,
        "status_label": str(claim.get_status_display()),
        "incident": {
            "id": incident.pk,
            "worker": incident.worker_id,
            "worker_name": incident.worker.name,
            "membership": incident.membership_id,
            "village": incident.village_id,
            "village_name": incident.village.name,
            "date": incident.date,
            "type": incident.type,
            "type_label": str(incident.get_type_display()),
            "place": incident.place,
            "description": incident.description,
            "reporter_name": incident.reporter_name,
            "reporter_role": incident.reporter_role,
            "reported_at": incident.reported_at,
        },
        "cash_total": claim.cash_total,
        **{
            name: getattr(claim, name)
            for name in (
                "cause_under_assessment",
                "parameters_on",
                "quoted_at",
                "bpjs_reference",
                "bpjs_paid_amount",
                "decided_on",
                "rejection_reason",
                "created_at",
            )
        },
    }


@router.get("/claims", response=responses(ClaimPage), summary="Klaim dalam cakupan Anda")
def claims_list(
    request: HttpRequest,
    status: ClaimStatus | None = Query(None),  # noqa: B008 - a Literal is immutable
    village: str | None = Query(None, max_length=13, description="Awalan kode wilayah."),
    page: int = Query(1, ge=1, le=100_000),
    page_size: int = Query(PAGE_SIZE_DEFAULT, ge=1, le=PAGE_SIZE_MAX),
) -> dict[str, Any]:
    """Newest incident first."""
    claims = claim_list(viewer=viewer(request), status=status or "")
    if village:
        claims = claims.filter(region_prefix_q(village, "incident__village__code"))
    return paginate(claims.order_by("-incident__date", "-pk"), page, page_size, claim_out)


def _detail(claim: Claim) -> dict[str, Any]:
    transitions = [
        {
            "from_status": move.from_status,
            "to_status": move.to_status,
            "on": move.on,
            "note": move.note,
            "recorded_at": move.recorded_at,
        }
        for move in claim.transitions.order_by("recorded_at", "pk")
    ]
    return {
        **claim_out(claim),
        "quote": _quote(claim.quote),
        "alternative_quote": _quote(claim.alternative_quote),
        "transitions": transitions,
    }


@router.get("/claims/{claim_id}", response=responses(ClaimDetail), summary="Satu klaim dengan perhitungannya")
def claim_detail(request: HttpRequest, claim_id: int) -> dict[str, Any]:
    return _detail(access_claim_by_id(viewer(request), claim_id))


@router.post("/claims/{claim_id}/submit", response=responses(ClaimDetail), summary="Setujui pengajuan klaim ke BPJS")
def claim_submit_view(request: HttpRequest, claim_id: int, payload: ClaimSubmitIn) -> dict[str, Any]:
    """From "documents complete" to "submitted": a village head, city officer or admin of the region who did not
    report the incident nor upload its documents (maker-checker, else 409 `maker_checker`); other roles 403."""
    user = viewer(request)
    claim = access_claim_by_id(user, claim_id)
    claim_submit(actor=user, claim=claim, on=payload.on, note=payload.note, request=request)
    return _detail(access_claim_by_id(user, claim_id))


@router.post("/claims/{claim_id}/reject", response=responses(ClaimDetail), summary="Catat penolakan klaim oleh BPJS")
def claim_reject_view(request: HttpRequest, claim_id: int, payload: ClaimRejectIn) -> dict[str, Any]:
    """From "submitted" to "rejected": a BPJS officer, city officer or admin of the region; other roles 403."""
    user = viewer(request)
    claim = access_claim_by_id(user, claim_id)
    claim_reject(actor=user, claim=claim, on=payload.on, reason=payload.reason, request=request)
    return _detail(access_claim_by_id(user, claim_id))


@router.post("/claims/{claim_id}/pay", response=responses(ClaimDetail), summary="Catat pembayaran klaim oleh BPJS")
def claim_pay_view(request: HttpRequest, claim_id: int, payload: ClaimPayIn) -> dict[str, Any]:
    """From "submitted" to "paid": a BPJS officer, city officer or admin of the region. An amount that differs from
    the quote needs a `note`; scholarship plans are created from the quote. Payouts to heirs stay on the page."""
    user = viewer(request)
    claim = access_claim_by_id(user, claim_id)
    claim_record_payment(
        actor=user,
        claim=claim,
        on=payload.on,
        reference=payload.reference,
        amount=payload.amount,
        note=payload.note,
        work_accident=payload.work_accident,
        request=request,
    )
    return _detail(access_claim_by_id(user, claim_id))
