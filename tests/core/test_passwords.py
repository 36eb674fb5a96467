"""Changing one's own password, resetting a forgotten one by email, the name validator."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse

from kam.core.models import AuditEvent, User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Harbour-lantern-58"


def _password_audits(user):
    return list(
        AuditEvent.objects.filter(object_type="core.user", object_id=str(user.pk)).values_list(
            "action", "actor_id", "changes"
        )
    )


def with_language(client, language):  # type: ignore[no-untyped-def]
    """The language picked with the switcher (the sign-in pages ignore the browser's)."""
    client.cookies["kam_language"] = language
    return client


# -- changing one's own password --------------------------------------------------------


def test_the_user_menu_links_to_changing_the_password(client):
    client.force_login(UserFactory())
    page = (
        with_language(client, "en")
        .get(
            reverse("home"),
        )
        .content.decode()
    )
    assert f'href="{reverse("core:password_change")}"' in page
    assert "Change password" in page


def test_changing_the_password_keeps_this_session_and_is_audited(client, password):
    user = UserFactory()
    client.force_login(user)
    response = with_language(client, "en").post(
        reverse("core:password_change"),
        {"old_password": password, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert response.redirect_chain == [(reverse("home"), 302)]
    assert "Your password has been changed." in response.content.decode()
    assert response.wsgi_request.user == user
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert _password_audits(user) == [("update", user.pk, {"password": "***"})]
    assert client.get(reverse("home")).status_code == 200


def test_a_password_change_signs_out_the_other_sessions(client, password):
    user = UserFactory()
    elsewhere = Client()
    elsewhere.force_login(user)
    client.force_login(user)
    client.post(
        reverse("core:password_change"),
        {"old_password": password, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert elsewhere.get(reverse("home")).status_code == 302


def test_the_current_password_must_be_right(client):
    user = UserFactory()
    client.force_login(user)
    response = with_language(client, "en").post(
        reverse("core:password_change"),
        {"old_password": "not-mine", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.context["form"].errors == {
        "old_password": [
            "Your old password was entered incorrectly. Please enter it again.",
        ]
    }
    assert _password_audits(user) == []


def test_the_new_password_follows_the_policy_in_both_languages(client, password):
    user = UserFactory(username="rep2")
    client.force_login(user)
    data = {"old_password": password, "new_password1": "rep2rep2rep2"}
    english = with_language(client, "en").post(
        reverse("core:password_change"),
        {**data, "new_password2": "rep2rep2rep2"},
    )
    assert english.context["form"].errors == {
        "new_password2": ["The password must not contain your user name or your name."]
    }
    chinese = with_language(client, "zh-hans").post(
        reverse("core:password_change"),
        {**data, "new_password2": "rep2rep2rep2"},
    )
    assert chinese.context["form"].errors == {"new_password2": ["密码不能包含您的用户名或姓名。"]}
    mismatch = with_language(client, "en").post(
        reverse("core:password_change"),
        {**data, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD + "x"},
    )
    assert mismatch.context["form"].errors == {
        "new_password2": ["The two password fields didn’t match."]
    }
    user.refresh_from_db()
    assert user.check_password(password)


def test_changing_the_password_needs_a_signed_in_user(client):
    response = client.get(reverse("core:password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# -- the name validator ------------------------------------------------------------------


@pytest.mark.parametrize(
    "candidate",
    ["rep2rep2rep2", "REP2-harbour-58", "Harbour-Wang-Lei-58", "lantern-zhangsan-9"],
)
def test_passwords_built_from_the_name_are_refused(candidate):
    user = User(username="rep2", first_name="Lei", last_name="Wang")
    if "zhangsan" in candidate:
        user = User(username="ZhangSan", first_name="三", last_name="张")
    with pytest.raises(ValidationError) as refused:
        validate_password(candidate, user)
    assert "The password must not contain your user name or your name." in refused.value.messages


def test_short_name_parts_do_not_refuse_a_password():
    user = User(username="rep2", first_name="小明", last_name="王")
    validate_password("王小明-harbour-lantern", user)


# -- password reset by email -------------------------------------------------------------


def _ask_for_reset(client, login, address="10.0.0.1", language="en"):
    return with_language(client, language).post(
        reverse("core:password_reset"),
        {"email": login},
        REMOTE_ADDR=address,
        follow=True,
    )


def _link(message):
    [url] = re.findall(r"https?://\S+", message.body)
    return url


def test_the_sign_in_page_links_to_the_reset(client):
    page = (
        with_language(client, "en")
        .get(
            reverse("login"),
        )
        .content.decode()
    )
    assert f'href="{reverse("core:password_reset")}"' in page
    assert "Forgot your password?" in page


@override_settings(KAM_BASE_URL="https://kam.example.com/")
def test_a_reset_link_is_mailed_and_sets_the_password_once(client, password):
    user = UserFactory(username="rep_sh", email="rep@example.com", language="zh-hans")
    response = _ask_for_reset(client, "REP_SH")
    assert response.redirect_chain == [(reverse("core:password_reset_done"), 302)]
    [message] = mail.outbox
    assert message.to == ["rep@example.com"]
    assert message.subject == "KAM：设置新密码"  # the user's language, not the page's
    url = _link(message)
    assert url.startswith("https://kam.example.com/password/reset/")
    assert "该链接只能使用一次，有效期 2 小时。" in message.body

    path = url.removeprefix("https://kam.example.com")
    form_page = client.get(path, follow=True)
    assert form_page.context["validlink"] is True
    set_url = form_page.redirect_chain[-1][0]
    done = with_language(client, "en").post(
        set_url,
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert done.redirect_chain == [(reverse("core:password_reset_complete"), 302)]
    assert "Your password has been set. Sign in with it now." in done.content.decode()
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert _password_audits(user) == [("update", user.pk, {"password": "***"})]

    again = with_language(Client(), "en").get(
        path,
    )
    assert again.context["validlink"] is False
    assert (
        "This link is no longer valid: it has been used, it has expired, or it is incomplete."
        in again.content.decode()
    )


def test_the_reset_is_found_by_email_too(client):
    UserFactory(username="rep_sh", email="Rep@Example.com")
    _ask_for_reset(client, "rep@example.com")
    assert [m.to for m in mail.outbox] == [["Rep@Example.com"]]


def test_the_answer_never_tells_whether_the_user_exists(client):
    UserFactory(username="rep_sh", email="rep@example.com")
    UserFactory(username="no_mail", email="")
    UserFactory(username="gone", email="gone@example.com", is_active=False)
    pages = [
        _ask_for_reset(client, login, address=f"10.0.0.{n}").content.decode()
        for n, login in enumerate(["rep_sh", "nobody", "no_mail", "gone"], start=1)
    ]
    expected = (
        "If the user name or email belongs to an active user with an email address, "
        "a link to choose a new password is on its way."
    )
    assert all(expected in page and "It works once, for 2 hours." in page for page in pages)
    # Byte for byte the same page, once the per-request CSRF token is set aside.
    assert (
        len({re.sub(r'[Cc][Ss][Rr][Ff][^"]*": ?"[^"]+"|value="[^"]{40,}"', "", p) for p in pages})
        == 1
    )
    assert len(mail.outbox) == 1


@override_settings(PASSWORD_RESET_TIMEOUT=3600)
def test_an_expired_link_is_refused(client, password):
    from unittest import mock

    user = UserFactory(email="rep@example.com")
    _ask_for_reset(client, user.username)
    path = _link(mail.outbox[0]).removeprefix("http://127.0.0.1:8000")
    generator = "django.contrib.auth.tokens.PasswordResetTokenGenerator._now"
    import datetime

    later = datetime.datetime.now() + datetime.timedelta(hours=1, minutes=1)
    with mock.patch(generator, return_value=later):
        page = client.get(path, follow=True)
    assert page.context["validlink"] is False
    user.refresh_from_db()
    assert user.check_password(password)


def test_reset_requests_are_throttled_per_address(client):
    UserFactory(username="rep_sh", email="rep@example.com")
    for _ in range(5):
        assert _ask_for_reset(client, "rep_sh").redirect_chain
    refused = _ask_for_reset(client, "rep_sh")
    assert refused.redirect_chain == []
    assert refused.context["form"].non_field_errors() == [
        "Too many password reset requests from your address. Try again in 60 minutes."
    ]
    assert len(mail.outbox) == 5
    assert _ask_for_reset(Client(), "rep_sh", address="10.0.0.2").redirect_chain
    assert len(mail.outbox) == 6


def test_a_short_password_is_refused_in_chinese_too(client, password):
    client.force_login(UserFactory())
    response = with_language(client, "zh-hans").post(
        reverse("core:password_change"),
        {"old_password": password, "new_password1": "Short-1", "new_password2": "Short-1"},
    )
    assert response.context["form"].errors == {"new_password2": ["密码太短：至少需要 10 个字符。"]}
