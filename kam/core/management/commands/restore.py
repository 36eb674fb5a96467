"""``kam restore FOLDER``: restore a backup into an empty database and verify it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from kam.core import backup
from kam.core.management.commands.backup import connect_to


class Command(BaseCommand):
    help = (
        "Restore a backup made by `kam backup` into the configured database, which must be "
        "empty, and verify row counts and checksums of every table against the backup."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path)

    def handle(self, *args: Any, folder: Path, **options: Any) -> None:
        settings = connection.settings_dict
        try:
            if connection.vendor == "sqlite":
                connection.close()
                prints = backup.restore_sqlite(folder, Path(settings["NAME"]))
            elif connection.vendor == "postgresql":
                connection.close()
                prints = backup.restore_postgres(folder, settings, lambda: connect_to(settings))
            else:
                raise CommandError(f"No restore for the {connection.vendor} engine.")
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(p.rows for p in prints.values())
        self.stdout.write(
            f"Restored and verified {len(prints)} tables, {rows} rows: identical to the backup."
        )
