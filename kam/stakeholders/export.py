"""One person's data as a spreadsheet, for an export on request (DOMAIN.md §7)."""

from __future__ import annotations

from typing import Any

from kam.ui import spreadsheets


def personal_data_xlsx(data: dict[str, Any]) -> bytes:
    """A workbook with one sheet per part of :func:`services.personal_data`."""
    book = spreadsheets.new_workbook()
    sheet = book.active
    sheet.title = "person"
    for key, value in {**data["person"], **data["personal_info"]}.items():
        spreadsheets.append(sheet, [key, str(value) if value is not None else ""])
    history = book.create_sheet("history")
    spreadsheets.append(history, ["field", "before", "after", "effective_on"])
    for row in data["history"]:
        spreadsheets.append(
            history, [row["field"], row["before"], row["after"], row["effective_on"]]
        )
    roles = book.create_sheet("buying_roles")
    spreadsheets.append(
        roles, ["opportunity", "roles", "purchase_role", "personal_win", "business_result"]
    )
    for row in data["buying_roles"]:
        spreadsheets.append(
            roles,
            [
                row["opportunity"],
                ", ".join(row["roles"]),
                row["purchase_role"],
                row["personal_win"],
                row["business_result"],
            ],
        )
    return spreadsheets.workbook_bytes(book)
