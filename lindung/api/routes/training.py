"""Training (read-only): the programmes the user may see (the training app's selectors) and enrolments in scope."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Query, Router

from lindung.api.routes.common import PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX, paginate, viewer
from lindung.api.schemas import (
    EnrolmentPage,
    EnrolmentStatus,
    TrainingProgrammeDetail,
    TrainingProgrammePage,
    responses,
)
from lindung.api.selectors import enrolment_list, region_prefix_q
from lindung.training.models import Enrolment, TrainingProgramme
from lindung.training.selectors import access_programme_by_id, programme_fill, programme_list

router = Router(tags=["Pelatihan"])


def training_programme_out(programme: TrainingProgramme) -> dict[str, Any]:
    return {
        "id": programme.pk,
        **{name: getattr(programme, name) for name in ("title", "organiser", "skill", "place", "capacity", "cost")},
        "region": programme.region_id,
        "region_name": programme.region.name,
        "starts_on": programme.starts_on,
        "ends_on": programme.ends_on,
        "target_occupations": [int(code) for code in programme.target_occupations],
        "target_keywords": [str(word) for word in programme.target_keywords],
    }


def enrolment_out(enrolment: Enrolment) -> dict[str, Any]:
    return {
        "id": enrolment.pk,
        "programme": enrolment.programme_id,
        "programme_title": enrolment.programme.title,
        "worker": enrolment.worker_id,
        "worker_name": enrolment.worker.name,
        "village": enrolment.worker.village_id,
        "status": enrolment.status,
        "status_label": str(enrolment.get_status_display()),
        **{
            name: getattr(enrolment, name)
            for name in ("invited_on", "enrolled_on", "completed_on", "dropped_on", "drop_reason", "certificate_number")
        },
    }


@router.get(
    "/training/programmes", response=responses(TrainingProgrammePage), summary="Program pelatihan yang dapat Anda lihat"
)
def training_programmes_list(
    request: HttpRequest,
    page: int = Query(1, ge=1, le=100_000),
    page_size: int = Query(PAGE_SIZE_DEFAULT, ge=1, le=PAGE_SIZE_MAX),
) -> dict[str, Any]:
    """Admins, city officers and province viewers: every programme in their region; trainers: their own."""
    programmes = programme_list(viewer=viewer(request)).order_by("-starts_on", "pk")
    return paginate(programmes, page, page_size, training_programme_out)


@router.get(
    "/training/programmes/{training_programme_id}",
    response=responses(TrainingProgrammeDetail),
    summary="Satu program pelatihan dengan jumlah peserta",
)
def training_programme_detail(request: HttpRequest, training_programme_id: int) -> dict[str, Any]:
    programme = access_programme_by_id(viewer(request), training_programme_id)
    return {**training_programme_out(programme), "fill": programme_fill(programme)}


@router.get("/training/enrolments", response=responses(EnrolmentPage), summary="Peserta pelatihan dalam cakupan Anda")
def enrolments_list(
    request: HttpRequest,
    programme: int | None = Query(None, ge=1),
    status: EnrolmentStatus | None = Query(None),  # noqa: B008 - a Literal is immutable
    village: str | None = Query(None, max_length=13, description="Awalan kode wilayah."),
    page: int = Query(1, ge=1, le=100_000),
    page_size: int = Query(PAGE_SIZE_DEFAULT, ge=1, le=PAGE_SIZE_MAX),
) -> dict[str, Any]:
    """Workers of your villages in any programme (village heads/operators), or in the programmes you see."""
    enrolments = enrolment_list(viewer=viewer(request))
    if programme is not None:
        enrolments = enrolments.filter(programme_id=programme)
    if status:
        enrolments = enrolments.filter(status=status)
    if village:
        enrolments = enrolments.filter(region_prefix_q(village, "worker__village__code"))
    return paginate(enrolments, page, page_size, enrolment_out)
