"""The one way KAM writes a spreadsheet cell: text stays text, numbers and dates stay themselves.

Every workbook KAM hands out (list exports, reports, forecast, performance,
receivables, the personal-data export, import templates) writes its cells
through :func:`put` (directly, or through :func:`cell` and :func:`append`).

Text a user typed can start like a formula (``=HYPERLINK(...)``, ``@SUM(...)``,
``+1 …``, ``-2+3``, a tab or a carriage return); Excel and WPS would evaluate
it (OWASP "CSV injection"). openpyxl turns any string that starts with ``=``
into a formula cell and a string such as ``#N/A`` into an error cell, so the
cell's type is set back to a string here, and a string that starts with one of
:data:`FORMULA_TRIGGERS` also gets the ``quotePrefix`` style: Excel and WPS
then show the text exactly as typed and keep it text when the cell is edited,
where a leading apostrophe would change what the user sees. openpyxl has no
such guard of its own, hence these few lines.

XML reads a carriage return in text as a line feed, so one is written the way
Excel writes it, ``_x000D_`` (and a literal ``_xHHHH_`` gets its underscore
escaped, ``_x005F_``, so that it is not decoded); readers that do not decode
these (openpyxl) see them as written: :func:`openpyxl.utils.escape.unescape`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime, time
from decimal import Decimal
from io import BytesIO
from typing import Any, TypeAlias

from django.db.models import Model
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

__all__ = [
    "FORMULA_TRIGGERS",
    "Workbook",
    "append",
    "cell",
    "new_workbook",
    "plain",
    "put",
    "workbook_bytes",
]

#: A text cell starting with one of these is evaluated by a spreadsheet program.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

AnySheet: TypeAlias = Worksheet | WriteOnlyWorksheet

_BOLD = Font(bold=True)
_OOXML_ESCAPE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)|\r")


def starts_like_formula(text: str) -> bool:
    return text.startswith(FORMULA_TRIGGERS)


def plain(value: Any) -> Any:
    """What a cell may hold: numbers, dates, booleans and text; times in local time
    without zone; anything else (a model, a lazy translation) as its text."""
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if value.tzinfo else value
    if value is None or isinstance(value, int | float | Decimal | date | time | str | bool):
        return value
    if isinstance(value, Model):
        return str(value)
    return str(value)


def _ooxml_text(text: str) -> str:
    return _OOXML_ESCAPE.sub(lambda m: "_x005F_" if m.group() == "_" else "_x000D_", text)


def put(target: Cell, value: Any) -> Cell:
    """Write ``value`` into the cell; text is always a string cell, never a formula."""
    value = plain(value)
    if isinstance(value, str):
        target.value = _ooxml_text(value)
        # openpyxl guessed a formula ("=…") or an error ("#N/A"): it is the user's text.
        target.data_type = "s"
        if starts_like_formula(value):
            target.quotePrefix = True
    else:
        target.value = value
    return target


def cell(
    sheet: AnySheet, value: Any, *, number_format: str | None = None, bold: bool = False
) -> Cell:
    """A cell of ``sheet`` (ordinary or write-only) holding ``value``, for :func:`append`."""
    made = put(Cell(sheet, row=1, column=1), value)
    if number_format:
        made.number_format = number_format
    if bold:
        made.font = _BOLD
    return made


def append(sheet: AnySheet, values: Iterable[Any], *, bold: bool = False) -> None:
    """Append one row; each value goes through :func:`put` (a ready :class:`Cell` as is)."""
    sheet.append([v if isinstance(v, Cell) else cell(sheet, v, bold=bold) for v in values])


def new_workbook(*, write_only: bool = False) -> Workbook:
    return Workbook(write_only=write_only)


def workbook_bytes(book: Workbook) -> bytes:
    """The .xlsx file; the empty default sheet is dropped when the book has others."""
    if not book.write_only and "Sheet" in book.sheetnames and len(book.sheetnames) > 1:
        del book["Sheet"]
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()
