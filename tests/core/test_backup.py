"""Backup and restore: a round trip on the engine under test, verified bit for bit."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from kam.core import backup


def make_db(path: Path, rows: list[tuple[int, str]]) -> None:
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE account (id INTEGER PRIMARY KEY, name TEXT)")
    connection.executemany("INSERT INTO account VALUES (?, ?)", rows)
    connection.commit()
    connection.close()


def test_sqlite_backup_restores_identically_and_refuses_a_non_empty_target(tmp_path):
    source_path = tmp_path / "source.sqlite3"
    make_db(source_path, [(1, "远航能源"), (2, "华联通信")])
    source = sqlite3.connect(source_path)
    manifest = backup.backup_sqlite(source, tmp_path / "bk")
    source.close()
    assert manifest["tables"]["account"]["rows"] == 2

    prints = backup.restore_sqlite(tmp_path / "bk", tmp_path / "restored.sqlite3")
    assert prints["account"].checksum == manifest["tables"]["account"]["checksum"]

    with pytest.raises(backup.BackupError, match="not empty"):
        backup.restore_sqlite(tmp_path / "bk", source_path)


def test_a_tampered_backup_fails_verification(tmp_path):
    source_path = tmp_path / "source.sqlite3"
    make_db(source_path, [(1, "远航能源")])
    source = sqlite3.connect(source_path)
    backup.backup_sqlite(source, tmp_path / "bk")
    source.close()
    copy = sqlite3.connect(tmp_path / "bk" / backup.SQLITE_FILE)
    copy.execute("UPDATE account SET name = 'forged'")
    copy.commit()
    copy.close()
    with pytest.raises(backup.BackupError, match="contents differ"):
        backup.restore_sqlite(tmp_path / "bk", tmp_path / "restored.sqlite3")


def kam(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("KAM_") and k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL"}
    }
    return subprocess.run(
        [sys.executable, "-m", "kam", *args],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def psql(sql: str) -> None:
    subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qc", sql],
        check=True,
        capture_output=True,
    )


def test_round_trip_of_a_running_kam_on_the_engine_under_test(tmp_path):
    url = os.environ.get("KAM_DATABASE_URL", "")
    on_postgres = url.startswith("postgres")
    if on_postgres:
        suffix = uuid.uuid4().hex[:8]
        source_url = url.rsplit("/", 1)[0] + f"/kam_bk_src_{suffix}"
        target_url = url.rsplit("/", 1)[0] + f"/kam_bk_dst_{suffix}"
        psql(f"CREATE DATABASE kam_bk_src_{suffix}")
        psql(f"CREATE DATABASE kam_bk_dst_{suffix}")
    else:
        source_url = f"sqlite:///{tmp_path / 'source.sqlite3'}"
        target_url = f"sqlite:///{tmp_path / 'target.sqlite3'}"
    env = {"KAM_HOME": str(tmp_path), "KAM_DATABASE_URL": source_url}
    try:
        for step in (("migrate", "-v0"), ("demo", "--today", "2026-11-25")):
            result = kam(env, *step)
            assert result.returncode == 0, result.stderr
        made = kam(env, "backup", str(tmp_path / "bk"))
        assert made.returncode == 0, made.stderr
        restored = kam({**env, "KAM_DATABASE_URL": target_url}, "restore", str(tmp_path / "bk"))
        assert restored.returncode == 0, restored.stderr
        assert "identical to the backup" in restored.stdout
        again = kam({**env, "KAM_DATABASE_URL": target_url}, "restore", str(tmp_path / "bk"))
        assert again.returncode != 0 and "not empty" in again.stderr
    finally:
        if on_postgres:
            psql(f"DROP DATABASE IF EXISTS kam_bk_src_{suffix}")
            psql(f"DROP DATABASE IF EXISTS kam_bk_dst_{suffix}")
