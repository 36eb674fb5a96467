"""Operations: the reverse proxy, start-up messages, private files, the API docs in
production, health probes, JSON logs and error reporting."""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db.migrations.executor import MigrationExecutor

from kam.core import backup, sentry
from kam.core.logs import JsonFormatter

SECRET = "operations-test-secret-" + "o" * 40


def run_kam_python(code: str, tmp_path: Path, **env: str) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter with KAM's settings and the given environment."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("KAM_")}
    environment.update(
        DJANGO_SETTINGS_MODULE="kam.settings", KAM_HOME=str(tmp_path / "home"), **env
    )
    return subprocess.run(
        [sys.executable, "-c", code],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def setting(name: str, tmp_path: Path, **env: str) -> object:
    done = run_kam_python(
        f"import json, django; django.setup(); from django.conf import settings; "
        f"print(json.dumps(getattr(settings, {name!r}, None)))",
        tmp_path,
        **env,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# The reverse proxy --------------------------------------------------------------------


def test_x_forwarded_proto_is_trusted_only_when_a_proxy_is_declared(tmp_path):
    production = {"KAM_PRODUCTION": "1", "KAM_SECRET_KEY": SECRET}
    assert setting("SECURE_PROXY_SSL_HEADER", tmp_path, **production) is None
    assert setting("SECURE_PROXY_SSL_HEADER", tmp_path, **production, KAM_TRUST_PROXY="1") == [
        "HTTP_X_FORWARDED_PROTO",
        "https",
    ]
    assert setting("SECURE_PROXY_SSL_HEADER", tmp_path, KAM_TRUST_PROXY="1") == [
        "HTTP_X_FORWARDED_PROTO",
        "https",
    ]


def test_a_request_claiming_https_is_believed_only_behind_a_declared_proxy(client, settings):
    settings.SECURE_PROXY_SSL_HEADER = None
    response = client.get("/healthz", HTTP_X_FORWARDED_PROTO="https")
    assert response.wsgi_request.is_secure() is False
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    response = client.get("/healthz", HTTP_X_FORWARDED_PROTO="https")
    assert response.wsgi_request.is_secure() is True


def test_a_misspelt_proxy_setting_stops_kam_with_a_message(tmp_path):
    done = run_kam_python(
        "import django; django.setup()", tmp_path, KAM_TRUST_PROXY="X-Forwarded-Proto"
    )
    assert done.returncode != 0
    assert "KAM_TRUST_PROXY must be 1 or 0 (on or off), not 'X-Forwarded-Proto'." in done.stderr


def test_a_redirect_to_https_without_a_trusted_proxy_is_warned_of(tmp_path):
    done = run_kam_python(
        "import django; django.setup(); from django.core.management import call_command; "
        "call_command('check')",
        tmp_path,
        KAM_PRODUCTION="1",
        KAM_SECRET_KEY=SECRET,
        KAM_SSL_REDIRECT="1",
        KAM_STATIC_ROOT=str(tmp_path / "static"),
    )
    assert "kam.W003" in done.stderr and "set KAM_TRUST_PROXY=1" in done.stderr


# Start-up ------------------------------------------------------------------------------


def test_production_without_collected_static_files_refuses_to_start_with_the_fix(tmp_path):
    env = {
        "KAM_PRODUCTION": "1",
        "KAM_SECRET_KEY": SECRET,
        "KAM_STATIC_ROOT": str(tmp_path / "static"),
    }
    started = run_kam_python("import kam.wsgi", tmp_path, **env)
    assert started.returncode != 0
    assert "Production mode finds no static files" in started.stderr
    assert "Run `kam collectstatic --noinput`" in started.stderr

    checked = run_kam_python(
        "import django; django.setup(); from django.core.management import call_command; "
        "call_command('check')",
        tmp_path,
        **env,
    )
    assert checked.returncode == 0  # a warning: `kam migrate` runs before collectstatic
    assert "kam.W002" in checked.stderr and "kam collectstatic" in checked.stderr

    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "staticfiles.json").write_text('{"paths": {}, "version": "1.1"}')
    assert run_kam_python("import kam.wsgi", tmp_path, **env).returncode == 0


def test_production_without_a_secret_refuses_to_start(tmp_path):
    started = run_kam_python("import kam.wsgi", tmp_path, KAM_PRODUCTION="1")
    assert started.returncode != 0
    assert "Production mode (KAM_PRODUCTION=1) needs KAM_SECRET_KEY" in started.stderr


# Files nobody else reads ---------------------------------------------------------------


def test_the_embedded_database_its_wal_and_home_are_private(tmp_path):
    done = run_kam_python(
        "import django; django.setup(); from django.db import connection; "
        "c = connection.cursor(); c.execute('CREATE TABLE t (x int)'); "
        "c.execute('INSERT INTO t VALUES (1)'); import time; "
        "import os, sys; home = os.environ['KAM_HOME']; "
        "print(sorted(os.listdir(home)))",
        tmp_path,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    home = tmp_path / "home"
    assert mode(home) == 0o700
    assert mode(home / "secret_key") == 0o600
    assert mode(home / "kam.sqlite3") == 0o600
    assert "kam.sqlite3-wal" in done.stdout  # seen while the connection was open
    # SQLite gives the -wal and -shm files the database file's mode.
    connection = sqlite3.connect(home / "kam.sqlite3")
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("INSERT INTO t VALUES (2)")
    connection.commit()
    assert mode(home / "kam.sqlite3-wal") == 0o600
    assert mode(home / "kam.sqlite3-shm") == 0o600
    connection.close()


def test_uploads_are_private(tmp_path, settings):
    assert settings.FILE_UPLOAD_PERMISSIONS == 0o600
    storage = FileSystemStorage(location=tmp_path / "media")
    name = storage.save("imports/2026/accounts.xlsx", ContentFile(b"PK"))
    assert mode(tmp_path / "media" / name) == 0o600
    assert mode(tmp_path / "media" / "imports") == 0o700
    assert mode(tmp_path / "media" / "imports" / "2026") == 0o700


def test_every_backup_file_and_folder_is_private(tmp_path):
    source = sqlite3.connect(tmp_path / "source.sqlite3")
    source.execute("CREATE TABLE account (id INTEGER PRIMARY KEY, name TEXT)")
    source.commit()
    backup.backup_sqlite(source, tmp_path / "bk" / "monday")
    source.close()
    assert mode(tmp_path / "bk") == 0o700
    assert mode(tmp_path / "bk" / "monday") == 0o700
    assert mode(tmp_path / "bk" / "monday" / backup.SQLITE_FILE) == 0o600
    assert mode(tmp_path / "bk" / "monday" / backup.MANIFEST) == 0o600


# The API's schema and docs -------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/api/v1/schema/", "/api/v1/docs/"])
def test_api_schema_and_docs_need_sign_in_unless_declared_public(client, settings, path, org):
    settings.KAM_API_DOCS_PUBLIC = False
    assert client.get(path).status_code in (401, 403)
    client.force_login(org.rep)
    assert client.get(path).status_code == 200
    client.logout()
    settings.KAM_API_DOCS_PUBLIC = True
    assert client.get(path).status_code == 200


def test_api_docs_are_private_by_default_in_production_only(tmp_path):
    production = {"KAM_PRODUCTION": "1", "KAM_SECRET_KEY": SECRET}
    assert setting("KAM_API_DOCS_PUBLIC", tmp_path, **production) is False
    assert setting("KAM_API_DOCS_PUBLIC", tmp_path, **production, KAM_API_DOCS_PUBLIC="1")
    assert setting("KAM_API_DOCS_PUBLIC", tmp_path) is True


# Health probes -------------------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_answers_without_sign_in_database_or_cookies(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert not response.cookies


@pytest.mark.django_db
def test_readyz_is_ready_on_a_migrated_database(client):
    response = client.get("/readyz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert not response.cookies


@pytest.mark.django_db
def test_readyz_answers_503_with_the_reason_while_migrations_are_pending(client, monkeypatch):
    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [1, 2])
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "reason": "2 migrations not applied: run kam migrate",
    }


@pytest.mark.django_db
def test_readyz_answers_503_when_the_job_queue_is_unreachable(client, monkeypatch):
    from django.db import DatabaseError
    from django_tasks_db.models import DBTaskResult

    def broken(self):  # type: ignore[no-untyped-def]
        raise DatabaseError("no such table")

    monkeypatch.setattr(type(DBTaskResult.objects), "exists", broken)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["reason"] == "job queue unreachable: DatabaseError"


# JSON logs -----------------------------------------------------------------------------


def test_json_logs_are_one_object_per_line_with_the_request_and_the_exception(rf):
    request = rf.get("/accounts/7/")
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.getLogger("django.request").makeRecord(
            "django.request",
            logging.ERROR,
            __file__,
            1,
            "Internal Server Error: %s",
            ("/accounts/7/",),
            sys.exc_info(),
            extra={"request": request, "status_code": 500},
        )
    line = JsonFormatter().format(record)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "ERROR" and entry["logger"] == "django.request"
    assert entry["message"] == "Internal Server Error: /accounts/7/"
    assert entry["path"] == "/accounts/7/" and entry["status"] == 500
    assert "ValueError: boom" in entry["exception"] and entry["timestamp"].endswith("+00:00")


def test_the_json_log_format_is_chosen_by_the_environment(tmp_path):
    done = run_kam_python(
        "import django, logging; django.setup(); logging.getLogger('kam').warning('你好 %s', 1)",
        tmp_path,
        KAM_LOG_FORMAT="json",
    )
    entry = json.loads(done.stderr.strip().splitlines()[-1])
    assert entry["message"] == "你好 1" and entry["logger"] == "kam"


# Sentry --------------------------------------------------------------------------------


def test_sentry_is_initialised_only_when_a_dsn_is_set(tmp_path):
    code = (
        "import django; django.setup(); import sentry_sdk; "
        "print(sentry_sdk.get_client().is_active())"
    )
    assert run_kam_python(code, tmp_path).stdout.strip() == "False"
    on = run_kam_python(code, tmp_path, KAM_SENTRY_DSN="https://key@sentry.invalid/1")
    assert on.stdout.strip() == "True", on.stderr[-2000:]


def test_sentry_events_leave_without_personal_data():
    import sentry_sdk
    from sentry_sdk.transport import Transport

    sent: list[dict] = []

    class FakeTransport(Transport):
        def capture_envelope(self, envelope):  # type: ignore[no-untyped-def]
            sent.extend(item.payload.json for item in envelope.items if item.payload.json)

    sentry.init("https://key@sentry.invalid/1", transport=FakeTransport, default_integrations=False)
    try:
        with sentry_sdk.new_scope() as scope:
            scope.set_user({"id": 7, "email": "zhang.yi@example.com", "username": "rep"})
            scope.add_event_processor(
                lambda event, hint: {
                    **event,
                    "request": {
                        "url": "https://kam.example.com/accounts/7/",
                        "cookies": {"sessionid": "abc"},
                        "data": {"note": "客户王总 13800000000"},
                        "headers": {"Cookie": "sessionid=abc", "Authorization": "Token x"},
                    },
                }
            )
            sentry_sdk.capture_message("mail to zhang.yi@example.com failed")
        sentry_sdk.flush()
    finally:
        sentry_sdk.init()  # off again for the rest of the run
    assert len(sent) == 1
    event = sent[0]
    assert event["user"] == {"id": 7}
    assert event["message"] == "mail to [email] failed"
    assert "cookies" not in event["request"] and "data" not in event["request"]
    assert event["request"]["headers"] == {}
    assert "zhang.yi@example.com" not in json.dumps(event)
