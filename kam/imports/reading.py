"""From the bytes of an uploaded .xlsx to rows of cleaned values.

Refuses what is not a workbook, is too large or has too many rows
(:class:`FileRefused`, with a translated reason); finds the header row even under
a merged title row, recognises headers in either language, and turns each cell
into the value its column holds, collecting a :class:`Problem` for each cell
that cannot be read. Nothing here touches the database.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _
from openpyxl import load_workbook

from kam.core.phrases import Phrase, phrase, render
from kam.imports.cells import CellError, clean_text, header_key, is_blank
from kam.imports.columns import Column

# An upload larger than this is refused before it is opened.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# More rows than this is a database dump, not a team's spreadsheet; split it.
MAX_ROWS = 20_000
# The header is looked for among the first rows (a title or merged group row may sit above it).
HEADER_SEARCH_ROWS = 10


def max_upload_bytes() -> int:
    return int(getattr(settings, "KAM_IMPORT_MAX_BYTES", MAX_UPLOAD_BYTES))


def max_rows() -> int:
    return int(getattr(settings, "KAM_IMPORT_MAX_ROWS", MAX_ROWS))


class FileRefused(ValueError):
    """The file as a whole cannot be imported; the message says why and what to do.

    It keeps its reason as a phrase (``message`` lazily translated, with its values), so
    that the import's page reads in the language of whoever opens it.
    """

    def __init__(self, message: Any, /, **args: object) -> None:
        self.phrase = phrase(message, **args)
        super().__init__(render(self.phrase))


@dataclass(frozen=True)
class Problem:
    """Why one row (or the header, row of the header) cannot be imported."""

    row: int
    column: str  # a column key, or the header text of an unknown column, or ""
    message: Phrase  # why, in words put together when the report is read


@dataclass
class Row:
    number: int  # as Excel shows it
    values: dict[str, Any]
    problems: list[Problem] = field(default_factory=list)


@dataclass
class Sheet:
    header_row: int
    columns: list[Column]  # the template columns found in the file
    rows: list[Row]
    problems: list[Problem]  # problems of the file as a whole (unknown, missing columns)


def check_upload(name: str, size: int, head: bytes) -> None:
    """Refuse an upload by its size and type before reading it (a .xlsx is a zip file)."""
    if size == 0:
        raise FileRefused(_("The file is empty."))
    limit = max_upload_bytes()
    if size > limit:
        raise FileRefused(
            _("The file is %(size)s MB; the limit is %(limit)s MB. Split it into smaller files."),
            size=f"{size / 1024 / 1024:.1f}",
            limit=f"{limit / 1024 / 1024:.0f}",
        )
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise FileRefused(
            _("This is an old Excel file (.xls). Open it in Excel and save it as .xlsx.")
        )
    if not head.startswith(b"PK\x03\x04") or not name.lower().endswith((".xlsx", ".xlsm")):
        raise FileRefused(_("This is not an Excel file (.xlsx). Save the sheet as .xlsx."))


def _open(content: bytes) -> Any:
    try:
        return load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, IndexError):
        raise FileRefused(
            _("The file could not be read as an Excel workbook (.xlsx); it may be damaged.")
        ) from None


def _match_header(cells: Sequence[Any], lookup: dict[str, Column]) -> int:
    return sum(1 for cell in cells if header_key(cell) in lookup)


def _lookup(columns: Sequence[Column]) -> dict[str, Column]:
    lookup: dict[str, Column] = {}
    for column in columns:
        for key in column.header_keys():
            lookup.setdefault(key, column)
    return lookup


def read_sheet(content: bytes, columns: Sequence[Column]) -> Sheet:
    """The first worksheet as rows of clean values; raises FileRefused for the whole file."""
    workbook = _open(content)
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise FileRefused(_("The workbook has no sheet."))
        return _read(sheet.iter_rows(values_only=True), columns, sheet.max_row)
    finally:
        workbook.close()


def _cell_value(cell: Any) -> Any:
    """Cells come as plain values (a formula as its text, "=SUM(...)")."""
    return cell


def _read(cells_by_row: Iterator[Any], columns: Sequence[Column], declared_rows: Any) -> Sheet:
    limit = max_rows()
    if isinstance(declared_rows, int) and declared_rows > limit + HEADER_SEARCH_ROWS:
        raise FileRefused(
            _("The sheet has %(rows)s rows; at most %(limit)s can be imported at once."),
            rows=f"{declared_rows:,}",
            limit=f"{limit:,}",
        )
    lookup = _lookup(columns)
    top: list[list[Any]] = []
    top_cells: list[list[Any]] = []
    best_index, best_score = -1, 0
    rows_iter = iter(cells_by_row)
    for index, row in enumerate(rows_iter):
        top_cells.append(list(row))
        values = [_cell_value(c) for c in top_cells[-1]]
        top.append(values)
        score = _match_header(values, lookup)
        # On a tie the lower row wins: a two-row header has its details below.
        if score and score >= best_score:
            best_index, best_score = index, score
        if index + 1 >= HEADER_SEARCH_ROWS:
            break
    if not any(any(not is_blank(v) for v in row) for row in top):
        raise FileRefused(_("The sheet is empty."))
    if best_index < 0:
        raise FileRefused(
            _(
                "No column of the sheet has a header this import knows. "
                "Download the template and copy your data into it."
            )
        )
    header = list(top[best_index])
    # A header merged over two rows keeps its text in the upper cell only.
    for column_index, text in enumerate(header):
        if is_blank(text):
            for above in reversed(top[:best_index]):
                if column_index < len(above) and header_key(above[column_index]) in lookup:
                    header[column_index] = above[column_index]
                    break
    header_row = best_index + 1
    problems: list[Problem] = []
    found: dict[int, Column] = {}
    for column_index, text in enumerate(header):
        if is_blank(text):
            continue
        column = lookup.get(header_key(text))
        if column is None:
            problems.append(
                Problem(
                    header_row,
                    clean_text(text),
                    phrase(
                        gettext_lazy(
                            "Unknown column “%(header)s”: "
                            "rename it to a header of the template or delete it."
                        ),
                        header=clean_text(text),
                    ),
                )
            )
        elif column in found.values():
            problems.append(
                Problem(
                    header_row,
                    column.key,
                    phrase(gettext_lazy("This column appears twice in the sheet.")),
                )
            )
        else:
            found[column_index] = column
    for column in columns:
        if column.required and column not in found.values():
            problems.append(
                Problem(
                    header_row,
                    column.key,
                    phrase(gettext_lazy("A required column is missing from the sheet.")),
                )
            )
    rows: list[Row] = []
    pending = top_cells[best_index + 1 :]

    def data_rows() -> Iterator[list[Any]]:
        yield from pending
        for row in rows_iter:
            yield list(row)

    for offset, cells in enumerate(data_rows()):
        number = header_row + 1 + offset
        if all(is_blank(_cell_value(c)) for c in cells):
            continue
        if len(rows) >= limit:
            raise FileRefused(
                _("The sheet has more than %(limit)s rows; split it into smaller files."),
                limit=f"{limit:,}",
            )
        rows.append(_row(number, cells, found))
    if not rows:
        problems.append(
            Problem(
                header_row, "", phrase(gettext_lazy("The sheet has headers but no rows to import."))
            )
        )
    return Sheet(header_row, list(found.values()), rows, problems)


def _row(number: int, cells: list[Any], found: dict[int, Column]) -> Row:
    row = Row(number, {})
    for column_index, column in found.items():
        if column_index >= len(cells):
            continue
        cell = cells[column_index]
        value = _cell_value(cell)
        if isinstance(value, str) and value.startswith("=") and len(value) > 1:
            row.problems.append(
                Problem(
                    number,
                    column.key,
                    phrase(
                        gettext_lazy(
                            "The cell holds a formula; copy the column and paste it as values."
                        )
                    ),
                )
            )
            continue
        if is_blank(value):
            continue
        try:
            row.values[column.key] = column.parse(value)
        except CellError as error:
            row.problems.append(Problem(number, column.key, error.phrase))
    return row
