"""Web security (issue 10): CSRF everywhere, no inline scripts, production cookies,
session expiry, password policy."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest
from django.test import Client

from kam.core.middleware import LAST_SEEN_AT, SIGNED_IN_AT
from tests.core.test_configuration import run_kam
from tests.factories import UserFactory

KAM = Path(__file__).resolve().parents[2] / "kam"
TEMPLATES = sorted(p for p in KAM.glob("*/templates/**/*.html"))


def test_there_are_templates_to_check():
    assert len(TEMPLATES) > 50


@pytest.mark.parametrize("template", TEMPLATES, ids=lambda p: str(p.relative_to(KAM)))
def test_templates_have_no_inline_script_and_every_post_form_has_a_csrf_token(template):
    text = template.read_text()
    for attributes, body in re.findall(r"<script\b([^>]*)>(.*?)</script>", text, re.S):
        assert "src=" in attributes and not body.strip(), "inline <script> (the CSP forbids it)"
    handlers = re.findall(r"<[^>]*\s(on[a-z]+|hx-on[:\w-]*)\s*=", text)
    assert not handlers, f"inline event handler attributes {handlers}"
    assert "javascript:" not in text.lower()
    assert "|safe" not in text and "autoescape off" not in text
    for form in re.findall(r"<form\b[^>]*>.*?</form>", text, re.S | re.I):
        if re.search(r'method=["\']post["\']', form, re.I):
            assert "{% csrf_token %}" in form, form[:200]


def test_no_python_code_marks_content_safe():
    for source in KAM.rglob("*.py"):
        text = source.read_text()
        assert "mark_safe(" not in text and "csrf_exempt" not in text, source


@pytest.mark.django_db
def test_a_post_without_the_csrf_token_is_refused_and_htmx_sends_it(org):
    client = Client(enforce_csrf_checks=True)
    client.force_login(org.admin)
    page = client.get("/settings/teams/new/")
    body = page.content.decode()
    token = re.search(r'hx-headers=\'\{"X-CSRFToken": "([^"]+)"\}\'', body)
    assert token, "the page gives htmx the token"
    refused = client.post("/settings/teams/new/", {"name": "无令牌组"})
    assert refused.status_code == 403
    accepted = client.post("/settings/teams/new/", {"name": "带令牌组"}, HTTP_X_CSRFTOKEN=token[1])
    assert accepted.status_code == 302
    # The API with a browser session needs the token too (a token header does not).
    assert client.post("/api/v1/accounts/", {}, content_type="application/json").status_code == 403


def test_production_cookies_are_secure_http_only_same_site_with_hsts(tmp_path):
    result = run_kam(
        {
            "KAM_PRODUCTION": "1",
            "KAM_SECRET_KEY": "p" * 50,
            "KAM_ALLOWED_HOSTS": "kam.example.com",
        },
        "shell",
        "-c",
        "import json; from django.conf import settings as s; print(json.dumps({n: getattr(s, n)"
        " for n in ['SESSION_COOKIE_SECURE', 'SESSION_COOKIE_HTTPONLY', 'SESSION_COOKIE_SAMESITE',"
        " 'CSRF_COOKIE_SECURE', 'CSRF_COOKIE_HTTPONLY', 'CSRF_COOKIE_SAMESITE',"
        " 'LANGUAGE_COOKIE_SECURE', 'SECURE_HSTS_SECONDS', 'SESSION_COOKIE_AGE',"
        " 'KAM_SESSION_IDLE_MINUTES', 'AUTH_PASSWORD_VALIDATORS']}))",
        tmp_path=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    s = json.loads(result.stdout.strip().splitlines()[-1])
    assert s["SESSION_COOKIE_SECURE"] and s["CSRF_COOKIE_SECURE"] and s["LANGUAGE_COOKIE_SECURE"]
    assert s["SESSION_COOKIE_HTTPONLY"] and s["CSRF_COOKIE_HTTPONLY"]
    assert s["SESSION_COOKIE_SAMESITE"] == s["CSRF_COOKIE_SAMESITE"] == "Lax"
    assert s["SECURE_HSTS_SECONDS"] >= 180 * 24 * 3600
    assert s["SESSION_COOKIE_AGE"] == 12 * 3600 and s["KAM_SESSION_IDLE_MINUTES"] == 120
    minimum = [v for v in s["AUTH_PASSWORD_VALIDATORS"] if "MinimumLength" in v["NAME"]]
    assert minimum and minimum[0]["OPTIONS"]["min_length"] >= 10


@pytest.mark.django_db
def test_a_session_ends_after_two_idle_hours(client, password):
    UserFactory(username="idle_rep")
    assert client.post("/login/", {"username": "idle_rep", "password": password}).status_code == 302
    assert client.get("/").status_code == 200
    session = client.session
    session[LAST_SEEN_AT] = int(time.time()) - 119 * 60
    session.save()
    assert client.get("/").status_code == 200  # still in, and seen again now
    assert client.session[LAST_SEEN_AT] >= int(time.time()) - 5
    session = client.session
    session[LAST_SEEN_AT] = int(time.time()) - 121 * 60
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.django_db
def test_a_session_ends_twelve_hours_after_signing_in_even_when_busy(client, password):
    UserFactory(username="busy_rep")
    client.post("/login/", {"username": "busy_rep", "password": password})
    session = client.session
    session[SIGNED_IN_AT] = int(time.time()) - 12 * 3600 - 60
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")
