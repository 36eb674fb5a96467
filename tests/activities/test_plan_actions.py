"""An activity can serve an action of its account's plan (issue 5 no. 9)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from kam.accounts.models import AccountPlan, PlanAction, PlanObjective
from kam.activities import services
from kam.activities.models import Activity, Kind
from tests.factories import AccountFactory

pytestmark = pytest.mark.django_db


def plan_action(account, owner):  # type: ignore[no-untyped-def]
    plan = AccountPlan.objects.create(account=account, year=timezone.localdate().year)
    objective = PlanObjective.objects.create(plan=plan, text="进入核心网")
    return PlanAction.objects.create(
        objective=objective, text="高层拜访", owner=owner, due_date=timezone.localdate()
    )


def plan(account, **fields):  # type: ignore[no-untyped-def]
    return services.plan_activity(
        account=account,
        kind=Kind.EXECUTIVE_VISIT,
        owner=account.owner,
        starts_at=timezone.now() + timedelta(days=5),
        objective="客户同意引荐分管副总进行高层会谈",
        by=account.owner,
        **fields,
    )


def test_planning_links_the_plan_action(org):
    account = AccountFactory(owner=org.rep)
    action = plan_action(account, org.rep)
    activity = plan(account, plan_action=action)
    action.refresh_from_db()
    assert action.activity == activity


def test_an_action_of_another_accounts_plan_is_refused(org):
    account = AccountFactory(owner=org.rep)
    action = plan_action(AccountFactory(owner=org.rep), org.rep)
    with pytest.raises(ValidationError) as excinfo:
        plan(account, plan_action=action)
    assert "this account's plan" in str(excinfo.value)
    assert not Activity.objects.exists()


def test_editing_can_link_an_action_later(org):
    account = AccountFactory(owner=org.rep)
    activity = plan(account)
    action = plan_action(account, org.rep)
    services.update_activity(
        activity, by=org.rep, expected_version=activity.version, plan_action=action
    )
    action.refresh_from_db()
    assert action.activity == activity
