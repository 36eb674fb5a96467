"""API tokens: hashed, expiring, new at every sign-in, listed and revoked by their owner
and by administrators, and all ended by a password change or a deactivation."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.apps import apps
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from rest_framework.test import APIClient

from kam.core.models import ApiToken, AuditEvent, Role
from kam.core.services import tokens as token_services
from kam.core.services import users as user_services
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
TOKENS_URL = "/api/v1/auth/tokens/"


def sign_in(user, password, **extra) -> dict:  # type: ignore[no-untyped-def]
    response = APIClient().post(
        TOKEN_URL, {"username": user.username, "password": password, **extra}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()


def client_with(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def works(key: str) -> bool:
    status = client_with(key).get(TOKENS_URL).status_code
    assert status in (200, 401), status
    return status == 200


def test_the_key_is_stored_nowhere_in_the_database(password):
    user = UserFactory()
    key = sign_in(user, password, name="ERP integration")["token"]
    assert works(key)
    for model in apps.get_models():
        fields = [f.attname for f in model._meta.concrete_fields]
        for row in model.objects.values_list(*fields):
            assert not any(key in str(value) for value in row), model._meta.label
    token = ApiToken.objects.get()
    assert token.name == "ERP integration"
    assert token.auth_token.token_key == key[:15]


@override_settings(KAM_API_TOKEN_DAYS=30)
def test_a_token_says_when_it_expires_and_is_refused_after(password):
    user = UserFactory()
    answer = sign_in(user, password)
    expiry = parse_datetime(answer["expiry"])
    assert expiry is not None
    assert abs(expiry - (timezone.now() + timedelta(days=30))) < timedelta(minutes=5)
    assert works(answer["token"])
    token = ApiToken.objects.get(pk=answer["id"]).auth_token
    token.expiry = timezone.now() - timedelta(seconds=1)
    token.save(update_fields=["expiry"])
    response = client_with(answer["token"]).get(TOKENS_URL)
    assert response.status_code == 401
    # The token is gone from everyone's list.
    admin = UserFactory(role=Role.ADMIN)
    listed = client_with(sign_in(admin, password)["token"]).get(TOKENS_URL).json()["results"]
    assert [t["user"] for t in listed] == [admin.pk]


def test_every_sign_in_makes_a_new_token_and_the_earlier_one_lives_on(password):
    user = UserFactory()
    first = sign_in(user, password)["token"]
    second = sign_in(user, password)["token"]
    assert first != second
    assert works(first) and works(second)
    assert ApiToken.objects.filter(auth_token__user=user).count() == 2


def test_the_owner_lists_their_tokens_without_keys_and_revokes_one(password):
    user = UserFactory()
    UserFactory()  # someone else, whose token nobody here may see
    old = sign_in(user, password, name="ERP integration")
    current = sign_in(user, password, name="报表脚本")
    client = client_with(current["token"])
    listed = client.get(TOKENS_URL).json()["results"]
    assert [(t["name"], t["token_key"]) for t in listed] == [
        ("报表脚本", current["token"][:15]),
        ("ERP integration", old["token"][:15]),
    ]
    assert old["token"] not in str(listed) and current["token"] not in str(listed)
    assert client.delete(f"{TOKENS_URL}{old['id']}/").status_code == 204
    assert not works(old["token"])
    assert works(current["token"])
    event = AuditEvent.objects.get(object_type="core.apitoken", action=AuditEvent.Action.DELETE)
    assert event.actor == user
    assert event.changes["reason"] == "revoked"
    assert event.changes["name"] == "ERP integration"


def test_a_rep_cannot_see_or_revoke_anothers_tokens(password):
    rep = UserFactory(username="rep_a")
    other = UserFactory(username="rep_b")
    theirs = sign_in(other, password, name="theirs")
    client = client_with(sign_in(rep, password)["token"])
    listed = client.get(TOKENS_URL, {"user": other.pk}).json()["results"]
    assert listed == []
    assert client.delete(f"{TOKENS_URL}{theirs['id']}/").status_code == 404
    refused = client.post(f"{TOKENS_URL}revoke-all/", {"user": other.pk}, format="json")
    assert refused.status_code == 404
    assert works(theirs["token"])


def test_an_administrator_lists_and_revokes_anyones_tokens(password):
    admin = UserFactory(role=Role.ADMIN)
    rep = UserFactory()
    first = sign_in(rep, password, name="ERP")
    second = sign_in(rep, password, name="BI")
    client = client_with(sign_in(admin, password)["token"])
    listed = client.get(TOKENS_URL, {"user": rep.pk}).json()["results"]
    assert sorted(t["name"] for t in listed) == ["BI", "ERP"]
    assert client.delete(f"{TOKENS_URL}{first['id']}/").status_code == 204
    assert not works(first["token"]) and works(second["token"])
    answer = client.post(f"{TOKENS_URL}revoke-all/", {"user": rep.pk}, format="json")
    assert answer.json() == {"revoked": 1}
    assert not works(second["token"])
    assert ApiToken.objects.filter(auth_token__user=admin).count() == 1


def test_revoke_all_without_a_user_ends_ones_own_tokens_the_one_in_use_too(password):
    user = UserFactory()
    other = sign_in(user, password)["token"]
    current = sign_in(user, password)["token"]
    answer = client_with(current).post(f"{TOKENS_URL}revoke-all/", {}, format="json")
    assert answer.json() == {"revoked": 2}
    assert not works(current) and not works(other)


def test_a_password_change_ends_every_token_of_the_user(password):
    admin = UserFactory(role=Role.ADMIN)
    user = UserFactory()
    keys = [sign_in(user, password)["token"] for _ in range(2)]
    admin_key = sign_in(admin, password)["token"]
    user_services.set_password(user, "a-new-Pass-phrase-9", by=admin)
    assert not any(works(key) for key in keys)
    assert works(admin_key)
    reasons = AuditEvent.objects.filter(
        object_type="core.apitoken", action=AuditEvent.Action.DELETE
    ).values_list("changes__reason", flat=True)
    assert list(reasons) == ["password_changed", "password_changed"]


def test_a_password_changed_through_the_api_ends_the_tokens_too(password):
    admin = UserFactory(role=Role.ADMIN)
    user = UserFactory()
    key = sign_in(user, password)["token"]
    client = client_with(sign_in(admin, password)["token"])
    changed = client.patch(
        f"/api/v1/users/{user.pk}/", {"password": "a-new-Pass-phrase-9"}, format="json"
    )
    assert changed.status_code == 200, changed.content
    assert not works(key)


def test_deactivating_a_user_ends_every_token(password):
    admin = UserFactory(role=Role.ADMIN)
    user = UserFactory()
    key = sign_in(user, password)["token"]
    user_services.update_user(user, by=admin, is_active=False)
    assert ApiToken.objects.filter(auth_token__user=user).count() == 0
    user_services.update_user(user, by=admin, is_active=True)
    assert not works(key)
    event = AuditEvent.objects.get(object_type="core.apitoken", action=AuditEvent.Action.DELETE)
    assert event.changes["reason"] == "deactivated"
    assert event.actor == admin


@override_settings(KAM_LOGIN_PAIR_FAILURES=2)
def test_signing_in_for_a_token_is_still_throttled(password):
    user = UserFactory()
    client = APIClient()
    for _ in range(2):
        bad = client.post(TOKEN_URL, {"username": user.username, "password": "x"})
        assert bad.status_code == 400
    locked = client.post(TOKEN_URL, {"username": user.username, "password": password})
    assert locked.status_code == 429
    assert not ApiToken.objects.exists()


def test_the_token_operations_are_in_the_schema():
    schema = APIClient().get("/api/v1/schema/?format=json").json()
    paths = schema["paths"]
    assert set(paths[TOKENS_URL]) >= {"get"}
    assert set(paths[TOKENS_URL + "{id}/"]) >= {"delete"}
    assert set(paths[TOKENS_URL + "revoke-all/"]) >= {"post"}
    issued = paths[TOKEN_URL]["post"]["responses"]["200"]["content"]["application/json"]
    name = issued["schema"]["$ref"].rsplit("/", 1)[1]
    assert {"token", "expiry", "name"} <= set(schema["components"]["schemas"][name]["properties"])


# ---------------------------------------------------------------- the page


def test_the_page_makes_a_token_shows_the_key_once_and_revokes_it(client):
    user = UserFactory()
    client.force_login(user)
    home = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert reverse("core:api_tokens") in home  # in the user menu
    made = client.post(reverse("core:api_tokens"), {"name": "ERP integration"})
    page = made.content.decode()
    token = ApiToken.objects.get(auth_token__user=user)
    start = page.index('data-testid="new-token"')
    key = page[start:].split("<code", 1)[1].split(">", 1)[1].split("<", 1)[0]
    assert key.startswith(token.auth_token.token_key) and len(key) == 64
    assert works(key)
    again = client.get(reverse("core:api_tokens")).content.decode()
    assert "ERP integration" in again and token.auth_token.token_key in again
    assert key not in again
    revoked = client.post(reverse("core:api_token_revoke", args=[token.pk]))
    assert revoked.status_code == 302
    assert not works(key)


def test_the_page_of_anothers_tokens_is_for_administrators_only(client, password):
    rep = UserFactory()
    other = UserFactory()
    theirs = sign_in(other, password, name="theirs")
    client.force_login(rep)
    assert client.get(reverse("core:user_api_tokens", args=[other.pk])).status_code == 404
    assert client.post(reverse("core:api_token_revoke", args=[theirs["id"]])).status_code == 404
    revoke_all = reverse("core:user_api_tokens_revoke_all", args=[other.pk])
    assert client.post(revoke_all).status_code == 404
    assert works(theirs["token"])
    client.force_login(UserFactory(role=Role.ADMIN))
    users = client.get(reverse("core:user_list")).content.decode()
    assert reverse("core:user_api_tokens", args=[other.pk]) in users
    page = client.get(reverse("core:user_api_tokens", args=[other.pk])).content.decode()
    assert "theirs" in page and theirs["token"] not in page
    assert client.post(revoke_all).status_code == 302
    assert not works(theirs["token"])


def test_issuing_a_token_is_audited_without_its_key(password):
    user = UserFactory()
    key = sign_in(user, password, name="ERP")["token"]
    event = AuditEvent.objects.get(object_type="core.apitoken", action=AuditEvent.Action.CREATE)
    assert event.actor == user and event.changes["name"] == "ERP"
    assert key not in str(event.changes)
    assert token_services.revoke_all_tokens(user, by=None) == 1


def test_changing_a_password_on_the_command_line_ends_the_tokens_too(password, monkeypatch):
    from django.contrib.auth.management.commands.changepassword import Command
    from django.core.management import call_command

    user = UserFactory()
    key = sign_in(user, password)["token"]
    monkeypatch.setattr(Command, "_get_pass", lambda self, prompt="": "a-new-Pass-phrase-9")
    call_command("changepassword", user.username, stdout=StringIO())
    user.refresh_from_db()
    assert user.check_password("a-new-Pass-phrase-9")
    assert not works(key)
    event = AuditEvent.objects.get(object_type="core.apitoken", action=AuditEvent.Action.DELETE)
    assert event.changes["reason"] == "password_changed" and event.interface == "cli"
