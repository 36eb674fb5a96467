"""The service ritual (kam.core.changes): validated, versioned, recorded, or nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from kam.accounts.models import Account
from kam.core import changes
from kam.core.concurrency import ConflictError
from kam.core.models import AuditEvent, Interface
from tests.factories import AccountFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def _events(instance: object) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(object_id=str(instance.pk)).order_by("id")  # type: ignore[attr-defined]
    )


def test_update_saves_the_changed_fields_and_records_before_and_after() -> None:
    user = UserFactory()
    account = AccountFactory(name="华东电网")
    version = account.version

    changed = changes.update(
        account, {"name": "华东电网公司"}, by=user, via=Interface.API, expected_version=version
    )

    account.refresh_from_db()
    assert account.name == "华东电网公司"
    assert account.version == version + 1
    assert changed == {"name": ["华东电网", "华东电网公司"]}
    event = _events(account)[-1]
    assert (event.action, event.interface, event.actor) == ("update", "api", user)
    assert event.changes == {"name": ["华东电网", "华东电网公司"]}


def test_a_stale_edit_changes_nothing_and_records_nothing() -> None:
    account = AccountFactory(name="A 公司")
    stale = account.version
    changes.update(account, {"name": "B 公司"}, by=None, expected_version=stale)
    before = len(_events(account))

    copy = Account.objects.get(pk=account.pk)
    with pytest.raises(ConflictError):
        changes.update(copy, {"name": "C 公司"}, by=None, expected_version=stale)

    assert Account.objects.get(pk=account.pk).name == "B 公司"
    assert len(_events(account)) == before


def test_invalid_values_are_refused_before_anything_is_saved() -> None:
    account = AccountFactory(name="A 公司")
    with pytest.raises(ValidationError) as refused:
        changes.update(account, {"name": ""}, by=None, expected_version=account.version)
    assert "name" in refused.value.message_dict
    assert Account.objects.get(pk=account.pk).name == "A 公司"


def test_nothing_changed_records_nothing_unless_asked() -> None:
    account = AccountFactory(name="A 公司")
    before = len(_events(account))
    assert changes.update(account, {"name": "A 公司"}, by=None) == {}
    assert len(_events(account)) == before
    changes.update(account, {"name": "A 公司"}, by=None, always=True)
    assert len(_events(account)) == before + 1


def test_create_and_delete_record_the_values_with_personal_fields_redacted() -> None:
    user = UserFactory(team=TeamFactory())
    account = Account(name="新客户", owner=user, city="上海")
    changes.create(account, by=user, redacted=["city"])
    created = _events(account)[-1]
    assert created.action == "create"
    assert created.changes["name"] == "新客户"
    assert created.changes["city"] == "***"

    pk = account.pk
    changes.delete(account, by=user)
    assert not Account.objects.filter(pk=pk).exists()
    deleted = AuditEvent.objects.filter(object_id=str(pk), action="delete").get()
    assert deleted.changes["name"] == "新客户"


def test_saving_a_versioned_record_with_no_values_still_checks_and_bumps_the_version() -> None:
    account = AccountFactory(name="A 公司")
    version = account.version
    changes.update(account, {}, by=None, expected_version=version, always=True)
    assert Account.objects.get(pk=account.pk).version == version + 1
    with pytest.raises(ConflictError):
        changes.update(account, {}, by=None, expected_version=version)
