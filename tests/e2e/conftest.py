"""Browser tests: Playwright for Python driving Debian's Chromium, headless."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.servers.basehttp import ThreadedWSGIServer
from django.db import connections
from django.test.testcases import LiveServerThread

CHROMIUM = os.environ.get("KAM_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("KAM_TEST_ARTIFACTS", "test-artifacts"))


class _SerialisedResponse:
    """A response body that gives the request lock back once the server has closed it."""

    def __init__(self, body: Iterable[bytes], lock: threading.Lock) -> None:
        self._body = body
        self._lock = lock

    def __iter__(self) -> Iterator[bytes]:
        return iter(self._body)

    def close(self) -> None:
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            self._lock.release()


class SerialisedWSGIServer(ThreadedWSGIServer):
    """The live server, one request at a time when the test database is SQLite in memory.

    Every server thread then opens its own connection to one shared-cache in-memory
    database, where a writer and a reader in two threads conflict at once ("database
    table is locked", which SQLite's busy timeout does not wait out) or trip over each
    other's transaction. A browser loads a dashboard's lazy panels in parallel, and the
    special-days panel writes its access log, so the e2e tests failed now and then.
    Production servers open a file or PostgreSQL and never meet this; on PostgreSQL
    the live server stays threaded.
    """

    def set_app(self, application: Callable[..., Iterable[bytes]]) -> None:
        lock = threading.Lock()

        def serialised(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
            if not _in_memory_database():
                return application(environ, start_response)
            lock.acquire()
            try:
                body = application(environ, start_response)
            except BaseException:
                lock.release()
                raise
            return _SerialisedResponse(body, lock)

        super().set_app(serialised)


def _in_memory_database() -> bool:
    connection = connections["default"]
    return connection.vendor == "sqlite" and connection.is_in_memory_db()


# pytest-django's session-wide live server is built from this class on first use
# (before the test database exists, so the choice is made per request).
LiveServerThread.server_class = SerialisedWSGIServer


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    # Playwright's sync API runs an event loop in this thread, which trips Django's
    # async-safety guard for the test's own ORM calls; the live server has its own thread.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    if not Path(CHROMIUM).exists():
        if os.environ.get("KAM_REQUIRE_BROWSER"):
            pytest.fail(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
        pytest.skip(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--disable-quic",
            ],
        )
        yield browser
        browser.close()
    os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)


@pytest.fixture
def page(browser, live_server):  # type: ignore[no-untyped-def]
    context = browser.new_context(locale="zh-CN", viewport={"width": 1400, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.base_url = live_server.url
    page.console_errors = errors
    yield page
    context.close()
