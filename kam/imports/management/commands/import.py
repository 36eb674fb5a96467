"""``kam import FILE --kind KIND --user USERNAME [--dry-run]``: import a spreadsheet.

Runs the same dry run and all-or-nothing commit as the pages, in the foreground,
with the permissions of the named user; prints the row-by-row report.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kam.core.models import Interface, User
from kam.imports import selectors, services
from kam.imports.models import BatchStatus, ImportBatch, Kind


class Command(BaseCommand):
    help = (
        "Import accounts, people, opportunities, activities, contracts or payments from an "
        ".xlsx file laid out as the template. Nothing is written if any row is refused."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--kind", required=True, choices=Kind.values)
        parser.add_argument(
            "--user", required=True, help="import as this user, with their permissions"
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report only; write nothing"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"no active user “{options['user']}”")
        try:
            batch = services.start_import(
                kind=options["kind"],
                file_name=path.name,
                content=path.read_bytes(),
                by=user,
                via=Interface.CLI,
                run_check=False,
            )
        except PermissionDenied as error:
            raise CommandError(str(error) or "permission denied") from None
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        batch = services.check_batch(batch)
        self._report(batch)
        if batch.status != BatchStatus.READY:
            raise CommandError(
                f"import {batch.pk}: {batch.get_status_display()}; nothing was changed"
            )
        if options["dry_run"]:
            self.stdout.write(f"import {batch.pk}: dry run only; nothing was changed")
            return
        ImportBatch.objects.filter(pk=batch.pk).update(status=BatchStatus.COMMITTING)
        batch.status = BatchStatus.COMMITTING
        batch = services.commit_batch(batch)
        if batch.status != BatchStatus.COMMITTED:
            self._report(batch)
            raise CommandError(f"import {batch.pk}: {batch.get_status_display()}")
        self.stdout.write(
            f"import {batch.pk}: {batch.created_count} created, {batch.updated_count} updated, "
            f"{batch.unchanged_count} unchanged"
        )

    def _report(self, batch: ImportBatch) -> None:
        message = selectors.report_message(batch)
        if message:
            self.stderr.write(message)
        for error in selectors.report_errors(batch):
            column = f" [{error['column']}]" if error["column"] else ""
            self.stderr.write(f"row {error['row']}{column}: {error['message']}")
        self.stdout.write(
            f"{batch.total_rows} rows: {batch.created_count} to create, "
            f"{batch.updated_count} to update, {batch.unchanged_count} unchanged, "
            f"{batch.error_count} errors"
        )
