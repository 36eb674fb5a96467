"""Free text has a maximum: a megabyte of notes is refused by the page, the API and an
import, with the field named, and nothing is saved."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from kam.core.fields import NOTE_MAX_LENGTH, BoundedTextField
from kam.imports.models import BatchStatus
from kam.pipeline.models import Opportunity
from kam.stakeholders.models import Contact
from tests.factories import AccountFactory
from tests.imports.conftest import errors, run  # noqa: F401  (the import fixture)
from tests.imports.helpers import headers

pytestmark = pytest.mark.django_db

# A megabyte of Chinese text in UTF-8 (three bytes a character).
MEGABYTE = "备" * (1024 * 1024 // 3)


def test_every_text_field_of_kam_has_a_maximum():
    from django.apps import apps
    from django.db import models

    unbounded = [
        f"{model._meta.label}.{field.name}"
        for model in apps.get_models()
        if model.__module__.startswith("kam.")
        for field in model._meta.get_fields()
        if isinstance(field, models.TextField) and not isinstance(field, BoundedTextField)
    ]
    assert unbounded == []


def test_a_megabyte_note_on_the_page_is_refused_beside_its_field(org, login):
    account = AccountFactory(owner=org.rep)
    client = login(org.rep)
    response = client.post(
        f"/people/new/?account={account.pk}",
        {"name": "王建国", "level": "operational", "personality": MEGABYTE},
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["personality"]
    assert f"{NOTE_MAX_LENGTH}" in form.errors["personality"][0]
    assert not Contact.objects.exists()


def test_a_megabyte_note_through_the_api_is_refused_with_the_field_named(org, api):
    account = AccountFactory(owner=org.rep)
    response = api(org.rep).post(
        "/api/v1/contacts/",
        json.dumps(
            {"account": account.pk, "name": "王建国", "personality": MEGABYTE}, ensure_ascii=False
        ),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["details"]) == ["personality"]
    assert not Contact.objects.exists()


def test_a_megabyte_description_in_an_import_is_reported_by_row_and_column(org, run):  # noqa: F811
    AccountFactory(owner=org.rep, name="上海示例电子有限公司")
    soon = (timezone.localdate() + timezone.timedelta(days=90)).isoformat()
    rows = [
        headers("opportunities", "account", "name", "amount", "expected_close_date", "description"),
        ["上海示例电子有限公司", "数据中心扩容", 1200000, soon, "备" * (NOTE_MAX_LENGTH + 1)],
    ]
    batch = run(org.rep, "opportunities", rows)
    assert batch.status != BatchStatus.COMMITTED
    [(row, column, message)] = errors(batch)
    assert (row, column) == (2, "description")
    assert f"{NOTE_MAX_LENGTH}" in message
    assert not Opportunity.objects.exists()


def test_a_service_that_skips_full_clean_still_cannot_store_over_long_text(org):
    from django.core.exceptions import ValidationError

    from kam.stakeholders import services

    account = AccountFactory(owner=org.rep)
    with pytest.raises(ValidationError) as refused:
        services.create_contact(
            account=account, by=org.rep, name="王建国", personality="x" * (NOTE_MAX_LENGTH + 1)
        )
    assert list(refused.value.message_dict) == ["personality"]
    assert not Contact.objects.exists()


def test_a_json_body_nested_too_deep_is_refused(org, api):
    response = api(org.rep).post(
        "/api/v1/contacts/", "[" * 5000 + "]" * 5000, content_type="application/json"
    )
    assert response.status_code == 400
    assert "32" in response.json()["error"]["message"]


def test_a_json_body_over_the_limit_is_refused(org, api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = api(org.rep).post(
        "/api/v1/contacts/", json.dumps({"name": "x" * 2000}), content_type="application/json"
    )
    assert response.status_code == 400
    assert "MB" in response.json()["error"]["message"]
