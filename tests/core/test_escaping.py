"""Every piece of user content is rendered escaped (issue 10, web security).

The demo tenant is built, then every text field of every KAM table (names, notes,
outcomes, plans, contracts, circle members...) is overwritten with script, HTML and
Chinese mixed: ``<script>alert(1)</script>客户&<kamxN>``, N telling the field apart.
Every page of the UI is then opened with ids from every table: none may contain a
raw tag, and the fields shown must appear in their escaped form.
"""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.db import models
from django.test import Client

from kam.core import demo
from kam.core.models import User
from tests.core.test_permission_walk import TODAY, fill, sample_ids, ui_routes

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
RAW_MARK = re.compile(r"<kamx\d+>")
ESCAPED_MARK = re.compile(r"&lt;kamx(\d+)&gt;")
# Identifiers and secrets, not content: a key or a currency code is never free text.
NOT_CONTENT = {
    "key",
    "path",
    "password",
    "username",
    "token",
    "currency",
    "task_path",
    "object_type",
    "object_id",
    "traceback",
}
SKIP_MODELS = {"core.loginfailure", "core.auditevent"}


def poison_every_text_field() -> dict[int, str]:
    """Overwrite every free-text field of every KAM table; returns {N: 'model.field'}."""
    fields: dict[int, str] = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if not model.__module__.startswith("kam.") or label in SKIP_MODELS:
            continue
        values = {}
        in_unique = {name for group in model._meta.unique_together for name in group} | {
            name
            for constraint in model._meta.constraints
            if isinstance(constraint, models.UniqueConstraint)
            for name in constraint.fields
        }
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.CharField | models.TextField) or field.choices:
                continue
            if field.name in NOT_CONTENT or field.unique or field.name in in_unique:
                continue
            n = len(fields) + 1
            value = f'{SCRIPT}客户"&<kamx{n}>'
            if field.max_length is not None and len(value) > field.max_length:
                value = f"<kamx{n}>"
                if len(value) > field.max_length:
                    continue
            fields[n] = f"{label}.{field.name}"
            values[field.name] = value
        if values:
            model.objects.update(**values)
    return fields


def test_user_content_is_escaped_on_every_page():
    demo.build(today=TODAY, log=lambda line: None)
    poisoned = poison_every_text_field()
    assert len(poisoned) > 100
    ids = sample_ids()
    # The administrator sees every page; a manager also sees people's personal details.
    readers = [
        (User.objects.get(username="admin"), "/"),
        (User.objects.get(username="manager"), "/people/"),
    ]
    client = Client()
    shown: set[int] = set()
    raw: list[str] = []
    failures: list[str] = []
    pages = 0
    for reader, area in readers:
        client.force_login(reader)
        for route in ui_routes():
            if not route.startswith(area) or route.startswith(
                ("/logout/", "/login/", "/language/")
            ):
                continue
            for path in [fill(route, i) for i in ids] if "<id:" in route else [fill(route, 0)]:
                response = client.get(path)
                if response.status_code >= 500:
                    failures.append(f"{path}: {response.status_code}")
                if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                    continue
                pages += 1
                body = response.content.decode()
                if SCRIPT in body or RAW_MARK.search(body):
                    raw.append(f"{path} ({reader.username}): {RAW_MARK.findall(body)[:5]}")
                shown.update(int(n) for n in ESCAPED_MARK.findall(body))
    assert not failures, failures[:20]
    assert not raw, raw[:20]
    shown_fields = {poisoned[n] for n in shown}
    for field in (
        "accounts.account.name",
        "stakeholders.contact.name",
        "pipeline.opportunity.name",
        "activities.activity.objective",
        "receivables.contract.name",
        "accounts.accountnote.text",
        "stakeholders.stakeholder.personal_win",
        "stakeholders.personalinfo.hobbies",
    ):
        assert field in shown_fields, field
    print(f"escaping: {pages} pages, {len(shown_fields)} of {len(poisoned)} text fields shown")
