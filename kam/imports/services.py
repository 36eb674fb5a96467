"""Importing a spreadsheet: upload, dry run, commit.

An upload becomes an :class:`ImportBatch` and a background job checks it: the
dry run writes every row through its area's services inside a transaction that
is then rolled back, so the report holds exactly what the commit would meet.
The commit runs the same rows again in one transaction: one refused row, or a
crash anywhere, and nothing at all is written. Both steps are audited.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kam.core import changes
from kam.core.models import Interface, User
from kam.core.phrases import Phrase, in_every_language, literal, phrase, render
from kam.imports.kinds import (
    CREATE,
    UNCHANGED,
    UPDATE,
    RowErrors,
    importer_for,
    problems_of,
)
from kam.imports.kinds.base import Importer
from kam.imports.models import BatchStatus, ImportBatch, Kind
from kam.imports.reading import FileRefused, Problem, Row, check_upload, read_sheet

logger = logging.getLogger(__name__)

# The report keeps this many problems and row outcomes; the counts cover them all.
REPORT_LIMIT = 2000
PROGRESS_EVERY = 500


@dataclass
class Result:
    """What a dry run found or a commit did."""

    total: int = 0
    problems: list[Problem] = field(default_factory=list)
    # row, action, label, and for an update what it changes
    outcomes: list[tuple[int, str, str, Phrase | str]] = field(default_factory=list)
    refused: Phrase | None = None  # the whole file was refused, and why

    def count(self, action: str) -> int:
        return sum(1 for outcome in self.outcomes if outcome[1] == action)

    @property
    def error_rows(self) -> int:
        return len({p.row for p in self.problems})


class _Rollback(Exception):
    """Leaves the transaction of a dry run (or of a refused commit) unwritten."""


def _refusal(
    importer: Importer, row: Row, error: Exception, column_keys: list[str]
) -> list[Problem]:
    """A row's refusal, said in every language KAM speaks.

    The area's services put a refusal into words in the language active when they
    refuse, the upload's; a report is read in its reader's. So the row is tried again in
    each other language, in a savepoint that is rolled back, and each problem keeps its
    words in every language. Should another language refuse it differently (it does
    not: the row and the records are the same), the upload's words stand for it.
    """
    current = translation.get_language() or settings.LANGUAGE_CODE
    first = problems_of(error, column_keys)
    said = {current: first}
    for code, _name in settings.LANGUAGES:
        if code == current:
            continue
        with translation.override(code):
            try:
                with transaction.atomic():
                    importer.apply(row.values)
                    raise _Rollback
            except RowErrors as again:
                said[code] = problems_of(again, column_keys)
            except _Rollback:
                pass
    return [
        Problem(
            row.number,
            column,
            {
                "i18n": {
                    code: pairs[index][1] if len(pairs) == len(first) else message
                    for code, pairs in said.items()
                }
            },
        )
        for index, (column, message) in enumerate(first)
    ]


def evaluate(
    content: bytes,
    kind: str,
    *,
    by: User | None,
    via: str,
    commit: bool,
    progress: Callable[[int, int], None] | None = None,
    finish: Callable[[Result], None] | None = None,
) -> Result:
    """Read the file and pass every row through its services; write only if ``commit``
    and no row is refused (then ``finish`` runs in the same transaction). Unexpected
    errors propagate, after the rollback."""
    importer = importer_for(kind, by, via)
    result = Result()
    refusal = importer.may_import()
    if refusal:
        result.refused = in_every_language(importer.may_import)
        return result
    try:
        sheet = read_sheet(content, importer.columns)
    except FileRefused as error:
        result.refused = error.phrase
        return result
    result.total = len(sheet.rows)
    result.problems.extend(sheet.problems)
    required = [c for c in importer.columns if c.required]
    first_seen: dict[tuple[Any, ...], int] = {}
    candidates = []
    for index, row in enumerate(sheet.rows, start=1):
        problems = list(row.problems)
        bad_columns = {p.column for p in problems}
        for column in required:
            if column.key not in row.values and column.key not in bad_columns:
                problems.append(
                    Problem(
                        row.number, column.key, phrase(gettext_lazy("This cell must not be empty."))
                    )
                )
        if not problems:
            key = importer.key(row.values)
            if key is not None and key in first_seen:
                problems.append(
                    Problem(
                        row.number,
                        "",
                        phrase(
                            gettext_lazy(
                                "Duplicate of row %(row)s: each record may appear once in a file."
                            ),
                            row=first_seen[key],
                        ),
                    )
                )
            elif key is not None:
                first_seen[key] = row.number
        if problems:
            result.problems.extend(problems)
        else:
            candidates.append(row)
        if progress is not None and index % PROGRESS_EVERY == 0:
            progress(index, result.total)
    if commit and result.problems:
        return result
    column_keys = [c.key for c in importer.columns]
    importer.prepare([row.values for row in candidates])
    try:
        with transaction.atomic():
            for row in candidates:
                try:
                    if commit or not importer.several_writes:
                        outcome = importer.apply(row.values)
                    else:
                        with transaction.atomic():
                            outcome = importer.apply(row.values)
                except RowErrors as error:
                    result.problems.extend(_refusal(importer, row, error, column_keys))
                    if commit:
                        raise _Rollback from None
                    continue
                result.outcomes.append((row.number, outcome.action, outcome.label, outcome.changes))
            # Rows gathered for a bulk insert were checked one by one by the services'
            # rules already; the dry run need not insert them only to roll them back.
            if commit and not result.problems:
                try:
                    importer.flush()
                except RowErrors as error:
                    # Said once, in the upload's language: the bulk write cannot be tried again.
                    result.problems.extend(
                        Problem(0, column, literal(message))
                        for column, message in problems_of(error, column_keys)
                    )
            if not commit or result.problems:
                raise _Rollback
            if finish is not None:
                finish(result)
    except _Rollback:
        pass
    result.problems.sort(key=lambda p: p.row)
    return result


# ----------------------------------------------------------------- the batch's life


def may_see(user: User, batch: ImportBatch) -> bool:
    return user.is_authenticated and (batch.created_by_id == user.pk or user.is_kam_admin)


def start_import(
    *,
    kind: str,
    file_name: str,
    content: bytes,
    by: User,
    via: str = Interface.WEB,
    language: str | None = None,
    run_check: bool = True,
) -> ImportBatch:
    """Accept an upload and queue its dry run; refuses a wrong file or kind at once."""
    if kind not in Kind.values:
        raise ValidationError({"kind": _("Choose what the file holds.")})
    refusal = importer_for(kind, by, via).may_import()
    if refusal:
        raise PermissionDenied(refusal)
    try:
        check_upload(file_name, len(content), content[:8])
    except FileRefused as error:
        raise ValidationError({"file": str(error)}) from None
    with transaction.atomic():
        batch = ImportBatch(
            kind=kind,
            file_name=file_name[:255],
            content=content,
            size=len(content),
            created_by=by,
            via=via,
            language=language or translation.get_language() or "zh-hans",
        )
        # The file itself may hold anyone's details: the trail keeps its name and size.
        changes.create(batch, by=by, via=via, clean=None, redacted=["content"])
        if run_check:
            from kam.imports import tasks

            transaction.on_commit(lambda: tasks.check_import.enqueue(batch.pk))
    return batch


def _save_result(batch: ImportBatch, result: Result) -> None:
    batch.total_rows = result.total
    batch.processed_rows = result.total
    batch.created_count = result.count(CREATE)
    batch.updated_count = result.count(UPDATE)
    batch.unchanged_count = result.count(UNCHANGED)
    batch.error_count = len(result.problems)
    batch.message = render(result.refused)
    batch.report = {
        "message": result.refused,
        "errors": [
            {"row": p.row, "column": p.column, "message": p.message}
            for p in result.problems[:REPORT_LIMIT]
        ],
        "rows": [
            {"row": row, "action": action, "label": label, "changes": values}
            for row, action, label, values in result.outcomes[:REPORT_LIMIT]
        ],
    }


def _say(batch: ImportBatch, message: Any) -> None:
    """The batch's message: kept as a phrase for its readers, as text for the record."""
    batch.report = {**(batch.report or {}), "message": phrase(message)}
    batch.message = str(message)


