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


def test_a_block_can_record_only_the_figures_that_move() -> None:
    account = AccountFactory(name="A 公司", city="上海")
    before = len(_events(account))
    with changes.tracked(account, by=None, fields=["city"]):
        account.name = "B 公司"
        account.save()
    assert len(_events(account)) == before
    with changes.tracked(account, by=None, fields=["city"]):
        account.name, account.city = "C 公司", "北京"
        account.save()
    assert _events(account)[-1].changes == {"city": ["上海", "北京"]}


def test_a_block_can_add_what_is_not_a_field_beside_the_changes() -> None:
    account = AccountFactory(name="A 公司")
    with changes.tracked(account, by=None) as changed:
        account.name = "B 公司"
        account.save()
        changed["reason"] = ["", "改名"]
    assert _events(account)[-1].changes == {"name": ["A 公司", "B 公司"], "reason": ["", "改名"]}


def test_a_record_inserted_in_a_block_is_recorded_with_its_first_values() -> None:
    user = UserFactory(team=TeamFactory())
    account = Account(name="新客户", owner=user, city="上海")
    with changes.tracked(account, by=user, action=AuditEvent.Action.CREATE, redacted=["city"]):
        account.save()
        account.name = "新客户公司"
        account.save(update_fields=["name"])
    created = _events(account)[-1]
    assert created.action == "create"
    assert created.changes["id"] == account.pk
    assert created.changes["name"] == "新客户公司"
    assert created.changes["city"] == "***"


def test_many_records_are_validated_first_then_inserted_each_with_its_own_event() -> None:
    user = UserFactory(team=TeamFactory())
    with pytest.raises(ValidationError):
        changes.create_many([Account(name="甲", owner=user), Account(name="", owner=user)], by=user)
    assert not Account.objects.filter(name="甲").exists()

    created = changes.create_many(
        [Account(name="甲", owner=user, city="上海"), Account(name="乙", owner=user)],
        by=user,
        via=Interface.IMPORT,
        redacted=["city"],
    )

    assert [a.name for a in created] == ["甲", "乙"]
    events = [_events(a)[-1] for a in created]
    assert [(e.action, e.interface, e.actor) for e in events] == [("create", "import", user)] * 2
    assert [e.changes["name"] for e in events] == ["甲", "乙"]
    assert [e.changes["city"] for e in events] == ["***", None]
    assert changes.create_many([], by=user) == []
