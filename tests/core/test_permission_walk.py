"""The permission walk: every URL of the UI and every operation of the API, tried by
people who must not get in.

The URL list comes from the URL configuration and the API list from the OpenAPI schema,
so an endpoint added later is walked without anyone editing this file.

The world is the demo tenant. An outsider (signed out) must be sent to the sign-in page
(UI) or refused (API). A rep of a new team, who owns nothing, must see none of the demo's
customers, people or deals on any page, any export, any chart data or any API answer,
whatever id they put in the URL, and nothing they post may change a record of the demo.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.apps import apps
from django.db import models
from rest_framework.test import APIClient

from kam.accounts.models import Account
from kam.core import demo
from kam.core.models import Team, User
from kam.core.services import tokens
from kam.pipeline.models import Opportunity
from kam.stakeholders.models import Contact
from tests.factories import TeamFactory, UserFactory
from tests.site_pages import fill, ui_routes

pytestmark = pytest.mark.django_db(transaction=False)

TODAY = date(2026, 11, 26)

# Pages anybody may open, signed in or not.
PUBLIC_PREFIXES = (
    "/login/",
    "/login/",
    "/password/reset/",
    "/language/",
    "/static/",
    "/api/v1/auth/token/",
    "/healthz",
    "/readyz",
    # The installable app's shell: the manifest, the service worker, its offline page.
    "/manifest.webmanifest",
    "/sw.js",
    "/offline/",
)
# Token-in-the-URL feeds answer 404 to a wrong token instead of a sign-in redirect.
TOKEN_ROUTE = re.compile(r"<(str|slug|uuid):(token|key)>")

# Rows that a signed-in person legitimately changes by using KAM at all: their last
# sign-in, their session, and the day a cash forecast last asked for the accounts' payment
# habits to be refreshed (kam.receivables.services.request_payment_habits_refresh).
TOUCHED_BY_USE = {"core.user", "sessions.session", "receivables.paymenthabitsasof"}


def api_operations(client: APIClient) -> list[tuple[str, str]]:
    schema = client.get("/api/v1/schema/?format=json").json()
    return sorted(
        (path, method.upper())
        for path, operations in schema["paths"].items()
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    )


def fill_api(path: str, ident: int) -> str:
    return re.sub(r"\{[^}]+\}", str(ident), path)


def world_rows() -> dict[tuple[str, object], tuple]:
    """Every row of KAM's own tables (but those changed by mere use), as plain values."""
    rows: dict[tuple[str, object], tuple] = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if not model.__module__.startswith("kam.") or label in TOUCHED_BY_USE:
            continue
        fields = [f.attname for f in model._meta.concrete_fields]
        for values in model.objects.values_list(*fields):
            rows[(label, values[0])] = values
    return rows


def sample_ids() -> list[int]:
    """The first and the last id of every KAM table with rows: ids that exist somewhere."""
    ids: set[int] = set()
    for model in apps.get_models():
        if not model.__module__.startswith("kam.") or model is User or model is Team:
            continue
        if not isinstance(model._meta.pk, models.AutoField | models.BigAutoField):
            continue
        first = model.objects.order_by("pk").values_list("pk", flat=True).first()
        last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
        ids.update(i for i in (first, last) if i is not None)
    return sorted(ids)


@pytest.fixture
def world(db):  # type: ignore[no-untyped-def]
    demo.build(today=TODAY, log=lambda line: None)
    outsider_team = TeamFactory(name="隔离测试组")
    stranger = UserFactory(username="stranger", team=outsider_team)
    # A demo user's API token: the stranger may neither see nor revoke it.
    owner = User.objects.exclude(pk=stranger.pk).order_by("pk").first()
    _token, key = tokens.issue_token(owner, name="演示数据集成令牌")
    secrets = [
        key,
        "演示数据集成令牌",
        *Account.objects.values_list("name", flat=True),
        *Opportunity.objects.values_list("name", flat=True),
        *Contact.objects.values_list("name", flat=True),
    ]
    secrets = [s for s in secrets if len(s) >= 4]
    return stranger, secrets


def leaked(body: str, secrets: list[str]) -> list[str]:
    return [s for s in secrets if s in body]


