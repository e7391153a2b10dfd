"""Programmes and their village agreements (PKS), read-only, through the programmes app's scoped selectors."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from ninja import Query, Router

from lindung.api.routes.common import PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX, paginate, viewer
from lindung.api.schemas import AgreementOut, AgreementPage, ProgrammeOut, ProgrammePage, responses
from lindung.programmes.models import Agreement, Programme
from lindung.programmes.selectors import (
    access_agreement_by_id,
    access_programme_by_id,
    agreement_list,
    programme_list,
)

router = Router(tags=["Program dan PKS"])


def programme_out(programme: Programme) -> dict[str, Any]:
    return {
        "id": programme.pk,
        "name": programme.name,
        "region": programme.region_id,
        "quota_per_village": programme.quota_per_village,
        "package": programme.package,
        "declared_income": programme.declared_income,
        "kelurahan_funder": programme.kelurahan_funder,
        "starts_on": programme.starts_on,
        "ends_on": programme.ends_on,
        "legal_basis": programme.legal_basis_lines,
    }


def agreement_out(agreement: Agreement) -> dict[str, Any]:
    return {
        "id": agreement.pk,
        "programme": agreement.programme_id,
        "village": agreement.village_id,
        "village_name": agreement.village.name,
        "status": agreement.status,
        "status_label": str(agreement.get_status_display()),
        **{
            name: getattr(agreement, name)
            for name in ("village_number", "partner_number", "signed_on", "valid_from", "valid_until")
        },
        "village_signatory": agreement.village_signatory,
        "partner_signatory": agreement.partner_signatory,
        "quota": agreement.effective_quota,
        "funder": agreement.funder,
        "funder_name": agreement.funder_name,
        "has_document": bool(agreement.document),
    }


@router.get("/programmes", response=responses(ProgrammePage), summary="Program yang berjalan di wilayah Anda")
def programmes_list(
    request: HttpRequest,
    page: int = Query(1, ge=1, le=100_000),
    page_size: int = Query(PAGE_SIZE_DEFAULT, ge=1, le=PAGE_SIZE_MAX),
) -> dict[str, Any]:
    programmes = programme_list(viewer=viewer(request)).order_by("pk")
    return paginate(programmes, page, page_size, programme_out)


@router.get("/programmes/{programme_id}", response=responses(ProgrammeOut), summary="Satu program")
def programme_detail(request: HttpRequest, programme_id: int) -> dict[str, Any]:
    return programme_out(access_programme_by_id(viewer(request), programme_id))


@router.get("/agreements", response=responses(AgreementPage), summary="PKS desa dalam cakupan Anda")
def agreements_list(
    request: HttpRequest,
    programme: int | None = Query(None, ge=1),
    status: str | None = Query(None, max_length=16, description="prospect, in_discussion, signed, active, …"),
    village: str | None = Query(None, max_length=13, description="Awalan kode wilayah."),
    page: int = Query(1, ge=1, le=100_000),
    page_size: int = Query(PAGE_SIZE_DEFAULT, ge=1, le=PAGE_SIZE_MAX),
) -> dict[str, Any]:
    agreements = agreement_list(viewer=viewer(request), status=status or "")
    if programme is not None:
        agreements = agreements.filter(programme_id=programme)
    if village:
        prefix = village.rstrip(".")
        agreements = agreements.filter(Q(village_id=prefix) | Q(village__code__startswith=f"{prefix}."))
    return paginate(agreements.order_by("pk"), page, page_size, agreement_out)


@router.get("/agreements/{agreement_id}", response=responses(AgreementOut), summary="Satu PKS")
def agreement_detail(request: HttpRequest, agreement_id: int) -> dict[str, Any]:
    return agreement_out(access_agreement_by_id(viewer(request), agreement_id))
