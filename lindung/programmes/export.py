"""The roll-out board as an XLSX workbook (text cells neutralised against formula injection)."""

from __future__ import annotations

from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from lindung.programmes.selectors import Board
from lindung.registry.importing.cells import neutralise

_RED = PatternFill("solid", fgColor="F8D7DA")
_RED_FONT = Font(color="9B1C1C")
_BOLD = Font(bold=True)


def board_columns() -> list[str]:
    return [
        _("Code"),
        _("Village"),
        _("Kind"),
        _("District"),
        _("Agreement status"),
        _("Village's agreement number"),
        _("Partner's agreement number"),
        _("Signed on"),
        _("Valid from"),
        _("Valid until"),
        _("Members enrolled"),
        _("Quota"),
        _("Note"),
    ]


def board_xlsx(board: Board) -> bytes:
    """One sheet: title, the computed headline(s), then a row per village in the board's order."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # noqa: S101 (a new workbook always has a sheet)
    sheet.title = _("Roll-out")
    sheet.append([neutralise(f"{board.programme.name} — {board.region.name}")])
    sheet["A1"].font = _BOLD
    sheet.append([neutralise(" · ".join(board.headlines))])
    sheet.append([neutralise(_("Exported on %(date)s") % {"date": timezone.localdate().strftime("%d-%m-%Y")})])
    sheet.append(board_columns())
    for cell in sheet[4]:
        cell.font = _BOLD
    for row in board.rows:
        agreement = row.agreement
        note = _("Expired — billing stopped") if row.lapsed else ""
        values = [
            row.village.code,
            row.village.name,
            row.village.get_kind_display(),
            row.district,
            row.status_label or _("No agreement yet"),
            agreement.village_number if agreement else "",
            agreement.partner_number if agreement else "",
            agreement.signed_on if agreement else None,
            agreement.valid_from if agreement else None,
            agreement.valid_until if agreement else None,
            row.enrolled,
            row.quota,
            note,
        ]
        sheet.append([neutralise(v) for v in values])
        if row.lapsed:
            for cell in sheet[sheet.max_row]:
                cell.fill = _RED
                cell.font = _RED_FONT
    for column, width in zip("ABCDEFGHIJKLM", (15, 28, 11, 22, 20, 24, 24, 14, 14, 14, 10, 8, 30), strict=True):
        sheet.column_dimensions[column].width = width
    for date_column in "HIJ":
        for cell in sheet[date_column][4:]:
            cell.number_format = "DD-MM-YYYY"
    sheet.freeze_panes = "C5"
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
