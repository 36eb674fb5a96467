"""Several stateless app servers against one PostgreSQL (issue 9, scale-out), and a
real database outage that clears by itself (issue 10, faults).

Each test starts real processes: gunicorn app servers on 127.0.0.1 and `kam db_worker`
workers, all pointed at the test database (the tests are transactional, so what the
test writes is committed and visible to them). PostgreSQL only: the point is several
processes, possibly on several machines, sharing one database server; the embedded
SQLite is for one machine.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pytest
import requests
from django.db import connection
from django_tasks_db.models import DBTaskResult

from kam.accounts.models import Account
from kam.core.models import Role
from kam.forecasting import tasks
from kam.forecasting.models import SnapshotWeek
from kam.forecasting.services import last_completed_week
from tests.factories import PASSWORD, UserFactory

pytestmark = [
    pytest.mark.live_servers,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="needs PostgreSQL: several app servers and workers share one database "
        "server (run with KAM_DATABASE_URL=postgres://...)",
    ),
]

BIN = Path(sys.executable).parent
SECRET = "scale-out-test-secret-" + "k" * 40


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def database_url(host: str | None = None, port: int | None = None) -> str:
    db = connection.settings_dict
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return (
        f"postgres://{user}{password}@{host or db.get('HOST') or '127.0.0.1'}:"
        f"{port or db.get('PORT') or 5432}/{db['NAME']}"
    )


def environment(tmp_path: Path, url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KAM_")}
    env.update(
        KAM_DATABASE_URL=url,
        KAM_SECRET_KEY=SECRET,  # every app server signs with the same key
        KAM_HOME=str(tmp_path),
        KAM_ALLOWED_HOSTS="127.0.0.1",
        KAM_LOG_LEVEL="WARNING",
    )
    return env


@contextmanager
def app_server(tmp_path: Path, url: str) -> Iterator[str]:
    """A gunicorn app server on a free port of 127.0.0.1; yields its base URL."""
    port = free_port()
    log = open(tmp_path / f"gunicorn-{port}.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        [str(BIN / "gunicorn"), "kam.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        env=environment(tmp_path, url),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(base + "/login/", timeout=30)
                break
            except requests.RequestException:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((tmp_path / f"gunicorn-{port}.log").read_text()) from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def sign_in(base: str, username: str) -> requests.Session:
    """Sign in through the login form (CSRF token and all), as a browser does."""
    browser = requests.Session()
    form = browser.get(base + "/login/", timeout=30).text
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    assert token, form[:500]
    response = browser.post(
        base + "/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token[1]},
        headers={"Referer": base + "/login/"},
        allow_redirects=False,
        timeout=30,
    )
    assert response.status_code == 302, response.text[:500]
    return browser


def test_two_app_servers_share_sessions_writes_and_the_job_queue(tmp_path):
    director = UserFactory(username="scale_director", role=Role.DIRECTOR)
    url = database_url()
    with app_server(tmp_path, url) as a, app_server(tmp_path, url) as b:
        # A session opened on A works on B: sessions live in the database.
        browser = sign_in(a, "scale_director")
        cookies = browser.cookies.get_dict()
        on_b = requests.get(b + "/", cookies=cookies, allow_redirects=False, timeout=30)
        assert on_b.status_code == 200 and 'action="/logout/"' in on_b.text  # signed in

        # A write through A's API is read through B, by API and by page.
        token = requests.post(
            a + "/api/v1/auth/token/",
            json={"username": "scale_director", "password": PASSWORD},
            timeout=30,
        ).json()["token"]
        auth = {"Authorization": f"Token {token}"}
        created = requests.post(
            a + "/api/v1/accounts/",
            json={"name": "横向扩展测试客户 <b>A</b>", "industry": "telecom", "owner": director.pk},
            headers=auth,
            timeout=30,
        )
        assert created.status_code == 201, created.text
        pk = created.json()["id"]
        read = requests.get(f"{b}/api/v1/accounts/{pk}/", headers=auth, timeout=30)
        assert read.status_code == 200 and read.json()["name"] == "横向扩展测试客户 <b>A</b>"
        page = requests.get(f"{b}/accounts/{pk}/", cookies=cookies, timeout=30)
        assert page.status_code == 200 and "横向扩展测试客户 &lt;b&gt;A&lt;/b&gt;" in page.text
        # ... and a change through B is seen by A.
        changed = requests.patch(
            f"{b}/api/v1/accounts/{pk}/",
            json={"city": "杭州", "version": 1},
            headers=auth,
            timeout=30,
        )
        assert changed.status_code == 200, changed.text
        assert (
            requests.get(f"{a}/api/v1/accounts/{pk}/", headers=auth, timeout=30).json()["city"]
            == "杭州"
        )
    assert Account.objects.filter(pk=pk, city="杭州").exists()

    # Jobs enqueued once are run exactly once, by whichever of two workers claims them.
    week = last_completed_week().monday.isoformat()
    queued = [tasks.take_weekly_snapshot.enqueue(week=week).id for _ in range(12)]
    workers = [
        subprocess.Popen(
            [str(BIN / "kam"), "db_worker", "--batch", "--no-startup-delay", "--interval", "0"],
            env=environment(tmp_path, url),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]
    for worker in workers:
        assert worker.wait(timeout=120) == 0
    results = DBTaskResult.objects.filter(id__in=queued)
    assert results.count() == 12
    for result in results:
        assert result.status == "SUCCESSFUL"
        assert len(result.worker_ids) == 1, result.worker_ids  # claimed by one worker only
    assert SnapshotWeek.objects.filter(week=week).count() == 1


class Proxy:
    """A TCP relay between the app server and PostgreSQL that can be cut and mended."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self.up = threading.Event()
        self.sockets: list[socket.socket] = []
        self.listener: socket.socket | None = None
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(16)
        self.listener = listener
        self.up.set()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        assert self.listener is not None
        while self.up.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up.is_set():
                client.close()
                return
            server = socket.create_connection(self.target)
            self.sockets += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        """The database goes away: open connections drop, new ones are refused."""
        self.up.clear()
        if self.listener is not None:
            with suppress(OSError):
                self.listener.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept()
            self.listener.close()
        for s in self.sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass
        self.sockets.clear()


def test_a_database_outage_is_a_clear_503_and_clears_by_itself(tmp_path):
    UserFactory(username="outage_rep")
    db = connection.settings_dict
    proxy = Proxy((db.get("HOST") or "127.0.0.1", int(db.get("PORT") or 5432)))
    proxy.start()
    with app_server(tmp_path, database_url("127.0.0.1", proxy.port)) as base:
        browser = sign_in(base, "outage_rep")
        assert browser.get(base + "/accounts/", timeout=30).status_code == 200

        proxy.cut()
        page = browser.get(base + "/accounts/", headers={"Accept-Language": "zh-hans"}, timeout=30)
        assert page.status_code == 503
        assert page.headers["Retry-After"] == "30"
        assert "Traceback" not in page.text
        api = browser.get(base + "/api/v1/accounts/", timeout=30)
        assert api.status_code == 503
        assert api.headers["Content-Type"].startswith("application/json")
        assert api.json()["error"]["code"] == "service_unavailable"

        proxy.start()  # the database is back; nobody restarts KAM
        deadline = time.monotonic() + 30
        statuses = []
        while time.monotonic() < deadline:
            statuses.append(browser.get(base + "/accounts/", timeout=30).status_code)
            if statuses[-1] == 200:
                break
            time.sleep(0.5)
        assert statuses[-1] == 200, statuses
        assert browser.get(base + "/api/v1/accounts/", timeout=30).status_code == 200
    proxy.cut()
