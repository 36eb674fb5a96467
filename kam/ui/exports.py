"""Excel export of a list page, exactly as filtered and sorted on screen.

A list view's export hands :func:`export_list` the same filtered queryset the
page shows and the same sort whitelist; the workbook gets the rows in the
page's order, every page of them, up to :data:`MAX_ROWS` (a note says when the
list was cut). Rows are read in chunks with a write-only workbook, so memory
stays flat; each export is recorded in the audit trail. Columns are declared
by the caller; personal information (kam.stakeholders.PersonalInfo) is never
one of them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO
from typing import Any

from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from kam.core import audit
from kam.core.models import AuditEvent, Interface, User
from kam.ui.listing import sort_listing

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MONEY = "#,##0.00"
PERCENT = "0.00%"
MAX_ROWS = 20_000
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


def _plain(value: Any) -> Any:
    """What a cell may hold: numbers, dates and text; times in local time without zone."""
    if value is None or isinstance(value, int | float | Decimal | date | str | bool):
        if isinstance(value, datetime):
            return timezone.localtime(value).replace(tzinfo=None) if value.tzinfo else value
        return value
    if isinstance(value, Model):
        return str(value)
    return str(value)


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
    ws.append([str(h) for h in header])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(list(row))
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
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet_title(title))
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(ws, value=str(column.header))
        cell.font = bold
        header.append(cell)
    ws.append(header)
    count = 0
    for row in rows:
        cells = []
        for column in columns:
            cell = WriteOnlyCell(ws, value=_plain(column.value(row)))
            if column.money:
                cell.number_format = MONEY
            elif column.percent:
                cell.number_format = PERCENT
            cells.append(cell)
        ws.append(cells)
        count += 1
    if note is not None and (text := note()):
        ws.append([])
        ws.append([text])
    buffer = BytesIO()
    wb.save(buffer)
    return buffer.getvalue(), count


def xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def export_list(
    request: HttpRequest,
    queryset: QuerySet[Any],
    columns: Sequence[Column],
    *,
    name: str,
    title: str,
    sorts: dict[str, str] | None = None,
    default_sort: str = "",
    max_rows: int | None = None,
) -> HttpResponse:
    """The list's rows (filtered as on screen, sorted by ``?sort=`` as on screen) as .xlsx."""
    max_rows = max_rows or MAX_ROWS
    if sorts:
        _sort, queryset = sort_listing(request, queryset, sorts=sorts, default_sort=default_sort)
    rows = queryset[: max_rows + 1].iterator(chunk_size=CHUNK)
    cut = False

    def capped() -> Any:
        nonlocal cut
        for index, row in enumerate(rows):
            if index == max_rows:
                cut = True
                return
            yield row

    def note() -> str:
        if not cut:
            return ""
        return _("Only the first %(count)s rows are exported; narrow the filters for the rest.") % {
            "count": f"{max_rows:,}"
        }

    content, count = workbook_bytes(title, columns, capped(), note=note)
    user: User = request.user  # type: ignore[assignment]
    audit.record(
        AuditEvent.Action.EXPORT,
        user,
        by=user,
        via=Interface.WEB,
        changes={"list": name, "rows": count, "query": request.GET.urlencode()[:500]},
    )
    stamp = timezone.localdate().isoformat()
    return xlsx_response(content, f"{name}-{stamp}.xlsx")