def _fail(batch: ImportBatch, message: Any) -> None:
    batch.status = BatchStatus.FAILED
    _say(batch, message)
    batch.save(update_fields=["status", "message", "report", "updated_at"])


def _progress(batch: ImportBatch) -> Callable[[int, int], None]:
    def report(done: int, total: int) -> None:
        ImportBatch.objects.filter(pk=batch.pk).update(processed_rows=done, total_rows=total)

    return report


def _set_status(batch: ImportBatch, status: str) -> None:
    batch.status = status
    ImportBatch.objects.filter(pk=batch.pk).update(status=status, updated_at=timezone.now())


def check_batch(batch: ImportBatch) -> ImportBatch:
    """The dry run: what the import would create and update, and every row it would refuse."""
    _set_status(batch, BatchStatus.CHECKING)
    with translation.override(batch.language):
        try:
            result = evaluate(
                bytes(batch.content),
                batch.kind,
                by=batch.created_by,
                via=Interface.IMPORT,
                commit=False,
                progress=_progress(batch),
            )
        except Exception:
            logger.exception("checking import %s failed", batch.pk)
            _fail(
                batch, gettext_lazy("Checking the file failed unexpectedly; nothing was changed.")
            )
            return batch
    _save_result(batch, result)
    ok = not result.refused and not result.problems and result.outcomes
    batch.status = BatchStatus.READY if ok else BatchStatus.INVALID
    batch.save()
    return batch


