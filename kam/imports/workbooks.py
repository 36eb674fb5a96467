"""The downloadable template of each kind: bilingual headers, an example row, a notes sheet."""

from __future__ import annotations

from django.utils.translation import gettext as _
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from kam.imports.kinds import IMPORTERS
from kam.ui import spreadsheets


def template_for(kind: str) -> bytes:
    """An .xlsx with the kind's headers (“客户名称 / Account name”), required ones marked."""
    columns = IMPORTERS[kind].columns
    workbook = spreadsheets.new_workbook()
    sheet = workbook.active
    sheet.title = kind
    bold = Font(bold=True)
    required_fill = PatternFill("solid", fgColor="FFF2CC")
    for index, column in enumerate(columns, start=1):
        cell = spreadsheets.put(sheet.cell(row=1, column=index), column.header())
        cell.font = bold
        if column.required:
            cell.fill = required_fill
        if column.example != "":
            spreadsheets.put(sheet.cell(row=2, column=index), column.example)
        sheet.column_dimensions[get_column_letter(index)].width = max(14, len(column.header()) + 4)
    sheet.freeze_panes = "A2"
    notes = workbook.create_sheet(_("Notes"))
    spreadsheets.append(notes, [_("Column"), _("Required"), _("Example")])
    for column in columns:
        spreadsheets.append(
            notes, [column.header(), _("yes") if column.required else "", str(column.example)]
        )
    notes.append([])
    spreadsheets.append(
        notes, [_("Delete the example row before importing. Empty cells leave values unchanged.")]
    )
    return spreadsheets.workbook_bytes(workbook)
