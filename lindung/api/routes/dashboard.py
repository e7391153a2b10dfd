"""Dashboard figures of one region (the same numbers as the dashboard page, from the same summary tables)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema
from pydantic import create_model

from lindung.api.routes.common import viewer
from lindung.api.schemas import responses
from lindung.reporting.models import CURRENT_FIELDS, MONTH_FIELDS
from lindung.reporting.selectors import dashboard_get, dashboard_json

router = Router(tags=["Dasbor"])

# One field per figure, from the reporting app's own list (the page, the export and the API cannot drift apart).
_figure_fields: dict[str, Any] = dict.fromkeys(CURRENT_FIELDS, (int, ...))
_trend_fields: dict[str, Any] = dict.fromkeys(MONTH_FIELDS, (list[int], ...))
DashboardFigures: Any = create_model("DashboardFigures", __base__=Schema, **_figure_fields)
DashboardTrend: Any = create_model("DashboardTrend", __base__=Schema, **_trend_fields)


class DashboardPlace(Schema):
    code: str = Field(description='Kode wilayah; "ID" untuk seluruh Indonesia.')
    name: str
    level: int = Field(description="0 Indonesia, 1 provinsi, 2 kabupaten/kota, 3 kecamatan, 4 desa/kelurahan.")
    kind: str


class DashboardChild(DashboardPlace):
    figures: DashboardFigures


class PovertyRateOut(Schema):
    as_of: dt.date
    poverty_rate: float
    extreme_poverty_rate: float


class DashboardOut(Schema):
    region: DashboardPlace
    breadcrumb: list[DashboardPlace]
    as_of: dt.datetime | None = Field(description="Waktu data ringkasan (data per).")
    figures: DashboardFigures
    children: list[DashboardChild]
    months: list[str] = Field(description="Bulan tren (YYYY-MM), urutan yang sama dengan setiap deret di `trend`.")
    trend: DashboardTrend
    poverty_rates: list[PovertyRateOut]


@router.get("/dashboard/{code}", response=responses(DashboardOut), summary="Angka dasbor satu wilayah")
def dashboard(request: HttpRequest, code: str) -> dict[str, Any]:
    data = dashboard_json(dashboard_get(viewer=viewer(request), code=code))
    data.pop("charts")
    return data
