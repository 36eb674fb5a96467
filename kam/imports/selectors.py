"""Reading imports: each person sees their own uploads; administrators see all of them."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from kam.core import phrases
from kam.core.models import User
from kam.imports.models import ImportBatch


def visible_batches(user: User) -> QuerySet[ImportBatch]:
    """The uploads ``user`` may read: their own (the report shows their file's rows)."""
    if not user.is_authenticated or not user.is_active:
        return ImportBatch.objects.none()
    batches = ImportBatch.objects.select_related("created_by").defer("content")
    if user.is_kam_admin:
        return batches
    return batches.filter(created_by=user)


def _words(batch: ImportBatch, stored: object, html: bool) -> str:
    if html:
        return phrases.render_html(stored, batch.language)
    return phrases.render(stored)


def report_message(batch: ImportBatch, *, html: bool = False) -> str:
    """Why the whole file was refused or the import failed, in the active language ("" if
    it was not); a batch stored before messages were phrases keeps its text."""
    stored = (batch.report or {}).get("message") or batch.message
    return _words(batch, stored, html) if stored else ""


def report_errors(
    batch: ImportBatch, limit: int | None = None, *, html: bool = False
) -> list[dict[str, Any]]:
    """The refused rows of the batch's report, each reason in the active language (as HTML
    for a page, the file's own words marked as data). A report stored before reasons were
    phrases keeps its text as written, in the upload's language."""
    return [
        {**error, "message": _words(batch, error.get("message"), html)}
        for error in (batch.report or {}).get("errors", [])[:limit]
    ]


def report_rows(
    batch: ImportBatch, limit: int | None = None, *, html: bool = False
) -> list[dict[str, Any]]:
    """What the import would do (or did) row by row, its changes in the active language."""
    return [
        {**row, "changes": _words(batch, row.get("changes"), html)}
        for row in (batch.report or {}).get("rows", [])[:limit]
    ]
