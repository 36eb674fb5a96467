"""The boundary walk: every page of the UI, asked for numbers and dates beyond any range.

The routes come from the URL configuration and the parameter names from KAM's own
source (every ``request.GET.get("…")``, ``params.get("…")``, ``query_int(…, "…")``), so
a page or a filter added later is walked without anyone editing this file. A number
beyond the database's 64-bit range, the years 1 and 9999 in a date, a week, a month or
a period: each may be refused (400) or ignored, never a server error; an id in a URL
beyond the range is simply not found.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

import kam
from kam.core.params import FIRST_YEAR, LAST_YEAR, MAX_ID
from tests.core.test_permission_walk import fill, ui_routes
from tests.factories import AccountFactory, ActivityFactory, OpportunityFactory

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999999"
BOUNDARIES = [
    HUGE,
    str(MAX_ID + 1),
    "1",
    "9999",
    "0001-01-01",
    "9999-12-31",
    "9999-W52",
    "9999-Q4",
    f"team:{HUGE}",
]
_READ = re.compile(
    r'(?:GET|POST|params|query_params|source)\.(?:get|getlist)\(\s*"([a-z_]+)"'
    r'|(?:query_int|query_date|_int_param)\([\w.]+, "([a-z_]+)"'
    r'|GET\["([a-z_]+)"\]'
    r'|"([a-z_]+)" in request\.GET'
)


def parameter_names() -> list[str]:
    names: set[str] = set()
    for source in Path(kam.__file__).parent.rglob("*.py"):
        for match in _READ.finditer(source.read_text(encoding="utf-8")):
            names.update(group for group in match.groups() if group)
    return sorted(names)


def _get(client: Client, path: str, params: dict[str, str]) -> int:
    return client.get(path, params).status_code


def test_the_walk_reads_the_parameters_of_the_source():
    names = parameter_names()
    for name in ("owner", "team", "account", "year", "week", "period", "date", "since"):
        assert name in names


def test_no_page_answers_a_server_error_to_numbers_and_dates_out_of_range(org):
    account = AccountFactory(owner=org.rep)
    opportunity = OpportunityFactory(account=account)
    ActivityFactory(account=account, opportunity=opportunity)
    client = Client(raise_request_exception=False)
    client.force_login(org.director)
    names = parameter_names()
    failures: list[str] = []
    walked = 0
    for route in ui_routes():
        if route.startswith(("/logout/", "/login/", "/language/")):
            continue
        if "<id:" in route:
            path = fill(route, int(HUGE))
            status = _get(client, path, {})
            walked += 1
            if status != 404:
                failures.append(f"{path}: {status}, not 404")
            continue
        path = fill(route, 0)
        for value in BOUNDARIES:
            # Every parameter at once: one request per page and value keeps the walk short.
            status = _get(client, path, dict.fromkeys(names, value))
            walked += 1
            if status >= 500:
                failures.append(f"{path} every parameter={value}: {status}")
    assert not failures, "\n".join(failures[:40])
    assert walked > 200
    print(f"boundary walk: {walked} requests")


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/accounts/", "owner"),
        ("/opportunities/", "team"),
        ("/activities/", "account"),
    ],
)
def test_an_integer_filter_out_of_range_is_refused_with_its_name(org, login, path, name):
    response = login(org.director).get(path, {name: HUGE})
    assert response.status_code == 400
    text = response.content.decode()
    assert f"“{name}”" in text
    assert str(MAX_ID) in text


@pytest.mark.parametrize(
    ("path", "name", "value"),
    [
        ("/accounts/matrix/", "year", "9999"),
        ("/forecast/progress/", "week", "9999-W52"),
        ("/activities/calendar/", "date", "0001-01-01"),
        ("/activities/", "date_from", "9999-12-31"),
    ],
)
def test_a_date_out_of_the_supported_years_is_refused_with_its_name(org, login, path, name, value):
    response = login(org.director).get(path, {name: value})
    assert response.status_code == 400
    text = response.content.decode()
    assert f"“{name}”" in text
    assert f"{FIRST_YEAR}" in text and f"{LAST_YEAR}" in text
