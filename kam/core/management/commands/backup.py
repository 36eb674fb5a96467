"""``kam backup FOLDER``: a consistent, verifiable backup while KAM runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from kam.core import backup


def connect_to(settings: dict) -> Any:
    """A fresh DB-API connection to a PostgreSQL database described by Django settings."""
    import psycopg

    return psycopg.connect(
        dbname=settings["NAME"],
        user=settings.get("USER") or None,
        password=settings.get("PASSWORD") or None,
        host=settings.get("HOST") or None,
        port=settings.get("PORT") or None,
    )


class Command(BaseCommand):
    help = "Write a consistent backup of KAM's database into a new folder, with a manifest."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path)

    def handle(self, *args: Any, folder: Path, **options: Any) -> None:
        try:
            if connection.vendor == "sqlite":
                connection.ensure_connection()
                manifest = backup.backup_sqlite(connection.connection, folder)
            elif connection.vendor == "postgresql":
                settings = connection.settings_dict
                manifest = backup.backup_postgres(settings, lambda: connect_to(settings), folder)
            else:
                raise CommandError(f"No backup for the {connection.vendor} engine.")
        except backup.BackupError as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(t["rows"] for t in manifest["tables"].values())
        self.stdout.write(
            f"Backup written to {folder}: {len(manifest['tables'])} tables, {rows} rows."
        )
