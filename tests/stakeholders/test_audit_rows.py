"""The audit rows of the decision chain's changes: what changed, personal values hidden."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied

from kam.core.audit import REDACTED
from kam.core.models import AuditEvent, Interface
from kam.stakeholders import services
from kam.stakeholders.models import PolicyWatch
from tests.factories import AccountFactory, ContactFactory, OpportunityFactory
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


def test_a_new_person_is_recorded_with_their_place_and_their_details_hidden(org):
    account = AccountFactory(owner=org.rep)
    person = services.create_contact(
        account=account, by=org.rep, name="王芳", title="采购总监", phone="13800000000", email=""
    )
    created = last_event()
    assert (created.action, created.object_id) == (AuditEvent.Action.CREATE, str(person.pk))
    assert created.changes["name"] == "王芳" and created.changes["title"] == "采购总监"
    assert created.changes["account_id"] == account.pk
    assert created.changes["phone"] == REDACTED and created.changes["email"] is None
    assert "13800000000" not in str(created.changes)

    services.delete_contact(person, by=org.rep)
    deleted = last_event()
    assert deleted.action == AuditEvent.Action.DELETE and deleted.changes["name"] == "王芳"
    assert deleted.changes["phone"] == REDACTED


def test_a_circle_member_is_recorded_with_roles_and_the_personal_win_hidden(org):
    opportunity = OpportunityFactory(account__owner=org.rep)
    person = ContactFactory(account=opportunity.account)
    member = services.add_stakeholder(
        opportunity,
        by=org.rep,
        contact=person,
        roles=["decision_maker"],
        personal_win="想升职",
        business_result="降本 10%",
    )
    created = last_event()
    assert created.action == AuditEvent.Action.CREATE
    assert created.changes["contact_id"] == person.pk
    assert created.changes["opportunity_id"] == opportunity.pk
    assert created.changes["is_decision_maker"] is True
    assert created.changes["business_result"] == "降本 10%"
    assert created.changes["personal_win"] == REDACTED

    services.assess(member, by=org.rep, expected_version=member.version, support="supporter")
    assessed = last_event()
    assert assessed.object_type == "stakeholders.assessment"
    assert assessed.changes["support"] == "supporter"
    assert assessed.changes["stakeholder_id"] == member.pk

    services.remove_stakeholder(member, by=org.rep)
    removed = last_event()
    assert removed.action == AuditEvent.Action.DELETE
    assert removed.changes["personal_win"] == REDACTED


def test_an_influence_line_is_recorded_drawn_and_rubbed_off(org):
    account = AccountFactory(owner=org.rep)
    boss, deputy = ContactFactory(account=account), ContactFactory(account=account)
    line = services.add_influence_line(
        account, source=boss, target=deputy, by=org.rep, strength=3, note="同乡"
    )
    created = last_event()
    assert created.action == AuditEvent.Action.CREATE
    assert (created.changes["source_id"], created.changes["target_id"]) == (boss.pk, deputy.pk)
    assert (created.changes["strength"], created.changes["note"]) == (3, "同乡")
    services.remove_influence_line(line, by=org.rep)
    assert last_event().action == AuditEvent.Action.DELETE
    assert last_event().changes["note"] == "同乡"


def test_red_flag_thresholds_are_recorded_first_in_full_then_as_changes(org):
    services.update_red_flag_settings(by=org.admin, new_person_days=45)
    first = last_event()
    assert first.action == AuditEvent.Action.CREATE
    assert (first.changes["new_person_days"], first.changes["min_people_engaged"]) == (45, 3)
    services.update_red_flag_settings(by=org.admin, new_person_days=60, min_people_engaged=3)
    assert last_event().changes == {"new_person_days": [45, 60]}


def test_someone_who_may_not_edit_is_refused_in_the_chains_words(org):
    person = ContactFactory(account=AccountFactory(owner=org.rep))
    with pytest.raises(PermissionDenied, match="may not change this account's decision chain"):
        services.update_contact(person, by=org.finance, expected_version=person.version, title="X")
