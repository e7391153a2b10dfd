"""A dashboard as an XLSX workbook (the same chart tables as the page) and as a printable PDF per region and month."""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from lindung.registry.importing.cells import neutralise
from lindung.reporting.charts import RUPIAH, chart_specs, field_labels
from lindung.reporting.models import CURRENT_FIELDS, MONTH_FIELDS
from lindung.reporting.selectors import Dashboard

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_HEAD = PatternFill("solid", fgColor="DCE6F1")
RUPIAH_FORMAT = '"Rp" #,##0'
COUNT_FORMAT = "#,##0"


def month_labels() -> dict[str, str]:
    return {
        "agreements_signed": _("Agreements signed"),
        "workers_registered": _("Workers registered"),
        "members_started": _("New members"),
        "members_paid": _("Members with the month paid"),
        "contributions_billed": _("Contributions billed (Rp)"),
        "contributions_paid": _("Contributions paid (Rp)"),
        "claims_reported": _("Claims reported"),
        "benefits_paid": _("Benefits paid (Rp)"),
        "scholarships_paid": _("Scholarships paid (Rp)"),
        "training_enrolled": _("Training participants"),
        "training_completed": _("Training completed"),
    }


def _as_of_text(d: Dashboard) -> str:
    if d.as_of is None:
        return _("Data as of: not yet summarised")
    return _("Data as of %(time)s") % {"time": timezone.localtime(d.as_of).strftime("%d-%m-%Y %H:%M")}


def _header(sheet: Worksheet, values: list[Any]) -> None:
    sheet.append([neutralise(v) for v in values])
    for cell in sheet[sheet.max_row]:
        cell.font = _BOLD
        cell.fill = _HEAD
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def _money(name: str) -> bool:
    return name.startswith(("contributions", "benefits", "scholarships_owed", "scholarships_paid"))


def dashboard_xlsx(d: Dashboard) -> bytes:
    """Sheets: the summary (every figure), one table per chart, the child regions, the monthly flows."""
    book = Workbook()
    labels = field_labels()
    summary = book.active
    assert summary is not None  # noqa: S101 (a new workbook always has a sheet)
    summary.title = _("Summary")
    summary.append([neutralise(_("Dashboard %(region)s") % {"region": d.region.name})])
    summary["A1"].font = _TITLE
    summary.append([neutralise(_as_of_text(d))])
    summary.append([])
    _header(summary, [_("Indicator"), _("Value")])
    for name in CURRENT_FIELDS:
        summary.append([labels[name], d.figures[name]])
        summary.cell(summary.max_row, 2).number_format = RUPIAH_FORMAT if _money(name) else COUNT_FORMAT
    summary.column_dimensions["A"].width = 48
    summary.column_dimensions["B"].width = 20

    charts = book.create_sheet(_("Charts"))
    for spec in chart_specs(d):
        charts.append([neutralise(spec["title"])])
        charts.cell(charts.max_row, 1).font = _BOLD
        _header(charts, ["", *[s["label"] for s in spec["series"]]])
        for i, label in enumerate(spec["labels"]):
            charts.append([neutralise(label), *[s["data"][i] for s in spec["series"]]])
            for column in range(2, 2 + len(spec["series"])):
                charts.cell(charts.max_row, column).number_format = (
                    RUPIAH_FORMAT if spec["unit"] == RUPIAH else ("0.00" if spec["unit"] == "percent" else COUNT_FORMAT)
                )
        charts.append([])
    charts.column_dimensions["A"].width = 40
    for letter in "BCD":
        charts.column_dimensions[letter].width = 22

    if d.children:
        regions = book.create_sheet(_("Regions"))
        _header(regions, [_("Code"), _("Region"), *[labels[n] for n in CURRENT_FIELDS]])
        for place, figures in d.children:
            regions.append([place.code, neutralise(place.name), *[figures[n] for n in CURRENT_FIELDS]])
        regions.freeze_panes = "C2"
        regions.column_dimensions["B"].width = 28

    if d.months:
        trend = book.create_sheet(_("Monthly"))
        mlabels = month_labels()
        _header(trend, [_("Month"), *[mlabels[n] for n in MONTH_FIELDS]])
        for i, month in enumerate(d.months):
            trend.append([month.strftime("%Y-%m"), *[d.trend[n][i] for n in MONTH_FIELDS]])
        trend.freeze_panes = "B2"
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def dashboard_pdf(d: Dashboard, month: dt.date) -> bytes:
    """The coordination meeting's report: the region's current figures, the month's flows, the child regions."""
    from weasyprint import HTML  # heavy import, only when a report is actually rendered

    labels = field_labels()
    mlabels = month_labels()
    index = d.months.index(month) if month in d.months else None
    context = {
        "d": d,
        "month": month,
        "as_of": _as_of_text(d),
        "figures": [(labels[n], d.figures[n], _money(n)) for n in CURRENT_FIELDS],
        "flows": [(mlabels[n], d.trend[n][index] if index is not None else 0, _money(n)) for n in MONTH_FIELDS],
        "children": [
            (
                p,
                f["agreements_desa"] + f["agreements_kelurahan"],
                f["members_active"],
                f["quota"],
                f["contributions_billed"],
                f["contributions_paid"],
                f["claims_reported"],
            )
            for p, f in d.children
        ],
        "printed": timezone.localtime().strftime("%d-%m-%Y %H:%M"),
    }
    with translation.override("id"):
        html = render_to_string("reporting/report_pdf.html", context)
    return bytes(HTML(string=html).write_pdf())
