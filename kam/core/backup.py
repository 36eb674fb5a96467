"""Consistent backups and verified restores.

A backup is a folder holding the database copy and ``manifest.json``: the
engine, the time, and for every table its row count and a checksum of its rows.
A restore goes only into an empty database and is verified against the
manifest, table by table.

- SQLite: the online backup API copies a consistent snapshot while KAM runs.
- PostgreSQL: ``pg_dump`` (custom format) in one snapshot; ``pg_restore``.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"
SQLITE_FILE = "kam.sqlite3"
PG_FILE = "kam.pgdump"


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why."""


def _private_folder(folder: Path) -> None:
    """Create the backup folder readable by KAM's own user only (a folder that exists
    already keeps its mode: the operator chose it)."""
    for missing in reversed([f for f in (folder, *folder.parents) if not f.exists()]):
        missing.mkdir(mode=0o700, exist_ok=True)


def _private_file(path: Path) -> None:
    """Create an empty file only KAM's own user may read, before anything is written to
    it: a backup holds every customer, person and invoice."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


@dataclass(frozen=True)
class TableFingerprint:
    rows: int
    checksum: str


def _normalise(value: Any) -> str:
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    return repr(value)


def fingerprints(cursor: Any, tables: list[str], quote: str = '"') -> dict[str, TableFingerprint]:
    """Row count and SHA-256 of every row (in primary-key order) of each table."""
    result = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT * FROM {quote}{table}{quote} ORDER BY 1")  # noqa: S608
        digest = hashlib.sha256()
        rows = 0
        for row in cursor.fetchall():
            digest.update("\x1f".join(_normalise(v) for v in row).encode())
            digest.update(b"\x1e")
            rows += 1
        result[table] = TableFingerprint(rows=rows, checksum=digest.hexdigest())
    return result


def _sqlite_tables(connection: sqlite3.Connection) -> list[str]:
    rows = connection.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    return [r[0] for r in rows]


def _pg_tables(cursor: Any) -> list[str]:
    cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1")
    return [r[0] for r in cursor.fetchall()]


def _write_manifest(folder: Path, engine: str, prints: dict[str, TableFingerprint]) -> dict:
    manifest = {
        "format": 1,
        "engine": engine,
        "created_at": datetime.now(UTC).isoformat(),
        "tables": {name: {"rows": fp.rows, "checksum": fp.checksum} for name, fp in prints.items()},
    }
    _private_file(folder / MANIFEST)
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True))
    return manifest


def read_manifest(folder: Path) -> dict:
    path = folder / MANIFEST
    if not path.exists():
        raise BackupError(f"{folder} is not a KAM backup: {MANIFEST} is missing.")
    return json.loads(path.read_text())


def verify(manifest: dict, prints: dict[str, TableFingerprint]) -> list[str]:
    """Differences between a manifest and a database's fingerprints (empty when equal)."""
    problems = []
    expected = manifest["tables"]
    for table in sorted(set(expected) | set(prints)):
        want, got = expected.get(table), prints.get(table)
        if want is None:
            problems.append(f"{table}: not in the backup")
        elif got is None:
            problems.append(f"{table}: missing after restore")
        elif want["rows"] != got.rows:
            problems.append(f"{table}: {got.rows} rows, the backup has {want['rows']}")
        elif want["checksum"] != got.checksum:
            problems.append(f"{table}: contents differ from the backup")
    return problems


# SQLite ---------------------------------------------------------------------------


def backup_sqlite(source: sqlite3.Connection, folder: Path) -> dict:
    """Copy a live SQLite database with the online backup API, then fingerprint the copy."""
    _private_folder(folder)
    target_path = folder / SQLITE_FILE
    if target_path.exists():
        raise BackupError(f"{target_path} exists already; choose a new folder.")
    _private_file(target_path)
    target = sqlite3.connect(target_path)
    try:
        source.backup(target)
        prints = fingerprints(target.cursor(), _sqlite_tables(target))
    finally:
        target.close()
    return _write_manifest(folder, "sqlite", prints)


