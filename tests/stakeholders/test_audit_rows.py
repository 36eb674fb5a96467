"""The audit rows of the decision chain's changes: what changed, personal values hidden."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from kam.core.audit import REDACTED
from kam.core.models import AuditEvent, Interface
from kam.stakeholders import services
from kam.stakeholders.models import PolicyWatch
from tests.factories import AccountFactory, ContactFactory
from tests.stakeholders.factories import StakeholderFactory

pytestmark = pytest.mark.django_db


def last_event() -> AuditEvent:
    return AuditEvent.objects.latest("pk")


def test_a_person_changed_records_the_move_and_hides_contact_details(org):
    person = ContactFactory(account=AccountFactory(owner=org.rep), title="工程师", phone="1")
    services.update_contact(
        person, by=org.rep, expected_version=person.version, title="主任", phone="2"
    )
    event = last_event()
    assert (event.action, event.actor, event.interface) == (
        AuditEvent.Action.UPDATE,
        org.rep,
        Interface.WEB,
    )
    assert event.changes == {"title": ["工程师", "主任"], "phone": [REDACTED, REDACTED]}


def test_a_save_without_a_change_is_still_recorded(org):
    person = ContactFactory(account=AccountFactory(owner=org.rep), title="工程师")
    services.update_contact(person, by=org.rep, expected_version=person.version, title="工程师")
    assert last_event().changes == {}


def test_a_members_personal_win_is_hidden(org):
    member = StakeholderFactory(opportunity__account__owner=org.rep, personal_win="")
    services.update_stakeholder(
        member,
        by=org.rep,
        via=Interface.API,
        expected_version=member.version,
        roles=["decision_maker"],
        personal_win="升职",
    )
    event = last_event()
    assert event.interface == Interface.API
    assert event.changes == {"is_decision_maker": [False, True], "personal_win": [None, REDACTED]}


def test_a_policy_watch_records_its_first_values_then_its_changes(org):
    account = AccountFactory(owner=org.rep)
    watch = services.save_policy_watch(
        PolicyWatch(), by=org.rep, account=account, title="国产化", review_on=date(2027, 1, 1)
    )
    created = last_event()
    assert created.action == AuditEvent.Action.CREATE
    assert created.changes["title"] == "国产化" and created.changes["account_id"] == account.pk
    services.save_policy_watch(watch, by=org.rep, expected_version=watch.version, title="信创")
    assert last_event().changes == {"title": ["国产化", "信创"]}


def test_someone_who_may_not_edit_is_refused_in_the_chains_words(org):
    person = ContactFactory(account=AccountFactory(owner=org.rep))
    with pytest.raises(PermissionDenied, match="may not change this account's decision chain"):
        services.update_contact(person, by=org.finance, expected_version=person.version, title="X")
