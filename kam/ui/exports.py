"""Workbooks of KAM's look: a list's columns, a report's sheets, the download response.

:func:`workbook_bytes` writes rows (any iterable, read once) into a write-only
workbook, so memory stays flat however long the list; :data:`MAX_ROWS` is the most
rows a list export holds. The audited export of a list page, as filtered and sorted
on screen, is :func:`kam.reports.list_exports.export_list`. Columns are declared by
the caller; personal information (kam.stakeholders.PersonalInfo) is never one of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse

from kam.ui import spreadsheets
from kam.ui.spreadsheets import Workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY = "#,##0.00"
PERCENT = "0.00%"
#: The most rows a list export holds (a note says when a list was cut).
MAX_ROWS = 20_000
#: Rows read from the database at a time while a list is written.
CHUNK = 2_000


@dataclass(frozen=True)
class Column:
    """One column: its (translated) header and how to read the cell from a row."""

    header: Any
    value: Callable[[Any], Any]
    money: bool = False
    percent: bool = False


def attr(path: str) -> Callable[[Any], Any]:
    """Read ``a.b.c`` from a row, None along the way giving None."""

    def read(row: Any) -> Any:
        value = row
        for part in path.split("."):
            value = getattr(value, part, None)
            if value is None:
                return None
        return value() if callable(value) else value

    return read


def display(path: str) -> Callable[[Any], Any]:
    """The label of a choice field (``get_<field>_display``)."""
    return attr(f"get_{path}_display")


_NOT_IN_TITLES = str.maketrans({c: "-" for c in "[]:*?/\\"})


def sheet_title(text: Any) -> str:
    """A worksheet name Excel accepts: at most 31 characters, none of []:*?/\\."""
    return str(text).translate(_NOT_IN_TITLES)[:31] or "Sheet"


def add_sheet(
    wb: Workbook,
    title: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    money: Sequence[int] = (),
    percent: Sequence[int] = (),
) -> None:
    """One sheet: a bold header, the rows, money and percent columns formatted (1-based)."""
    ws = wb.create_sheet(sheet_title(title))
    spreadsheets.append(ws, header, bold=True)
    for row in rows:
        spreadsheets.append(ws, row)
    for col in money:
        for (cell,) in ws.iter_rows(min_row=2, min_col=col, max_col=col):
            cell.number_format = MONEY
    for col in percent:
        for (cell,) in ws.iter_rows(min_row=2, min_col=col, max_col=col):
            cell.number_format = PERCENT
    ws.column_dimensions["A"].width = 30


def workbook_bytes(
    title: str, columns: Sequence[Column], rows: Any, *, note: Callable[[], str] | None = None
) -> tuple[bytes, int]:
    """A one-sheet workbook of ``rows`` (any iterable); returns its bytes and the row count.

    ``note`` is asked once the rows are written (an iterator may decide it on the way).
    """
    wb = spreadsheets.new_workbook(write_only=True)
    ws = wb.create_sheet(sheet_title(title))
    spreadsheets.append(ws, (column.header for column in columns), bold=True)
    formats = [MONEY if c.money else PERCENT if c.percent else None for c in columns]
    count = 0
    for row in rows:
        spreadsheets.append(
            ws,
            (
                spreadsheets.cell(ws, column.value(row), number_format=number_format)
                for column, number_format in zip(columns, formats, strict=True)
            ),
        )
        count += 1
    if note is not None and (text := note()):
        ws.append([])
        spreadsheets.append(ws, [text])
    return spreadsheets.workbook_bytes(wb), count


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