def restore_sqlite(folder: Path, database_path: Path) -> dict[str, TableFingerprint]:
    """Restore into a new (absent or empty) SQLite file and verify it."""
    manifest = read_manifest(folder)
    if manifest["engine"] != "sqlite":
        raise BackupError("This backup is of a PostgreSQL database; restore it there.")
    if database_path.exists() and database_path.stat().st_size > 0:
        existing = sqlite3.connect(database_path)
        try:
            if _sqlite_tables(existing):
                raise BackupError(
                    f"{database_path} is not empty; restore only into an empty database."
                )
        finally:
            existing.close()
    database_path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(folder / SQLITE_FILE, database_path)
    restored = sqlite3.connect(database_path)
    try:
        prints = fingerprints(restored.cursor(), _sqlite_tables(restored))
    finally:
        restored.close()
    problems = verify(manifest, prints)
    if problems:
        raise BackupError("Restored database differs from the backup: " + "; ".join(problems))
    return prints


# PostgreSQL -----------------------------------------------------------------------


def _pg_env(settings: dict) -> dict[str, str]:
    env = dict(os.environ)
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings["PASSWORD"])
    return env


def _pg_args(settings: dict, name: str) -> list[str]:
    args = ["--dbname", name]
    if settings.get("HOST"):
        args += ["--host", str(settings["HOST"])]
    if settings.get("PORT"):
        args += ["--port", str(settings["PORT"])]
    if settings.get("USER"):
        args += ["--username", str(settings["USER"])]
    return args


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not installed; install the PostgreSQL client tools.")
    return path


def backup_postgres(settings: dict, connect: Any, folder: Path) -> dict:
    """pg_dump and the fingerprints from one and the same snapshot.

    A REPEATABLE READ transaction exports its snapshot; the fingerprints are read
    in it and pg_dump runs with ``--snapshot``, so the manifest describes exactly
    what was dumped even while KAM keeps writing.
    """
    _private_folder(folder)
    dump = folder / PG_FILE
    if dump.exists():
        raise BackupError(f"{dump} exists already; choose a new folder.")
    _private_file(dump)  # pg_dump writes into it and keeps its mode
    connection = connect()
    try:
        connection.autocommit = False
        cursor = connection.cursor()
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        prints = fingerprints(cursor, _pg_tables(cursor))
        result = subprocess.run(  # noqa: S603 - fixed argument list, no shell
            [
                _tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                f"--snapshot={snapshot}",
                "--file",
                str(dump),
                *_pg_args(settings, settings["NAME"]),
            ],
            env=_pg_env(settings),
            capture_output=True,
            text=True,
            check=False,
        )
        connection.rollback()
    finally:
        connection.close()
    if result.returncode != 0:
        dump.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    return _write_manifest(folder, "postgresql", prints)


def restore_postgres(folder: Path, settings: dict, connect: Any) -> dict[str, TableFingerprint]:
    """pg_restore into the (empty) database named in ``settings`` and verify it.

    ``connect`` opens a DB-API connection to that database.
    """
    manifest = read_manifest(folder)
    if manifest["engine"] != "postgresql":
        raise BackupError("This backup is of an SQLite database; restore it there.")
    connection = connect()
    try:
        cursor = connection.cursor()
        if _pg_tables(cursor):
            raise BackupError(
                f"Database {settings['NAME']} is not empty; restore only into an empty database."
            )
    finally:
        connection.close()
    result = subprocess.run(  # noqa: S603 - fixed argument list, no shell
        [
            _tool("pg_restore"),
            "--no-owner",
            "--exit-on-error",
            *_pg_args(settings, settings["NAME"]),
            str(folder / PG_FILE),
        ],
        env=_pg_env(settings),
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
    connection = connect()
    try:
        prints = fingerprints(connection.cursor(), _pg_tables(connection.cursor()))
    finally:
        connection.close()
    problems = verify(manifest, prints)
    if problems:
        raise BackupError("Restored database differs from the backup: " + "; ".join(problems))
    return prints
