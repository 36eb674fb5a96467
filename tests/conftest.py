from __future__ import annotations

import pytest
from django.utils import translation
from hypothesis import settings as hypothesis_settings
from rest_framework.test import APIClient

from kam.core.models import Role
from tests.factories import PASSWORD, TeamFactory, UserFactory

# Property tests check what holds, not how fast: a shared or busy CI machine must not turn
# a slow example into a failure (speed is measured by benchmarks/, never by a test).
hypothesis_settings.register_profile("kam", deadline=None)
hypothesis_settings.load_profile("kam")


@pytest.fixture(autouse=True)
def _english_outside_requests():  # type: ignore[no-untyped-def]
    """Code called outside a request speaks the source language, English.

    Pages pick their language per request (the user's, zh-Hans by default), so a test
    that reads a page sees the catalogue; a test of a service reads its message as written.
    """
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _cheap_password_hashing(settings):  # type: ignore[no-untyped-def]
    settings.PASSWORD_HASHERS = [
        "tests.hashers.CheapArgon2PasswordHasher",
        *settings.PASSWORD_HASHERS,
    ]


@pytest.fixture
def org(db):  # type: ignore[no-untyped-def]
    """A small organisation: two regions, each with a team, a manager and reps."""

    class Org:
        pass

    o = Org()
    o.company = TeamFactory(name="全国销售部")
    o.east = TeamFactory(name="华东大区", parent=o.company)
    o.shanghai = TeamFactory(name="上海组", parent=o.east)
    o.north = TeamFactory(name="华北大区", parent=o.company)
    o.east_manager = UserFactory(username="east_mgr", role=Role.MANAGER, team=o.east)
    o.east.manager = o.east_manager
    o.east.save()
    o.north_manager = UserFactory(username="north_mgr", role=Role.MANAGER, team=o.north)
    o.rep = UserFactory(username="rep_sh", team=o.shanghai)
    o.rep2 = UserFactory(username="rep_sh2", team=o.shanghai)
    o.north_rep = UserFactory(username="rep_bj", team=o.north)
    o.director = UserFactory(username="director", role=Role.DIRECTOR, team=o.company)
    o.finance = UserFactory(username="finance", role=Role.FINANCE, team=o.company)
    o.admin = UserFactory(username="admin", role=Role.ADMIN, team=None)
    return o


@pytest.fixture
def login(client):  # type: ignore[no-untyped-def]
    def _login(user):  # type: ignore[no-untyped-def]
        client.force_login(user)
        return client

    return _login


@pytest.fixture
def api():  # type: ignore[no-untyped-def]
    def _api(user=None):  # type: ignore[no-untyped-def]
        c = APIClient()
        if user is not None:
            c.force_authenticate(user)
        return c

    return _api


@pytest.fixture
def password() -> str:
    return PASSWORD


SEED_MIGRATIONS = [
    "kam.accounts.migrations.0004_seed_criteria_policy_product_lines",
    "kam.pipeline.migrations.0002_seed_stage_models",
    "kam.receivables.migrations.0002_seed_excuse_library",
    "kam.performance.migrations.0002_seed_scorecard",
]


@pytest.fixture(autouse=True)
def _seeded_scales_in_transactional_tests(request):  # type: ignore[no-untyped-def]
    """A transactional test's flush also empties the scales the data migrations seed
    (stage models, criteria, the excuse library…); put them back for the next one."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None or not marker.kwargs.get("transaction"):
        return
    request.getfixturevalue("transactional_db")
    from importlib import import_module

    from django.apps import apps
    from django.db import connection

    from kam.pipeline.models import StageModel

    if StageModel.objects.exists():
        return
    for name in SEED_MIGRATIONS:
        import_module(name).seed(apps, connection.schema_editor())