def request_commit(batch: ImportBatch, *, by: User, via: str = Interface.WEB) -> ImportBatch:
    """Queue the import of a checked file that had no errors."""
    if not may_see(by, batch):
        raise PermissionDenied
    with transaction.atomic():
        updated = ImportBatch.objects.filter(pk=batch.pk, status=BatchStatus.READY).update(
            status=BatchStatus.COMMITTING, updated_at=timezone.now()
        )
        if not updated:
            raise ValidationError(
                _("Only a checked file without errors can be imported, and only once.")
            )
        batch.status = BatchStatus.COMMITTING
        from kam.imports import tasks

        transaction.on_commit(lambda: tasks.commit_import.enqueue(batch.pk))
    return batch


OUTCOME_FIELDS = (
    "status",
    "committed_at",
    "total_rows",
    "created_count",
    "updated_count",
    "unchanged_count",
    "error_count",
)


def commit_batch(batch: ImportBatch) -> ImportBatch:
    """Write the whole file in one transaction, or, at the first refusal or crash, nothing."""

    def finish(result: Result) -> None:
        # The row-by-row report may hold anyone's details: the trail keeps the counts.
        with changes.tracked(
            batch, by=batch.created_by, via=batch.via, fields=OUTCOME_FIELDS
        ) as changed:
            _save_result(batch, result)
            batch.status = BatchStatus.COMMITTED
            batch.committed_at = timezone.now()
            batch.save()
            # What the file wrote, even where the check had counted the same.
            changed["created"] = batch.created_count
            changed["updated"] = batch.updated_count

    with translation.override(batch.language):
        try:
            result = evaluate(
                bytes(batch.content),
                batch.kind,
                by=batch.created_by,
                via=Interface.IMPORT,
                commit=True,
                finish=finish,
            )
        except Exception:
            logger.exception("import %s failed", batch.pk)
            _fail(
                batch,
                gettext_lazy(
                    "The import stopped on an unexpected error; nothing was changed. "
                    "Try again, or tell your administrator."
                ),
            )
            return batch
        if batch.status != BatchStatus.COMMITTED:
            _save_result(batch, result)
            batch.status = BatchStatus.FAILED
            if not batch.message:
                _say(
                    batch,
                    gettext_lazy(
                        "Some rows were refused since the file was checked; nothing was changed."
                    ),
                )
            batch.save()
    return batch