def test_the_walk_covers_every_area():
    routes = ui_routes()
    for area in ("/accounts/", "/people/", "/opportunities/", "/activities/", "/forecast/"):
        assert any(r.startswith(area) for r in routes), area
    assert sum("<id:" in r for r in routes) >= 10


def test_signed_out_visitors_are_sent_to_sign_in_everywhere(db):
    UserFactory(username="someone")
    walked = 0
    for route in ui_routes():
        path = fill(route, 1)
        if path.startswith(PUBLIC_PREFIXES) or TOKEN_ROUTE.search(route):
            continue
        for method in ("get", "post"):
            response = getattr(APIClient(), method)(path)
            walked += 1
            assert response.status_code in (302, 404, 405), (method, path, response.status_code)
            if response.status_code == 302:
                assert response["Location"].startswith("/login/"), (method, path)
    client = APIClient()
    for path, method in api_operations(client):
        if path.startswith(PUBLIC_PREFIXES) or path.startswith("/api/v1/schema"):
            continue
        response = client.generic(method, fill_api(path, 1))
        walked += 1
        assert response.status_code in (401, 403), (method, path, response.status_code)
    assert walked > 50
    print(f"permission walk, signed out: {walked} requests")


def _walk_as_stranger(world, walk) -> int:  # type: ignore[no-untyped-def]
    """Run ``walk(stranger, ids, secrets, failures)``; nothing may leak, fail or change."""
    stranger, secrets = world
    before = world_rows()
    ids = sample_ids()
    assert len(ids) >= 2 and len(secrets) > 100
    failures: list[str] = []
    walked = walk(stranger, ids, secrets, failures)
    after = world_rows()
    changed = [key for key, values in before.items() if after.get(key) != values]
    assert not failures, "\n".join(failures[:40])
    assert not changed, f"changed or deleted by a stranger: {changed[:20]}"
    return walked


def _sent_to_sign_in(response) -> bool:  # type: ignore[no-untyped-def]
    return response.status_code == 302 and response["Location"].startswith("/login/")


def _walk_pages(stranger, ids, secrets, failures) -> int:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_login(stranger)
    walked = 0
    for route in ui_routes():
        if route.startswith("/logout/"):
            continue
        paths = [fill(route, i) for i in ids] if "<id:" in route else [fill(route, 0)]
        for path in paths:
            for method in ("get", "post"):
                response = getattr(client, method)(path)
                if _sent_to_sign_in(response):
                    # The session was lost on the way (a page that signs out, say): sign
                    # in again and ask again, so every request is the stranger's. (Signing
                    # in before every request was a third of the walk on PostgreSQL.)
                    client.force_login(stranger)
                    response = getattr(client, method)(path)
                walked += 1
                if response.status_code >= 500:
                    failures.append(f"{method} {path}: {response.status_code}")
                elif response.status_code in (200, 403, 409, 400):
                    found = leaked(response.content.decode(errors="replace"), secrets)
                    if found:
                        failures.append(f"{method} {path}: shows {found[:3]}")
    return walked


def _walk_api(stranger, ids, secrets, failures) -> int:  # type: ignore[no-untyped-def]
    api = APIClient()
    api.force_authenticate(stranger)
    walked = 0
    for path, method in api_operations(api):
        for ident in ids if "{" in path else [0]:
            response = api.generic(
                method, fill_api(path, ident), data="{}", content_type="application/json"
            )
            walked += 1
            if response.status_code >= 500:
                failures.append(f"API {method} {path} [{ident}]: {response.status_code}")
            elif leaked(response.content.decode(errors="replace"), secrets):
                failures.append(f"API {method} {path} [{ident}]: leaks")
    return walked


# The pages and the API are two tests, so that parallel test runs walk them side by side
# (together they were the longest test of the suite by far).
def test_a_rep_of_another_team_sees_and_changes_nothing_on_any_page(world):
    walked = _walk_as_stranger(world, _walk_pages)
    assert walked > 200
    print(f"permission walk, stranger: {walked} requests over {len(ui_routes())} UI routes")


def test_a_rep_of_another_team_sees_and_changes_nothing_in_the_api(world):
    walked = _walk_as_stranger(world, _walk_api)
    assert walked > 50
    print(f"permission walk, stranger: {walked} API requests")
