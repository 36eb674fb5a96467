"""The audit rows of the account team and of the tier: values kept, moves recorded."""

from __future__ import annotations

import pytest
from django.utils import timezone

from kam.accounts import services
from kam.accounts.models import AccountMember, ProductLine
from kam.core.models import AuditEvent
from tests.accounts.factories import AccountPlanFactory, PlanObjectiveFactory
from tests.accounts.test_services import fully_qualified
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def events(instance, pk=None) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    return list(
        AuditEvent.objects.filter(
            object_type=instance._meta.label_lower, object_id=str(pk or instance.pk)
        ).order_by("pk")
    )


def test_a_team_member_is_recorded_added_changed_and_removed(org):
    account = AccountFactory(owner=org.north_rep)
    member = services.add_member(account, user=org.rep, role="presales", by=org.north_rep)
    services.change_member_role(member, role="service", by=org.north_rep)
    services.change_member_role(member, role="service", by=org.north_rep)
    pk = member.pk
    services.remove_member(member, by=org.north_rep)
    added, changed, kept, removed = events(member, pk)
    assert added.action == AuditEvent.Action.CREATE
    assert (added.changes["account_id"], added.changes["user_id"]) == (account.pk, org.rep.pk)
    assert added.changes["role"] == AccountMember.TeamRole.PRESALES
    assert changed.changes == {"role": ["presales", "service"]}
    assert kept.changes == {}  # saved as it was: still recorded
    assert removed.action == AuditEvent.Action.DELETE and removed.changes["role"] == "service"


def test_the_tier_override_and_the_reassessment_record_what_moved(org):
    account = fully_qualified(org.rep)
    before = len(events(account))
    services.assess_account(account, by=None)
    assert len(events(account)) == before  # reassessed, nothing moved: nothing recorded

    services.override_tier(
        account, tier="general", reason="长期拖欠", by=org.east_manager, expected_version=1
    )
    services.clear_tier_override(account, by=org.rep, expected_version=account.version)
    cleared, reassessed = events(account)[-2:]
    assert cleared.changes["tier_overridden"] == [True, False]
    assert cleared.changes["tier_override_reason"] == ["长期拖欠", ""]
    assert cleared.changes["tier_override_by_id"] == [org.east_manager.pk, None]
    assert reassessed.changes == {"tier": ["general", "key"]}


def test_a_whitespace_cell_and_an_action_move_are_recorded_with_their_values(org):
    plan = AccountPlanFactory(account=AccountFactory(owner=org.rep))
    line = ProductLine.objects.get(key="security")
    cell = services.set_whitespace(
        plan, unit="华东子公司", product_line=line, status="opportunity", by=org.rep
    )
    assert cell is not None
    (marked,) = events(cell)
    assert (marked.action, marked.actor) == (AuditEvent.Action.CREATE, org.rep)
    assert (marked.changes["unit"], marked.changes["status"]) == ("华东子公司", "opportunity")
    assert (marked.changes["plan_id"], marked.changes["product_line_id"]) == (plan.pk, line.pk)
    pk = cell.pk
    services.set_whitespace(plan, unit="华东子公司", product_line=line, status="", by=org.rep)
    cleared = events(cell, pk)[-1]
    assert (cleared.action, cleared.changes["status"]) == (AuditEvent.Action.DELETE, "opportunity")

    objective = PlanObjectiveFactory(plan=plan)
    action = services.add_action(
        objective, text="拜访CIO", owner=org.rep, due_date=timezone.localdate(), by=org.rep
    )
    services.set_action_status(action, status="done", by=org.rep)
    services.set_action_status(action, status="done", by=org.rep)
    added, done, again = events(action)
    assert (added.changes["text"], added.changes["objective_id"]) == ("拜访CIO", objective.pk)
    assert done.changes == {"status": [added.changes["status"], "done"]}
    assert again.changes == {"status": ["done", "done"]}  # looked at and kept: still recorded
