"""A bounded load test: gunicorn on 127.0.0.1, simulated users, then it stops.

Only loopback traffic; a fixed duration; every request's latency recorded.
"""

from __future__ import annotations

import http.client
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Kam-demo-2026"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Session:
    """One simulated user: a keep-alive connection and a session cookie."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(self, method: str, path: str, body: dict[str, str] | None = None) -> int:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        data = None
        if body is not None:
            data = urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["X-CSRFToken"] = self.cookies.get("csrftoken", "")
            headers["Referer"] = f"http://127.0.0.1:{self.port}/"
        try:
            self.connection.request(method, path, body=data, headers=headers)
            response = self.connection.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            return 0
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        self.last_body = payload
        return response.status

    def login(self, username: str) -> None:
        self.request("GET", "/login/")
        status = self.request("POST", "/login/", {"username": username, "password": PASSWORD})
        if status != 302:
            raise RuntimeError(f"login of {username} failed with {status}")


def _mix(rng: random.Random, account_ids: list[int]) -> tuple[str, str, dict[str, str] | None]:
    """A realistic mix: mostly reads, some writes."""
    roll = rng.random()
    if roll < 0.25:
        return "GET", "/", None
    if roll < 0.45:
        return "GET", "/accounts/", None
    if roll < 0.65:
        return "GET", f"/accounts/{rng.choice(account_ids)}/", None
    if roll < 0.80:
        return "GET", "/opportunities/", None
    if roll < 0.90:
        return "GET", "/forecast/", None
    language = rng.choice(["zh-hans", "en"])
    return "POST", "/language/", {"language": language, "next": "/"}


#: What a browser fetches after a page: the htmx panels it loads on arrival.
_LAZY = re.compile(r'hx-get="(/[^"]+)"[^>]*hx-trigger="load"')


def run(
    *, users: int, seconds: int, workers: int = 4, think_ms: tuple[int, int] = (500, 2000)
) -> dict[str, Any]:
    """Drive the server for ``seconds``; each simulated user reads a page (and, as a
    browser does, the panels it loads on arrival), then pauses a random time within
    ``think_ms`` before the next, as a person reading it would. ``(0, 0)`` makes it
    a stress test: every user requests again the moment an answer arrives."""
    import django

    django.setup()
    from kam.accounts.visibility import visible_accounts
    from kam.core.models import Role, User

    people = list(User.objects.filter(role__in=[Role.REP, Role.MANAGER]).order_by("pk")[:users])
    accounts = {u.pk: list(visible_accounts(u).values_list("pk", flat=True)[:200]) for u in people}
    port = free_port()
    env = dict(os.environ, KAM_ALLOWED_HOSTS="127.0.0.1,localhost")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "kam.wsgi",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--timeout",
            "60",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        latencies: list[float] = []
        by_page: dict[str, list[float]] = {}
        errors: list[str] = []
        lock = threading.Lock()
        # Everybody signs in before the clock starts; a failed sign-in is an error, not a
        # silently dead simulated user.
        sessions: list[tuple[Session, Any]] = []
        for user in people:
            session = Session(port)
            try:
                session.login(user.username)
            except RuntimeError as exc:
                errors.append(str(exc))
                continue
            sessions.append((session, user))
        deadline = time.monotonic() + seconds

        def user_loop(index: int, session: Session, user: Any) -> None:
            rng = random.Random(index)
            mine = accounts[user.pk] or [0]
            while time.monotonic() < deadline:
                method, path, body = _mix(rng, mine)
                requests = [(method, path, body)]
                while requests and time.monotonic() < deadline:
                    method, path, body = requests.pop(0)
                    started = time.perf_counter()
                    status = session.request(method, path, body)
                    elapsed = (time.perf_counter() - started) * 1000
                    with lock:
                        latencies.append(elapsed)
                        by_page.setdefault(re.sub(r"\d+", "N", path), []).append(elapsed)
                        if status not in (200, 302):
                            errors.append(f"{method} {path}: {status}")
                    if status == 200 and method == "GET" and path == "/":
                        page = session.last_body.decode("utf-8", "replace")
                        requests += [("GET", url, None) for url in _LAZY.findall(page)]
                pause = rng.uniform(think_ms[0], think_ms[1]) / 1000
                time.sleep(max(0.0, min(pause, deadline - time.monotonic())))

        threads = [
            threading.Thread(target=user_loop, args=(i, session, user))
            for i, (session, user) in enumerate(sessions)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=seconds + 120)
    finally:
        server.terminate()
        server.wait(timeout=30)
    ordered = sorted(latencies) or [0.0]

    def pct(share: float) -> float:
        return round(ordered[min(len(ordered) - 1, int(share * len(ordered)))], 1)

    return {
        "users": len(sessions),
        "seconds": seconds,
        "workers": workers,
        "think_ms": list(think_ms),
        "requests": len(latencies),
        "throughput": len(latencies) / seconds,
        "p50_ms": round(statistics.median(ordered), 1),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        # The pages whose answers were slowest under the load (p95 per page, ms).
        "slowest": {
            page: round(sorted(times)[min(len(times) - 1, int(0.95 * len(times)))], 1)
            for page, times in sorted(
                by_page.items(), key=lambda item: -sorted(item[1])[int(0.95 * len(item[1]))]
            )[:6]
        },
        "errors": len(errors),
        "error_samples": errors[:10],
    }


__all__ = ["run"]
