"""Signing in, throttling, tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from kam.core.models import LoginFailure, Role
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


WRONG_PASSWORD = (
    "Please enter a correct username and password. Note that both fields may be case-sensitive."
)


def _sign_in(client, username, password, address, language="en"):
    # The language chosen with the switcher: the sign-in page ignores the browser's.
    client.cookies["kam_language"] = language
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def _retry_at(failure_index=0, minutes=15):
    """The local clock time a lock ends: the failure that must leave the window, plus it."""
    first = LoginFailure.objects.order_by("at")[failure_index].at
    return timezone.localtime(first + timedelta(minutes=minutes)).strftime("%H:%M")


@override_settings(KAM_LOGIN_PAIR_FAILURES=3)
def test_repeated_failures_lock_the_name_from_that_address_even_with_the_right_password(
    client, password
):
    user = UserFactory()
    for _ in range(3):
        _sign_in(client, user.username, "wrong-guess", "10.0.0.1")
    response = _sign_in(client, user.username, password, "10.0.0.1")
    assert response.context["form"].non_field_errors() == [
        "Too many failed sign-in attempts for this user from your address. "
        f"Try again after {_retry_at()} (in 15 minutes)."
    ]
    assert not response.wsgi_request.user.is_authenticated


def test_the_lock_message_is_translated(client, password):
    user = UserFactory()
    for _ in range(5):
        _sign_in(client, user.username, "wrong-guess", "10.0.0.1")
    response = _sign_in(client, user.username, password, "10.0.0.1", language="zh-hans")
    assert response.context["form"].non_field_errors() == [
        f"此用户从您的地址登录失败次数过多。请在 {_retry_at()} 之后（15 分钟后）重试。"
    ]


def test_twenty_wrong_passwords_from_one_address_do_not_lock_admin_out_elsewhere(client, password):
    admin = UserFactory(username="admin", role=Role.ADMIN)
    answers = [_sign_in(client, "admin", "guess-123456", "203.0.113.7") for _ in range(20)]
    errors = [r.context["form"].non_field_errors() for r in answers]
    assert errors[:5] == [[WRONG_PASSWORD]] * 5
    assert (
        errors[5:]
        == [
            [
                "Too many failed sign-in attempts for this user from your address. "
                f"Try again after {_retry_at()} (in 15 minutes)."
            ]
        ]
        * 15
    )
    # Refused attempts are not even checked, so they are not counted either.
    assert LoginFailure.objects.count() == 5

    other = Client()
    response = _sign_in(other, "admin", password, "198.51.100.20")
    assert response.status_code == 302
    assert other.get(reverse("home")).wsgi_request.user == admin


def test_one_address_spraying_names_is_stopped_and_other_addresses_are_not(client, password):
    user = UserFactory(username="rep_real")
    answers = [_sign_in(client, f"name{n:02}", "Spring2026!", "203.0.113.7") for n in range(30)]
    locked = [r for r in answers if "from your address" in r.content.decode()]
    assert len(locked) == 10
    assert LoginFailure.objects.count() == 20
    # The address is stopped even for a name it has never tried, with the right password.
    response = _sign_in(client, user.username, password, "203.0.113.7")
    assert response.context["form"].non_field_errors() == [
        "Too many failed sign-in attempts from your address. "
        f"Try again after {_retry_at()} (in 15 minutes)."
    ]
    assert _sign_in(Client(), user.username, password, "198.51.100.20").status_code == 302
    assert _sign_in(Client(), "name01", "still-wrong", "198.51.100.21").status_code == 200
    assert LoginFailure.objects.filter(ip_address="198.51.100.21").count() == 1


def test_guessing_one_name_from_many_addresses_reaches_the_slower_name_limit(client, password):
    user = UserFactory(username="admin")
    addresses = [f"203.0.113.{n}" for n in range(1, 7)]
    for address in addresses:
        for _ in range(5):
            _sign_in(client, "admin", "guess-123456", address)
    assert LoginFailure.objects.count() == 30
    response = _sign_in(Client(), user.username, password, "198.51.100.20")
    assert response.context["form"].non_field_errors() == [
        "Too many failed sign-in attempts for this user. "
        f"Try again after {_retry_at(minutes=60)} (in 60 minutes)."
    ]
    # Other names from those addresses are untouched by the name limit.
    colleague = UserFactory(username="rep_other")
    assert _sign_in(Client(), colleague.username, password, addresses[0]).status_code == 302


def test_the_default_name_limit_is_out_of_reach_of_one_address():
    pair, pair_minutes = settings.KAM_LOGIN_PAIR_FAILURES, settings.KAM_LOGIN_PAIR_MINUTES
    reachable = pair * (settings.KAM_LOGIN_NAME_MINUTES // pair_minutes + 1)
    assert reachable < settings.KAM_LOGIN_NAME_FAILURES
    assert pair < settings.KAM_LOGIN_ADDRESS_FAILURES


def test_signing_in_forgets_the_failures_of_that_name_from_that_address(client, password):
    user = UserFactory()
    for _ in range(4):
        _sign_in(client, user.username, "wrong-guess", "10.0.0.1")
    _sign_in(Client(), user.username, "wrong-guess", "10.0.0.2")
    _sign_in(client, "someone_else", "wrong-guess", "10.0.0.1")
    assert _sign_in(client, user.username, password, "10.0.0.1").status_code == 302
    client.post(reverse("logout"))
    remaining = LoginFailure.objects.values_list("username", "ip_address")
    assert sorted(remaining) == sorted([(user.username, "10.0.0.2"), ("someone_else", "10.0.0.1")])
    # The count starts again: four more failures do not lock the pair.
    for _ in range(4):
        _sign_in(client, user.username, "wrong-guess", "10.0.0.1")
    assert _sign_in(client, user.username, password, "10.0.0.1").status_code == 302


def test_old_failures_leave_the_window(client, password):
    user = UserFactory()
    for _ in range(5):
        _sign_in(client, user.username, "wrong-guess", "10.0.0.1")
    LoginFailure.objects.update(at=timezone.now() - timedelta(minutes=16))
    assert _sign_in(client, user.username, password, "10.0.0.1").status_code == 302


@override_settings(KAM_TRUST_PROXY=True)
def test_behind_a_trusted_proxy_the_forwarded_client_address_is_counted(client, password):
    user = UserFactory()
    for _ in range(5):
        client.post(
            reverse("login"),
            {"username": user.username, "password": "wrong-guess"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.7",
        )
    assert set(LoginFailure.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}
    response = client.post(
        reverse("login"),
        {"username": user.username, "password": password},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.20",
    )
    assert response.status_code == 302


def test_api_token_is_obtained_and_used_as_a_header(password):
    user = UserFactory(role=Role.DIRECTOR)
    client = APIClient()
    token = client.post("/api/v1/auth/token/", {"username": user.username, "password": password})
    assert token.status_code == 200
    key = token.json()["token"]
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert client.get("/api/v1/users/").status_code == 200


@override_settings(KAM_LOGIN_PAIR_FAILURES=2)
def test_api_token_endpoint_is_throttled_too(password):
    user = UserFactory()
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    for _ in range(2):
        bad = client.post("/api/v1/auth/token/", {"username": user.username, "password": "x"})
        assert bad.status_code == 400
    locked = client.post("/api/v1/auth/token/", {"username": user.username, "password": password})
    assert locked.status_code == 429
    assert locked.json()["error"]["code"] == "locked_out"
    assert locked.json()["error"]["message"] == (
        "Too many failed sign-in attempts for this user from your address. "
        f"Try again after {_retry_at()} (in 15 minutes)."
    )
    assert 890 <= int(locked["Retry-After"]) <= 901
    elsewhere = APIClient(REMOTE_ADDR="198.51.100.20")
    token = elsewhere.post("/api/v1/auth/token/", {"username": user.username, "password": password})
    assert token.status_code == 200


def test_logout_ends_the_session(client):
    client.force_login(UserFactory())
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302
