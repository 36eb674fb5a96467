"""Production mode as the README deploys it: static files built by `kam collectstatic`
into whitenoise's manifest storage, `gunicorn kam.wsgi` with KAM_PRODUCTION=1, and
every page of every demo role walked through it.

The app server is a real subprocess on a free port of 127.0.0.1. On PostgreSQL it reads
the test database; on SQLite (whose test database lives in memory) a copy of it in a
file. The test is transactional, so the demo tenant built here is committed and visible
to the server, and flushed afterwards.
"""

from __future__ import annotations

import json
import os
import re
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from django.db import connection
from django.utils import timezone

from kam.core import demo
from tests.site_pages import Walk, ui_routes, walk_pages

BIN = Path(sys.executable).parent
ROOT = Path(__file__).resolve().parents[2]
SECRET = "production-test-secret-" + "p" * 40
ROLES = ("admin", "director", "manager", "rep", "finance")

# Routes no page links to with a plain GET: the health probes (tests/core/
# test_operations.py), signing in and out (the walk signs in by itself and must not
# sign out), links carried in tokens handed out elsewhere (the calendar feed, the
# customer survey), and actions offered only on records in a state the demo has none
# of on the first page of each list (a closed deal to reopen, a pending write-off to
# decide, a running import's progress).
NOT_LINKED = {
    "/healthz",
    "/readyz",
    "/login/",
    "/logout/",
    "/activities/feed/<str:token>.ics",
    "/performance/survey/<str:token>/",
    "/accounts/<id:pk>/items/<slug:kind>/<id:item_pk>/remove/",
    "/accounts/<id:pk>/needs/<id:need_pk>/opportunity/",
    "/accounts/<id:pk>/plans/<id:plan_pk>/",
    "/accounts/<id:pk>/plans/<id:plan_pk>/<slug:kind>/",
    # Posted from a plan's page (not walked, above): submit, approve, send back.
    "/accounts/<id:pk>/plans/<id:plan_pk>/review/<slug:step>/",
    "/activities/<id:pk>/outcome/",
    # Posted from the call plan shown beside the outcome form (not walked, above).
    "/coach/activities/<id:pk>/objective-met/",
    "/imports/<id:pk>/progress/",
    "/opportunities/<id:pk>/reopen/",
    "/people/accounts/<id:pk>/map/",
    "/receivables/contracts/<id:pk>/release/",
    "/receivables/contracts/new/<id:opportunity_pk>/",
    "/receivables/write-offs/<id:pk>/decide/",
    # Signed-out pages (linked from the sign-in page) and the emailed reset link.
    "/password/reset/",
    "/password/reset/sent/",
    "/password/reset/<uidb64>/<token>/",
    "/password/reset/done/",
    # Revoking needs a token; the demo tenant has none.
    "/api-tokens/<id:token_id>/revoke/",
    "/api-tokens/revoke-all/",
    "/settings/users/<id:pk>/api-tokens/revoke-all/",
    # Fetched by the browser and its service worker, never linked.
    "/manifest.webmanifest",
    "/sw.js",
    "/offline/",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def production_environment(home: Path, static_root: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAM_")}
    env.update(
        KAM_PRODUCTION="1",
        KAM_SECRET_KEY=SECRET,
        # Plain http on the loopback: cookies without the Secure flag (a browser, and
        # requests, would not send them back over http). Production's default stays on.
        KAM_HTTPS="0",
        KAM_HOME=str(home),
        KAM_STATIC_ROOT=str(static_root),
        KAM_DATABASE_URL=database_url,
        KAM_ALLOWED_HOSTS="127.0.0.1",
        KAM_LOG_LEVEL="WARNING",
    )
    return env


@pytest.fixture(scope="module")
def static_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`kam collectstatic --noinput` in production mode, as the README runs it."""
    home = tmp_path_factory.mktemp("production-static")
    root = home / "static"
    env = production_environment(home, root, f"sqlite:///{home / 'unused.sqlite3'}")
    done = subprocess.run(
        [str(BIN / "kam"), "collectstatic", "--noinput"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    return root


def test_every_static_file_the_templates_and_styles_name_is_in_the_manifest(static_root):
    manifest = json.loads((static_root / "staticfiles.json").read_text())["paths"]
    named = set()
    for template in (ROOT / "kam").rglob("templates/**/*.html"):
        named.update(re.findall(r"{%\s*static\s+['\"]([^'\"]+)['\"]", template.read_text()))
    for style in (ROOT / "kam").rglob("static/**/*.css"):
        for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", style.read_text()):
            if not url.startswith(("data:", "#", "http")):
                parts = style.parts[style.parts.index("static") + 1 :]
                named.add(os.path.normpath(Path(*parts).parent / url))
    assert "kam/favicon.svg" in named and "vendor/bootstrap/bootstrap.min.css" in named
    missing = sorted(name for name in named if name not in manifest)
    assert not missing, missing


def database_url(home: Path) -> str:
    """A URL the app server can open on the test's data (committed: the test is
    transactional)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        # The test database is in memory: copy it, demo tenant and all, into a file.
        copy = home / "kam.sqlite3"
        target = sqlite3.connect(copy)
        connection.ensure_connection()
        connection.connection.backup(target)
        target.close()
        return f"sqlite:///{copy}"
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    return f"postgres://{user}{password}@{host}:{db.get('PORT') or 5432}/{db['NAME']}"


@contextmanager
def production_server(home: Path, static_root: Path, url: str) -> Iterator[str]:
    """`gunicorn kam.wsgi` in production mode on a free port; yields its base URL."""
    port = free_port()
    log_path = home / "gunicorn.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [
                *(str(BIN / "gunicorn"), "kam.wsgi", "--bind", f"127.0.0.1:{port}"),
                *("--workers", "2", "--threads", "4", "--timeout", "120"),
            ],
            env=production_environment(home, static_root, url),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 90
            while True:
                try:
                    requests.get(base + "/login/", timeout=30)
                    break
                except requests.RequestException:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(log_path.read_text()) from None
                    time.sleep(0.2)
            yield base
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def sign_in(base: str, username: str) -> requests.Session:
    browser = requests.Session()
    form = browser.get(base + "/login/", timeout=30).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    assert token, form[:500]
    response = browser.post(
        base + "/login/",
        data={
            "username": username,
            "password": demo.DEMO_PASSWORD,
            "csrfmiddlewaretoken": token[1],
        },
        headers={"Referer": base + "/login/"},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302, (username, response.status_code, response.text[:500])
    return browser


def walk_as(base: str, username: str) -> tuple[Walk, list[str]]:
    """Every page ``username`` reaches from the home page; the answers that are wrong."""
    browser = sign_in(base, username)
    wrong: list[str] = []

    def get(path: str) -> tuple[int, str, str]:
        response = browser.get(base + path, allow_redirects=False, timeout=120)
        status = response.status_code
        if status == 405 and "GET" in response.headers.get("Allow", ""):
            wrong.append(f"{username} GET {path}: 405 though GET is allowed")
        elif status not in (200, 302, 405):
            # 405: a form's target that only takes POST (its Allow header says so).
            wrong.append(f"{username} GET {path}: {status}")
        return status, response.headers.get("Content-Type", ""), response.text

    return walk_pages(get), wrong


@pytest.mark.live_servers
@pytest.mark.django_db(transaction=True)
def test_production_mode_serves_every_page_and_static_file_to_every_role(tmp_path, static_root):
    demo.build(today=timezone.localdate(), log=lambda line: None)
    with production_server(tmp_path, static_root, database_url(tmp_path)) as base:
        with ThreadPoolExecutor(len(ROLES)) as pool:
            walks = dict(zip(ROLES, pool.map(lambda role: walk_as(base, role), ROLES), strict=True))
        wrong = [line for _walk, lines in walks.values() for line in lines]
        assert not wrong, "\n".join(wrong[:40])

        reached = {route for walk, _lines in walks.values() for route in walk.routes}
        unreached = sorted(set(ui_routes()) - reached - NOT_LINKED)
        assert not unreached, unreached
        for role, (walk, _lines) in walks.items():
            assert len(walk.statuses) > 50, (role, len(walk.statuses))

        static = {path for walk, _lines in walks.values() for path in walk.static}
        # Hashed names from the manifest: the pages name what collectstatic built.
        assert any(re.search(r"/kam/favicon\.[0-9a-f]{12}\.svg$", path) for path in static)
        assert any("/vendor/echarts/echarts.min." in path for path in static)
        broken = []
        for path in sorted(static):
            response = requests.get(base + path, timeout=30)
            if response.status_code != 200:
                broken.append(f"{path}: {response.status_code}")
        assert not broken, broken
        print(
            f"production walk: {sum(len(w.statuses) for w, _ in walks.values())} pages "
            f"over {len(reached)} routes, {len(static)} static files"
        )
