"""One person's data as a spreadsheet, for an export on request (DOMAIN.md §7)."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from openpyxl import Workbook


def personal_data_xlsx(data: dict[str, Any]) -> bytes:
    """A workbook with one sheet per part of :func:`services.personal_data`."""
    book = Workbook()
    sheet = book.active
    sheet.title = "person"
    for key, value in {**data["person"], **data["personal_info"]}.items():
        sheet.append([key, str(value) if value is not None else ""])
    history = book.create_sheet("history")
    history.append(["field", "before", "after", "effective_on"])
    for row in data["history"]:
        history.append([row["field"], row["before"], row["after"], row["effective_on"]])
    roles = book.create_sheet("buying_roles")
    roles.append(["opportunity", "roles", "purchase_role", "personal_win", "business_result"])
    for row in data["buying_roles"]:
        roles.append(
            [
                row["opportunity"],
                ", ".join(row["roles"]),
                row["purchase_role"],
                row["personal_win"],
                row["business_result"],
            ]
        )
    out = BytesIO()
    book.save(out)
    return out.getvalue()
