"""Building .xlsx files in memory, laid out as users lay them out."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook

from kam.imports.kinds import IMPORTERS


def xlsx(rows: Sequence[Sequence[Any]], merge: Sequence[str] = ()) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    for cells in merge:
        sheet.merge_cells(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def headers(kind: str, *keys: str) -> list[str]:
    """The template's bilingual headers of these columns, in this order."""
    columns = {c.key: c for c in IMPORTERS[kind].columns}
    return [columns[k].header() for k in keys]
