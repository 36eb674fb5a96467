"""Signing in, throttling, tokens."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from kam.core.models import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_login_with_the_right_password(client, password):
    user = UserFactory()
    response = client.post(reverse("login"), {"username": user.username, "password": password})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_passwords_are_hashed_with_argon2():
    user = UserFactory()
    assert user.password.startswith("argon2")


def test_wrong_password_gets_a_translated_message(client):
    user = UserFactory()
    response = client.post(
        reverse("login"),
        {"username": user.username, "password": "nope"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 200
    assert "用户名" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


@override_settings(KAM_LOGIN_MAX_FAILURES=3)
def test_repeated_failures_lock_the_user_name_even_with_the_right_password(client, password):
    user = UserFactory()
    for _ in range(3):
        client.post(reverse("login"), {"username": user.username, "password": "wrong-guess"})
    # English chosen with the switcher: the sign-in page follows the company default otherwise.
    client.cookies["kam_language"] = "en"
    response = client.post(reverse("login"), {"username": user.username, "password": password})
    assert "Too many failed sign-in attempts" in response.content.decode()
    assert not response.wsgi_request.user.is_authenticated


def test_api_token_is_obtained_and_used_as_a_header(password):
    user = UserFactory(role=Role.DIRECTOR)
    client = APIClient()
    token = client.post("/api/v1/auth/token/", {"username": user.username, "password": password})
    assert token.status_code == 200
    key = token.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/users/").status_code == 200


@override_settings(KAM_LOGIN_MAX_FAILURES=2)
def test_api_token_endpoint_is_throttled_too(password):
    user = UserFactory()
    client = APIClient()
    for _ in range(2):
        bad = client.post("/api/v1/auth/token/", {"username": user.username, "password": "x"})
        assert bad.status_code == 400
    locked = client.post("/api/v1/auth/token/", {"username": user.username, "password": password})
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "locked_out"


def test_logout_ends_the_session(client):
    client.force_login(UserFactory())
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302
