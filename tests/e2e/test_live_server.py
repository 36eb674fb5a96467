"""The browser tests' server itself: parallel requests, as a browser sends them, all answer."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request

import pytest
from django.test import Client

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_parallel_panel_requests_each_get_a_page(live_server, org):
    # The special-days panel writes its access log inside a transaction while other
    # requests read; on the in-memory SQLite test database this used to fail now and
    # then with "database table is locked" (a 503 in the browser tests).
    client = Client()
    client.force_login(org.rep)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    statuses: list[int] = []

    def fetch_repeatedly() -> None:
        for _ in range(25):
            request = urllib.request.Request(
                f"{live_server.url}/reports/dashboard/special_days/", headers={"Cookie": cookie}
            )
            try:
                with urllib.request.urlopen(request, timeout=30) as answer:
                    statuses.append(answer.status)
            except urllib.error.HTTPError as error:
                statuses.append(error.code)

    threads = [threading.Thread(target=fetch_repeatedly) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert statuses == [200] * 200
