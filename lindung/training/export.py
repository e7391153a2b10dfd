"""The skills map as an XLSX workbook (text cells neutralised against formula injection)."""

from __future__ import annotations

from io import BytesIO

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from lindung.registry.importing.cells import neutralise
from lindung.training.selectors import SkillsMap

_BOLD = Font(bold=True)


def isco_label(major: int | None) -> str:
    """The KBJI 2014 / ISCO-08 major group's name."""
    labels = {
        0: _("Armed forces"),
        1: _("Managers"),
        2: _("Professionals"),
        3: _("Technicians and associate professionals"),
        4: _("Clerical support workers"),
        5: _("Service and sales workers"),
        6: _("Skilled agricultural, forestry and fishery workers"),
        7: _("Craft and related trades workers"),
        8: _("Plant and machine operators, and assemblers"),
        9: _("Elementary occupations"),
    }
    if major is None:
        return _("No occupation group (not working, status only, or not recorded)")
    return f"{major} · {labels[major]}"


def skills_columns() -> list[str]:
    return [
        _("Occupation group (ISCO/KBJI)"),
        _("Occupation code"),
        _("Occupation"),
        _("Specialisation"),
        _("Workers"),
        _("Trained"),
        _("In training"),
        _("Not trained"),
    ]


def skills_map_xlsx(skills: SkillsMap) -> bytes:
    """One sheet: title, then one row per occupation (specialisation empty) and per specialisation under it."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # noqa: S101 (a new workbook always has a sheet)
    sheet.title = _("Skills map")
    sheet.append([neutralise(_("Skills map — %(region)s") % {"region": skills.region.name})])
    sheet["A1"].font = _BOLD
    sheet.append([neutralise(_("Exported on %(date)s") % {"date": timezone.localdate().strftime("%d-%m-%Y")})])
    sheet.append(skills_columns())
    for cell in sheet[3]:
        cell.font = _BOLD
    for group in skills.groups:
        group_name = isco_label(group.isco_major)
        for occupation in group.occupations:
            name = occupation.name or _("Not recorded")
            counts = occupation.counts
            sheet.append([neutralise(v) for v in (group_name, occupation.code, name, "", counts.total, counts.trained,
                                             counts.in_training, counts.not_trained)])  # fmt: skip
            for spec in occupation.specialisations:
                c = spec.counts
                sheet.append([neutralise(v) for v in (group_name, occupation.code, name, spec.specialisation, c.total,
                                                 c.trained, c.in_training, c.not_trained)])  # fmt: skip
    totals = skills.totals
    sheet.append([_("Total"), None, None, None, totals.total, totals.trained, totals.in_training, totals.not_trained])
    for cell in sheet[sheet.max_row]:
        cell.font = _BOLD
    for column, width in zip("ABCDEFGH", (44, 10, 30, 30, 10, 10, 12, 12), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A4"
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
