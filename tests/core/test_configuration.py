"""Configuration from the environment: clear errors for bad settings."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def run_kam(env: dict[str, str], *args: str, tmp_path) -> subprocess.CompletedProcess[str]:  # type: ignore[no-untyped-def]
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("KAM_")
        and k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    clean.update({"KAM_HOME": str(tmp_path)}, **env)
    return subprocess.run(
        [sys.executable, "-m", "kam", *args],
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_production_mode_refuses_to_start_without_a_secret(tmp_path):
    result = run_kam({"KAM_PRODUCTION": "1"}, "check", tmp_path=tmp_path)
    assert result.returncode == 2
    assert "KAM_SECRET_KEY" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_bad_database_url_is_explained(tmp_path):
    result = run_kam({"KAM_DATABASE_URL": "mysqlx://nowhere"}, "check", tmp_path=tmp_path)
    assert result.returncode == 2
    assert "database URL" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_embedded_default_generates_and_keeps_a_secret(tmp_path):
    first = run_kam({}, "check", tmp_path=tmp_path)
    assert first.returncode == 0, first.stderr
    key = (tmp_path / "secret_key").read_text()
    assert len(key) >= 50
    run_kam({}, "check", tmp_path=tmp_path)
    assert (tmp_path / "secret_key").read_text() == key


def test_production_deploy_check_is_clean(tmp_path):
    # A release whose static files are built (else kam.W002 says to run collectstatic).
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "staticfiles.json").write_text('{"paths": {}, "version": "1.1"}')
    result = run_kam(
        {
            "KAM_PRODUCTION": "1",
            "KAM_STATIC_ROOT": str(tmp_path / "static"),
            "KAM_SECRET_KEY": "x" * 20 + "-production-secret-" + "y" * 20,
            "KAM_ALLOWED_HOSTS": "kam.example.com",
        },
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.django_db
def test_database_outage_gives_a_503_not_a_traceback(client, monkeypatch, org):
    from django.db import OperationalError

    def broken(user):  # type: ignore[no-untyped-def]
        raise OperationalError("connection refused")

    monkeypatch.setattr("kam.reports.selectors.home_summary", broken)
    client.raise_request_exception = False
    client.force_login(org.rep)
    # The rep's agenda panel is what reads the book first.
    response = client.get("/reports/dashboard/agenda/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 503
    assert "数据库暂时无法连接" in response.content.decode()
    assert response["Retry-After"] == "30"


@pytest.mark.django_db
def test_unknown_pages_are_a_plain_404(client, org):
    client.force_login(org.rep)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Traceback" not in response.content.decode()


@pytest.mark.django_db
def test_security_headers(client, org):
    client.force_login(org.rep)
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert (
        "script-src 'self'" in csp
        and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    )
    assert response["X-Frame-Options"] == "DENY"
    assert response.cookies.get("sessionid") is None or response.cookies["sessionid"]["httponly"]


@pytest.mark.django_db
def test_postgresql_connections_do_not_jit_compile():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"


def test_a_server_without_autovacuum_is_warned_about(monkeypatch):
    from kam.core import checks

    monkeypatch.setattr(checks, "autovacuum_is_off", lambda: True)
    [warning] = checks.autovacuum_check(databases=["default"])
    assert warning.id == "kam.W001" and "autovacuum" in warning.msg
    monkeypatch.setattr(checks, "autovacuum_is_off", lambda: False)
    assert checks.autovacuum_check(databases=["default"]) == []
    assert checks.autovacuum_check(databases=None) == []  # a plain `kam check` skips it


@pytest.mark.django_db
def test_statistics_are_gathered_inside_a_transaction_too(org):
    from django.db import connection

    from kam.core.services.statistics import autovacuum_is_off, gather_planner_statistics

    # One small table: statistics of a nearly empty database would mislead later tests.
    # In a transaction, VACUUM falls back to ANALYZE instead of failing.
    gather_planner_statistics(vacuum=True, tables=["core_team"])
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'core_team'")
        else:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_user_tables "
                "WHERE relname = 'core_team' AND last_analyze IS NOT NULL"
            )
        assert cursor.fetchone()[0] > 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SHOW autovacuum")
            assert autovacuum_is_off() == (cursor.fetchone()[0] == "off")
        else:
            assert autovacuum_is_off() is False
