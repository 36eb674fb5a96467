from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest


@dataclass
class Received:
    path: str
    query: dict[str, list[str]]
    body: dict[str, Any]


@dataclass
class FakeBotServer:
    """A real HTTP server on 127.0.0.1 that answers like a group bot, or badly on request.

    ``behaviour`` is a list of what to do with each next request: "ok", "error" (HTTP 500),
    "refuse" (HTTP 200 with an error code in the body) or "hang" (answer after the client
    gave up); when the list runs out, it answers "ok".
    """

    port: int = 0
    behaviour: list[str] = field(default_factory=list)
    received: list[Received] = field(default_factory=list)
    hang_seconds: float = 2.0

    def url(self, path: str = "/robot/send?access_token=test-token-123456") -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture
def bot_server() -> Iterator[FakeBotServer]:
    state = FakeBotServer()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", 0))
            raw = self.rfile.read(length)
            parts = urlsplit(self.path)
            state.received.append(
                Received(parts.path, parse_qs(parts.query), json.loads(raw.decode() or "{}"))
            )
            what = state.behaviour.pop(0) if state.behaviour else "ok"
            if what == "hang":
                time.sleep(state.hang_seconds)
            if what == "error":
                self.send_response(500)
                self.end_headers()
                self.wfile.write(b"internal error")
                return
            answer = (
                {"errcode": 310000, "errmsg": "keywords not in content"}
                if what == "refuse"
                else {"errcode": 0, "errmsg": "ok"}
            )
            data = json.dumps(answer).encode()
            try:
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def immediate_tasks(settings):  # type: ignore[no-untyped-def]
    """Queued jobs run at once (django-tasks resets its backends when the setting changes)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
