"""The API's boundary walk: every operation of the published schema, asked for numbers
and dates beyond any range and for JSON nested too deep.

The operations and their parameters come from the OpenAPI schema, so an endpoint or a
filter added later is walked without anyone editing this file. An integer parameter
beyond the database's 64-bit range, the years 1 and 9999 in a date: each is refused
(400) or ignored, never a server error; an id in the path beyond the range is not found
(404); a body nested a thousand levels deep is a 400, never a RecursionError.
"""

from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from kam.core.services import tokens as token_services
from tests.core.test_permission_walk import fill_api
from tests.factories import AccountFactory, ActivityFactory, OpportunityFactory

pytestmark = pytest.mark.django_db

HUGE = "99999999999999999999999"
DATES = ("0001-01-01", "9999-12-31")


def _schema(client: APIClient) -> dict:
    return client.get("/api/v1/schema/?format=json").json()


def _value(parameter: dict, date_value: str) -> str | None:
    schema = parameter.get("schema", {})
    kind, form = schema.get("type"), schema.get("format")
    if kind == "integer" or (kind == "number" and form != "double"):
        return HUGE
    if kind == "string" and form in {"date", "date-time"}:
        return date_value
    return None


@pytest.fixture
def director_client(org):  # type: ignore[no-untyped-def]
    account = AccountFactory(owner=org.rep)
    ActivityFactory(account=account, opportunity=OpportunityFactory(account=account))
    _token, key = token_services.issue_token(org.director, name="boundary walk")
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def test_no_operation_answers_a_server_error_to_numbers_and_dates_out_of_range(director_client):
    client = director_client
    schema = _schema(client)
    failures: list[str] = []
    walked = 0
    for path, operations in schema["paths"].items():
        get = operations.get("get")
        if get is None or "revoke" in path:
            continue
        parameters = get.get("parameters", [])
        if "{" in path:
            status = client.get(fill_api(path, int(HUGE))).status_code
            walked += 1
            if status != 404:
                failures.append(f"GET {fill_api(path, int(HUGE))}: {status}, not 404")
            continue
        for date_value in DATES:
            query = {
                p["name"]: value
                for p in parameters
                if p.get("in") == "query" and (value := _value(p, date_value)) is not None
            }
            if not query:
                continue
            status = client.get(path, query).status_code
            walked += 1
            if status >= 500:
                failures.append(f"GET {path} {query}: {status}")
    assert not failures, "\n".join(failures[:40])
    assert walked > 50


def test_json_nested_a_thousand_levels_is_a_400_on_every_write(director_client):
    client = director_client
    schema = _schema(client)
    # Written out by hand: Python's own encoder refuses to nest that deep.
    body = '{"name": ' + '{"a": ' * 1000 + '"x"' + "}" * 1001
    failures: list[str] = []
    walked = 0
    for path, operations in schema["paths"].items():
        if "{" in path or "revoke" in path:
            continue
        if "requestBody" not in operations.get("post", {}):
            continue
        response = client.post(path, data=body, content_type="application/json")
        walked += 1
        # Refused as a bad body, as a body of the wrong kind (a file upload), or before
        # reading it (an operation this user may not do).
        if response.status_code not in (400, 403, 415):
            failures.append(f"POST {path}: {response.status_code}")
    assert not failures, "\n".join(failures[:40])
    assert walked > 10
